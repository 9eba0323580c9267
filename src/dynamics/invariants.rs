//! Invariants to judge real and generated data: Lyapunov exponent, correlation dimension, moments.
//!
//! The maximum Lyapunov exponent (Benettin's two-trajectory method, from the
//! equations), the correlation dimension (Grassberger-Procaccia, from any point
//! cloud), mean and std.

use super::integrate::Method;
use super::simulation::{SimulateOptions, Stepper, initial_state};
use super::system::System;
use crate::Error;
use crate::dataset::Dataset;
use crate::rng::{Rng64, normal};

/// Settings of [`max_lyapunov`]; `None` takes the system's simulation defaults.
#[derive(Debug, Clone, Default)]
pub struct LyapunovOptions {
    /// Averaging time after the burn-in (default 200 dysts periods, rounded).
    pub t_end: Option<f64>,
    pub dt: Option<f64>,
    pub burn_in: Option<f64>,
    /// rk4 (default) or dopri5 for stiff systems.
    pub method: Option<Method>,
    pub seed: Option<u64>,
}

/// The largest Lyapunov exponent (per unit time) of a deterministic flow:
/// a companion trajectory `1e-8` away (relative to the attractor's size) is
/// integrated alongside, and the separation renormalised after every step;
/// the exponent is the mean log growth rate.
pub fn max_lyapunov(system: &System, opts: &LyapunovOptions) -> Result<f64, Error> {
    if system.is_stochastic() {
        return Err(Error::invalid(format!(
            "{} is stochastic; its maximum Lyapunov exponent is not estimated here",
            system.name()
        )));
    }
    let p = system.info.period;
    let t_end = opts.t_end.unwrap_or_else(|| (p * 200.0).max(1.0));
    let sim = SimulateOptions {
        dt: opts.dt,
        burn_in: opts.burn_in,
        t_end: Some(t_end),
        method: Some(opts.method.unwrap_or(Method::Rk4)),
        // Adaptive steps differ between the two trajectories: keep their local
        // errors far below the 1e-8 separation.
        rtol: Some(1e-12),
        atol: Some(1e-12),
        seed: opts.seed,
        ..Default::default()
    };
    // Its own run, of lyapunov-time: say so, as its t-end is not the user's.
    let r = sim.resolve(system).map_err(|e| {
        Error::invalid(format!(
            "the Lyapunov run (lyapunov-time {t_end}): {}",
            e.message
        ))
    })?;
    let mut x = initial_state(system, &sim);
    let mut stepper = Stepper::new(system, &r, 0);
    stepper.advance(&mut x, (r.burn_in / r.dt).round() as usize)?;
    let d = system.dim();
    let norm2 = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let size = system
        .info
        .std
        .as_ref()
        .map_or(0.0, |s| norm2(s))
        .max(norm2(&x));
    // Far above rounding of the state, far below the attractor's size.
    let delta0 = 1e-8 * size.max(1e-300);
    let mut rng = Rng64::new(opts.seed.unwrap_or(0) ^ 0x1a9);
    let mut u: Vec<f64> = (0..d).map(|_| normal(&mut rng)).collect();
    let norm = u.iter().map(|v| v * v).sum::<f64>().sqrt();
    u.iter_mut().for_each(|v| *v *= delta0 / norm);
    let mut y: Vec<f64> = x.iter().zip(&u).map(|(a, b)| a + b).collect();
    let mut companion = Stepper::new(system, &r, 0);
    companion.t = stepper.t;
    let steps = (r.t_end / r.dt).round() as usize;
    // Renormalise every step: the separation stays linear and never underflows.
    let every = 1usize;
    let mut log_sum = 0.0;
    let mut done = 0;
    while done < steps {
        let n = every.min(steps - done);
        stepper.advance(&mut x, n)?;
        companion.advance(&mut y, n)?;
        done += n;
        let sep: f64 = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        if !(sep.is_finite() && sep > 0.0) {
            return Err(Error::invalid(
                "the separation of the two trajectories vanished or diverged; try a smaller dt or dopri5",
            ));
        }
        log_sum += (sep / delta0).ln();
        for (yi, xi) in y.iter_mut().zip(&x) {
            *yi = xi + (*yi - xi) * delta0 / sep;
        }
    }
    Ok(log_sum / (done as f64 * r.dt))
}

/// Per-column mean and (population) standard deviation.
pub fn moments(data: &Dataset) -> (Vec<f64>, Vec<f64>) {
    let (n, d) = (data.len() as f64, data.dim);
    let mut mean = vec![0.0; d];
    for i in 0..data.len() {
        for (m, v) in mean.iter_mut().zip(data.row(i)) {
            *m += v / n;
        }
    }
    let mut var = vec![0.0; d];
    for i in 0..data.len() {
        for (j, v) in data.row(i).iter().enumerate() {
            var[j] += (v - mean[j]).powi(2) / n;
        }
    }
    (mean, var.into_iter().map(f64::sqrt).collect())
}

/// Settings of [`correlation_dimension`].
#[derive(Debug, Clone)]
pub struct CorrelationOptions {
    /// Points drawn (without replacement) from the cloud; pairs grow as its square.
    pub max_points: usize,
    /// The scaling range, as quantiles of the pairwise distances.
    pub low_quantile: f64,
    pub high_quantile: f64,
    pub seed: u64,
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        Self {
            max_points: 2000,
            low_quantile: 0.005,
            high_quantile: 0.1,
            seed: 0,
        }
    }
}

/// Grassberger-Procaccia correlation dimension: the least-squares slope of
/// `log C(r)` against `log r` over 16 radii spaced logarithmically between two
/// quantiles of the pairwise distances, `C(r)` being the fraction of pairs
/// closer than `r`.
pub fn correlation_dimension(data: &Dataset, opts: &CorrelationOptions) -> Result<f64, Error> {
    let n_all = data.len();
    if n_all < 50 {
        return Err(Error::invalid(format!(
            "the correlation dimension needs at least 50 points, got {n_all}"
        )));
    }
    if !(0.0 < opts.low_quantile
        && opts.low_quantile < opts.high_quantile
        && opts.high_quantile < 1.0)
    {
        return Err(Error::invalid("quantiles must satisfy 0 < low < high < 1"));
    }
    // Partial Fisher-Yates: a uniform subsample without replacement.
    let mut idx: Vec<usize> = (0..n_all).collect();
    let m = opts.max_points.min(n_all).max(2);
    let mut rng = Rng64::new(opts.seed);
    for i in 0..m {
        let j = i + rng.below(n_all - i);
        idx.swap(i, j);
    }
    let pts: Vec<&[f64]> = idx[..m].iter().map(|&i| data.row(i)).collect();
    let mut dist = Vec::with_capacity(m * (m - 1) / 2);
    for i in 0..m {
        for j in i + 1..m {
            let d2: f64 = pts[i]
                .iter()
                .zip(pts[j])
                .map(|(a, b)| (a - b).powi(2))
                .sum();
            dist.push(d2.sqrt());
        }
    }
    if dist.iter().any(|d| !d.is_finite()) {
        return Err(Error::invalid("the points contain non-finite values"));
    }
    dist.sort_by(f64::total_cmp);
    let q = |p: f64| dist[((dist.len() - 1) as f64 * p) as usize];
    let (lo, hi) = (q(opts.low_quantile), q(opts.high_quantile));
    if !(lo > 0.0 && hi > lo) {
        return Err(Error::invalid(
            "the points are degenerate (too many repeated points) for a correlation dimension",
        ));
    }
    let k = 16;
    let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..k {
        let r = lo * (hi / lo).powf(i as f64 / (k - 1) as f64);
        let count = dist.partition_point(|d| *d < r) as f64;
        let (x, y) = (r.ln(), (count / dist.len() as f64).ln());
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    let kf = k as f64;
    Ok((kf * sxy - sx * sy) / (kf * sxx - sx * sx))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a smooth closed manifold of known dimension have that
    /// correlation dimension (no boundary effects).
    #[test]
    fn correlation_dimension_of_a_circle_and_a_torus() {
        let mut rng = Rng64::new(3);
        let tau = std::f64::consts::TAU;
        let circle: Vec<f64> = (0..3000)
            .flat_map(|_| {
                let a = tau * rng.uniform();
                [a.cos(), a.sin()]
            })
            .collect();
        let torus: Vec<f64> = (0..4000)
            .flat_map(|_| {
                let (a, b) = (tau * rng.uniform(), tau * rng.uniform());
                [a.cos(), a.sin(), b.cos(), b.sin()]
            })
            .collect();
        let opts = CorrelationOptions::default();
        let d1 = correlation_dimension(&Dataset::new(2, circle).unwrap(), &opts).unwrap();
        let d2 = correlation_dimension(&Dataset::new(4, torus).unwrap(), &opts).unwrap();
        assert!((d1 - 1.0).abs() < 0.05, "circle: {d1}");
        assert!((d2 - 2.0).abs() < 0.1, "torus: {d2}");
    }

    #[test]
    fn bad_point_clouds_are_rejected() {
        let few = Dataset::new(2, vec![0.0; 20]).unwrap();
        assert!(correlation_dimension(&few, &CorrelationOptions::default()).is_err());
        let same = Dataset::new(2, vec![1.0; 400]).unwrap();
        assert!(correlation_dimension(&same, &CorrelationOptions::default()).is_err());
    }

    #[test]
    fn lyapunov_of_a_stochastic_system_is_refused() {
        let ou = System::new("OrnsteinUhlenbeck").unwrap();
        assert!(max_lyapunov(&ou, &LyapunovOptions::default()).is_err());
    }
}
