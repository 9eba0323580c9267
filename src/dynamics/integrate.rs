//! Integrators: RK4, Euler-Maruyama and stochastic Heun steps, the Dormand-Prince 5(4) tableau and its adaptive solver.

use super::noise::Noise;
use crate::Error;

/// Integration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Classical fourth-order Runge-Kutta, fixed step.
    Rk4,
    /// Dormand-Prince 5(4) with step-size control (rtol, atol).
    Dopri5,
    /// Euler-Maruyama: strong order 1/2 (1 for additive noise), weak order 1.
    EulerMaruyama,
    /// Stochastic Heun (predictor-corrector; Stratonovich, equal to Ito for additive noise).
    Heun,
}

impl Method {
    pub const NAMES: &'static str = "rk4, dopri5, em, heun";

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Rk4 => "rk4",
            Method::Dopri5 => "dopri5",
            Method::EulerMaruyama => "em",
            Method::Heun => "heun",
        }
    }

    pub fn is_stochastic(self) -> bool {
        matches!(self, Method::EulerMaruyama | Method::Heun)
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "rk4" => Ok(Method::Rk4),
            "dopri5" => Ok(Method::Dopri5),
            "em" | "euler-maruyama" => Ok(Method::EulerMaruyama),
            "heun" => Ok(Method::Heun),
            other => Err(Error::invalid(format!(
                "unknown integration method '{other}'; supported: {}",
                Method::NAMES
            ))),
        }
    }
}

/// One classical RK4 step of `dx/dt = f(t, x)` in place. `k` is scratch of `5 * dim`.
pub fn rk4_step(
    f: &impl Fn(f64, &[f64], &mut [f64]),
    t: f64,
    x: &mut [f64],
    dt: f64,
    k: &mut [f64],
) {
    let d = x.len();
    let (k1, rest) = k.split_at_mut(d);
    let (k2, rest) = rest.split_at_mut(d);
    let (k3, rest) = rest.split_at_mut(d);
    let (k4, tmp) = rest.split_at_mut(d);
    let tmp = &mut tmp[..d];
    f(t, x, k1);
    for i in 0..d {
        tmp[i] = x[i] + 0.5 * dt * k1[i];
    }
    f(t + 0.5 * dt, tmp, k2);
    for i in 0..d {
        tmp[i] = x[i] + 0.5 * dt * k2[i];
    }
    f(t + 0.5 * dt, tmp, k3);
    for i in 0..d {
        tmp[i] = x[i] + dt * k3[i];
    }
    f(t + dt, tmp, k4);
    for i in 0..d {
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
}

/// One Euler-Maruyama step of `dx = f dt + B dW`; `z` are standard normals,
/// `k` scratch of `2 * dim`.
pub fn em_step(
    f: &impl Fn(f64, &[f64], &mut [f64]),
    noise: &Noise,
    t: f64,
    x: &mut [f64],
    dt: f64,
    z: &[f64],
    k: &mut [f64],
) {
    let d = x.len();
    let (drift, bz) = k.split_at_mut(d);
    f(t, x, drift);
    noise.apply(z, &mut bz[..d]);
    let sq = dt.sqrt();
    for i in 0..d {
        x[i] += drift[i] * dt + bz[i] * sq;
    }
}

/// One stochastic Heun step (additive noise): predictor `x~ = x + f(x) dt + B dW`,
/// corrector `x + (f(x) + f(x~)) dt / 2 + B dW`. `k` scratch of `4 * dim`.
#[allow(clippy::too_many_arguments)]
pub fn heun_step(
    f: &impl Fn(f64, &[f64], &mut [f64]),
    noise: &Noise,
    t: f64,
    x: &mut [f64],
    dt: f64,
    z: &[f64],
    k: &mut [f64],
) {
    let d = x.len();
    let (f0, rest) = k.split_at_mut(d);
    let (f1, rest) = rest.split_at_mut(d);
    let (bz, rest) = rest.split_at_mut(d);
    let pred = &mut rest[..d];
    f(t, x, f0);
    noise.apply(z, bz);
    let sq = dt.sqrt();
    for i in 0..d {
        bz[i] *= sq;
        pred[i] = x[i] + f0[i] * dt + bz[i];
    }
    f(t + dt, pred, f1);
    for i in 0..d {
        x[i] += 0.5 * (f0[i] + f1[i]) * dt + bz[i];
    }
}

// Dormand-Prince 5(4) tableau (Dormand & Prince 1980; Hairer, Norsett, Wanner),
// shared with the probability-flow sampler.
pub const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
pub const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// Fifth-order weights (= the last row of A: first same as last).
pub const B5: [f64; 7] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
    0.0,
];
/// Fourth-order embedded weights.
pub const B4: [f64; 7] = [
    5179.0 / 57600.0,
    0.0,
    7571.0 / 16695.0,
    393.0 / 640.0,
    -92097.0 / 339200.0,
    187.0 / 2100.0,
    1.0 / 40.0,
];

/// Adaptive Dormand-Prince 5(4) with the standard error norm
/// `sqrt(mean((err_i / (atol + rtol max(|x_i|, |x_new_i|)))^2)) <= 1`.
#[derive(Debug, Clone)]
pub struct Dopri5 {
    pub rtol: f64,
    pub atol: f64,
    /// Next trial step; 0 picks one automatically.
    pub h: f64,
    /// Smallest step allowed before giving up.
    pub h_min: f64,
    pub accepted: u64,
    pub rejected: u64,
    pub evaluations: u64,
    k: Vec<f64>,
}

impl Dopri5 {
    pub fn new(dim: usize, rtol: f64, atol: f64) -> Self {
        Self {
            rtol,
            atol,
            h: 0.0,
            h_min: 1e-14,
            accepted: 0,
            rejected: 0,
            evaluations: 0,
            k: vec![0.0; 10 * dim],
        }
    }

    fn norm(&self, x: &[f64], y: &[f64], err: &[f64]) -> f64 {
        let s: f64 = x
            .iter()
            .zip(y)
            .zip(err)
            .map(|((a, b), e)| (e / (self.atol + self.rtol * a.abs().max(b.abs()))).powi(2))
            .sum();
        (s / x.len() as f64).sqrt()
    }

    /// Integrates from `t` to exactly `t_end`, updating `x`.
    pub fn advance(
        &mut self,
        f: &impl Fn(f64, &[f64], &mut [f64]),
        t: f64,
        x: &mut [f64],
        t_end: f64,
    ) -> Result<(), Error> {
        let d = x.len();
        let mut t = t;
        if self.h <= 0.0 {
            // Hairer's starting step: h = 0.01 * |x| / |f|, bounded by the interval.
            let mut f0 = vec![0.0; d];
            f(t, x, &mut f0);
            self.evaluations += 1;
            let sx = self.norm(x, x, x).max(1e-5);
            let sf = self.norm(x, x, &f0).max(1e-5);
            self.h = (0.01 * sx / sf).min((t_end - t).abs()).max(1e-10);
        }
        let mut k = std::mem::take(&mut self.k);
        let result = loop {
            let remaining = t_end - t;
            if remaining <= 1e-14 * t_end.abs().max(1.0) {
                break Ok(());
            }
            let last = self.h >= remaining;
            let h = if last { remaining } else { self.h };
            let (stages, rest) = k.split_at_mut(7 * d);
            let (ynew, rest) = rest.split_at_mut(d);
            let (tmp, err) = rest.split_at_mut(d);
            for s in 0..7 {
                for i in 0..d {
                    let mut acc = x[i];
                    for (j, a) in A[s].iter().enumerate().take(s) {
                        acc += h * a * stages[j * d + i];
                    }
                    tmp[i] = acc;
                }
                let (_, ks) = stages.split_at_mut(s * d);
                f(t + C[s] * h, &tmp[..d], &mut ks[..d]);
            }
            self.evaluations += 7;
            for i in 0..d {
                let mut y5 = x[i];
                let mut e = 0.0;
                for s in 0..7 {
                    y5 += h * B5[s] * stages[s * d + i];
                    e += h * (B5[s] - B4[s]) * stages[s * d + i];
                }
                ynew[i] = y5;
                err[i] = e;
            }
            let en = self.norm(x, ynew, err);
            if !en.is_finite() || ynew.iter().any(|v| !v.is_finite()) {
                self.h = h * 0.1;
                self.rejected += 1;
                if self.h < self.h_min {
                    break Err(Error::invalid(format!(
                        "dopri5: the solution blew up at t = {t:.6} (rtol {}, atol {})",
                        self.rtol, self.atol
                    )));
                }
                continue;
            }
            // Standard controller: safety 0.9, exponent 1/5, growth limited to [0.2, 5].
            let factor = (0.9 * en.powf(-0.2)).clamp(0.2, 5.0);
            if en <= 1.0 {
                t = if last { t_end } else { t + h };
                x.copy_from_slice(ynew);
                self.accepted += 1;
                // Keep the controller's step, not the truncated last one.
                self.h = if last {
                    self.h.max(h * factor)
                } else {
                    h * factor
                };
            } else {
                self.rejected += 1;
                self.h = h * factor.min(1.0);
                if self.h < self.h_min {
                    break Err(Error::invalid(format!(
                        "dopri5: step size underflow at t = {t:.6} (rtol {}, atol {}); the system may be stiff or singular",
                        self.rtol, self.atol
                    )));
                }
            }
        };
        self.k = k;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rk4_matches_the_taylor_polynomial_over_one_step() {
        // dx/dt = -x: one RK4 step reproduces the degree-4 Taylor polynomial of exp(-h).
        let f = |_t: f64, x: &[f64], dx: &mut [f64]| dx[0] = -x[0];
        let mut x = [1.0];
        let mut k = [0.0; 5];
        let h = 0.1;
        rk4_step(&f, 0.0, &mut x, h, &mut k);
        let taylor = 1.0 - h + h * h / 2.0 - h.powi(3) / 6.0 + h.powi(4) / 24.0;
        assert!((x[0] - taylor).abs() < 1e-15);
    }

    #[test]
    fn dopri5_meets_its_tolerance_on_a_time_dependent_problem() {
        // dx/dt = cos(t) x, x(0) = 1: x(t) = exp(sin t).
        let f = |t: f64, x: &[f64], dx: &mut [f64]| dx[0] = t.cos() * x[0];
        for tol in [1e-6, 1e-9, 1e-12] {
            let mut dp = Dopri5::new(1, tol, tol);
            let mut x = [1.0];
            dp.advance(&f, 0.0, &mut x, 10.0).unwrap();
            let err = (x[0] - 10f64.sin().exp()).abs();
            assert!(err < 100.0 * tol, "tol {tol}: err {err}");
        }
    }
}
