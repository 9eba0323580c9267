//! Samplers (score_sde's `sampling.py`, NCSN's annealed Langevin dynamics, EDM's
//! Heun schedule, Gotta Go Fast): every one runs the reverse process from the prior
//! at t = T down to t = eps and counts its score evaluations (NFE). A run is advanced
//! in chunks so that a caller can report progress between them.

use super::backend::read_f32;
use super::sde::Sde;
use crate::Error;
use crate::rng::{Rng64, normals_f32};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// The samplers, by their `--sampler` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplerKind {
    /// Reverse-time SDE, Euler-Maruyama.
    Em,
    /// score_sde's reverse-diffusion predictor (the SDE's own discretization, reversed).
    ReverseDiffusion,
    /// Ancestral sampling (DDPM for VP, NCSN's for VE).
    Ancestral,
    /// Predictor-corrector: reverse diffusion + Langevin corrector.
    Pc,
    /// NCSN's annealed Langevin dynamics over the geometric noise ladder.
    Ald,
    /// Probability-flow ODE: Euler, RK4 on a uniform time grid, Heun on EDM's
    /// sigma schedule, adaptive Dormand-Prince 5(4).
    OdeEuler,
    OdeRk4,
    OdeHeun,
    OdeDopri5,
    /// Gotta Go Fast: adaptive reverse SDE, Euler-Maruyama against improved Euler.
    Ggf,
}

impl SamplerKind {
    pub const NAMES: &'static str = "em, reverse-diffusion, ancestral, pc, ald, ode (= ode-rk4), ode-rk4, ode-heun, ode-dopri5, ode-euler, ggf";

    pub fn parse(name: &str) -> Result<Self, Error> {
        Ok(match name {
            "em" => Self::Em,
            "reverse-diffusion" => Self::ReverseDiffusion,
            "ancestral" => Self::Ancestral,
            "pc" => Self::Pc,
            "ald" => Self::Ald,
            "ode" | "ode-rk4" | "rk4" => Self::OdeRk4,
            "ode-heun" | "heun" => Self::OdeHeun,
            "ode-dopri5" | "dopri5" => Self::OdeDopri5,
            "ode-euler" | "euler" => Self::OdeEuler,
            "ggf" => Self::Ggf,
            other => {
                return Err(Error::invalid(format!(
                    "unknown sampler '{other}'; supported: {}",
                    Self::NAMES
                )));
            }
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Em => "em",
            Self::ReverseDiffusion => "reverse-diffusion",
            Self::Ancestral => "ancestral",
            Self::Pc => "pc",
            Self::Ald => "ald",
            Self::OdeEuler => "ode-euler",
            Self::OdeRk4 => "ode-rk4",
            Self::OdeHeun => "ode-heun",
            Self::OdeDopri5 => "ode-dopri5",
            Self::Ggf => "ggf",
        }
    }

    /// Whether the step count is chosen by an error controller.
    pub fn adaptive(&self) -> bool {
        matches!(self, Self::OdeDopri5 | Self::Ggf)
    }

    /// Default number of steps (ALD: in all, over every noise level).
    pub fn default_steps(&self) -> usize {
        match self {
            Self::OdeRk4 => 100,
            Self::OdeHeun => 50,
            Self::OdeEuler => 1000,
            Self::Em | Self::ReverseDiffusion | Self::Ancestral | Self::Pc | Self::Ald => 1000,
            Self::OdeDopri5 | Self::Ggf => 0,
        }
    }
}

/// Sampling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
}

impl Default for SampleConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            steps: 0,
            sampler: SamplerKind::OdeRk4,
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
        if !(self.t_eps.is_finite() && self.t_eps > 0.0 && self.t_eps < 0.5) {
            return Err(Error::invalid(format!(
                "eps must be in (0, 0.5), got {}",
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
        for (name, v) in pos {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(format!(
                    "{name} must be a positive number, got {v}"
                )));
            }
        }
        if self.velocity_model
            && !matches!(
                self.sampler,
                SamplerKind::OdeEuler
                    | SamplerKind::OdeRk4
                    | SamplerKind::OdeHeun
                    | SamplerKind::OdeDopri5
            )
        {
            return Err(Error::invalid(format!(
                "a flow-matching model samples with its ODE (ode-rk4, ode-heun, ode-euler, ode-dopri5), not {}",
                self.sampler.name()
            )));
        }
        if self.denoise && self.velocity_model {
            return Err(Error::invalid(
                "denoising needs a score model, not a flow-matching one",
            ));
        }
        if self.sampler == SamplerKind::Ancestral && matches!(sde, Sde::SubVp { .. }) {
            return Err(Error::invalid(
                "ancestral sampling is defined for the VP and VE SDEs, not sub-VP",
            ));
        }
        if self.sampler == SamplerKind::Ald && self.steps() < sde.ladder().len() {
            return Err(Error::invalid(format!(
                "ald needs at least one step per noise level ({})",
                sde.ladder().len()
            )));
        }
        Ok(())
    }
}

/// Anything that gives the score of the perturbed data.
pub trait ScoreFn {
    /// The score at x [B, d] at times t [B, 1], marginal stds s(t) [B, 1].
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2>;

    /// The raw output f(x, t): for flow-matching models, the velocity.
    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let ones = t.clone().ones_like();
        self.score_at(x, t, ones)
    }
}

impl ScoreFn for super::model::ScoreNet {
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2> {
        self.score(x, t, std)
    }

    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        self.forward(x, t)
    }
}

/// Column of per-row values as an [n, 1] tensor.
fn column(values: &[f64], device: &Device) -> Tensor<2> {
    let v: Vec<f32> = values.iter().map(|x| *x as f32).collect();
    Tensor::from_data(TensorData::new(v, [values.len(), 1]), device)
}

/// A sampling run in progress.
pub struct Sampler<S: ScoreFn> {
    score: S,
    sde: Sde,
    config: SampleConfig,
    x: Tensor<2>,
    n: usize,
    dim: usize,
    device: Device,
    rng: Rng64,
    /// Fixed-step samplers: the time grid, and the step reached.
    grid: Vec<f64>,
    step: usize,
    /// Adaptive samplers: time reached (per sample for ggf) and step sizes.
    t: Vec<f64>,
    h: Vec<f64>,
    /// ggf: the previous accepted Euler-Maruyama proposal; dopri5: the first stage (FSAL).
    aux: Option<Tensor<2>>,
    nfe: usize,
    finished: bool,
}

impl<S: ScoreFn> Sampler<S> {
    /// Starts from x(T) drawn from the prior, on the host from `config.seed`.
    pub fn new(
        score: S,
        sde: Sde,
        dim: usize,
        config: SampleConfig,
        device: &Device,
    ) -> Result<Self, Error> {
        config.validate(&sde)?;
        let mut rng = Rng64::new(config.seed);
        let z = normals_f32(&mut rng, config.n * dim);
        let prior_std = if config.velocity_model {
            1.0
        } else {
            sde.prior_std()
        };
        let x =
            Tensor::from_data(TensorData::new(z, [config.n, dim]), device).mul_scalar(prior_std);
        Self::from_state(score, sde, x, config, rng)
    }

    /// Starts from a given x(T) (tests, animations).
    pub fn from_state(
        score: S,
        sde: Sde,
        x: Tensor<2>,
        config: SampleConfig,
        rng: Rng64,
    ) -> Result<Self, Error> {
        config.validate(&sde)?;
        let [n, dim] = x.dims();
        let device = x.device();
        let steps = config.steps();
        // A velocity model runs tau = 1 - t from 0 to 1: t ends at 0.
        let t_end = if config.velocity_model {
            0.0
        } else {
            config.t_eps
        };
        let grid: Vec<f64> = match config.sampler {
            SamplerKind::OdeHeun if !config.velocity_model => edm_grid(&sde, steps, config.t_eps),
            SamplerKind::Ald => vec![],
            _ => (0..=steps)
                .map(|i| Sde::T - (Sde::T - t_end) * i as f64 / steps as f64)
                .collect(),
        };
        let per = if config.sampler == SamplerKind::Ggf {
            n
        } else {
            1
        };
        Ok(Self {
            score,
            sde,
            x,
            n,
            dim,
            device,
            rng,
            grid,
            step: 0,
            t: vec![Sde::T; per],
            h: vec![0.01; per],
            aux: None,
            nfe: 0,
            finished: false,
            config,
        })
    }

    fn score_uniform(&mut self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.nfe += 1;
        let (_, s) = self.sde.marginal(t);
        let tt = Tensor::<2>::full([self.n, 1], t as f32, &self.device);
        let ss = Tensor::<2>::full([self.n, 1], s as f32, &self.device);
        self.score.score_at(x, tt, ss)
    }

    fn noise(&mut self) -> Tensor<2> {
        let z = normals_f32(&mut self.rng, self.n * self.dim);
        Tensor::from_data(TensorData::new(z, [self.n, self.dim]), &self.device)
    }

    /// dx/dt of the probability flow: a(t) x - g(t)^2 / 2 score; for a
    /// flow-matching model -v(x, 1 - t).
    fn velocity(&mut self, x: Tensor<2>, t: f64) -> Tensor<2> {
        if self.config.velocity_model {
            self.nfe += 1;
            let tau = Tensor::<2>::full([self.n, 1], (Sde::T - t) as f32, &self.device);
            return self.score.raw(x, tau).neg();
        }
        let g2 = self.sde.diffusion(t).powi(2);
        let a = self.sde.drift_coeff(t);
        let s = self.score_uniform(x.clone(), t);
        x.mul_scalar(a).sub(s.mul_scalar(0.5 * g2))
    }

    /// Total fixed steps (ALD: iterations over all levels).
    fn total_steps(&self) -> usize {
        self.config.steps()
    }

    /// Advances by up to `k` steps (adaptive samplers: `k` attempted steps);
    /// returns true when the run is complete.
    pub fn advance(&mut self, k: usize) -> Result<bool, Error> {
        for _ in 0..k {
            if self.finished {
                break;
            }
            match self.config.sampler {
                SamplerKind::OdeDopri5 => self.dopri5_step()?,
                SamplerKind::Ggf => self.ggf_step()?,
                SamplerKind::Ald => self.ald_step(),
                _ => self.fixed_step(),
            }
            if !self.finished && !self.config.sampler.adaptive() && self.step >= self.total_steps()
            {
                self.finished = true;
            }
            if self.finished && self.config.denoise {
                self.denoise();
            }
        }
        Ok(self.finished)
    }

    /// Tweedie's denoiser at the final time: E[x0 | x] = (x + s^2 score) / m.
    fn denoise(&mut self) {
        let t = self.config.t_eps;
        let (m, s) = self.sde.marginal(t);
        let sc = self.score_uniform(self.x.clone(), t);
        self.x = self.x.clone().add(sc.mul_scalar(s * s)).div_scalar(m);
    }

    fn fixed_step(&mut self) {
        let (t0, t1) = (self.grid[self.step], self.grid[self.step + 1]);
        let h = t0 - t1; // > 0: the reverse process runs backwards in time
        let last = self.step + 1 == self.total_steps();
        let x = self.x.clone();
        let sde = self.sde;
        self.x = match self.config.sampler {
            SamplerKind::OdeEuler => {
                let v = self.velocity(x.clone(), t0);
                x.sub(v.mul_scalar(h))
            }
            SamplerKind::OdeRk4 => {
                let tm = 0.5 * (t0 + t1);
                let k1 = self.velocity(x.clone(), t0);
                let k2 = self.velocity(x.clone().sub(k1.clone().mul_scalar(0.5 * h)), tm);
                let k3 = self.velocity(x.clone().sub(k2.clone().mul_scalar(0.5 * h)), tm);
                let k4 = self.velocity(x.clone().sub(k3.clone().mul_scalar(h)), t1);
                let sum = k1.add(k2.mul_scalar(2.0)).add(k3.mul_scalar(2.0)).add(k4);
                x.sub(sum.mul_scalar(h / 6.0))
            }
            SamplerKind::OdeHeun => {
                let v0 = self.velocity(x.clone(), t0);
                let pred = x.clone().sub(v0.clone().mul_scalar(h));
                let v1 = self.velocity(pred, t1);
                x.sub(v0.add(v1).mul_scalar(0.5 * h))
            }
            SamplerKind::Em => {
                let (a, g) = (sde.drift_coeff(t0), sde.diffusion(t0));
                let s = self.score_uniform(x.clone(), t0);
                // x(t - h) = x - (a x - g^2 score) h + g sqrt(h) z
                let mean = x
                    .clone()
                    .sub(x.mul_scalar(a * h))
                    .add(s.mul_scalar(g * g * h));
                if last {
                    mean
                } else {
                    let z = self.noise();
                    mean.add(z.mul_scalar(g * h.sqrt()))
                }
            }
            SamplerKind::ReverseDiffusion => self.reverse_diffusion(x, t0, t1, last),
            SamplerKind::Pc => {
                let mut x = x;
                for _ in 0..self.config.corrector_steps {
                    x = self.langevin(x, t0, h);
                }
                self.reverse_diffusion(x, t0, t1, last)
            }
            SamplerKind::Ancestral => {
                let s = self.score_uniform(x.clone(), t0);
                let (mean, std) = if sde.is_ve() {
                    let (sig, adj) = (sde.marginal(t0).1, sde.marginal(t1).1);
                    let var = sig * sig - adj * adj;
                    (
                        x.add(s.mul_scalar(var)),
                        (adj * adj * var / (sig * sig)).sqrt(),
                    )
                } else {
                    let beta = self.discrete_beta(t0, h);
                    (
                        x.add(s.mul_scalar(beta)).div_scalar((1.0 - beta).sqrt()),
                        beta.sqrt(),
                    )
                };
                if last {
                    mean
                } else {
                    let z = self.noise();
                    mean.add(z.mul_scalar(std))
                }
            }
            _ => unreachable!("adaptive and ALD samplers have their own steps"),
        };
        self.step += 1;
    }

    /// beta(t) h, the VP discretization's per-step beta, kept below 1.
    fn discrete_beta(&self, t: f64, h: f64) -> f64 {
        let g = self.sde.diffusion(t);
        (g * g * h).min(0.999)
    }

    /// score_sde's reverse-diffusion predictor: x - f + G^2 score (+ G z), with f, G
    /// the SDE's discretization over [t1, t0].
    fn reverse_diffusion(&mut self, x: Tensor<2>, t0: f64, t1: f64, last: bool) -> Tensor<2> {
        let h = t0 - t1;
        let sde = self.sde;
        let (f_coef, g) = match sde {
            Sde::Vp { .. } => {
                let beta = self.discrete_beta(t0, h);
                ((1.0 - beta).sqrt() - 1.0, beta.sqrt())
            }
            Sde::Ve { .. } | Sde::Ncsn { .. } => {
                let (s0, s1) = (sde.marginal(t0).1, sde.marginal(t1).1);
                (0.0, (s0 * s0 - s1 * s1).sqrt())
            }
            Sde::SubVp { .. } => (sde.drift_coeff(t0) * h, sde.diffusion(t0) * h.sqrt()),
        };
        let s = self.score_uniform(x.clone(), t0);
        let mean = x.clone().sub(x.mul_scalar(f_coef)).add(s.mul_scalar(g * g));
        if last {
            mean
        } else {
            let z = self.noise();
            mean.add(z.mul_scalar(g))
        }
    }

    /// score_sde's Langevin corrector: step 2 alpha (snr |z| / |score|)^2, norms
    /// averaged over the batch.
    fn langevin(&mut self, x: Tensor<2>, t: f64, h: f64) -> Tensor<2> {
        let alpha = if matches!(self.sde, Sde::Vp { .. }) {
            1.0 - self.discrete_beta(t, h)
        } else {
            1.0
        };
        let grad = self.score_uniform(x.clone(), t);
        let z = self.noise();
        let mean_norm = |v: Tensor<2>| -> f64 {
            read_f32(v.square().sum_dim(1).sqrt().mean())
                .ok()
                .and_then(|v| v.first().copied())
                .map_or(f64::NAN, |v| v as f64)
        };
        let (gn, zn) = (mean_norm(grad.clone()), mean_norm(z.clone()));
        let snr = if self.config.snr > 0.0 {
            self.config.snr
        } else if self.sde.is_ve() {
            0.16
        } else {
            0.05
        };
        let step = 2.0 * alpha * (snr * zn / gn).powi(2);
        if !step.is_finite() {
            return x;
        }
        x.add(grad.mul_scalar(step))
            .add(z.mul_scalar((2.0 * step).sqrt()))
    }

    /// One iteration of annealed Langevin dynamics (Song & Ermon 2019, Algorithm 1).
    fn ald_step(&mut self) {
        let ladder = self.sde.ladder();
        let per_level = self.total_steps() / ladder.len();
        let level = (self.step / per_level).min(ladder.len() - 1);
        let time = |sigma: f64| {
            if self.sde.is_ve() {
                self.sde.time_of_sigma(sigma)
            } else {
                self.sde.time_of_ratio(sigma)
            }
        };
        // The network knows noise levels by time; the step follows the marginal
        // std there (sigma itself for VE; at most 1 for VP, whose ladder is of
        // noise-to-signal ratios).
        let t = time(ladder[level]);
        let s_level = self.sde.marginal(t).1;
        let s_last = self.sde.marginal(time(ladder[ladder.len() - 1])).1;
        let alpha = self.config.ald_eps * (s_level / s_last).powi(2);
        let s = self.score_uniform(self.x.clone(), t);
        let z = self.noise();
        self.x = self
            .x
            .clone()
            .add(s.mul_scalar(0.5 * alpha))
            .add(z.mul_scalar(alpha.sqrt()));
        self.step += 1;
        if self.step >= per_level * ladder.len() {
            self.finished = true;
        }
    }

    /// One attempted Dormand-Prince step on the whole batch (error norm over all
    /// entries, as score_sde's scipy call does); first-same-as-last saves one
    /// evaluation per accepted step.
    fn dopri5_step(&mut self) -> Result<(), Error> {
        use crate::dynamics::integrate::{A, B4, B5, C};
        // Error weights: fifth- minus fourth-order.
        let e: [f64; 7] = std::array::from_fn(|j| B5[j] - B4[j]);
        let t_end = if self.config.velocity_model {
            0.0
        } else {
            self.config.t_eps
        };
        let t = self.t[0];
        // Integrate in tau = T - t so that the step is positive.
        let f = |this: &mut Self, x: Tensor<2>, tau: f64| this.velocity(x, Sde::T - tau).neg();
        let tau = Sde::T - t;
        let tau_end = Sde::T - t_end;
        let x = self.x.clone();
        let k1 = match self.aux.take() {
            Some(k) => k,
            None => f(self, x.clone(), tau),
        };
        let h = self.h[0].min(tau_end - tau);
        let mut ks = vec![k1];
        for s in 1..7 {
            let mut xi = x.clone();
            for (j, kj) in ks.iter().enumerate() {
                if A[s][j] != 0.0 {
                    xi = xi.add(kj.clone().mul_scalar(h * A[s][j]));
                }
            }
            if s == 6 {
                // The fifth-order solution is the last stage's argument.
                let y5 = xi.clone();
                let k7 = f(self, xi, tau + C[s] * h);
                ks.push(k7);
                let mut err = ks[0].clone().mul_scalar(h * e[0]);
                for (j, kj) in ks.iter().enumerate().skip(1) {
                    if e[j] != 0.0 {
                        err = err.add(kj.clone().mul_scalar(h * e[j]));
                    }
                }
                let scale = x
                    .clone()
                    .abs()
                    .max_pair(y5.clone().abs())
                    .mul_scalar(self.config.rtol)
                    .add_scalar(self.config.atol);
                let norm = read_f32(err.div(scale).square().mean())?
                    .first()
                    .map_or(f64::NAN, |v| (*v as f64).sqrt());
                if !norm.is_finite() {
                    self.h[0] = h * 0.1;
                    self.aux = Some(ks.swap_remove(0));
                    if self.h[0] < 1e-12 {
                        return Err(Error::diverged("ode-dopri5: the solution blew up"));
                    }
                    return Ok(());
                }
                let factor = (0.9 * norm.powf(-0.2)).clamp(0.2, 10.0);
                if norm <= 1.0 {
                    self.x = y5;
                    self.t[0] = Sde::T - (tau + h);
                    self.aux = ks.pop();
                    self.step += 1;
                    if self.t[0] <= t_end + 1e-12 {
                        self.finished = true;
                    }
                } else {
                    self.aux = Some(ks.swap_remove(0));
                }
                self.h[0] = h * if norm <= 1.0 { factor } else { factor.min(1.0) };
                if self.h[0] < 1e-12 {
                    return Err(Error::diverged("ode-dopri5: step size underflow"));
                }
                return Ok(());
            }
            let k = f(self, xi, tau + C[s] * h);
            ks.push(k);
        }
        Ok(())
    }

    /// One Gotta-Go-Fast iteration (Jolicoeur-Martineau et al. 2021, Algorithm 1)
    /// with per-sample times and step sizes: an Euler-Maruyama proposal x' and an
    /// improved-Euler one x'' from the same noise; E = ||(x' - x'') / delta||_2 /
    /// sqrt(d), delta = max(eps_abs, eps_rel max(|x'|, |x'_prev|)); accept x''
    /// where E <= 1; h <- min(t - eps, 0.9 h E^-0.9). See `ggf_published` for
    /// which x' enters E.
    fn ggf_step(&mut self) -> Result<(), Error> {
        let eps = self.config.t_eps;
        let n = self.n;
        let t0: Vec<f64> = self.t.clone();
        let h: Vec<f64> = (0..n)
            .map(|i| self.h[i].min(t0[i] - eps).max(0.0))
            .collect();
        let t1: Vec<f64> = (0..n).map(|i| t0[i] - h[i]).collect();
        let sde = self.sde;
        let coefs = |ts: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let a = ts.iter().map(|t| sde.drift_coeff(*t)).collect();
            let g = ts.iter().map(|t| sde.diffusion(*t)).collect();
            let s = ts.iter().map(|t| sde.marginal(*t).1).collect();
            (a, g, s)
        };
        let (a0, g0, s0) = coefs(&t0);
        let (a1, g1, s1) = coefs(&t1);
        let dev = self.device.clone();
        let col = |v: &[f64]| column(v, &dev);
        let hh = col(&h);
        let sqrt_h = col(&h.iter().map(|v| v.sqrt()).collect::<Vec<_>>());
        let z = self.noise();
        let x = self.x.clone();
        // Reverse drift times h: -(a x - g^2 score) h.
        self.nfe += 1;
        let sc0 = self.score.score_at(x.clone(), col(&t0), col(&s0));
        let g0sq: Vec<f64> = g0.iter().map(|g| g * g).collect();
        let drift0 = sc0
            .mul(col(&g0sq))
            .sub(x.clone().mul(col(&a0)))
            .mul(hh.clone());
        let x_em = x
            .clone()
            .add(drift0.clone())
            .add(z.clone().mul(col(&g0)).mul(sqrt_h.clone()));
        self.nfe += 1;
        let sc1 = self.score.score_at(x_em.clone(), col(&t1), col(&s1));
        let g1sq: Vec<f64> = g1.iter().map(|g| g * g).collect();
        let drift1 = sc1
            .mul(col(&g1sq))
            .sub(x_em.clone().mul(col(&a1)))
            .mul(hh.clone());
        let x_tilde = x.clone().add(drift1).add(z.mul(col(&g1)).mul(sqrt_h));
        let x_heun = x_em.clone().add(x_tilde).mul_scalar(0.5);
        let prev = self.aux.take().unwrap_or_else(|| x.clone());
        // The pair whose difference estimates the error, and the proposal kept as
        // x'_prev: with the noise (published) or on the drift alone.
        let (proposal, diff) = if self.config.ggf_published {
            (x_em.clone(), x_em.clone().sub(x_heun.clone()))
        } else {
            let x_det = x.clone().add(drift0);
            self.nfe += 1;
            let sc_det = self.score.score_at(x_det.clone(), col(&t1), col(&s1));
            let drift_det = sc_det
                .mul(col(&g1sq))
                .sub(x_det.clone().mul(col(&a1)))
                .mul(col(&h));
            // EM minus improved Euler, noise-free: (x_det - (x + drift(x_det))) / 2.
            let diff = x_det.clone().sub(x.clone().add(drift_det)).mul_scalar(0.5);
            (x_det, diff)
        };
        let delta = proposal
            .clone()
            .abs()
            .max_pair(prev.clone().abs())
            .mul_scalar(self.config.eps_rel)
            .clamp_min(self.config.eps_abs);
        let e2 = read_f32(diff.div(delta).square().mean_dim(1).sqrt())?;
        let mut accept = vec![0.0f64; n];
        let mut all_done = true;
        for i in 0..n {
            let e = e2[i] as f64;
            if h[i] <= 0.0 {
                // Finished sample: nothing moves.
                continue;
            }
            if !e.is_finite() {
                self.h[i] = h[i] * 0.1;
                if self.h[i] < 1e-12 {
                    return Err(Error::diverged("ggf: the solution blew up"));
                }
                all_done = false;
                continue;
            }
            if e <= 1.0 {
                accept[i] = 1.0;
                self.t[i] = t1[i];
            }
            let grow = 0.9 * h[i] * e.max(1e-10).powf(-0.9);
            self.h[i] = grow.min(self.t[i] - eps);
            if self.t[i] > eps + 1e-12 {
                all_done = false;
            }
        }
        let mask = col(&accept);
        let keep = mask.clone().neg().add_scalar(1.0);
        self.x = x_heun.mul(mask.clone()).add(x.mul(keep.clone()));
        self.aux = Some(proposal.mul(mask).add(prev.mul(keep)));
        self.step += 1;
        if all_done {
            self.finished = true;
        }
        Ok(())
    }

    pub fn done(&self) -> bool {
        self.finished
    }

    /// Fraction of the way from T to eps (the least advanced sample for ggf).
    pub fn progress(&self) -> f64 {
        if self.finished {
            return 1.0;
        }
        match self.config.sampler {
            SamplerKind::OdeDopri5 | SamplerKind::Ggf => {
                let t = self.t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let end = if self.config.velocity_model {
                    0.0
                } else {
                    self.config.t_eps
                };
                (Sde::T - t) / (Sde::T - end)
            }
            _ => self.step as f64 / self.total_steps() as f64,
        }
    }

    /// The diffusion time reached: from T (the prior) down to the end time (the
    /// least advanced sample for ggf; the current level's time for ALD).
    pub fn time(&self) -> f64 {
        match self.config.sampler {
            SamplerKind::OdeDopri5 | SamplerKind::Ggf => {
                self.t.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
            _ if self.grid.is_empty() => Sde::T * (1.0 - self.progress()),
            _ => self.grid[self.step.min(self.grid.len() - 1)],
        }
    }

    /// Score evaluations so far.
    pub fn nfe(&self) -> usize {
        self.nfe
    }

    /// Steps taken (attempted steps for adaptive samplers).
    pub fn steps_taken(&self) -> usize {
        self.step
    }

    /// The current state x(t) in standardized units.
    pub fn state(&self) -> Tensor<2> {
        self.x.clone()
    }
}

/// EDM's time steps (Karras et al. 2022, rho = 7): noise ratios
/// sigma_i = (sigma_max^(1/rho) + i / N (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho
/// between the ratios at T and at eps, mapped back to times.
pub fn edm_grid(sde: &Sde, steps: usize, t_eps: f64) -> Vec<f64> {
    let rho = 7.0;
    let (hi, lo) = (sde.noise_ratio(Sde::T), sde.noise_ratio(t_eps));
    let (a, b) = (hi.powf(1.0 / rho), lo.powf(1.0 / rho));
    let mut grid: Vec<f64> = (0..=steps)
        .map(|i| {
            let sigma = (a + i as f64 / steps as f64 * (b - a)).powf(rho);
            sde.time_of_ratio(sigma)
        })
        .collect();
    grid[0] = Sde::T;
    grid[steps] = t_eps;
    grid
}
