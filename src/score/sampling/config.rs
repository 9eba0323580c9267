//! Sampling settings (the CLI's flags, the page's fields) and their checks.

use super::registry::{self, SamplerKind};
use crate::Error;
use crate::score::sde::Sde;
use serde::{Deserialize, Serialize};

/// Sampling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SampleConfig {
    pub n: usize,
    /// Steps of a fixed-step sampler; 0 takes the sampler's default.
    pub steps: usize,
    pub sampler: SamplerKind,
    /// The reverse process stops at t = eps (score_sde's sampling eps).
    pub t_eps: f64,
    pub seed: u64,
    /// Langevin corrector: signal-to-noise ratio (0: 0.16 for VE and NCSN as in
    /// score_sde, 0.05 for VP and sub-VP, where 0.16 measured too strong) and
    /// steps per level (pc).
    pub snr: f64,
    pub corrector_steps: usize,
    /// ALD: step size epsilon, alpha_i = epsilon sigma_i^2 / sigma_L^2.
    pub ald_eps: f64,
    /// Dormand-Prince tolerances.
    pub rtol: f64,
    pub atol: f64,
    /// Gotta Go Fast tolerances.
    pub eps_abs: f64,
    pub eps_rel: f64,
    /// Gotta Go Fast's error estimate as published: EM against improved Euler
    /// with the step's noise in both. In low dimension the accept/reject decision
    /// then depends on the noise drawn and biases the result (a 2-D Gaussian of
    /// variance 0.25 comes out at 0.35). By default the same comparison is made on
    /// the drift alone (one more score evaluation per step), so the decision does
    /// not look at the noise.
    pub ggf_published: bool,
    /// A final denoising step x + s^2 score (Tweedie), one more evaluation.
    pub denoise: bool,
    /// The network is a flow-matching velocity v(x, tau), tau from 0 (noise) to 1
    /// (data): only the ODE samplers apply. Set from the model file.
    #[serde(skip)]
    pub velocity_model: bool,
    /// The model is an invertible flow (RealNVP): only its exact inverse applies. Set
    /// from the model file.
    #[serde(skip)]
    pub flow_model: bool,
}

impl Default for SampleConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            steps: 0,
            sampler: SamplerKind::default(),
            t_eps: 1e-3,
            seed: 1,
            snr: 0.0,
            corrector_steps: 1,
            ald_eps: 2e-5,
            rtol: 1e-5,
            atol: 1e-5,
            eps_abs: 0.0078,
            eps_rel: 0.05,
            ggf_published: false,
            denoise: false,
            velocity_model: false,
            flow_model: false,
        }
    }
}

impl SampleConfig {
    /// Steps after defaults.
    pub fn steps(&self) -> usize {
        if self.steps == 0 {
            self.sampler.default_steps()
        } else {
            self.steps
        }
    }

    /// Where the reverse process ends: t = eps, or 0 for a velocity model (whose flow
    /// time tau = 1 - t runs from 0 to 1).
    pub fn t_end(&self) -> f64 {
        if self.velocity_model { 0.0 } else { self.t_eps }
    }

    pub fn validate(&self, sde: &Sde) -> Result<(), Error> {
        if !(1..=10_000_000).contains(&self.n) {
            return Err(Error::invalid(format!(
                "n must be between 1 and 1e7, got {}",
                self.n
            )));
        }
        if !self.sampler.adaptive() && !(1..=100_000).contains(&self.steps()) {
            return Err(Error::invalid(format!(
                "steps must be between 1 and 1e5, got {}",
                self.steps
            )));
        }
        // Below 1e-6 the f32 time grid and the score's 1/std blow up.
        if !(self.t_eps.is_finite() && (1e-6..0.5).contains(&self.t_eps)) {
            return Err(Error::invalid(format!(
                "eps must be in [1e-6, 0.5), got {}",
                self.t_eps
            )));
        }
        if !(self.snr.is_finite() && self.snr >= 0.0) {
            return Err(Error::invalid(format!(
                "snr must be >= 0, got {}",
                self.snr
            )));
        }
        let pos = [
            ("ald-eps", self.ald_eps),
            ("rtol", self.rtol),
            ("atol", self.atol),
            ("eps-abs", self.eps_abs),
            ("eps-rel", self.eps_rel),
        ];
        // Step sizes and tolerances above 1 control nothing (the steps outgrow the
        // whole time interval) or throw the chain off.
        for (name, v) in pos {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::invalid(format!("{name} must be in (0, 1], got {v}")));
            }
        }
        let info = self.sampler.info();
        let inverse = info.name == registry::INVERSE;
        if self.flow_model && !inverse {
            return Err(Error::invalid(format!(
                "a RealNVP samples exactly by its inverse: use the sampler {}, not {}",
                registry::INVERSE,
                info.name
            )));
        }
        if inverse && !self.flow_model {
            return Err(Error::invalid(format!(
                "the {} sampler is the exact inverse of an invertible flow (RealNVP); this model is a {}",
                registry::INVERSE,
                if self.velocity_model {
                    "velocity: use an ODE sampler"
                } else {
                    "score: use any other sampler"
                }
            )));
        }
        if self.velocity_model && !info.velocity {
            let odes: Vec<&str> = SamplerKind::all()
                .filter(|k| k.info().velocity)
                .map(|k| k.name())
                .collect();
            return Err(Error::invalid(format!(
                "a velocity model (flow matching, CNF) samples with its ODE ({}), not {}",
                odes.join(", "),
                info.name
            )));
        }
        if self.denoise && (self.velocity_model || self.flow_model) {
            return Err(Error::invalid(
                "denoising needs a score model, not a velocity model (flow matching, CNF) or a RealNVP",
            ));
        }
        if !self.sampler.supports_sde(sde.name()) {
            return Err(Error::invalid(format!(
                "{} sampling is defined for the {} SDEs, not {}",
                info.name,
                info.sdes.join(", "),
                sde.name()
            )));
        }
        Ok(())
    }
}
