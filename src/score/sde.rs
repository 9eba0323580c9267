//! Forward SDEs dx = f(x, t) dt + g(t) dw with linear drift f(x, t) = a(t) x, so that
//! every quantity a sampler needs is a scalar function of t (score_sde's `sde_lib.py`).

use crate::Error;
use burn::prelude::Tensor;
use serde::{Deserialize, Serialize};

/// A forward SDE on t in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Sde {
    /// Variance preserving (DDPM limit): beta(t) = beta_min + t (beta_max - beta_min).
    Vp { beta_min: f64, beta_max: f64 },
    /// Sub-VP: VP's drift, diffusion beta(t) (1 - exp(-2 int_0^t beta)); its variance
    /// stays below VP's.
    #[serde(rename = "subvp")]
    SubVp { beta_min: f64, beta_max: f64 },
    /// Variance exploding: sigma(t) = sigma_min (sigma_max / sigma_min)^t, no drift.
    Ve { sigma_min: f64, sigma_max: f64 },
    /// NCSN's discrete geometric ladder of `levels` noise scales from sigma_max down to
    /// sigma_min (Song & Ermon 2019); in continuous time it is the VE SDE, with level
    /// i at t_i = log(sigma_i / sigma_min) / log(sigma_max / sigma_min).
    Ncsn {
        sigma_min: f64,
        sigma_max: f64,
        levels: usize,
    },
}

impl Default for Sde {
    fn default() -> Self {
        Sde::Vp {
            beta_min: 0.1,
            beta_max: 20.0,
        }
    }
}

/// score_sde's VE default for low-dimensional data when no data are at hand.
pub const DEFAULT_SIGMA_MAX: f64 = 10.0;

impl Sde {
    /// End time of the forward process.
    pub const T: f64 = 1.0;
    pub const NAMES: &'static str = "vp, subvp, ve, ncsn";

    /// An SDE by name with score_sde's defaults (VP/sub-VP beta 0.1 to 20; VE and
    /// NCSN sigma_min 0.01, sigma_max as given, NCSN with 10 levels).
    pub fn parse_with(name: &str, sigma_max: f64) -> Result<Self, Error> {
        let s = match name {
            "vp" => Sde::default(),
            "subvp" | "sub-vp" => Sde::SubVp {
                beta_min: 0.1,
                beta_max: 20.0,
            },
            "ve" => Sde::Ve {
                sigma_min: 0.01,
                sigma_max,
            },
            "ncsn" => Sde::Ncsn {
                sigma_min: 0.01,
                sigma_max,
                levels: 10,
            },
            other => {
                return Err(Error::invalid(format!(
                    "unknown SDE '{other}'; supported: {}",
                    Sde::NAMES
                )));
            }
        };
        s.validate()?;
        Ok(s)
    }

    pub fn parse(name: &str) -> Result<Self, Error> {
        Self::parse_with(name, DEFAULT_SIGMA_MAX)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Sde::Vp { .. } => "vp",
            Sde::SubVp { .. } => "subvp",
            Sde::Ve { .. } => "ve",
            Sde::Ncsn { .. } => "ncsn",
        }
    }

    pub fn validate(&self) -> Result<(), Error> {
        let (lo, hi, what) = match *self {
            Sde::Vp { beta_min, beta_max } | Sde::SubVp { beta_min, beta_max } => {
                (beta_min, beta_max, "beta")
            }
            Sde::Ve { .. } | Sde::Ncsn { .. } => {
                let (lo, hi) = self.sigma_range();
                (lo, hi, "sigma")
            }
        };
        if !(lo.is_finite() && hi.is_finite() && 0.0 < lo && lo < hi) {
            return Err(Error::invalid(format!(
                "{} SDE needs 0 < {what}_min < {what}_max, got {lo}, {hi}",
                self.name()
            )));
        }
        if let Sde::Ncsn { levels, .. } = *self
            && !(2..=10_000).contains(&levels)
        {
            return Err(Error::invalid(format!(
                "ncsn needs 2 to 10000 noise levels, got {levels}"
            )));
        }
        Ok(())
    }

    /// Whether the SDE explodes (VE, NCSN) rather than preserves variance.
    pub fn is_ve(&self) -> bool {
        matches!(self, Sde::Ve { .. } | Sde::Ncsn { .. })
    }

    fn beta(&self, t: f64) -> f64 {
        match *self {
            Sde::Vp { beta_min, beta_max } | Sde::SubVp { beta_min, beta_max } => {
                beta_min + t * (beta_max - beta_min)
            }
            _ => 0.0,
        }
    }

    /// log m(t) = -1/2 int_0^t beta for VP and sub-VP.
    fn log_mean(&self, t: f64) -> f64 {
        match *self {
            Sde::Vp { beta_min, beta_max } | Sde::SubVp { beta_min, beta_max } => {
                -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min
            }
            _ => 0.0,
        }
    }

    fn sigma_range(&self) -> (f64, f64) {
        match *self {
            Sde::Ve {
                sigma_min,
                sigma_max,
            }
            | Sde::Ncsn {
                sigma_min,
                sigma_max,
                ..
            } => (sigma_min, sigma_max),
            _ => (0.0, 0.0),
        }
    }

    /// Drift coefficient a(t) in f(x, t) = a(t) x.
    pub fn drift_coeff(&self, t: f64) -> f64 {
        if self.is_ve() {
            0.0
        } else {
            -0.5 * self.beta(t)
        }
    }

    /// Diffusion g(t).
    pub fn diffusion(&self, t: f64) -> f64 {
        match self {
            Sde::Vp { .. } => self.beta(t).sqrt(),
            Sde::SubVp { .. } => (self.beta(t) * -(4.0 * self.log_mean(t)).exp_m1()).sqrt(),
            Sde::Ve { .. } | Sde::Ncsn { .. } => {
                let (lo, hi) = self.sigma_range();
                self.marginal(t).1 * (2.0 * (hi / lo).ln()).sqrt()
            }
        }
    }

    /// The VP discretization's beta for one step between t1 < t0, exact from the
    /// marginal means: 1 - (m(t0) / m(t1))^2 (DDPM's beta_i = 1 - alpha_bar_i /
    /// alpha_bar_(i-1)). It is beta(t) h to first order and stays below 1 however
    /// long the step, so few-step samplers are well defined (clamping beta(t) h at
    /// 0.999 had amplified score errors about 30-fold at 10 steps).
    pub fn discrete_beta(&self, t0: f64, t1: f64) -> f64 {
        -(2.0 * (self.log_mean(t0) - self.log_mean(t1))).exp_m1()
    }

    /// score_sde's `discretize` for one step between t1 < t0: the forward step
    /// x(t0) = x(t1) + f x(t1) + G z, returned as (f, G).
    pub fn discretize(&self, t0: f64, t1: f64) -> (f64, f64) {
        let h = t0 - t1;
        match self {
            Sde::Vp { .. } => {
                let beta = self.discrete_beta(t0, t1);
                ((1.0 - beta).sqrt() - 1.0, beta.sqrt())
            }
            Sde::Ve { .. } | Sde::Ncsn { .. } => {
                let (s0, s1) = (self.marginal(t0).1, self.marginal(t1).1);
                (0.0, (s0 * s0 - s1 * s1).sqrt())
            }
            Sde::SubVp { .. } => (self.drift_coeff(t0) * h, self.diffusion(t0) * h.sqrt()),
        }
    }

    /// dx/dt of the probability-flow ODE at t given the score there:
    /// a(t) x - g(t)^2 / 2 score.
    pub fn probability_flow(&self, x: Tensor<2>, score: Tensor<2>, t: f64) -> Tensor<2> {
        let g2 = self.diffusion(t).powi(2);
        x.mul_scalar(self.drift_coeff(t))
            .sub(score.mul_scalar(0.5 * g2))
    }

    /// The perturbation kernel p_t(x | x0) = N(m(t) x0, s(t)^2 I): returns (m(t), s(t)).
    /// The diffusion time at which the marginal std is `std` (bisection on [0, T]; T
    /// when the SDE never reaches it).
    pub fn time_of_std(&self, std: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, Self::T);
        if self.marginal(hi).1 <= std {
            return hi;
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.marginal(mid).1 < std {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    pub fn marginal(&self, t: f64) -> (f64, f64) {
        match self {
            Sde::Vp { .. } => {
                let log_m = self.log_mean(t);
                // 1 - exp(2 log_m), accurate for small t.
                (log_m.exp(), (-(2.0 * log_m).exp_m1()).sqrt())
            }
            Sde::SubVp { .. } => {
                let log_m = self.log_mean(t);
                (log_m.exp(), -(2.0 * log_m).exp_m1())
            }
            Sde::Ve { .. } | Sde::Ncsn { .. } => {
                // score_sde's convention: s(t) = sigma(t), the data carrying sigma_min.
                let (lo, hi) = self.sigma_range();
                (1.0, lo * (hi / lo).powf(t))
            }
        }
    }

    /// Noise-to-signal ratio s(t) / m(t), increasing in t.
    pub fn noise_ratio(&self, t: f64) -> f64 {
        let (m, s) = self.marginal(t);
        s / m
    }

    /// The time at which `noise_ratio` equals `sigma` (bisection; clamped to [0, T]).
    pub fn time_of_ratio(&self, sigma: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, Self::T);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.noise_ratio(mid) < sigma {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// `steps + 1` times from `t_lo` up to `t_hi`, evenly spaced in the log of the
    /// noise-to-signal ratio (log-SNR): thin directions of the data, which matter
    /// where the marginal std is small, get as many steps as the rest.
    pub fn log_snr_grid(&self, t_lo: f64, t_hi: f64, steps: usize) -> Vec<f64> {
        let (a, b) = (self.noise_ratio(t_lo).ln(), self.noise_ratio(t_hi).ln());
        let mut grid: Vec<f64> = (0..=steps)
            .map(|i| self.time_of_ratio((a + (b - a) * i as f64 / steps as f64).exp()))
            .collect();
        grid[0] = t_lo;
        grid[steps] = t_hi;
        grid
    }

    /// Standard deviation of the prior x(T): 1 (VP, sub-VP) or sigma_max (VE, NCSN).
    pub fn prior_std(&self) -> f64 {
        if self.is_ve() {
            self.sigma_range().1
        } else {
            1.0
        }
    }

    /// Log-density of the prior N(0, prior_std^2 I) at z.
    pub fn prior_logp(&self, z: &[f64]) -> f64 {
        let d = z.len() as f64;
        let s = self.prior_std();
        -0.5 * d * (std::f64::consts::TAU * s * s).ln()
            - 0.5 * z.iter().map(|v| v * v).sum::<f64>() / (s * s)
    }

    /// NCSN's noise levels, largest first (score_sde: exp(linspace(log max, log
    /// min))). For VP and sub-VP: noise-to-signal ratios between t = 1e-3 and T.
    pub fn ladder(&self) -> Vec<f64> {
        let (lo, hi) = if self.is_ve() {
            self.sigma_range()
        } else {
            (self.noise_ratio(1e-3), self.noise_ratio(Self::T))
        };
        let levels = match *self {
            Sde::Ncsn { levels, .. } => levels,
            _ => 10,
        };
        (0..levels)
            .map(|i| (hi.ln() + (lo.ln() - hi.ln()) * i as f64 / (levels - 1) as f64).exp())
            .collect()
    }

    /// The time of a VE noise level sigma: log(sigma / sigma_min) / log(sigma_max / sigma_min).
    pub fn time_of_sigma(&self, sigma: f64) -> f64 {
        let (lo, hi) = self.sigma_range();
        (sigma / lo).ln() / (hi / lo).ln()
    }
}

/// sigma_max from the data: twice the largest pairwise Euclidean distance between
/// rows (over at most 2000 rows taken evenly). NCSNv2 asks for at least that
/// distance, so that the largest noise level connects any two points; with
/// exactly it, the prior N(0, sigma_max^2 I) still misses the data's own spread
/// (exact-score samplers measured 1.35x the SWD floor on a test mixture), with
/// twice it they match the floor.
pub fn sigma_max_from_data(rows: &[f32], dim: usize) -> f64 {
    let n = rows.len() / dim;
    let stride = (n / 2000).max(1);
    let pts: Vec<&[f32]> = (0..n)
        .step_by(stride)
        .map(|i| &rows[i * dim..][..dim])
        .collect();
    let mut best = 0.0f64;
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            let d2: f64 = pts[i]
                .iter()
                .zip(pts[j])
                .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
                .sum();
            best = best.max(d2);
        }
    }
    2.0 * best.sqrt().max(0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng64, normal};

    /// The moments of dx = a(t) x dt + g(t) dw from x(0) = x0 obey
    /// dm/dt = a m, dv/dt = 2 a v + g^2: integrate them numerically (RK4) and
    /// compare with the closed-form kernel.
    fn all() -> Vec<Sde> {
        ["vp", "subvp", "ve", "ncsn"]
            .iter()
            .map(|n| Sde::parse_with(n, 5.0).unwrap())
            .collect()
    }

    #[test]
    fn every_marginal_matches_the_moment_odes() {
        for sde in all() {
            marginal_matches_the_moment_odes(sde);
        }
    }

    fn marginal_matches_the_moment_odes(sde: Sde) {
        // VE's kernel counts the data as carrying sigma_min: start v at s(0)^2.
        let v0 = if sde.is_ve() {
            sde.marginal(0.0).1.powi(2)
        } else {
            0.0
        };
        let (mut m, mut v) = (1.0f64, v0);
        let n = 20_000;
        let h = 1.0 / n as f64;
        let rhs = |t: f64, m: f64, v: f64| {
            let a = sde.drift_coeff(t);
            let g = sde.diffusion(t);
            (a * m, 2.0 * a * v + g * g)
        };
        for i in 0..n {
            let t = i as f64 * h;
            let (k1m, k1v) = rhs(t, m, v);
            let (k2m, k2v) = rhs(t + h / 2.0, m + h / 2.0 * k1m, v + h / 2.0 * k1v);
            let (k3m, k3v) = rhs(t + h / 2.0, m + h / 2.0 * k2m, v + h / 2.0 * k2v);
            let (k4m, k4v) = rhs(t + h, m + h * k3m, v + h * k3v);
            m += h / 6.0 * (k1m + 2.0 * k2m + 2.0 * k3m + k4m);
            v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v);
            if (i + 1) % 2000 == 0 {
                let (cm, cs) = sde.marginal(t + h);
                assert!(
                    (m - cm).abs() < 1e-9,
                    "{sde:?} t={} m={m} closed={cm}",
                    t + h
                );
                assert!(
                    (v.sqrt() - cs).abs() < 1e-7 * cs.max(1.0),
                    "t={} s={} closed={cs}",
                    t + h,
                    v.sqrt()
                );
            }
        }
    }

    #[test]
    fn vp_forgets_x0_and_ve_reaches_sigma_max() {
        let (m1, s1) = Sde::default().marginal(1.0);
        assert!((m1 - (-5.025f64).exp()).abs() < 1e-12);
        assert!((s1 - (1.0 - (-10.05f64).exp()).sqrt()).abs() < 1e-12);
        let ve = Sde::parse_with("ve", 5.0).unwrap();
        assert!((ve.marginal(1.0).1 - 5.0).abs() < 1e-12);
        assert_eq!(ve.prior_std(), 5.0);
        let ncsn = Sde::parse_with("ncsn", 5.0).unwrap();
        let l = ncsn.ladder();
        assert_eq!(l.len(), 10);
        assert!((l[0] - 5.0).abs() < 1e-12 && (l[9] - 0.01).abs() < 1e-12);
        // Geometric: constant ratio, and each level's time gives back its sigma.
        for w in l.windows(2) {
            assert!((w[1] / w[0] - l[1] / l[0]).abs() < 1e-12);
        }
        for s in l {
            assert!((ncsn.marginal(ncsn.time_of_sigma(s)).1 - s).abs() < 1e-9 * s);
        }
        for sde in all() {
            let t = sde.time_of_ratio(0.5);
            assert!((sde.noise_ratio(t) - 0.5).abs() < 1e-9, "{sde:?}");
        }
    }

    /// Euler-Maruyama paths of the forward SDE have the kernel's mean and std.
    #[test]
    fn forward_paths_match_the_kernel() {
        for sde in all() {
            forward_paths_match(sde);
        }
    }

    fn forward_paths_match(sde: Sde) {
        let mut rng = Rng64::new(3);
        let (paths, steps) = (20_000, 400);
        let x0 = 2.0;
        let t_end = 0.3;
        let h = t_end / steps as f64;
        let mut xs = vec![x0; paths];
        for k in 0..steps {
            let t = k as f64 * h;
            for x in xs.iter_mut() {
                *x += sde.drift_coeff(t) * *x * h + sde.diffusion(t) * h.sqrt() * normal(&mut rng);
            }
        }
        let mean = xs.iter().sum::<f64>() / paths as f64;
        let std = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / paths as f64).sqrt();
        let (m, s) = sde.marginal(t_end);
        // VE: the kernel counts sigma_min as already present at t = 0.
        let s = if sde.is_ve() {
            (s * s - sde.marginal(0.0).1.powi(2)).sqrt()
        } else {
            s
        };
        // Sampling error of the mean: s / sqrt(n) < 0.01; EM bias O(h).
        assert!(
            (mean - m * x0).abs() < 0.03 * s.max(1.0),
            "{sde:?}: {mean} vs {}",
            m * x0
        );
        assert!((std - s).abs() < 0.02 * s.max(1.0), "{sde:?}: {std} vs {s}");
    }

    #[test]
    fn bad_sde_parameters_are_rejected() {
        assert!(
            Sde::Vp {
                beta_min: 1.0,
                beta_max: 0.5
            }
            .validate()
            .is_err()
        );
        assert!(
            Sde::Vp {
                beta_min: f64::NAN,
                beta_max: 0.5
            }
            .validate()
            .is_err()
        );
        assert!(Sde::parse("nope").is_err());
    }
}
