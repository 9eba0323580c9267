//! The equations of dysts' chaotic flows (dysts 0.96, `flows.py`), one entry per system.
//!
//! Written as dysts writes them: state names, then `t`, then the parameters in
//! alphabetical order (the order of `chaotic_attractors.json`).
//! The metadata (parameter values, initial conditions, invariants, citations)
//! live in `catalog.json`; `catalog.rs` joins the two by name.
//!
//! Every equation is checked against dysts itself by `tests/dysts.rs`
//! (fixture made by `scripts/dysts_reference.py`).
// The equations mirror dysts term by term so they can be compared line by line.
#![allow(
    non_snake_case,
    unused_variables,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

use std::f64::consts::PI;

use super::types::Rhs;

/// One system's equations.
#[derive(Clone, Copy)]
pub struct Flow {
    pub name: &'static str,
    /// Parameter names as the equations bind them; `None` for systems with array
    /// parameters, whose layout comes from the catalog.
    pub params: Option<&'static [&'static str]>,
    pub rhs: Rhs,
}

/// dysts' `_postprocessing`: the coordinates a trajectory is reported in (for
/// example an angle as its sine), applied after integration.
#[derive(Clone, Copy)]
pub struct Post {
    pub name: &'static str,
    pub map: Rhs,
}

/// numpy's `sign`: zero at zero.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// numpy's `heaviside(x, h0)`.
fn heaviside(x: f64, h0: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        0.0
    } else {
        h0
    }
}

macro_rules! flows {
    ($( $name:ident ( $($s:ident),+ ; $t:ident ; $($p:ident),* ) $body:block )+) => {
        $(
            fn $name($t: f64, state: &[f64], params: &[f64], out: &mut [f64]) {
                let &[$($s),+] = state else { return };
                let &[$($p),*] = params else { return };
                let dx = $body;
                out.copy_from_slice(&dx);
            }
        )+
        const SCALAR_FLOWS: &[Flow] = &[$(Flow {
            name: stringify!($name),
            params: Some(&[$(stringify!($p)),*]),
            rhs: $name,
        }),+];
    };
}

macro_rules! posts {
    ($( $name:ident ( $($s:ident),+ ; $($p:ident),* ) $body:block )+) => {
        mod post {
            #![allow(non_snake_case, unused_variables, irrefutable_let_patterns, clippy::all)]
            use super::*;
            $(
                pub(super) fn $name(_t: f64, state: &[f64], params: &[f64], out: &mut [f64]) {
                    let &[$($s),+] = state else { return };
                    let &[$($p,)* ..] = params else { return };
                    let y = $body;
                    out.copy_from_slice(&y);
                }
            )+
        }
        const SCALAR_POSTS: &[Post] = &[$(Post { name: stringify!($name), map: post::$name }),+];
    };
}

flows! {
    Aizawa(x, y, z; t; a, b, c, d, e, f) {
        let xdot = x * z - b * x - d * y;
        let ydot = d * x + y * z - b * y;
        let zdot = c + a * z - z.powi(3) / 3.0 - x.powi(2) - y.powi(2) - e * z * x.powi(2) - e * z * y.powi(2) + f * z * x.powi(3);
        [xdot, ydot, zdot]
    }
    Arneodo(x, y, z; t; a, b, c, d) {
        let xdot = y;
        let ydot = z;
        let zdot = -a * x - b * y - c * z + d * x.powi(3);
        [xdot, ydot, zdot]
    }
    ArnoldBeltramiChildress(x, y, z; t; a, b, c) {
        let dx = a * z.sin() + c * y.cos();
        let dy = b * x.sin() + a * z.cos();
        let dz = c * y.sin() + b * x.cos();
        [dx, dy, dz]
    }
    ArnoldWeb(p1, p2, x1, x2, z; t; mu, w) {
        let denom = 4.0 + z.cos() + x1.cos() + x2.cos();
        let p1dot = -mu * x1.sin() / denom.powi(2);
        let p2dot = -mu * x2.sin() / denom.powi(2);
        let x1dot = p1;
        let x2dot = p2;
        let zdot = w;
        [p1dot, p2dot, x1dot, x2dot, zdot]
    }
    AtmosphericRegime(x, y, z; t; alpha, beta, mu1, mu2, omega, sigma) {
        let xdot = mu1 * x + sigma * x * y;
        let ydot = mu2 * y + omega * z + alpha * y * z + beta * z.powi(2) - sigma * x.powi(2);
        let zdot = mu2 * z - omega * y - alpha * y.powi(2) - beta * y * z;
        [xdot, ydot, zdot]
    }
    Blasius(x, y, z; t; a, alpha1, alpha2, b, c, k1, k2, zs) {
        let xdot = a * x - alpha1 * x * y / (1.0 + k1 * x);
        let ydot = -b * y + alpha1 * x * y / (1.0 + k1 * x) - alpha2 * y * z / (1.0 + k2 * y);
        let zdot = -c * (z - zs) + alpha2 * y * z / (1.0 + k2 * y);
        [xdot, ydot, zdot]
    }
    Bouali2(x, y, z; t; a, b, bb, c, g, m, y0) {
        let xdot = a * y0 * x - a * x * y - b * z;
        let ydot = -g * y + g * y * x.powi(2);
        let zdot = -1.5 * m * x + m * bb * x * z - c * z;
        [xdot, ydot, zdot]
    }
    BurkeShaw(x, y, z; t; e, n) {
        let xdot = -n * x - n * y;
        let ydot = y - n * x * z;
        let zdot = n * x * y + e;
        [xdot, ydot, zdot]
    }
    Chen(x, y, z; t; a, b, c) {
        let xdot = a * y - a * x;
        let ydot = (c - a) * x - x * z + c * y;
        let zdot = x * y - b * z;
        [xdot, ydot, zdot]
    }
    ChenLee(x, y, z; t; a, b, c) {
        let xdot = a * x - y * z;
        let ydot = b * y + x * z;
        let zdot = c * z + 1.0 / 3.0 * x * y;
        [xdot, ydot, zdot]
    }
    Chua(x, y, z; t; alpha, beta, m0, m1) {
        let ramp_x = m1 * x + 0.5 * (m0 - m1) * ((x + 1.0).abs() - (x - 1.0).abs());
        let xdot = alpha * (y - x - ramp_x);
        let ydot = x - y + z;
        let zdot = -beta * y;
        [xdot, ydot, zdot]
    }
    CoevolvingPredatorPrey(x, y, alpha; t; a1, a2, a3, b1, b2, d1, d2, delta, k1, k2, k4, vv) {
        let xdot = x * (-(a3 * y / (1.0 + b2 * x)) + a1 * alpha * (1.0 - k1 * x * (-alpha + alpha * delta)) / (1.0 + b1 * alpha) - d1 * (1.0 - k2 * (-alpha.powi(2) + (alpha * delta).powi(2)) + k4 * (-alpha.powi(4) + (alpha * delta).powi(4))));
        let ydot = (-d2 + a2 * x / (1.0 + b2 * x)) * y;
        let alphadot = vv * (-(a1 * k1 * x * alpha * delta / (1.0 + b1 * alpha)) - d1 * (-2.0 * k2 * alpha * delta.powi(2) + 4.0 * k4 * alpha.powi(3) * delta.powi(4)));
        [xdot, ydot, alphadot]
    }
    Dadras(x, y, z; t; c, e, o, p, r) {
        let xdot = y - p * x + o * y * z;
        let ydot = r * y - x * z + z;
        let zdot = c * x * y - e * z;
        [xdot, ydot, zdot]
    }
    DequanLi(x, y, z; t; a, c, d, eps, f, k) {
        let xdot = a * y - a * x + d * x * z;
        let ydot = k * x + f * y - x * z;
        let zdot = c * z + x * y - eps * x.powi(2);
        [xdot, ydot, zdot]
    }
    DoubleGyre(x, y, z; t; alpha, eps, omega) {
        let a = eps * z.sin();
        let b = 1.0 - 2.0 * eps * z.sin();
        let f = a * x.powi(2) + b * x;
        let dx = -alpha * PI * (PI * f).sin() * (PI * y).cos();
        let dy = alpha * PI * (PI * f).cos() * (PI * y).sin() * (2.0 * a * x + b);
        let dz = omega;
        [dx, dy, dz]
    }
    Duffing(x, y, z; t; alpha, beta, delta, gamma, omega) {
        let xdot = y;
        let ydot = -delta * y - beta * x - alpha * x.powi(3) + gamma * z.cos();
        let zdot = omega;
        [xdot, ydot, zdot]
    }
    Finance(x, y, z; t; a, b, c) {
        let xdot = (1.0 / b - a) * x + z + x * y;
        let ydot = -b * y - x.powi(2);
        let zdot = -x - c * z;
        [xdot, ydot, zdot]
    }
    FluidTrampoline(x, y, th; t; gamma, psi, w) {
        let xdot = y;
        let ydot = -1.0 - heaviside(-x, 0.0) * (x + psi * y * y.abs()) + gamma * th.cos();
        let thdot = w;
        [xdot, ydot, thdot]
    }
    ForcedBrusselator(x, y, z; t; a, b, f, w) {
        let xdot = a + x.powi(2) * y - (b + 1.0) * x + f * z.cos();
        let ydot = b * x - x.powi(2) * y;
        let zdot = w;
        [xdot, ydot, zdot]
    }
    ForcedFitzHughNagumo(v, w, z; t; a, b, curr, f, gamma, omega) {
        let vdot = v - v.powi(3) / 3.0 - w + curr + f * z.sin();
        let wdot = gamma * (v + a - b * w);
        let zdot = omega;
        [vdot, wdot, zdot]
    }
    ForcedVanDerPol(x, y, z; t; a, mu, w) {
        let ydot = mu * (1.0 - x.powi(2)) * y - x + a * z.sin();
        let xdot = y;
        let zdot = w;
        [xdot, ydot, zdot]
    }
    GenesioTesi(x, y, z; t; a, b, c) {
        let xdot = y;
        let ydot = z;
        let zdot = -c * x - b * y - a * z + x.powi(2);
        [xdot, ydot, zdot]
    }
    GlycolyticOscillation(a, b, c; t; d, k, l1, l2, nu, q1, q2, s1, s2) {
        let phi = a * (1.0 + a) * (1.0 + b).powi(2) / (l1 + (1.0 + a).powi(2) * (1.0 + b).powi(2));
        let eta = b * (1.0 + d * b) * (1.0 + c).powi(2) / (l2 + (1.0 + d * b).powi(2) * (1.0 + c).powi(2));
        let adot = nu - s1 * phi;
        let bdot = q1 * s1 * phi - s2 * eta;
        let cdot = q2 * s2 * eta - k * c;
        [adot, bdot, cdot]
    }
    GuckenheimerHolmes(x, y, z; t; a, b, c, d, e, f) {
        let xdot = a * x - b * y + c * z * x + d * z * x.powi(2) + d * z * y.powi(2);
        let ydot = a * y + b * x + c * z * y;
        let zdot = e - z.powi(2) - f * x.powi(2) - f * y.powi(2) - a * z.powi(3);
        [xdot, ydot, zdot]
    }
    Hadley(x, y, z; t; a, b, f, g) {
        let xdot = -y.powi(2) - z.powi(2) - a * x + a * f;
        let ydot = x * y - b * x * z - y + g;
        let zdot = b * x * y + x * z - z;
        [xdot, ydot, zdot]
    }
    Halvorsen(x, y, z; t; a, b) {
        let xdot = -a * x - b * y - b * z - y.powi(2);
        let ydot = -a * y - b * z - b * x - z.powi(2);
        let zdot = -a * z - b * x - b * y - x.powi(2);
        [xdot, ydot, zdot]
    }
    HastingsPowell(x, y, z; t; a1, a2, b1, b2, d1, d2) {
        let xdot = x * (1.0 - x) - y * a1 * x / (1.0 + b1 * x);
        let ydot = y * a1 * x / (1.0 + b1 * x) - z * a2 * y / (1.0 + b2 * y) - d1 * y;
        let zdot = z * a2 * y / (1.0 + b2 * y) - d2 * z;
        [xdot, ydot, zdot]
    }
    HenonHeiles(x, y, px, py; t; lam) {
        let xdot = px;
        let ydot = py;
        let pxdot = -x - 2.0 * lam * x * y;
        let pydot = -y - lam * x.powi(2) + lam * y.powi(2);
        [xdot, ydot, pxdot, pydot]
    }
    HindmarshRose(x, y, z; t; a, b, c, d, s, tx, tz) {
        let xdot = -x + 1.0 / tx * y - a / tx * x.powi(3) + b / tx * x.powi(2) + 1.0 / tx * z;
        let ydot = -a * x.powi(3) - (d - b) * x.powi(2) + z;
        let zdot = -s / tz * x - 1.0 / tz * z + c / tz;
        [xdot, ydot, zdot]
    }
    HyperBao(x, y, z, w; t; a, b, c, d, e) {
        let xdot = a * y - a * x + w;
        let ydot = c * y - x * z;
        let zdot = x * y - b * z;
        let wdot = e * x + d * y * z;
        [xdot, ydot, zdot, wdot]
    }
    HyperCai(x, y, z, w; t; a, b, c, d, e) {
        let xdot = a * y - a * x;
        let ydot = b * x + c * y - x * z + w;
        let zdot = -d * z + y.powi(2);
        let wdot = -e * x;
        [xdot, ydot, zdot, wdot]
    }
    HyperJha(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x + w;
        let ydot = -x * z + b * x - y;
        let zdot = x * y - c * z;
        let wdot = -x * z + d * w;
        [xdot, ydot, zdot, wdot]
    }
    HyperLorenz(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x + w;
        let ydot = -x * z + c * x - y;
        let zdot = -b * z + x * y;
        let wdot = d * w - x * z;
        [xdot, ydot, zdot, wdot]
    }
    HyperLu(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x + w;
        let ydot = -x * z + c * y;
        let zdot = x * y - b * z;
        let wdot = d * w + x * z;
        [xdot, ydot, zdot, wdot]
    }
    HyperPang(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x;
        let ydot = -x * z + c * y + w;
        let zdot = x * y - b * z;
        let wdot = -d * x - d * y;
        [xdot, ydot, zdot, wdot]
    }
    HyperQi(x, y, z, w; t; a, b, c, d, e, f) {
        let xdot = a * y - a * x + y * z;
        let ydot = b * x + b * y - x * z;
        let zdot = -c * z - e * w + x * y;
        let wdot = -d * w + f * z + x * y;
        [xdot, ydot, zdot, wdot]
    }
    HyperRossler(x, y, z, w; t; a, b, c, d) {
        let xdot = -y - z;
        let ydot = x + a * y + w;
        let zdot = b + x * z;
        let wdot = -c * z + d * w;
        [xdot, ydot, zdot, wdot]
    }
    HyperWang(x, y, z, w; t; a, b, c, d, e) {
        let xdot = a * y - a * x;
        let ydot = -x * z + b * x + w;
        let zdot = -c * z + e * x.powi(2);
        let wdot = -d * x;
        [xdot, ydot, zdot, wdot]
    }
    HyperXu(x, y, z, w; t; a, b, c, d, e) {
        let xdot = a * y - a * x + w;
        let ydot = b * x + e * x * z;
        let zdot = -c * z - x * y;
        let wdot = x * z - d * y;
        [xdot, ydot, zdot, wdot]
    }
    HyperYan(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x;
        let ydot = (c - a) * x - x * z + c * y;
        let zdot = -b * z + x * y - y * z + x * z - w;
        let wdot = -d * w + y * z - x * z;
        [xdot, ydot, zdot, wdot]
    }
    HyperYangChen(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x;
        let ydot = c * x - x * z + w;
        let zdot = -b * z + x * y;
        let wdot = -d * x;
        [xdot, ydot, zdot, wdot]
    }
    IsothermalChemical(alpha, beta, gamma; t; delta, kappa, mu, sigma) {
        let alphadot = mu * (kappa + gamma) - alpha * beta.powi(2) - alpha;
        let betadot = (alpha * beta.powi(2) + alpha - beta) / sigma;
        let gammadot = (beta - gamma) / delta;
        [alphadot, betadot, gammadot]
    }
    ItikBanksTumor(x, y, z; t; a12, a13, a21, a31, d3, k3, r2, r3) {
        let xdot = x * (1.0 - x) - a12 * x * y - a13 * x * z;
        let ydot = r2 * y * (1.0 - y) - a21 * x * y;
        let zdot = r3 * x * z / (x + k3) - a31 * x * z - d3 * z;
        [xdot, ydot, zdot]
    }
    JerkCircuit(x, y, z; t; eps, y0) {
        let xdot = y;
        let ydot = z;
        let zdot = -z - x - eps * ((y / y0).exp() - 1.0);
        [xdot, ydot, zdot]
    }
    KawczynskiStrizhak(x, y, z; t; beta, gamma, kappa, mu) {
        let xdot = gamma * y - gamma * x.powi(3) + 3.0 * mu * gamma * x;
        let ydot = -2.0 * mu * x - y - z + beta;
        let zdot = kappa * x - kappa * z;
        [xdot, ydot, zdot]
    }
    Laser(x, y, z; t; a, b, c, d, h, k) {
        let xdot = a * y - a * x + b * y * z.powi(2);
        let ydot = c * x + d * x * z.powi(2);
        let zdot = h * z + k * x.powi(2);
        [xdot, ydot, zdot]
    }
    Lorenz(x, y, z; t; beta, rho, sigma) {
        let xdot = sigma * y - sigma * x;
        let ydot = rho * x - x * z - y;
        let zdot = x * y - beta * z;
        [xdot, ydot, zdot]
    }
    Lorenz84(x, y, z; t; a, b, f, g) {
        let xdot = -a * x - y.powi(2) - z.powi(2) + a * f;
        let ydot = -y + x * y - b * x * z + g;
        let zdot = -z + b * x * y + x * z;
        [xdot, ydot, zdot]
    }
    LorenzBounded(x, y, z; t; beta, r, rho, sigma) {
        let xdot = sigma * y - sigma * x - sigma / r.powi(2) * y * x.powi(2) - sigma / r.powi(2) * y.powi(3) - sigma / r.powi(2) * y * z.powi(2) + sigma / r.powi(2) * x.powi(3) + sigma / r.powi(2) * x * y.powi(2) + sigma / r.powi(2) * x * z.powi(2);
        let ydot = rho * x - x * z - y - rho / r.powi(2) * x.powi(3) - rho / r.powi(2) * x * y.powi(2) - rho / r.powi(2) * x * z.powi(2) + 1.0 / r.powi(2) * z * x.powi(3) + 1.0 / r.powi(2) * x * z * y.powi(2) + 1.0 / r.powi(2) * x * z.powi(3) + 1.0 / r.powi(2) * y * x.powi(2) + 1.0 / r.powi(2) * y.powi(3) + 1.0 / r.powi(2) * y * z.powi(2);
        let zdot = x * y - beta * z - 1.0 / r.powi(2) * y * x.powi(3) - 1.0 / r.powi(2) * x * y.powi(3) - 1.0 / r.powi(2) * x * y * z.powi(2) + beta / r.powi(2) * z * x.powi(2) + beta / r.powi(2) * z * y.powi(2) + beta / r.powi(2) * z.powi(3);
        [xdot, ydot, zdot]
    }
    LorenzCoupled(x1, y1, z1, x2, y2, z2; t; beta, eps, rho, rho1, rho2, sigma) {
        let x1dot = sigma * y1 - sigma * x1;
        let y1dot = rho1 * x1 - x1 * z1 - y1;
        let z1dot = x1 * y1 - beta * z1;
        let x2dot = sigma * y2 - sigma * x2 + eps * x1 - eps * x2;
        let y2dot = rho2 * x2 - x2 * z2 - y2;
        let z2dot = x2 * y2 - beta * z2;
        [x1dot, y1dot, z1dot, x2dot, y2dot, z2dot]
    }
    LorenzStenflo(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x + d * w;
        let ydot = c * x - x * z - y;
        let zdot = x * y - b * z;
        let wdot = -x - a * w;
        [xdot, ydot, zdot, wdot]
    }
    LuChen(x, y, z; t; a, b, c) {
        let xdot = a * y - a * x;
        let ydot = -x * z + c * y;
        let zdot = x * y - b * z;
        [xdot, ydot, zdot]
    }
    LuChenCheng(x, y, z; t; a, b, c) {
        let xdot = -(a * b) / (a + b) * x - y * z + c;
        let ydot = a * y + x * z;
        let zdot = b * z + x * y;
        [xdot, ydot, zdot]
    }
    MooreSpiegel(x, y, z; t; a, b, eps) {
        let xdot = y;
        let ydot = a * z;
        let zdot = -z + eps * y - y * x.powi(2) - b * x;
        [xdot, ydot, zdot]
    }
    NewtonLiepnik(x, y, z; t; a, b) {
        let xdot = -a * x + y + 10.0 * y * z;
        let ydot = -x - 0.4 * y + 5.0 * x * z;
        let zdot = b * z - 5.0 * x * y;
        [xdot, ydot, zdot]
    }
    NoseHoover(x, y, z; t; a) {
        let xdot = y;
        let ydot = -x + y * z;
        let zdot = a - y.powi(2);
        [xdot, ydot, zdot]
    }
    NuclearQuadrupole(q1, q2, p1, p2; t; a, b, d) {
        let q1dot = a * p1;
        let q2dot = a * p2;
        let p1dot = -a * q1 + 3.0 / 2.0_f64.sqrt() * b * q1.powi(2) - 3.0 / 2.0_f64.sqrt() * b * q2.powi(2) - d * q1.powi(3) - d * q1 * q2.powi(2);
        let p2dot = -a * q2 - 3.0 * 2.0_f64.sqrt() * b * q1 * q2 - d * q2 * q1.powi(2) - d * q2.powi(3);
        [q1dot, q2dot, p1dot, p2dot]
    }
    OscillatingFlow(x, y, z; t; b, k, omega, u) {
        let f = x + b * z.sin();
        let dx = u * (k * y).cos() * (k * f).sin();
        let dy = -u * (k * y).sin() * (k * f).cos();
        let dz = omega;
        [dx, dy, dz]
    }
    PehlivanWei(x, y, z; t;) {
        let xdot = y - y * z;
        let ydot = y + y * z - 2.0 * x;
        let zdot = 2.0 - x * y - y.powi(2);
        [xdot, ydot, zdot]
    }
    Qi(x, y, z, w; t; a, b, c, d) {
        let xdot = a * y - a * x + y * z * w;
        let ydot = b * x + b * y - x * z * w;
        let zdot = -c * z + x * y * w;
        let wdot = -d * w + x * y * z;
        [xdot, ydot, zdot, wdot]
    }
    QiChen(x, y, z; t; a, b, c) {
        let xdot = a * y - a * x + y * z;
        let ydot = c * x + y - x * z;
        let zdot = x * y - b * z;
        [xdot, ydot, zdot]
    }
    RabinovichFabrikant(x, y, z; t; a, g) {
        let xdot = y * z - y + y * x.powi(2) + g * x;
        let ydot = 3.0 * x * z + x - x.powi(3) + g * y;
        let zdot = -2.0 * a * z - 2.0 * x * y * z;
        [xdot, ydot, zdot]
    }
    RayleighBenard(x, y, z; t; a, b, r) {
        let xdot = a * y - a * x;
        let ydot = r * y - x * z;
        let zdot = x * y - b * z;
        [xdot, ydot, zdot]
    }
    RikitakeDynamo(x, y, z; t; a, mu) {
        let xdot = -mu * x + y * z;
        let ydot = -mu * y - a * x + x * z;
        let zdot = 1.0 - x * y;
        [xdot, ydot, zdot]
    }
    Rossler(x, y, z; t; a, b, c) {
        let xdot = -y - z;
        let ydot = x + a * y;
        let zdot = b + z * x - c * z;
        [xdot, ydot, zdot]
    }
    Rucklidge(x, y, z; t; a, b) {
        let xdot = -a * x + b * y - y * z;
        let ydot = x;
        let zdot = -z + y.powi(2);
        [xdot, ydot, zdot]
    }
    Sakarya(x, y, z; t; a, b, c, h, p, q, r, s) {
        let xdot = a * x + h * y + s * y * z;
        let ydot = -b * y - p * x + q * x * z;
        let zdot = c * z - r * x * y;
        [xdot, ydot, zdot]
    }
    SaltonSea(x, y, z; t; a, d, k, lam, m, mu, r, th) {
        let xdot = r * x * (1.0 - (x + y) / k) - lam * x * y;
        let ydot = lam * x * y - m * y * z / (y + a) - mu * y;
        let zdot = th * y * z / (y + a) - d * z;
        [xdot, ydot, zdot]
    }
    SanUmSrisuchinwong(x, y, z; t; a) {
        let xdot = y - x;
        let ydot = -z * x.tanh();
        let zdot = -a + x * y + y.abs();
        [xdot, ydot, zdot]
    }
    ShimizuMorioka(x, y, z; t; a, b) {
        let xdot = y;
        let ydot = x - a * y - x * z;
        let zdot = -b * z + x.powi(2);
        [xdot, ydot, zdot]
    }
    SprottA(x, y, z; t;) {
        let xdot = y;
        let ydot = -x + y * z;
        let zdot = 1.0 - y.powi(2);
        [xdot, ydot, zdot]
    }
    SprottB(x, y, z; t;) {
        let xdot = y * z;
        let ydot = x - y;
        let zdot = 1.0 - x * y;
        [xdot, ydot, zdot]
    }
    SprottC(x, y, z; t;) {
        let xdot = y * z;
        let ydot = x - y;
        let zdot = 1.0 - x.powi(2);
        [xdot, ydot, zdot]
    }
    SprottD(x, y, z; t;) {
        let xdot = -y;
        let ydot = x + z;
        let zdot = x * z + 3.0 * y.powi(2);
        [xdot, ydot, zdot]
    }
    SprottE(x, y, z; t;) {
        let xdot = y * z;
        let ydot = x.powi(2) - y;
        let zdot = 1.0 - 4.0 * x;
        [xdot, ydot, zdot]
    }
    SprottF(x, y, z; t; a) {
        let xdot = y + z;
        let ydot = -x + a * y;
        let zdot = x.powi(2) - z;
        [xdot, ydot, zdot]
    }
    SprottG(x, y, z; t; a) {
        let xdot = a * x + z;
        let ydot = x * z - y;
        let zdot = -x + y;
        [xdot, ydot, zdot]
    }
    SprottH(x, y, z; t; a) {
        let xdot = -y + z.powi(2);
        let ydot = x + a * y;
        let zdot = x - z;
        [xdot, ydot, zdot]
    }
    SprottI(x, y, z; t; a) {
        let xdot = -a * y;
        let ydot = x + z;
        let zdot = x + y.powi(2) - z;
        [xdot, ydot, zdot]
    }
    SprottJ(x, y, z; t;) {
        let xdot = 2.0 * z;
        let ydot = -2.0 * y + z;
        let zdot = -x + y + y.powi(2);
        [xdot, ydot, zdot]
    }
    SprottJerk(x, y, z; t; mu) {
        let xdot = y;
        let ydot = z;
        let zdot = -x + y.powi(2) - mu * z;
        [xdot, ydot, zdot]
    }
    SprottK(x, y, z; t; a) {
        let xdot = x * y - z;
        let ydot = x - y;
        let zdot = x + a * z;
        [xdot, ydot, zdot]
    }
    SprottL(x, y, z; t; a, b) {
        let xdot = y + b * z;
        let ydot = a * x.powi(2) - y;
        let zdot = 1.0 - x;
        [xdot, ydot, zdot]
    }
    SprottM(x, y, z; t; a) {
        let xdot = -z;
        let ydot = -x.powi(2) - y;
        let zdot = a + a * x + y;
        [xdot, ydot, zdot]
    }
    SprottMore(x, y, z; t;) {
        let xdot = y;
        let ydot = -x - sign(z) * y;
        let zdot = y.powi(2) - (-x.powi(2)).exp();
        [xdot, ydot, zdot]
    }
    SprottN(x, y, z; t;) {
        let xdot = -2.0 * y;
        let ydot = x + z.powi(2);
        let zdot = 1.0 + y - 2.0 * z;
        [xdot, ydot, zdot]
    }
    SprottO(x, y, z; t; a) {
        let xdot = y;
        let ydot = x - z;
        let zdot = x + x * z + a * y;
        [xdot, ydot, zdot]
    }
    SprottP(x, y, z; t; a) {
        let xdot = a * y + z;
        let ydot = -x + y.powi(2);
        let zdot = x + y;
        [xdot, ydot, zdot]
    }
    SprottQ(x, y, z; t; a, b) {
        let xdot = -z;
        let ydot = x - y;
        let zdot = a * x + y.powi(2) + b * z;
        [xdot, ydot, zdot]
    }
    SprottR(x, y, z; t; a, b) {
        let xdot = a - y;
        let ydot = b + z;
        let zdot = x * y - z;
        [xdot, ydot, zdot]
    }
    SprottS(x, y, z; t;) {
        let xdot = -x - 4.0 * y;
        let ydot = x + z.powi(2);
        let zdot = 1.0 + x;
        [xdot, ydot, zdot]
    }
    SprottTorus(x, y, z; t;) {
        let xdot = y + 2.0 * x * y + x * z;
        let ydot = 1.0 - 2.0 * x.powi(2) + y * z;
        let zdot = x - x.powi(2) - y.powi(2);
        [xdot, ydot, zdot]
    }
    StickSlipOscillator(x, v, th; t; a, alpha, b, beta, eps, gamma, t0, vs, w) {
        let tq = t0 * sign(v - vs) - alpha * v + beta * (v - vs).powi(3);
        let xdot = v;
        let vdot = eps * (gamma * th.cos() - tq) + a * x - b * x.powi(3);
        let thdot = w;
        [xdot, vdot, thdot]
    }
    SwingingAtwood(r, th, pr, pth; t; m1, m2) {
        let g = 9.82;
        let rdot = pr / (m1 + m2);
        let thdot = pth / (m1 * r.powi(2));
        let prdot = pth.powi(2) / (m1 * r.powi(3)) - m2 * g + m1 * g * th.cos();
        let pthdot = -m1 * g * r * th.sin();
        [rdot, thdot, prdot, pthdot]
    }
    Thomas(x, y, z; t; a, b) {
        let xdot = -a * x + b * y.sin();
        let ydot = -a * y + b * z.sin();
        let zdot = -a * z + b * x.sin();
        [xdot, ydot, zdot]
    }
    Torus(x, y, z; t; a, n, r) {
        let xdot = -a * n * (n * t).sin() * t.cos() - (r + a * (n * t).cos()) * t.sin();
        let ydot = -a * n * (n * t).sin() * t.sin() + (r + a * (n * t).cos()) * t.cos();
        let zdot = a * n * (n * t).cos();
        [xdot, ydot, zdot]
    }
    TurchinHanski(n, p, z; t; a, d, e, g, h, lamb, r, s) {
        let ndot = r * (1.0 - e * z.sin()) * n - r * n.powi(2) - g * n.powi(2) / (n.powi(2) + h.powi(2)) - a * n * p / (n + d);
        let pdot = s * (1.0 - e * z.sin()) * p - s * p.powi(2) / n;
        let zdot = 2.0 * PI * lamb;
        [ndot, pdot, zdot]
    }
    VallisElNino(x, y, z; t; b, c, p) {
        let xdot = b * y - c * x - c * p;
        let ydot = -y + x * z;
        let zdot = -z - x * y + 1.0;
        [xdot, ydot, zdot]
    }
    WangSun(x, y, z; t; a, b, d, e, f, q) {
        let xdot = a * x + q * y * z;
        let ydot = b * x + d * y - x * z;
        let zdot = e * z + f * x * y;
        [xdot, ydot, zdot]
    }
    WindmiReduced(i, v, p; t; a1, b1, b2, b3, d1, vsw) {
        let idot = a1 * (vsw - v);
        let vdot = b1 * i - b2 * p.powi(1) / 2.0 - b3 * v;
        let pdot = vsw.powi(2) - p.powf(5.0 / 4.0) * vsw.powf(1.0 / 2.0) * (1.0 + (d1 * (i - 1.0)).tanh()) / 2.0;
        [idot, vdot, pdot]
    }
    YuWang(x, y, z; t; a, b, c, d) {
        let xdot = a * (y - x);
        let ydot = b * x - c * x * z;
        let zdot = (x * y).exp() - d * z;
        [xdot, ydot, zdot]
    }
    YuWang2(x, y, z; t; a, b, c, d) {
        let xdot = a * (y - x);
        let ydot = b * x - c * x * z;
        let zdot = (x * y).cosh() - d * z;
        [xdot, ydot, zdot]
    }
    ZhouChen(x, y, z; t; a, b, c, d, e) {
        let xdot = a * x + b * y + y * z;
        let ydot = c * y - x * z + d * y * z;
        let zdot = e * z - x * y;
        [xdot, ydot, zdot]
    }
    // Hand-transcribed: dysts writes these with `self.` attributes, helper
    // methods or in-place updates.
    AnishchenkoAstakhov(x, y, z; t; eta, mu) {
        let xdot = mu * x + y - x * z;
        let ydot = -x;
        let zdot = -eta * z + eta * heaviside(x, 0.0) * x.powi(2);
        [xdot, ydot, zdot]
    }
    BelousovZhabotinsky(x, z, v; t; c1, c10, c11, c12, c13, c2, c3, c4, c5, c6, c7, c8, c9, ci, kf, t0, y0, yb1, yb2, yb3, z0) {
        let ybar = (1.0 / y0) * yb1 * z * v / (yb2 * x + yb3 + kf);
        let x = x.max(0.0);
        let rf = (ci - z0 * z) * x.sqrt();
        let xdot = c1 * x * ybar + c2 * ybar + c3 * x.powi(2) + c4 * rf + c5 * x * z - kf * x;
        let zdot = (c6 / z0) * rf + c7 * x * z + c8 * z * v + c9 * z - kf * z;
        let vdot = c10 * x * ybar + c11 * ybar + c12 * x.powi(2) + c13 * z * v - kf * v;
        [xdot * t0, zdot * t0, vdot * t0]
    }
    BlinkingRotlet(r, theta, tt; t; a, b, bc, sigma, tau) {
        let weight = protocol(tt, tau);
        let (dr1, dth1) = rotlet(r, theta, a, b, bc);
        let (dr2, dth2) = rotlet(r, theta, a, -b, bc);
        let dr = weight * dr1 + (1.0 - weight) * dr2;
        let dth = (weight * dth1 + (1.0 - weight) * dth2) / r;
        [sigma * dr, sigma * dth, 1.0]
    }
    CaTwoPlus(z, y, a; t; K2, K5, Ka, Kd, Ky, Kz, V0, V1, V4, Vm2, Vm3, Vm5, beta, eps, k, kf, m, n, p) {
        let Vin = V0 + V1 * beta;
        let V2 = Vm2 * z.powi(2) / (K2.powi(2) + z.powi(2));
        let V3 = (Vm3 * z.powf(m) / (Kz.powf(m) + z.powf(m)))
            * (y.powi(2) / (Ky.powi(2) + y.powi(2)))
            * (a.powi(4) / (Ka.powi(4) + a.powi(4)));
        let V5 = Vm5 * (a.powf(p) / (K5.powf(p) + a.powf(p))) * (z.powf(n) / (Kd.powf(n) + z.powf(n)));
        let zdot = Vin - V2 + V3 + kf * y - k * z;
        let ydot = V2 - V3 - kf * y;
        let adot = beta * V4 - V5 - eps * a;
        [zdot, ydot, adot]
    }
    CellCycle(c1, m1, x1, c2, m2, x2; t; K, Kc, Kd1, Kim, V2, V4, Vm1, Vm3, kd1, vd, vi) {
        // dysts duplicates each parameter for the two coupled cells.
        let (Um1, vi1, vi2) = (Vm1, vi, vi);
        let (H1, H2, H3, H4, K1, K2, K3, K4) = (K, K, K, K, K, K, K, K);
        let (U2, Um3, U4, Kc1, Kc2, vd1, vd2) = (V2, Vm3, V4, Kc, Kc, vd, vd);
        let (Kd2, kd2, Kim1, Kim2) = (Kd1, kd1, Kim, Kim);
        let V1 = Vm1 * c1 / (Kc1 + c1);
        let U1 = Um1 * c2 / (Kc2 + c2);
        let V3 = m1 * Vm3;
        let U3 = m2 * Um3;
        let c1dot = vi1 * Kim1 / (Kim1 + m2) - vd1 * x1 * c1 / (Kd1 + c1) - kd1 * c1;
        let c2dot = vi2 * Kim2 / (Kim2 + m1) - vd2 * x2 * c2 / (Kd2 + c2) - kd2 * c2;
        let m1dot = V1 * (1.0 - m1) / (K1 + (1.0 - m1)) - V2 * m1 / (K2 + m1);
        let m2dot = U1 * (1.0 - m2) / (H1 + (1.0 - m2)) - U2 * m2 / (H2 + m2);
        let x1dot = V3 * (1.0 - x1) / (K3 + (1.0 - x1)) - V4 * x1 / (K4 + x1);
        let x2dot = U3 * (1.0 - x2) / (H3 + (1.0 - x2)) - U4 * x2 / (H4 + x2);
        [c1dot, m1dot, x1dot, c2dot, m2dot, x2dot]
    }
    CellularNeuralNetwork(x, y, z; t; a, b, c, d) {
        let f = |x: f64| 0.5 * ((x + 1.0).abs() - (x - 1.0).abs());
        let xdot = -x + d * f(x) - b * f(y) - b * f(z);
        let ydot = -y - b * f(x) + c * f(y) - a * f(z);
        let zdot = -z - b * f(x) + a * f(y) + f(z);
        [xdot, ydot, zdot]
    }
    CircadianRhythm(m, fc, fs, fn_, th; t; Ki, k, k1, k2, kd, kdn, km, ks, n, ps, vc, vd, vdn, vm, vmax, vmin) {
        let vs = vc * ((0.5 + 0.5 * th.cos()) + vmin) * (vmax - vmin);
        let mdot = vs * Ki.powf(n) / (Ki.powf(n) + fn_.powf(n)) - vm * m / (km + m);
        let fcdot = ks * m - k1 * fc + k2 * fn_ - k * fc;
        let fsdot = k * fc - vd * fs / (kd + fs);
        let fndot = k1 * fc - k2 * fn_ - vdn * fn_ / (kdn + fn_);
        let thdot = 2.0 * PI / ps;
        [mdot, fcdot, fsdot, fndot, thdot]
    }
    Colpitts(x, y, z; t; a, b, c, d, e) {
        let u = z - (e - 1.0);
        let fz = -u * (1.0 - heaviside(u, 0.0));
        let xdot = y - a * fz;
        let ydot = c - x - b * y - z;
        let zdot = y - d * z;
        [xdot, ydot, zdot]
    }
    DoublePendulum(th1, th2, p1, p2; t; g, l1, l2, m1, m2) {
        let cos_diff = (th1 - th2).cos();
        let sin_diff = (th1 - th2).sin();
        let denom = l1 * l2 * (m1 + m2 * sin_diff.powi(2));
        let th1dot = (l2 * p1 - l1 * p2 * cos_diff) / (l1 * denom);
        let th2dot = ((m1 + m2) * l1 * p2 - m2 * l2 * p1 * cos_diff) / (m2 * l2 * denom);
        let h1 = p1 * p2 * sin_diff / denom;
        let h2 = (m2 * l2 * p1.powi(2)) / (2.0 * l1 * denom.powi(2));
        let h2 = h2 + 0.5 * m2 * p2 * l2 * l1 * th2dot / denom;
        let h2 = h2 * (2.0 * (th1 - th2)).sin();
        let p1dot = -(m1 + m2) * g * l1 * th1.sin() - h1 + h2;
        let p2dot = -m2 * g * l2 * th2.sin() + h1 - h2;
        [th1dot, th2dot, p1dot, p2dot]
    }
    ExcitableCell(v, n, c; t; aho, ahr, ahs, ams, amvb, amvo, ans, anvb, anvo, ar, bho, bhr, bmo, bmr, bms, bno, bnr, bns, gi, gkc, gkv, gl, kc, rho, tscl, vc, vi, vk, vl, vm, vn) {
        let alpham = ams * (amvb + v) / (1.0 - (-ar * v - amvo).exp());
        let betam = bms * (-bmr * v - bmo).exp();
        let minf = alpham / (alpham + betam);
        let alphah = ahs * (-ahr * v - aho).exp();
        let betah = 1.0 / (1.0 + (-bhr * v - bho).exp());
        let hinf = alphah / (alphah + betah);
        let alphan = ans * (anvb + v) / (1.0 - (-ar * v - anvo).exp());
        let betan = bns * (-bnr * v - bno).exp();
        let ninf = alphan / (alphan + betan);
        let tau = 1.0 / (tscl * (alphan + betan));
        let ca = c / (1.0 + c);
        let vdot = gi * minf.powi(3) * hinf * (vi - v)
            + gkv * n.powi(4) * (vk - v)
            + gkc * ca * (vk - v)
            + gl * (vl - v);
        let ndot = (ninf - n) / tau;
        let cdot = rho * (minf.powi(3) * hinf * (vc - v) - kc * c);
        [vdot, ndot, cdot]
    }
    LidDrivenCavityFlow(x, y, tt; t; a, b, tau, u1, u2) {
        let weight = protocol(tt, tau);
        let (dx1, dy1) = lid(x, y, a, b, u1, u2);
        let (dx2, dy2) = lid(x, y, a, b, -u1, u2);
        let dx = weight * dx1 + (1.0 - weight) * dx2;
        let dy = weight * dy1 + (1.0 - weight) * dy2;
        [dx, dy, 1.0]
    }

}

posts! {
    ArnoldBeltramiChildress(x, y, z;) {
        [x.sin(), y.cos(), z.sin()]
    }
    ArnoldWeb(p1, p2, x1, x2, z;) {
        [p1, p2, x1.sin(), x2.sin(), z.cos()]
    }
    CircadianRhythm(m, fc, fs, fn_, th;) {
        [m, fc, fs, fn_, th.cos()]
    }
    DoubleGyre(x, y, z;) {
        [x, y, z.sin()]
    }
    DoublePendulum(th1, th2, p1, p2;) {
        [th1.sin(), th2.sin(), p1, p2]
    }
    Duffing(x, y, z;) {
        [x, y, z.cos()]
    }
    FluidTrampoline(x, y, th;) {
        [x, y, th.cos()]
    }
    ForcedBrusselator(x, y, z;) {
        [x, y, z.sin()]
    }
    ForcedFitzHughNagumo(x, y, z;) {
        [x, y, z.sin()]
    }
    ForcedVanDerPol(x, y, z;) {
        [x, y, z.sin()]
    }
    StickSlipOscillator(x, v, th;) {
        [x, v, th.cos()]
    }
    SwingingAtwood(r, th, pr, pth;) {
        [r, th.sin(), pr, pth]
    }
    TurchinHanski(x, y, z;) {
        [x, y, z.sin()]
    }
    BlinkingRotlet(r, th, tt; a, b, bc, sigma, tau) {
        [r * th.cos(), r * th.sin(), (2.0 * PI * tt / tau).sin()]
    }
    LidDrivenCavityFlow(x, y, tt; a, b, tau, u1, u2) {
        [x, y, (2.0 * PI * tt / tau).sin()]
    }
    OscillatingFlow(x, y, z; b, k, omega, u) {
        [(k * x).cos(), y, z.sin()]
    }
}

/// dysts systems that reuse another system's equations (a Python subclass).
const ALIASES: &[(&str, &str)] = &[
    ("Bouali", "Bouali2"),
    ("Coullet", "Arneodo"),
    ("LiuChen", "Sakarya"),
    ("PanXuZhou", "DequanLi"),
    ("ThomasLabyrinth", "Thomas"),
    ("Tsucs2", "DequanLi"),
    ("BlinkingVortex", "BlinkingRotlet"),
    ("CaTwoPlusQuasiperiodic", "CaTwoPlus"),
];

/// dysts' switching protocol for the blinking flows.
fn protocol(t: f64, tau: f64) -> f64 {
    let stiffness = 20.0;
    0.5 + 0.5 * (tau * stiffness * (2.0 * PI * t / tau).sin()).tanh()
}

/// A rotlet velocity field (BlinkingRotlet).
fn rotlet(r: f64, theta: f64, a: f64, b: f64, bc: f64) -> (f64, f64) {
    let kappa = a.powi(2) + (b.powi(2) * r.powi(2)) / a.powi(2) - 2.0 * b * r * theta.cos();
    let gamma = (1.0 - r.powi(2) / a.powi(2)) * (a.powi(2) - (b.powi(2) * r.powi(2)) / a.powi(2));
    let iota = (b.powi(2) * r) / a.powi(2) - b * theta.cos();
    let zeta = b.powi(2) + r.powi(2) - 2.0 * b * r * theta.cos();
    let nu = a.powi(2) + b.powi(2) - (2.0 * b.powi(2) * r.powi(2)) / a.powi(2);
    let vr = b * theta.sin() * (-bc * (gamma / kappa.powi(2)) - 1.0 / kappa + 1.0 / zeta);
    let vth =
        bc * (gamma * iota) / kappa.powi(2) + bc * r * nu / (a.powi(2) * kappa) + iota / kappa
            - (r - b * theta.cos()) / zeta;
    (vr, vth)
}

/// The lid-driven cavity's velocity field when the left lid drives.
fn lid(x: f64, y: f64, a: f64, b: f64, u1: f64, u2: f64) -> (f64, f64) {
    let prefactor1 = 2.0 * u1 * (PI * x / a).sin() / (2.0 * b * PI + a * (2.0 * PI * b / a).sinh());
    let prefactor2 =
        2.0 * u2 * (2.0 * PI * x / a).sin() / (4.0 * b * PI + a * (4.0 * PI * b / a).sinh());
    let vx1 = -b * PI * (PI * b / a).sinh() * (PI * y / a).sinh()
        + (PI * b / a).cosh() * (PI * y * (PI * y / a).cosh() + a * (PI * y / a).sinh());
    let vx2 = -2.0 * b * PI * (2.0 * PI * b / a).sinh() * (2.0 * PI * y / a).sinh()
        + (2.0 * PI * b / a).cosh()
            * (2.0 * PI * y * (2.0 * PI * y / a).cosh() + a * (2.0 * PI * y / a).sinh());
    let vx = prefactor1 * vx1 + prefactor2 * vx2;
    let prefactor1 =
        2.0 * PI * u1 * (PI * x / a).cos() / (2.0 * b * PI + a * (2.0 * PI * b / a).sinh());
    let prefactor2 =
        4.0 * PI * u2 * (2.0 * PI * x / a).cos() / (4.0 * b * PI + a * (4.0 * PI * b / a).sinh());
    let vy1 = b * (PI * b / a).sinh() * (PI * y / a).cosh()
        - (PI * b / a).cosh() * y * (PI * y / a).sinh();
    let vy2 = b * (2.0 * PI * b / a).sinh() * (2.0 * PI * y / a).cosh()
        - (2.0 * PI * b / a).cosh() * y * (2.0 * PI * y / a).sinh();
    let vy = prefactor1 * vy1 + prefactor2 * vy2;
    (vx, vy)
}

// Systems with array parameters or any dimension. `p` is laid out as in the
// catalog: parameters in alphabetical order, arrays flattened row-major.

/// Lorenz96 on a ring of any size: `x_i' = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + f`.
fn lorenz96(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    let (n, f) = (x.len(), p[0]);
    for i in 0..n {
        let (ip1, im1, im2) = ((i + 1) % n, (i + n - 1) % n, (i + n - 2) % n);
        out[i] = (x[ip1] - x[im2]) * x[im1] - x[i] + f;
    }
}

/// BeerRNN: `x' = (-x + w sig(x + theta)) / tau`; p = tau[n], theta[n], w[n x n].
fn beer_rnn(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    let n = x.len();
    let (tau, rest) = p.split_at(n);
    let (theta, w) = rest.split_at(n);
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    for i in 0..n {
        let drive: f64 = (0..n).map(|j| w[i * n + j] * sig(x[j] + theta[j])).sum();
        out[i] = (-x[i] + drive) / tau[i];
    }
}

/// BickleyJet (state y, x, z as dysts orders it); p = ell, eps[3], k[3], omega, sigma[3], u.
fn bickley_jet(_t: f64, s: &[f64], p: &[f64], out: &mut [f64]) {
    let (y, x, z) = (s[0], s[1], s[2]);
    let (ell, eps, k, omega, sigma, u) = (p[0], &p[1..4], &p[4..7], p[7], &p[8..11], p[11]);
    let sechy = 1.0 / (y / ell).cosh();
    let un = |i: usize| k[i] * (x - z * sigma[i]);
    let dot_cos: f64 = (0..3).map(|i| un(i).cos() * eps[i]).sum();
    let dot_sin: f64 = (0..3).map(|i| eps[i] * k[i] * un(i).sin()).sum();
    let dx = u * sechy.powi(2) * (-1.0 - 2.0 * dot_cos * (y / ell).tanh());
    let dy = ell * u * sechy.powi(2) * dot_sin;
    out.copy_from_slice(&[dy, dx, omega]);
}

fn bickley_jet_post(_t: f64, s: &[f64], p: &[f64], out: &mut [f64]) {
    let (k, omega, sigma) = (&p[4..7], p[7], &p[8..11]);
    let km = k.iter().copied().fold(f64::INFINITY, f64::min);
    let sm = sigma.iter().copied().fold(f64::INFINITY, f64::min);
    out.copy_from_slice(&[s[0], (km * s[1]).sin(), (omega * s[2] * km * sm).sin()]);
}

/// Hopfield: `x' = -x / tau + (1 + tanh(eps k x)) / 2 - beta`; p = beta, eps, k[n x n], tau.
fn hopfield(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    let n = x.len();
    let (beta, eps, k, tau) = (p[0], p[1], &p[2..2 + n * n], p[2 + n * n]);
    for i in 0..n {
        let kx: f64 = (0..n).map(|j| k[i * n + j] * x[j]).sum();
        out[i] = -x[i] / tau + (1.0 + (eps * kx).tanh()) / 2.0 - beta;
    }
}

/// InteriorSquirmer; p = a[n], g[n], tau.
fn interior_squirmer(_t: f64, s: &[f64], p: &[f64], out: &mut [f64]) {
    let (r, th, tt) = (s[0], s[1], s[2]);
    let n = (p.len() - 1) / 2;
    let (a, g, tau) = (&p[..n], &p[n..2 * n], p[2 * n]);
    let phase = protocol(tt, tau);
    let (mut vr, mut vth) = (0.0, 0.0);
    for i in 0..n {
        let nv = (i + 1) as f64;
        let (ai, gi) = (a[i] * phase, g[i] * (1.0 - phase));
        let (sn, cs) = ((th * nv).sin(), (th * nv).cos());
        let rn = r.powf(nv);
        vr += (gi * cs + ai * sn) * (nv * rn * (r.powi(2) - 1.0)) / r;
        vth += (2.0 * r + (r.powi(2) - 1.0) * nv / r) * (ai * cs - gi * sn) * rn;
    }
    out.copy_from_slice(&[vr, vth / r, 1.0]);
}

fn interior_squirmer_post(_t: f64, s: &[f64], p: &[f64], out: &mut [f64]) {
    let tau = p[p.len() - 1];
    let (r, th, tt) = (s[0], s[1], s[2]);
    out.copy_from_slice(&[r * th.cos(), r * th.sin(), (2.0 * PI * tt / tau).sin()]);
}

/// MacArthur's consumer-resource model, 5 species on 5 resources;
/// p = c[5 x 5], d, k[5 x 5], m, r, s[5].
fn macarthur(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    const N: usize = 5;
    let (c, d, k, m, r, s) = (&p[..25], p[25], &p[26..51], p[51], p[52], &p[53..58]);
    let (nn, rr) = x.split_at(N);
    // Liebig's law: each species grows at its most limiting resource's rate.
    let mut mu = [0.0; N];
    for (a, mu_a) in mu.iter_mut().enumerate() {
        *mu_a = (0..N)
            .map(|b| r * rr[b] / (k[b * N + a] + rr[b]))
            .fold(f64::INFINITY, f64::min);
    }
    for i in 0..N {
        out[i] = nn[i] * (mu[i] - m);
        let uptake: f64 = (0..N).map(|j| c[i * N + j] * mu[j] * nn[j]).sum();
        out[N + i] = d * (s[i] - rr[i]) - uptake;
    }
}

/// MultiChua: Chua's circuit with a six-segment diode; p = a, b, c[6], m[6].
fn multi_chua(_t: f64, s: &[f64], p: &[f64], out: &mut [f64]) {
    let (x, y, z) = (s[0], s[1], s[2]);
    let (a, b, c, m) = (p[0], p[1], &p[2..8], &p[8..14]);
    let mut diode = m[5] * x;
    for i in 1..6 {
        diode += 0.5 * (m[i - 1] - m[i]) * ((x + c[i]).abs() - (x - c[i]).abs());
    }
    out.copy_from_slice(&[a * (y - diode), x - y + z, -b * y]);
}

const ARRAY_FLOWS: &[Flow] = &[
    Flow {
        name: "Lorenz96",
        params: Some(&["f"]),
        rhs: lorenz96,
    },
    Flow {
        name: "BeerRNN",
        params: None,
        rhs: beer_rnn,
    },
    Flow {
        name: "BickleyJet",
        params: None,
        rhs: bickley_jet,
    },
    Flow {
        name: "Hopfield",
        params: None,
        rhs: hopfield,
    },
    Flow {
        name: "InteriorSquirmer",
        params: None,
        rhs: interior_squirmer,
    },
    Flow {
        name: "MacArthur",
        params: None,
        rhs: macarthur,
    },
    Flow {
        name: "MultiChua",
        params: None,
        rhs: multi_chua,
    },
];

const ARRAY_POSTS: &[Post] = &[
    Post {
        name: "BickleyJet",
        map: bickley_jet_post,
    },
    Post {
        name: "InteriorSquirmer",
        map: interior_squirmer_post,
    },
];

/// The system whose equations `name` uses (itself unless dysts subclasses another).
fn base_name(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, base)| *base)
}

/// The equations of a dysts system, by its exact name.
pub fn flow(name: &str) -> Option<Flow> {
    let target = base_name(name);
    SCALAR_FLOWS
        .iter()
        .chain(ARRAY_FLOWS)
        .find(|f| f.name == target)
        .copied()
}

/// The post-processing of a dysts system, if it has one.
pub fn post(name: &str) -> Option<Post> {
    let target = base_name(name);
    SCALAR_POSTS
        .iter()
        .chain(ARRAY_POSTS)
        .find(|p| p.name == target)
        .copied()
}
