//! Samplers (score_sde's `sampling.py`, NCSN's annealed Langevin dynamics, EDM's
//! Heun schedule, Gotta Go Fast, and an invertible flow's exact inverse): every one runs the reverse process from the prior
//! at t = T down to t = eps and counts its score evaluations (NFE). A run is advanced
//! in chunks so that a caller can report progress between them.
//!
//! The samplers are the rows of [`registry::SAMPLERS`]; each family's steps live in
//! their own file ([`ode`], [`reverse_sde`], [`langevin`], [`dopri5`], [`ggf`]). This
//! file holds what they share: the run's state ([`Run`]), the step interface
//! ([`Stepper`]), fixed time grids ([`Fixed`]) and the driver ([`Sampler`]).

pub mod config;
pub mod dopri5;
pub mod ggf;
pub mod langevin;
pub mod ode;
pub mod registry;
pub mod reverse_sde;

pub use config::SampleConfig;
pub use registry::{SAMPLERS, SamplerInfo, SamplerKind};

use super::realnvp::RealNvp;
use super::score_fn::ScoreFn;
use super::sde::Sde;
use crate::Error;
use crate::rng::{Rng64, normals_f32};
use burn::prelude::*;

/// What every sampler works on: the score, the SDE, the settings, the batch x(t)
/// [n, dim] in standardized units, the noise source and the evaluation count.
pub struct Run {
    score: Box<dyn ScoreFn>,
    pub sde: Sde,
    pub config: SampleConfig,
    pub x: Tensor<2>,
    pub n: usize,
    pub dim: usize,
    pub device: Device,
    rng: Rng64,
    nfe: usize,
}

impl Run {
    /// The score of every row at time t (one evaluation).
    pub fn score(&mut self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.nfe += 1;
        self.score.score_at_time(&self.sde, x, t)
    }

    /// The score at per-row times t and stds s, [n, 1] each (one evaluation).
    pub fn score_rows(&mut self, x: Tensor<2>, t: Tensor<2>, s: Tensor<2>) -> Tensor<2> {
        self.nfe += 1;
        self.score.score_at(x, t, s)
    }

    /// Standard normal noise shaped like x, from the run's seed.
    pub fn noise(&mut self) -> Tensor<2> {
        let z = normals_f32(&mut self.rng, self.n * self.dim);
        Tensor::from_data(TensorData::new(z, [self.n, self.dim]), &self.device)
    }

    /// dx/dt of the probability flow at t (the SDE's, from the score); for a
    /// flow-matching model -v(x, 1 - t).
    pub fn flow(&mut self, x: Tensor<2>, t: f64) -> Tensor<2> {
        if self.config.velocity_model {
            self.nfe += 1;
            return self.score.raw_at_time(x, Sde::T - t).neg();
        }
        let s = self.score(x.clone(), t);
        self.sde.probability_flow(x, s, t)
    }

    /// Per-row values as an [n, 1] column.
    pub fn column(&self, values: &[f64]) -> Tensor<2> {
        let v: Vec<f32> = values.iter().map(|x| *x as f32).collect();
        Tensor::from_data(TensorData::new(v, [values.len(), 1]), &self.device)
    }
}

/// One sampler's steps. `step` takes one step (an attempted one for adaptive
/// samplers) and says whether the run is complete.
pub trait Stepper {
    fn step(&mut self, run: &mut Run) -> Result<bool, Error>;
    /// Fraction of the way from T to the end (the least advanced sample for ggf).
    fn progress(&self) -> f64;
    /// The diffusion time reached (from T down to the end).
    fn time(&self) -> f64;
    /// Steps taken so far.
    fn steps_taken(&self) -> usize;
    /// The diffusion time of the final state (where a denoising step evaluates).
    fn end_time(&self) -> f64;
}

/// One step of a fixed-grid sampler from t0 down to t1 (`last`: the final step,
/// which adds no noise).
pub type Rule = fn(&mut Run, Tensor<2>, f64, f64, bool) -> Tensor<2>;

/// A fixed-step sampler: a time grid from T down to the end and its step rule.
pub struct Fixed {
    grid: Vec<f64>,
    step: usize,
    rule: Rule,
}

impl Fixed {
    /// The uniform grid T = t_0 > ... > t_steps = end.
    pub fn uniform(run: &Run, rule: Rule) -> Self {
        let steps = run.config.steps();
        let end = run.config.t_end();
        let grid = (0..=steps)
            .map(|i| Sde::T - (Sde::T - end) * i as f64 / steps as f64)
            .collect();
        Self::on(grid, rule)
    }

    /// A given grid (decreasing, at least two times).
    pub fn on(grid: Vec<f64>, rule: Rule) -> Self {
        Self {
            grid,
            step: 0,
            rule,
        }
    }
}

impl Stepper for Fixed {
    fn step(&mut self, run: &mut Run) -> Result<bool, Error> {
        let (t0, t1) = (self.grid[self.step], self.grid[self.step + 1]);
        let last = self.step + 2 == self.grid.len();
        let x = run.x.clone();
        run.x = (self.rule)(run, x, t0, t1, last);
        self.step += 1;
        Ok(last)
    }

    fn progress(&self) -> f64 {
        self.step as f64 / (self.grid.len() - 1) as f64
    }

    fn time(&self) -> f64 {
        self.grid[self.step.min(self.grid.len() - 1)]
    }

    fn steps_taken(&self) -> usize {
        self.step
    }

    fn end_time(&self) -> f64 {
        self.grid[self.grid.len() - 1]
    }
}

/// A sampling run in progress.
pub struct Sampler {
    kind: Kind,
}

// One per sampling run: the variants' sizes (tensors' handles) do not matter.
#[allow(clippy::large_enum_variant)]
enum Kind {
    /// A score or a velocity integrated by a sampler of the table.
    Field {
        run: Run,
        stepper: Box<dyn Stepper>,
        finished: bool,
    },
    /// An invertible flow: its exact inverse, one pass.
    Inverse {
        flow: RealNvp,
        x: Tensor<2>,
        config: SampleConfig,
        finished: bool,
    },
}

impl Sampler {
    /// Starts from x(T) drawn from the prior, on the host from `config.seed`.
    pub fn new(
        score: impl ScoreFn + 'static,
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

    /// The exact sampler of an invertible flow: z ~ N(0, I) from `config.seed`, then
    /// the flow's inverse (the `inverse` row of the table).
    pub fn inverse(
        flow: RealNvp,
        sde: Sde,
        dim: usize,
        config: SampleConfig,
        device: &Device,
    ) -> Result<Self, Error> {
        let config = SampleConfig {
            flow_model: true,
            ..config
        };
        config.validate(&sde)?;
        let mut rng = Rng64::new(config.seed);
        let z = normals_f32(&mut rng, config.n * dim);
        let x = Tensor::from_data(TensorData::new(z, [config.n, dim]), device);
        Ok(Self {
            kind: Kind::Inverse {
                flow,
                x,
                config,
                finished: false,
            },
        })
    }

    /// Starts from a given x(T) (tests, animations).
    pub fn from_state(
        score: impl ScoreFn + 'static,
        sde: Sde,
        x: Tensor<2>,
        config: SampleConfig,
        rng: Rng64,
    ) -> Result<Self, Error> {
        config.validate(&sde)?;
        let [n, dim] = x.dims();
        let run = Run {
            score: Box::new(score),
            sde,
            device: x.device(),
            x,
            n,
            dim,
            rng,
            nfe: 0,
            config,
        };
        let stepper = (run.config.sampler.info().build)(&run)?;
        Ok(Self {
            kind: Kind::Field {
                run,
                stepper,
                finished: false,
            },
        })
    }

    /// Advances by up to `k` steps (adaptive samplers: `k` attempted steps);
    /// returns true when the run is complete.
    pub fn advance(&mut self, k: usize) -> Result<bool, Error> {
        match &mut self.kind {
            Kind::Field {
                run,
                stepper,
                finished,
            } => {
                for _ in 0..k {
                    if *finished {
                        break;
                    }
                    *finished = stepper.step(run)?;
                    if *finished && run.config.denoise {
                        Self::denoise(run, stepper.end_time());
                    }
                }
                Ok(*finished)
            }
            Kind::Inverse {
                flow, x, finished, ..
            } => {
                if k > 0 && !*finished {
                    *x = flow.inverse(x.clone());
                    *finished = true;
                }
                Ok(*finished)
            }
        }
    }

    /// Tweedie's denoiser at the final state's time t: E[x0 | x] = (x + s^2 score) / m.
    fn denoise(run: &mut Run, t: f64) {
        let (m, s) = run.sde.marginal(t);
        let sc = run.score(run.x.clone(), t);
        run.x = run.x.clone().add(sc.mul_scalar(s * s)).div_scalar(m);
    }

    pub fn done(&self) -> bool {
        match &self.kind {
            Kind::Field { finished, .. } | Kind::Inverse { finished, .. } => *finished,
        }
    }

    /// Fraction of the way from T to eps (the least advanced sample for ggf).
    pub fn progress(&self) -> f64 {
        match &self.kind {
            _ if self.done() => 1.0,
            Kind::Field { stepper, .. } => stepper.progress(),
            Kind::Inverse { .. } => 0.0,
        }
    }

    /// The diffusion time reached: from T (the prior) down to the end time (the
    /// least advanced sample for ggf; the current level's time for ALD; 0 once a
    /// flow has been inverted).
    pub fn time(&self) -> f64 {
        match &self.kind {
            Kind::Field { stepper, .. } => stepper.time(),
            Kind::Inverse { finished, .. } => {
                if *finished {
                    0.0
                } else {
                    Sde::T
                }
            }
        }
    }

    /// Network evaluations so far (scores, velocities, or the flow's one pass).
    pub fn nfe(&self) -> usize {
        match &self.kind {
            Kind::Field { run, .. } => run.nfe,
            Kind::Inverse { finished, .. } => *finished as usize,
        }
    }

    /// Steps taken (for adaptive samplers as each one counts them).
    pub fn steps_taken(&self) -> usize {
        match &self.kind {
            Kind::Field { stepper, .. } => stepper.steps_taken(),
            Kind::Inverse { finished, .. } => *finished as usize,
        }
    }

    /// The current state x(t) in standardized units.
    pub fn state(&self) -> Tensor<2> {
        match &self.kind {
            Kind::Field { run, .. } => run.x.clone(),
            Kind::Inverse { x, .. } => x.clone(),
        }
    }

    /// The settings of this run.
    pub fn config(&self) -> &SampleConfig {
        match &self.kind {
            Kind::Field { run, .. } => &run.config,
            Kind::Inverse { config, .. } => config,
        }
    }
}
