//! Samplers (score_sde's `sampling.py`). Here: the probability-flow ODE
//! dx/dt = a(t) x - g(t)^2 / 2 * score(x, t), integrated from t = T to t = eps.

use super::model::ScoreNet;
use super::sde::Sde;
use crate::Error;
use crate::rng::{Rng64, normals_f32};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Fixed-step ODE integrator for the probability flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OdeMethod {
    Euler,
    Heun,
    Rk4,
}

impl OdeMethod {
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "ode" | "ode-rk4" | "rk4" => Ok(OdeMethod::Rk4),
            "ode-heun" | "heun" => Ok(OdeMethod::Heun),
            "ode-euler" | "euler" => Ok(OdeMethod::Euler),
            other => Err(Error::invalid(format!(
                "unknown sampler '{other}'; supported: ode (= ode-rk4), ode-heun, ode-euler"
            ))),
        }
    }

    /// Score evaluations per step.
    pub fn stages(&self) -> usize {
        match self {
            OdeMethod::Euler => 1,
            OdeMethod::Heun => 2,
            OdeMethod::Rk4 => 4,
        }
    }
}

/// Sampling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleConfig {
    pub n: usize,
    pub steps: usize,
    pub method: OdeMethod,
    /// The ODE stops at t = eps (score_sde's sampling eps).
    pub t_eps: f64,
    pub seed: u64,
}

impl Default for SampleConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            steps: 100,
            method: OdeMethod::Rk4,
            t_eps: 1e-3,
            seed: 1,
        }
    }
}

impl SampleConfig {
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=10_000_000).contains(&self.n) {
            return Err(Error::invalid(format!(
                "n must be between 1 and 1e7, got {}",
                self.n
            )));
        }
        if !(1..=100_000).contains(&self.steps) {
            return Err(Error::invalid(format!(
                "steps must be between 1 and 1e5, got {}",
                self.steps
            )));
        }
        if !(self.t_eps.is_finite() && self.t_eps > 0.0 && self.t_eps < 0.5) {
            return Err(Error::invalid(format!(
                "eps must be in (0, 0.5), got {}",
                self.t_eps
            )));
        }
        Ok(())
    }

    /// Score evaluations of a whole run.
    pub fn nfe(&self) -> usize {
        self.steps * self.method.stages()
    }
}

/// Anything that gives the score of the perturbed data at time t.
pub trait ScoreFn {
    /// The score at x [B, d]; `std` is the SDE's marginal std s(t).
    fn score_at(&self, x: Tensor<2>, t: f64, std: f64) -> Tensor<2>;
}

impl ScoreFn for ScoreNet {
    fn score_at(&self, x: Tensor<2>, t: f64, std: f64) -> Tensor<2> {
        let n = x.dims()[0];
        let device = x.device();
        let tt = Tensor::<2>::full([n, 1], t as f32, &device);
        let ss = Tensor::<2>::full([n, 1], std as f32, &device);
        self.score(x, tt, ss)
    }
}

/// A probability-flow ODE solve in progress, advanced in chunks so that a caller
/// can report progress between them.
pub struct OdeSampler<S: ScoreFn> {
    net: S,
    sde: Sde,
    config: SampleConfig,
    x: Tensor<2>,
    step: usize,
    nfe: usize,
}

impl<S: ScoreFn> OdeSampler<S> {
    /// Starts from x(T) ~ N(0, I), drawn on the host from `config.seed`.
    pub fn new(
        net: S,
        sde: Sde,
        dim: usize,
        config: SampleConfig,
        device: &Device,
    ) -> Result<Self, Error> {
        config.validate()?;
        let mut rng = Rng64::new(config.seed);
        let z = normals_f32(&mut rng, config.n * dim);
        let x = Tensor::from_data(TensorData::new(z, [config.n, dim]), device);
        Ok(Self {
            net,
            sde,
            config,
            x,
            step: 0,
            nfe: 0,
        })
    }

    /// Starts from a given x(T) (for tests and animations).
    pub fn from_state(net: S, sde: Sde, x: Tensor<2>, config: SampleConfig) -> Self {
        Self {
            net,
            sde,
            config,
            x,
            step: 0,
            nfe: 0,
        }
    }

    fn time(&self, k: usize) -> f64 {
        Sde::T - (Sde::T - self.config.t_eps) * k as f64 / self.config.steps as f64
    }

    /// dx/dt of the probability flow.
    fn velocity(&mut self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.nfe += 1;
        let (_, std) = self.sde.marginal(t);
        let g2 = self.sde.diffusion(t).powi(2);
        let score = self.net.score_at(x.clone(), t, std);
        x.mul_scalar(self.sde.drift_coeff(t))
            .sub(score.mul_scalar(0.5 * g2))
    }

    /// Advances up to `k` steps; returns true when the solve is complete.
    pub fn advance(&mut self, k: usize) -> bool {
        let end = (self.step + k).min(self.config.steps);
        while self.step < end {
            let (t0, t1) = (self.time(self.step), self.time(self.step + 1));
            let h = t1 - t0; // negative: integrating backwards in time
            let x = self.x.clone();
            self.x = match self.config.method {
                OdeMethod::Euler => {
                    let v = self.velocity(x.clone(), t0);
                    x.add(v.mul_scalar(h))
                }
                OdeMethod::Heun => {
                    let v0 = self.velocity(x.clone(), t0);
                    let pred = x.clone().add(v0.clone().mul_scalar(h));
                    let v1 = self.velocity(pred, t1);
                    x.add(v0.add(v1).mul_scalar(0.5 * h))
                }
                OdeMethod::Rk4 => {
                    let tm = 0.5 * (t0 + t1);
                    let k1 = self.velocity(x.clone(), t0);
                    let k2 = self.velocity(x.clone().add(k1.clone().mul_scalar(0.5 * h)), tm);
                    let k3 = self.velocity(x.clone().add(k2.clone().mul_scalar(0.5 * h)), tm);
                    let k4 = self.velocity(x.clone().add(k3.clone().mul_scalar(h)), t1);
                    let sum = k1.add(k2.mul_scalar(2.0)).add(k3.mul_scalar(2.0)).add(k4);
                    x.add(sum.mul_scalar(h / 6.0))
                }
            };
            self.step += 1;
        }
        self.done()
    }

    pub fn done(&self) -> bool {
        self.step >= self.config.steps
    }

    pub fn progress(&self) -> (usize, usize) {
        (self.step, self.config.steps)
    }

    /// Score evaluations so far.
    pub fn nfe(&self) -> usize {
        self.nfe
    }

    /// The current state x(t) in standardized units.
    pub fn state(&self) -> Tensor<2> {
        self.x.clone()
    }
}
