//! The stochastic systems: their drifts, correlated grid noise and catalog entries.
//!
//! Those of score-based response theory (Giorgini, Deck, Bischoff, Souza
//! 2024): an Ornstein-Uhlenbeck process and the stochastic
//! Allen-Cahn equation with spatially correlated noise on periodic grids, and
//! the overdamped double well. All noise is additive, so Ito and Stratonovich
//! agree.

use super::types::{Family, NoiseModel, ParamSpec, Rhs, SystemInfo};
use crate::Error;

const GIORGINI: &str = "Giorgini, L. T., Deck, K., Bischoff, T., Souza, A. (2024). Response theory via generative score modeling. Physical Review Letters 133, 267302.";

/// The modified Allen-Cahn equation with tanh(gamma u) follows the authors' prototype
/// code for the preprint arXiv:2402.01029: the full Laplacian (no factor 1/2), with beta
/// as a local term. That code writes `(lap .- beta) * tanh.(gamma x)`, a Julia broadcast
/// that subtracts beta from every entry of the Laplacian matrix and so couples each site
/// to the sum over the grid (uniform fixed point -atanh(alpha / (beta N)) / gamma,
/// -0.0094 on 8 x 8); scoredyn keeps the local reaction term of the equation as written
/// (fixed point -atanh(alpha / beta) / gamma, -0.693). The published version (PRL) uses
/// a cubic Allen-Cahn field instead.
const GIORGINI_PREPRINT: &str = "Giorgini, L. T., Deck, K., Bischoff, T., Souza, A. (2024). Response theory via generative score modeling. arXiv:2402.01029 (preprint; the drift as in the authors' prototype code, with beta a local term). The published version, Physical Review Letters 133, 267302, uses a cubic Allen-Cahn field instead.";

/// Largest grid side for 1-D and 2-D grids (256 coordinates either way).
pub const MAX_SIDE_1D: usize = 256;
pub const MAX_SIDE_2D: usize = 16;

fn side_2d(len: usize) -> usize {
    (len as f64).sqrt().round() as usize
}

/// Periodic second difference of `v` on a ring or a square torus, unit spacing.
fn laplacian(v: &[f64], axes: usize, out: &mut [f64]) {
    let len = v.len();
    if axes == 1 {
        for i in 0..len {
            out[i] = v[(i + 1) % len] - 2.0 * v[i] + v[(i + len - 1) % len];
        }
    } else {
        let n = side_2d(len);
        for r in 0..n {
            for c in 0..n {
                let at = |rr: usize, cc: usize| v[(rr % n) * n + cc % n];
                out[r * n + c] = at(r + 1, c) + at(r + n - 1, c) + at(r, c + 1) + at(r, c + n - 1)
                    - 4.0 * at(r, c);
            }
        }
    }
}

/// `dX = (-theta X + kappa Laplacian X) dt + sigma L dW`; p = kappa, n, sigma, theta.
fn ou_drift(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    let (kappa, theta) = (p[0], p[3]);
    laplacian(x, 1, out);
    for (o, xi) in out.iter_mut().zip(x) {
        *o = -theta * xi + kappa * *o;
    }
}

/// `du = [(Laplacian - beta) tanh(gamma u) - alpha] dt + sigma L dW`, beta a local
/// (diagonal) term; p = alpha, beta, gamma, n, sigma. With sigma = 0 every site relaxes
/// to the uniform fixed point `u* = -atanh(alpha / beta) / gamma` (where the Laplacian of
/// the uniform field vanishes and `beta tanh(gamma u*) = -alpha`).
fn allen_cahn(axes: usize, x: &[f64], p: &[f64], out: &mut [f64]) {
    let (alpha, beta, gamma) = (p[0], p[1], p[2]);
    // Grids have at most 256 points (`check_param`): no allocation per call.
    let mut buf = [0.0; MAX_SIDE_1D];
    let s = &mut buf[..x.len()];
    for (si, u) in s.iter_mut().zip(x) {
        *si = (gamma * u).tanh();
    }
    laplacian(s, axes, out);
    for (o, si) in out.iter_mut().zip(s.iter()) {
        *o -= beta * si + alpha;
    }
}

fn allen_cahn_1d(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    allen_cahn(1, x, p, out)
}

fn allen_cahn_2d(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    allen_cahn(2, x, p, out)
}

/// `dx = -V'(x) dt + sigma dW`, `V = (x^2 - 1)^2 / 4`.
fn double_well(_t: f64, x: &[f64], _p: &[f64], out: &mut [f64]) {
    out[0] = x[0] - x[0].powi(3);
}

/// `V = (x^2 - 1)^2 / 4 + y^2 / 2`: two wells along x, harmonic along y.
fn double_well_2d(_t: f64, x: &[f64], _p: &[f64], out: &mut [f64]) {
    out[0] = x[0] - x[0].powi(3);
    out[1] = -x[1];
}

/// The three components of the Gaussian mixture: means on a circle of `radius` at 90,
/// 210 and 330 degrees, each isotropic with std `width`, equal weights.
fn mixture_means(radius: f64) -> [[f64; 2]; 3] {
    let at = |deg: f64| {
        let a = deg.to_radians();
        [radius * a.cos(), radius * a.sin()]
    };
    [at(90.0), at(210.0), at(330.0)]
}

/// `log p(x)` of the mixture, and its gradient into `grad`.
fn mixture_log_density(x: &[f64], radius: f64, width: f64, grad: &mut [f64]) -> f64 {
    let means = mixture_means(radius);
    let w2 = width * width;
    // log N(x; mu, w^2 I) for each component, combined by log-sum-exp.
    // Fixed-size arrays: this is the drift, called every integration step.
    let logs = means.map(|m| {
        let q = (x[0] - m[0]).powi(2) + (x[1] - m[1]).powi(2);
        -q / (2.0 * w2) - (std::f64::consts::TAU * w2).ln()
    });
    let top = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let weights = logs.map(|l| (l - top).exp());
    let total: f64 = weights.iter().sum();
    grad[0] = 0.0;
    grad[1] = 0.0;
    for (m, w) in means.iter().zip(&weights) {
        // The responsibility-weighted pull toward each mean.
        grad[0] += w / total * (m[0] - x[0]) / w2;
        grad[1] += w / total * (m[1] - x[1]) / w2;
    }
    top + total.ln() - 3f64.ln()
}

/// Overdamped Langevin dynamics whose stationary density is the mixture p:
/// `dx = (sigma^2 / 2) grad log p(x) dt + sigma dW`; p = radius, sigma, width.
fn gaussian_mixture_2d(_t: f64, x: &[f64], p: &[f64], out: &mut [f64]) {
    let (radius, sigma, width) = (p[0], p[1], p[2]);
    mixture_log_density(x, radius, width, out);
    out.iter_mut().for_each(|v| *v *= 0.5 * sigma * sigma);
}

/// `log Z` of the 1-D double well's density `exp(-2 V(x) / sigma^2)`, by composite
/// Simpson quadrature over the range where the integrand is above 1e-300 of its peak.
fn double_well_log_normaliser(sigma: f64) -> f64 {
    let c = 2.0 / (sigma * sigma);
    let v = |x: f64| (x * x - 1.0).powi(2) / 4.0;
    // Beyond |x| = L the exponent is below -690: V(L) = 690 / c.
    let l = (1.0 + (4.0 * 690.0 / c).sqrt()).sqrt();
    let n = 20_000;
    let h = 2.0 * l / n as f64;
    let f = |x: f64| (-c * v(x)).exp();
    let mut sum = f(-l) + f(l);
    for i in 1..n {
        sum += f(-l + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    (sum * h / 3.0).ln()
}

/// The exact log-density of the stationary law, row by row (rows of `system.dim()`
/// coordinates), where it is known: the Gaussian mixture in closed form, the double
/// wells with a normaliser by quadrature. `None` for the others. It is the truth a
/// model's held-out likelihood is measured against.
pub fn exact_log_density(system: &super::system::System, x: &[f64]) -> Option<Vec<f64>> {
    let d = system.dim();
    let rows = x.chunks_exact(d);
    match system.name() {
        "GaussianMixture2D" => {
            let (radius, width) = (system.param("radius")?, system.param("width")?);
            let mut g = [0.0; 2];
            Some(
                rows.map(|r| mixture_log_density(r, radius, width, &mut g))
                    .collect(),
            )
        }
        "DoubleWell" | "DoubleWell2D" => {
            let sigma = system.param("sigma")?;
            if sigma <= 0.0 {
                return None;
            }
            let c = 2.0 / (sigma * sigma);
            let log_z = double_well_log_normaliser(sigma);
            // The harmonic y of the 2-D well: exp(-y^2 / sigma^2), N(0, sigma^2 / 2).
            let y_var = sigma * sigma / 2.0;
            Some(
                rows.map(|r| {
                    let x_part = -c * (r[0] * r[0] - 1.0).powi(2) / 4.0 - log_z;
                    if d == 2 {
                        x_part
                            - r[1] * r[1] / (2.0 * y_var)
                            - 0.5 * (std::f64::consts::TAU * y_var).ln()
                    } else {
                        x_part
                    }
                })
                .collect(),
            )
        }
        _ => None,
    }
}

/// The drift matrix `A` (row-major) of the systems that are linear, `dX = A X dt + B dW`
/// (the OU ring: `-theta I + kappa` times the periodic second difference), so that
/// their response to a kick is `exp(A tau)`; `None` for the others.
pub fn linear_drift(system: &super::system::System) -> Option<Vec<f64>> {
    if system.name() != "OrnsteinUhlenbeck" {
        return None;
    }
    let (kappa, theta) = (system.param("kappa")?, system.param("theta")?);
    let n = system.dim();
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        a[i * n + i] -= theta + 2.0 * kappa;
        a[i * n + (i + 1) % n] += kappa;
        a[i * n + (i + n - 1) % n] += kappa;
    }
    Some(a)
}

/// The exact score `grad log rho` of the stationary density, where it is known in closed
/// form: the double wells, `rho ~ exp(-2 V / sigma^2)`, so `s = -2 grad V / sigma^2`, and
/// the Gaussian mixture, whose drift is `(sigma^2 / 2) grad log p`.
/// Fills `out` (same shape as `x`, row-major) and returns true, or false for the others.
/// The systems whose stationary score and log-density are known in closed form.
pub const EXACT_DENSITY_SYSTEMS: &[&str] = &["DoubleWell", "DoubleWell2D", "GaussianMixture2D"];

pub fn exact_score(system: &super::system::System, x: &[f64], out: &mut [f64]) -> bool {
    let Some(sigma) = system.param("sigma") else {
        return false;
    };
    let drift: fn(f64, &[f64], &[f64], &mut [f64]) = match system.name() {
        "DoubleWell" => double_well,
        "DoubleWell2D" => double_well_2d,
        "GaussianMixture2D" => gaussian_mixture_2d,
        _ => return false,
    };
    let d = system.dim();
    for (row, o) in x.chunks_exact(d).zip(out.chunks_exact_mut(d)) {
        // The drift is -grad V.
        drift(0.0, row, system.flat_params(), o);
        o.iter_mut().for_each(|v| *v *= 2.0 / (sigma * sigma));
    }
    true
}

/// The lower Cholesky factor `L` of `Gamma_ij = 1 / sqrt(d_ij^2 + 1)`, `d_ij`
/// the periodic distance between grid points `i` and `j` (row-major, `n^axes`
/// points).
pub fn grid_noise_factor(n: usize, axes: usize) -> Result<Vec<f64>, Error> {
    let dim = n.pow(axes as u32);
    let wrap = |a: usize, b: usize| {
        let d = a.abs_diff(b);
        d.min(n - d) as f64
    };
    let dist2 = |i: usize, j: usize| {
        if axes == 1 {
            wrap(i, j).powi(2)
        } else {
            wrap(i / n, j / n).powi(2) + wrap(i % n, j % n).powi(2)
        }
    };
    let mut gamma = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..dim {
            gamma[i * dim + j] = 1.0 / (dist2(i, j) + 1.0).sqrt();
        }
    }
    cholesky(&gamma, dim).ok_or_else(|| {
        Error::invalid(format!(
            "the noise covariance of a {n}-point periodic grid is not positive definite"
        ))
    })
}

/// Lower Cholesky factor of a symmetric positive-definite row-major matrix.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Rejects values that make a stochastic system meaningless.
pub fn check_param(system: &str, name: &str, value: f64) -> Result<(), Error> {
    match name {
        "n" => {
            let max = if system.ends_with("2D") {
                MAX_SIDE_2D
            } else {
                MAX_SIDE_1D
            };
            if value.fract() != 0.0 || value < 2.0 || value > max as f64 {
                return Err(Error::invalid(format!(
                    "{system}: n (grid points per side) must be a whole number from 2 to {max}, got {value}"
                )));
            }
            // The one side from 2 to 16 on which the torus's Gamma_ij = 1/sqrt(d_ij^2 + 1)
            // is not positive definite (tests/dynamics.rs tries every side).
            if system.ends_with("2D") && value == 4.0 {
                return Err(Error::invalid(format!(
                    "{system}: n = 4 is not offered: on a 4 x 4 torus the noise covariance \
                     1/sqrt(d^2 + 1) is not positive definite; choose 2, 3 or 5 to {max}"
                )));
            }
        }
        "width" if system == "GaussianMixture2D" && value <= 0.0 => {
            return Err(Error::invalid(format!(
                "{system}: width (each component's std) must be positive, got {value}"
            )));
        }
        "radius" if system == "GaussianMixture2D" && value < 0.0 => {
            return Err(Error::invalid(format!(
                "{system}: radius (the components' distance from the origin) must be non-negative, got {value}"
            )));
        }
        "sigma" if value < 0.0 => {
            return Err(Error::invalid(format!(
                "{system}: sigma must be non-negative, got {value}"
            )));
        }
        _ => {}
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn entry(
    name: &str,
    params: &[(&str, f64)],
    ic: Vec<f64>,
    description: &str,
    citation: &str,
    rhs: Rhs,
    noise: NoiseModel,
    grid_axes: usize,
) -> SystemInfo {
    let mut params: Vec<ParamSpec> = params
        .iter()
        .map(|(n, v)| ParamSpec::scalar(n, *v))
        .collect();
    params.sort_by(|a, b| a.name.cmp(&b.name));
    SystemInfo {
        name: name.into(),
        family: Family::Stochastic,
        dim: ic.len(),
        params,
        initial_condition: ic,
        dt: 0.01,
        // A relaxation time, used like dysts' period to choose default time steps.
        period: 1.5,
        max_lyapunov: None,
        correlation_dimension: None,
        kaplan_yorke_dimension: None,
        mean: None,
        std: None,
        description: description.into(),
        citation: citation.into(),
        nonautonomous: false,
        unsupported: None,
        rhs: Some(rhs),
        post: None,
        noise: Some(noise),
        grid_axes,
    }
}

/// The stochastic entries of the catalog.
pub fn systems() -> Vec<SystemInfo> {
    let grid1 = NoiseModel::GridCorrelated { axes: 1 };
    let grid2 = NoiseModel::GridCorrelated { axes: 2 };
    vec![
        entry(
            "OrnsteinUhlenbeck",
            &[("kappa", 0.5), ("n", 8.0), ("sigma", 1.0), ("theta", 1.0)],
            vec![0.0; 8],
            "Linear SDE dX = (-theta X + kappa Laplacian X) dt + sigma L dW on a periodic 1-D grid of n points, with spatially correlated noise Gamma_ij = 1/sqrt(d_ij^2 + 1) = L L^T. Its stationary law is Gaussian with the covariance solving the Lyapunov equation.",
            GIORGINI,
            ou_drift,
            grid1,
            1,
        ),
        entry(
            "DoubleWell",
            &[("sigma", 0.5)],
            vec![1.0],
            "Overdamped particle in the double-well potential V = (x^2 - 1)^2 / 4: dx = (x - x^3) dt + sigma dW. Stationary density proportional to exp(-2 V / sigma^2).",
            "Kramers, H. A. (1940). Brownian motion in a field of force and the diffusion model of chemical reactions. Physica 7, 284-304.",
            double_well,
            NoiseModel::Scalar,
            0,
        ),
        entry(
            "DoubleWell2D",
            &[("sigma", 0.5)],
            vec![1.0, 0.0],
            "Overdamped particle in V = (x^2 - 1)^2 / 4 + y^2 / 2: two wells along x, harmonic along y, with independent noise sigma dW.",
            "Kramers, H. A. (1940). Brownian motion in a field of force and the diffusion model of chemical reactions. Physica 7, 284-304.",
            double_well_2d,
            NoiseModel::Scalar,
            0,
        ),
        entry(
            "GaussianMixture2D",
            &[("radius", 1.2), ("sigma", 1.0), ("width", 0.5)],
            vec![0.0, 1.2],
            "Overdamped Langevin dynamics dx = (sigma^2 / 2) grad log p(x) dt + sigma dW whose stationary density is a known Gaussian mixture p: three equal components of std width, centred on a circle of the given radius at 90, 210 and 330 degrees. A truth for likelihoods: log p is exact.",
            "Roberts, G. O., Tweedie, R. L. (1996). Exponential convergence of Langevin distributions and their discrete approximations. Bernoulli 2, 341-363.",
            gaussian_mixture_2d,
            NoiseModel::Scalar,
            0,
        ),
        entry(
            "AllenCahn1D",
            &[
                ("alpha", 0.3),
                ("beta", 0.5),
                ("gamma", 1.0),
                ("n", 32.0),
                ("sigma", 2.0),
            ],
            vec![0.0; 32],
            "Modified stochastic Allen-Cahn equation du = [(Laplacian - beta) tanh(gamma u) - alpha] dt + sigma L dW on a periodic 1-D grid of n points, noise correlated as Gamma_ij = 1/sqrt(d_ij^2 + 1).",
            GIORGINI_PREPRINT,
            allen_cahn_1d,
            grid1,
            1,
        ),
        entry(
            "AllenCahn2D",
            &[
                ("alpha", 0.3),
                ("beta", 0.5),
                ("gamma", 1.0),
                ("n", 8.0),
                ("sigma", 2.0),
            ],
            vec![0.0; 64],
            "Modified stochastic Allen-Cahn equation du = [(Laplacian - beta) tanh(gamma u) - alpha] dt + sigma L dW on a periodic n x n grid (row-major), noise correlated as Gamma_ij = 1/sqrt(d_ij^2 + 1) with d_ij the periodic Euclidean distance.",
            GIORGINI_PREPRINT,
            allen_cahn_2d,
            grid2,
            2,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reproduces_the_grid_covariance() {
        for (n, axes) in [(8, 1), (32, 1), (8, 2)] {
            let l = grid_noise_factor(n, axes).unwrap();
            let d = n.pow(axes as u32);
            for i in 0..d {
                for j in 0..d {
                    let llt: f64 = (0..d).map(|k| l[i * d + k] * l[j * d + k]).sum();
                    let dx = |a: usize, b: usize| a.abs_diff(b).min(n - a.abs_diff(b)) as f64;
                    let d2 = if axes == 1 {
                        dx(i, j).powi(2)
                    } else {
                        dx(i / n, j / n).powi(2) + dx(i % n, j % n).powi(2)
                    };
                    assert!((llt - 1.0 / (d2 + 1.0).sqrt()).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn laplacian_of_a_fourier_mode_is_its_eigenvalue() {
        let n = 16;
        let k = 3.0;
        let w = std::f64::consts::TAU * k / n as f64;
        let v: Vec<f64> = (0..n).map(|i| (w * i as f64).cos()).collect();
        let mut out = vec![0.0; n];
        laplacian(&v, 1, &mut out);
        let lambda = 2.0 * w.cos() - 2.0;
        for i in 0..n {
            assert!((out[i] - lambda * v[i]).abs() < 1e-12);
        }
    }
}
