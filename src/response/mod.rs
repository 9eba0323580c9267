//! Linear response of a stochastic system to a kick, `R_ij(tau) = <dx_i(tau)> / delta`
//! for a kick `delta` on coordinate `j` at time 0, by the generalized
//! fluctuation-dissipation theorem (GFDT; Giorgini, Deck, Bischoff, Souza, Phys. Rev.
//! Lett. 133, 267302, 2024) and by direct experiment:
//!
//! - [`from_score`]: `R_ij(tau) = -< x_i(tau) s_j(x(0)) >` over a stationary trajectory,
//!   for any score `s = grad log rho` evaluated along it (exact, or a trained network's);
//! - [`gaussian`]: the same with the Gaussian score `-C(0)^{-1} (x - mu)`, that is
//!   `R(tau) = C(tau) C(0)^{-1}`;
//! - [`perturbation`]: the truth, pairs of runs from states along the attractor, one
//!   kicked, both driven by the same noise;
//! - [`linear_analytic`]: `exp(A tau)` for `dX = A X dt + B dW`.
//!
//! Lagged correlations go through the FFT (rustfft): O(d^2 N log N), not O(N lags d^2).
//! Plain f64, no device: the score layer evaluates the network's score and hands the
//! values here. [`plan`] is one request as the command line and the page make it.

use crate::Error;
use crate::dynamics::simulation::Stepper;
use crate::dynamics::{SimulateOptions, System, simulate};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::Serialize;

pub mod plan;

/// A response function on a grid of lags.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub estimator: &'static str,
    pub dim: usize,
    /// Lags in time units.
    pub tau: Vec<f64>,
    /// Per lag, the d x d matrix (row-major): `r[k][i * dim + j]` is the response of x_i
    /// at `tau[k]` to a kick on x_j.
    pub r: Vec<Vec<f64>>,
    /// The standard error of each entry (the perturbation estimator only).
    pub stderr: Option<Vec<Vec<f64>>>,
}

/// How far one response is from another (the truth), over the columns both have
/// (kicked: finite in both): relative L2 over all lags, as the paper's RMS error, and
/// the largest absolute difference, as its max-pixel error; and both per lag.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub relative_l2: f64,
    pub linf: f64,
    /// The kicked columns compared.
    pub columns: Vec<usize>,
    pub tau: Vec<f64>,
    pub relative_l2_per_lag: Vec<f64>,
    pub linf_per_lag: Vec<f64>,
}

/// Compares `a` with the truth `b` (same dimension and lags).
pub fn compare(a: &Response, b: &Response) -> Result<Comparison, Error> {
    let d = a.dim;
    if d != b.dim
        || a.tau.len() != b.tau.len()
        || a.r.len() != a.tau.len()
        || b.r.len() != b.tau.len()
    {
        return Err(Error::invalid(format!(
            "the responses differ in shape: {} lags of {} coordinates vs {} lags of {}",
            a.tau.len(),
            a.dim,
            b.tau.len(),
            b.dim
        )));
    }
    if let Some((x, y)) = a
        .tau
        .iter()
        .zip(&b.tau)
        .find(|(x, y)| (*x - *y).abs() > 1e-9 * y.abs().max(1.0))
    {
        return Err(Error::invalid(format!("the lags differ: {x} vs {y}")));
    }
    let columns: Vec<usize> = (0..d)
        .filter(|&j| {
            a.r.iter()
                .chain(&b.r)
                .all(|m| (0..d).all(|i| m[i * d + j].is_finite()))
        })
        .collect();
    if columns.is_empty() {
        return Err(Error::invalid(
            "the responses have no kicked column in common",
        ));
    }
    let (mut err, mut norm, mut linf) = (0.0, 0.0, 0.0f64);
    let (mut per_l2, mut per_inf) = (vec![], vec![]);
    for (x, y) in a.r.iter().zip(&b.r) {
        let (mut e, mut n, mut m) = (0.0, 0.0, 0.0f64);
        for i in 0..d {
            for &j in &columns {
                let diff = x[i * d + j] - y[i * d + j];
                e += diff * diff;
                n += y[i * d + j].powi(2);
                m = m.max(diff.abs());
            }
        }
        per_l2.push((e / n.max(f64::MIN_POSITIVE)).sqrt());
        per_inf.push(m);
        err += e;
        norm += n;
        linf = linf.max(m);
    }
    Ok(Comparison {
        relative_l2: (err / norm.max(f64::MIN_POSITIVE)).sqrt(),
        linf,
        columns,
        tau: b.tau.clone(),
        relative_l2_per_lag: per_l2,
        linf_per_lag: per_inf,
    })
}

/// Cross-correlations `c[k][i * d + j] = (1 / (N - k)) sum_t a_i(t + k) b_j(t)` for
/// `k = 0..=max_lag`, of row-major series `a` and `b` (N rows of `d` columns each), by
/// zero-padded FFT.
pub fn cross_correlations(
    a: &[f64],
    b: &[f64],
    d: usize,
    max_lag: usize,
) -> Result<Vec<Vec<f64>>, Error> {
    if d == 0 || a.len() != b.len() || !a.len().is_multiple_of(d) {
        return Err(Error::invalid(
            "cross-correlations need two series of the same shape",
        ));
    }
    let n = a.len() / d;
    if max_lag >= n {
        return Err(Error::invalid(format!(
            "a trajectory of {n} rows is too short for {max_lag} lags"
        )));
    }
    let m = (n + max_lag + 1).next_power_of_two();
    let mut planner = FftPlanner::<f64>::new();
    let forward = planner.plan_fft_forward(m);
    let inverse = planner.plan_fft_inverse(m);
    let spectrum = |z: &[f64], col: usize| {
        let mut buf: Vec<Complex<f64>> = (0..m)
            .map(|t| Complex::new(if t < n { z[t * d + col] } else { 0.0 }, 0.0))
            .collect();
        forward.process(&mut buf);
        buf
    };
    let fa: Vec<_> = (0..d).map(|i| spectrum(a, i)).collect();
    let fb: Vec<_> = (0..d).map(|j| spectrum(b, j)).collect();
    let mut out = vec![vec![0.0; d * d]; max_lag + 1];
    let mut buf = vec![Complex::new(0.0, 0.0); m];
    for i in 0..d {
        for j in 0..d {
            for ((o, x), y) in buf.iter_mut().zip(&fa[i]).zip(&fb[j]) {
                *o = x * y.conj();
            }
            inverse.process(&mut buf);
            for (k, row) in out.iter_mut().enumerate() {
                row[i * d + j] = buf[k].re / (m as f64 * (n - k) as f64);
            }
        }
    }
    Ok(out)
}

/// The series minus its column means.
fn centred(x: &[f64], d: usize) -> Vec<f64> {
    let n = (x.len() / d) as f64;
    let mut mean = vec![0.0; d];
    for row in x.chunks_exact(d) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n;
        }
    }
    x.chunks_exact(d)
        .flat_map(|row| row.iter().zip(&mean).map(|(v, m)| v - m))
        .collect()
}

/// Inverse of a small dense matrix (Gauss-Jordan with partial pivoting).
pub fn invert(a: &[f64], d: usize) -> Result<Vec<f64>, Error> {
    let mut m = a.to_vec();
    let mut inv: Vec<f64> = (0..d * d)
        .map(|k| if k / d == k % d { 1.0 } else { 0.0 })
        .collect();
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for c in 0..d {
        let p = (c..d)
            .max_by(|&r, &s| m[r * d + c].abs().total_cmp(&m[s * d + c].abs()))
            .unwrap();
        let pivot = m[p * d + c].abs();
        if pivot.is_nan() || pivot <= 1e-12 * scale {
            return Err(Error::invalid(
                "the matrix is singular (a coordinate that does not vary, or two that move together)",
            ));
        }
        for k in 0..d {
            m.swap(c * d + k, p * d + k);
            inv.swap(c * d + k, p * d + k);
        }
        let piv = m[c * d + c];
        for k in 0..d {
            m[c * d + k] /= piv;
            inv[c * d + k] /= piv;
        }
        for r in (0..d).filter(|&r| r != c) {
            let f = m[r * d + c];
            if f != 0.0 {
                for k in 0..d {
                    m[r * d + k] -= f * m[c * d + k];
                    inv[r * d + k] -= f * inv[c * d + k];
                }
            }
        }
    }
    Ok(inv)
}

fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for k in 0..d {
            let aik = a[i * d + k];
            for j in 0..d {
                out[i * d + j] += aik * b[k * d + j];
            }
        }
    }
    out
}

fn lags(max_lag: usize, dt: f64) -> Vec<f64> {
    (0..=max_lag).map(|k| k as f64 * dt).collect()
}

/// How far a score is from satisfying `-E[(x - mu) s(x)^T] = I`, which the exact score
/// of any smooth density does (integration by parts): `|R(0) - I|_F / sqrt(d)`, R(0)
/// being the score estimator's value at lag 0. A diagnostic of a learned score.
pub fn identity_distance(x: &[f64], s: &[f64], d: usize) -> f64 {
    let z = centred(x, d);
    let n = (x.len() / d) as f64;
    let mut r0 = vec![0.0; d * d];
    for (zr, sr) in z.chunks_exact(d).zip(s.chunks_exact(d)) {
        for i in 0..d {
            for j in 0..d {
                r0[i * d + j] -= zr[i] * sr[j] / n;
            }
        }
    }
    let off: f64 = (0..d * d)
        .map(|k| (r0[k] - if k / d == k % d { 1.0 } else { 0.0 }).powi(2))
        .sum();
    (off / d as f64).sqrt()
}

/// The score estimator: `R_ij(k) = -< (x_i(t + k) - mu_i) s_j(x(t)) >` over the rows of
/// the trajectory `x` (spaced `dt` apart) and the score `s` at those rows. For the exact
/// score R(0) = I, by integration by parts; [`normalized`] makes it so for any score.
pub fn from_score(
    x: &[f64],
    s: &[f64],
    d: usize,
    dt: f64,
    max_lag: usize,
) -> Result<Response, Error> {
    if x.len() != s.len() {
        return Err(Error::invalid(format!(
            "{} score values for {} trajectory values",
            s.len(),
            x.len()
        )));
    }
    let mut r = cross_correlations(&centred(x, d), s, d, max_lag)?;
    r.iter_mut().flatten().for_each(|v| *v = -*v);
    Ok(Response {
        estimator: "score",
        dim: d,
        tau: lags(max_lag, dt),
        r,
        stderr: None,
    })
}

/// `R(k) R(0)^{-1}` at every lag, so that R(0) = I.
pub fn normalized(mut r: Response) -> Result<Response, Error> {
    let inv0 = invert(&r.r[0], r.dim)?;
    r.r = r.r.iter().map(|rk| matmul(rk, &inv0, r.dim)).collect();
    Ok(r)
}

/// The Gaussian estimator `R(k) = C(k) C(0)^{-1}`, C the mean-removed lagged covariance.
pub fn gaussian(x: &[f64], d: usize, dt: f64, max_lag: usize) -> Result<Response, Error> {
    let z = centred(x, d);
    normalized(Response {
        estimator: "gaussian",
        dim: d,
        tau: lags(max_lag, dt),
        r: cross_correlations(&z, &z, d, max_lag)?,
        stderr: None,
    })
}

/// `exp(A tau)` for the lags `k dt`, `A` a d x d drift matrix (scaling and squaring of a
/// Taylor series).
pub fn linear_analytic(a: &[f64], d: usize, dt: f64, max_lag: usize) -> Response {
    let expm = |t: f64| {
        let norm = a.iter().map(|v| v.abs() * t).fold(0.0, f64::max) * d as f64;
        let squarings = norm.max(1.0).log2().ceil() as i32 + 4;
        let h = t / 2f64.powi(squarings);
        let mut term: Vec<f64> = (0..d * d)
            .map(|k| if k / d == k % d { 1.0 } else { 0.0 })
            .collect();
        let mut sum = term.clone();
        for n in 1..=18 {
            term = matmul(&term, a, d)
                .into_iter()
                .map(|v| v * h / n as f64)
                .collect();
            sum.iter_mut().zip(&term).for_each(|(s, t)| *s += t);
        }
        for _ in 0..squarings {
            sum = matmul(&sum, &sum, d);
        }
        sum
    };
    Response {
        estimator: "analytic",
        dim: d,
        tau: lags(max_lag, dt),
        r: (0..=max_lag).map(|k| expm(k as f64 * dt)).collect(),
        stderr: None,
    }
}

/// Settings of the perturbation experiment.
#[derive(Debug, Clone)]
pub struct PerturbationOptions {
    /// Kick size, in the state's units.
    pub delta: f64,
    /// Number of kicked/unkicked pairs per kicked coordinate.
    pub members: usize,
    /// Time between the starting states along the attractor.
    pub restart: f64,
    /// Lag spacing is `every` integration steps of the simulation's dt.
    pub every: usize,
    pub max_lag: usize,
    /// Coordinates kicked (the others' columns stay NaN).
    pub kicks: Vec<usize>,
    pub seed: u64,
}

/// The perturbation truth: for each member, a state on the attractor (a run `restart`
/// apart from the previous), then two runs of `max_lag * every` steps, one with
/// `x_j += delta`, both with the same noise; `R_ij(k) = mean(x_kicked - x) / delta`.
pub fn perturbation(
    system: &System,
    sim: &SimulateOptions,
    opts: &PerturbationOptions,
) -> Result<Response, Error> {
    let d = system.dim();
    if let Some(&j) = opts.kicks.iter().find(|&&j| j >= d) {
        return Err(Error::invalid(format!(
            "kick coordinate {j} is out of range: {} has coordinates 0 to {}",
            system.name(),
            d - 1
        )));
    }
    if !(opts.delta.is_finite() && opts.delta > 0.0) || opts.members < 2 || opts.every == 0 {
        return Err(Error::invalid(
            "the perturbation experiment needs delta > 0, at least 2 members and every >= 1",
        ));
    }
    let r = sim.resolve(system)?;
    let raw = SimulateOptions {
        raw: true,
        ..sim.clone()
    };
    // The first state: the end of a burn-in run.
    let mut state = {
        let t = simulate(
            system,
            &SimulateOptions {
                t_end: Some(r.dt * r.every as f64),
                ..raw.clone()
            },
        )?;
        t.x[(t.len() - 1) * d..].to_vec()
    };
    let restart_steps = ((opts.restart / r.dt).round() as usize).max(1);
    let mut walker = Stepper::new(system, &r, opts.seed);
    let k = opts.max_lag + 1;
    let mut sum = vec![vec![0.0; d * d]; k];
    let mut sum2 = vec![vec![0.0; d * d]; k];
    for member in 0..opts.members {
        walker.advance(&mut state, restart_steps)?;
        for &j in &opts.kicks {
            let noise_seed = opts.seed ^ (member as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut a = Stepper::new(system, &r, noise_seed);
            let mut b = Stepper::new(system, &r, noise_seed);
            a.t = walker.t;
            b.t = walker.t;
            let mut x = state.clone();
            let mut y = state.clone();
            y[j] += opts.delta;
            for lag in 0..k {
                if lag > 0 {
                    a.advance(&mut x, opts.every)?;
                    b.advance(&mut y, opts.every)?;
                }
                for i in 0..d {
                    let v = (y[i] - x[i]) / opts.delta;
                    sum[lag][i * d + j] += v;
                    sum2[lag][i * d + j] += v * v;
                }
            }
        }
    }
    // The sums become the mean and its standard error, in place.
    let m = opts.members as f64;
    for (mean, se) in sum.iter_mut().zip(sum2.iter_mut()) {
        for (at, (mu, s2)) in mean.iter_mut().zip(se.iter_mut()).enumerate() {
            if opts.kicks.contains(&(at % d)) {
                *mu /= m;
                *s2 = ((*s2 / m - *mu * *mu).max(0.0) / (m - 1.0)).sqrt();
            } else {
                (*mu, *s2) = (f64::NAN, f64::NAN);
            }
        }
    }
    Ok(Response {
        estimator: "perturbation",
        dim: d,
        tau: lags(opts.max_lag, r.dt * opts.every as f64),
        r: sum,
        stderr: Some(sum2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_correlations_equal_direct_sums() {
        let (n, d, lags) = (57, 3, 9);
        let mut rng = crate::rng::Rng64::new(4);
        let a: Vec<f64> = (0..n * d).map(|_| crate::rng::normal(&mut rng)).collect();
        let b: Vec<f64> = (0..n * d).map(|_| crate::rng::normal(&mut rng)).collect();
        let c = cross_correlations(&a, &b, d, lags).unwrap();
        for (k, ck) in c.iter().enumerate() {
            for i in 0..d {
                for j in 0..d {
                    let direct: f64 = (0..n - k)
                        .map(|t| a[(t + k) * d + i] * b[t * d + j])
                        .sum::<f64>()
                        / (n - k) as f64;
                    assert!((ck[i * d + j] - direct).abs() < 1e-12, "k {k} ({i},{j})");
                }
            }
        }
        assert!(cross_correlations(&a, &b, d, n).is_err());
    }

    #[test]
    fn matrix_exponential_of_a_rotation_generator_is_the_rotation() {
        let a = [0.0, -2.0, 2.0, 0.0];
        let r = linear_analytic(&a, 2, 0.5, 3);
        for (k, m) in r.r.iter().enumerate() {
            let th = 2.0 * 0.5 * k as f64;
            let want = [th.cos(), -th.sin(), th.sin(), th.cos()];
            for (g, w) in m.iter().zip(want) {
                assert!((g - w).abs() < 1e-12, "{m:?} vs {want:?}");
            }
        }
        let inv = invert(&[4.0, 7.0, 2.0, 6.0], 2).unwrap();
        let want = [0.6, -0.7, -0.2, 0.4];
        assert!(inv.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12));
    }
}
