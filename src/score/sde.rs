//! Forward SDEs dx = f(x, t) dt + g(t) dw with linear drift f(x, t) = a(t) x, so that
//! every quantity a sampler needs is a scalar function of t (score_sde's `sde_lib.py`).

use crate::Error;
use serde::{Deserialize, Serialize};

/// A forward SDE on t in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Sde {
    /// Variance preserving (DDPM limit): beta(t) = beta_min + t (beta_max - beta_min).
    Vp { beta_min: f64, beta_max: f64 },
}

impl Default for Sde {
    fn default() -> Self {
        Sde::Vp {
            beta_min: 0.1,
            beta_max: 20.0,
        }
    }
}

impl Sde {
    /// End time of the forward process.
    pub const T: f64 = 1.0;

    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "vp" => Ok(Sde::default()),
            other => Err(Error::invalid(format!(
                "unknown SDE '{other}'; supported: vp"
            ))),
        }
    }

    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Sde::Vp { beta_min, beta_max } => {
                if !(beta_min.is_finite()
                    && beta_max.is_finite()
                    && 0.0 < beta_min
                    && beta_min < beta_max)
                {
                    return Err(Error::invalid(format!(
                        "VP SDE needs 0 < beta_min < beta_max, got {beta_min}, {beta_max}"
                    )));
                }
            }
        }
        Ok(())
    }

    fn beta(&self, t: f64) -> f64 {
        match *self {
            Sde::Vp { beta_min, beta_max } => beta_min + t * (beta_max - beta_min),
        }
    }

    /// Drift coefficient a(t) in f(x, t) = a(t) x.
    pub fn drift_coeff(&self, t: f64) -> f64 {
        match self {
            Sde::Vp { .. } => -0.5 * self.beta(t),
        }
    }

    /// Diffusion g(t).
    pub fn diffusion(&self, t: f64) -> f64 {
        match self {
            Sde::Vp { .. } => self.beta(t).sqrt(),
        }
    }

    /// The perturbation kernel p_t(x | x0) = N(m(t) x0, s(t)^2 I): returns (m(t), s(t)).
    pub fn marginal(&self, t: f64) -> (f64, f64) {
        match *self {
            Sde::Vp { beta_min, beta_max } => {
                let log_m = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min;
                let m = log_m.exp();
                // 1 - exp(2 log_m), accurate for small t.
                let var = -(2.0 * log_m).exp_m1();
                (m, var.sqrt())
            }
        }
    }

    /// Log-density of the prior N(0, I) at z.
    pub fn prior_logp(&self, z: &[f64]) -> f64 {
        let d = z.len() as f64;
        -0.5 * d * (std::f64::consts::TAU).ln() - 0.5 * z.iter().map(|v| v * v).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng64, normal};

    /// The moments of dx = a(t) x dt + g(t) dw from x(0) = x0 obey
    /// dm/dt = a m, dv/dt = 2 a v + g^2: integrate them numerically (RK4) and
    /// compare with the closed-form kernel.
    #[test]
    fn vp_marginal_matches_the_moment_odes() {
        let sde = Sde::default();
        let (mut m, mut v) = (1.0f64, 0.0f64);
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
                assert!((m - cm).abs() < 1e-9, "t={} m={m} closed={cm}", t + h);
                assert!(
                    (v.sqrt() - cs).abs() < 1e-9,
                    "t={} s={} closed={cs}",
                    t + h,
                    v.sqrt()
                );
            }
        }
        // At T the VP kernel has forgotten x0: m(1) = exp(-5.025).
        let (m1, s1) = sde.marginal(1.0);
        assert!((m1 - (-5.025f64).exp()).abs() < 1e-12);
        assert!((s1 - (1.0 - (-10.05f64).exp()).sqrt()).abs() < 1e-12);
    }

    /// Euler-Maruyama paths of the forward SDE have the kernel's mean and std.
    #[test]
    fn vp_forward_paths_match_the_kernel() {
        let sde = Sde::default();
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
        // Sampling error of the mean: s / sqrt(n) = 0.005; EM bias O(h).
        assert!((mean - m * x0).abs() < 0.02, "{mean} vs {}", m * x0);
        assert!((std - s).abs() < 0.02, "{std} vs {s}");
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
