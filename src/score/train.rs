//! The training loop, written by hand so that it runs in a browser too (no blocking
//! channels). The caller reads the loss every chunk of steps, synchronously natively
//! or asynchronously on WebGPU, and hands it back with [`Trainer::commit`].

use super::cnf::{self, CnfConfig, Trace};
use super::host_mlp::{self, HostMlp, StepSettings};
use super::losses::{HostBatch, Objective, draw_batch, loss};
use super::model::{NetConfig, ScoreNet};
use super::net::Net;
use super::sde::Sde;
use crate::Error;
use crate::rng::Rng64;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Optimisation settings; stored in model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    /// Linear learning-rate warm-up, in steps.
    pub warmup: usize,
    /// EMA rate of the weights used for sampling.
    pub ema_decay: f64,
    /// Per-parameter gradient norm clip.
    pub grad_clip: f64,
    /// Smallest diffusion time drawn in training.
    pub t_eps: f64,
    pub seed: u64,
    /// Files written before objectives existed trained with DSM.
    #[serde(default)]
    pub objective: Objective,
    /// The CNF's solver and regularisers (CNF models only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<CnfConfig>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            steps: 6000,
            batch: 256,
            lr: 2e-3,
            warmup: 200,
            ema_decay: 0.999,
            grad_clip: 1.0,
            t_eps: 1e-5,
            seed: 0,
            objective: Objective::Dsm,
            cnf: None,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::invalid(m));
        if !(1..=100_000_000).contains(&self.steps) {
            return bad(format!(
                "steps must be between 1 and 1e8, got {}",
                self.steps
            ));
        }
        if !(1..=1_000_000).contains(&self.batch) {
            return bad(format!(
                "batch must be between 1 and 1e6, got {}",
                self.batch
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 1.0) {
            return bad(format!("lr must be in (0, 1], got {}", self.lr));
        }
        if !(self.ema_decay.is_finite() && (0.0..1.0).contains(&self.ema_decay)) {
            return bad(format!(
                "ema decay must be in [0, 1), got {}",
                self.ema_decay
            ));
        }
        if !(self.grad_clip.is_finite() && self.grad_clip > 0.0) {
            return bad(format!(
                "grad clip must be positive, got {}",
                self.grad_clip
            ));
        }
        if !(self.t_eps.is_finite() && self.t_eps > 0.0 && self.t_eps < 0.5) {
            return bad(format!("t_eps must be in (0, 0.5), got {}", self.t_eps));
        }
        match (&self.cnf, self.objective) {
            (Some(c), Objective::Cnf) => c.validate()?,
            (None, Objective::Cnf) => return bad("a CNF needs its solver settings".into()),
            (Some(_), _) => {
                return bad(format!(
                    "CNF settings apply to the cnf objective, not {}",
                    self.objective.name()
                ));
            }
            (None, _) => {}
        }
        Ok(())
    }
}

/// Which code runs the training steps. Both train the same network on the same
/// batches; they differ in float rounding only (tested in `tests/score.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    /// The host step ([`super::host_mlp`]) on the CPU backend when it supports the
    /// network and objective (an MLP with DSM, DSM-likelihood, NCSN, SSM or flow
    /// matching); burn otherwise.
    #[default]
    Auto,
    /// burn's autodiff and optimiser on the device, always.
    Burn,
}

impl Engine {
    pub const NAMES: &'static str = "auto, burn";

    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "auto" => Ok(Self::Auto),
            "burn" => Ok(Self::Burn),
            other => Err(Error::invalid(format!(
                "unknown engine '{other}'; supported: {}",
                Self::NAMES
            ))),
        }
    }
}

/// The weights being trained and their optimiser, by engine. (One per trainer: the
/// variants' sizes do not matter.)
#[allow(clippy::large_enum_variant)]
enum Weights {
    Burn {
        net: Net,
        ema: Net,
        optim: ModuleOptimizer,
        /// The last weights whose loss was finite: (net, ema).
        good: (Net, Net),
    },
    Host {
        mlp: Box<HostMlp>,
        /// The last weights whose loss was finite: (theta, ema), flat.
        good: (Vec<f32>, Vec<f32>),
    },
}

/// A training run in progress.
pub struct Trainer {
    pub net_config: NetConfig,
    pub config: TrainConfig,
    pub sde: Sde,
    device: Device,
    data: Vec<f32>,
    weights: Weights,
    rng: Rng64,
    step: usize,
    losses: Vec<(usize, f32)>,
}

impl Trainer {
    /// `data` are standardized rows of `net_config.dim` columns; `device` a plain
    /// device. Steps run on [`Engine::Auto`].
    pub fn new(
        data: Vec<f32>,
        net_config: NetConfig,
        sde: Sde,
        config: TrainConfig,
        device: &Device,
    ) -> Result<Self, Error> {
        Self::with_engine(data, net_config, sde, config, device, Engine::Auto)
    }

    /// [`Trainer::new`] on a chosen engine.
    pub fn with_engine(
        data: Vec<f32>,
        net_config: NetConfig,
        sde: Sde,
        config: TrainConfig,
        device: &Device,
        engine: Engine,
    ) -> Result<Self, Error> {
        config.validate()?;
        sde.validate()?;
        config.objective.check(&sde)?;
        net_config.validate()?;
        config.objective.check_arch(net_config.arch)?;
        let dim = net_config.dim;
        if data.is_empty() || !data.len().is_multiple_of(dim) {
            return Err(Error::invalid(format!(
                "training data must be whole rows of {dim} values, got {} values",
                data.len()
            )));
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid("training data contain non-finite values"));
        }
        let device = device.clone().inner();
        let host = engine == Engine::Auto
            && host_mlp::runs_on(&device)
            && host_mlp::supports(&net_config, config.objective);
        let weights = if host {
            let mlp = HostMlp::from_values(&net_config, &net_config.init_values()?)?;
            Weights::Host {
                good: mlp.snapshot(),
                mlp: Box::new(mlp),
            }
        } else {
            let net = Net::init(&net_config, &device.clone().autodiff())?;
            let ema = net.valid();
            Weights::Burn {
                optim: Self::optimizer(&config),
                good: (net.clone(), ema.clone()),
                net,
                ema,
            }
        };
        Ok(Self {
            rng: Rng64::new(config.seed ^ 0x5eed_da7a),
            net_config,
            config,
            sde,
            device,
            data,
            weights,
            step: 0,
            losses: Vec::new(),
        })
    }

    /// The engine running the steps, for status lines: "host MLP step, 2 threads" or
    /// "burn".
    pub fn engine(&self) -> String {
        match &self.weights {
            Weights::Host { mlp, .. } => match mlp.threads() {
                1 => "host MLP step".to_string(),
                n => format!("host MLP step, {n} threads"),
            },
            Weights::Burn { .. } => "burn".to_string(),
        }
    }

    /// Splits each batch of the host step over `threads` cores (no effect on burn).
    pub fn set_threads(&mut self, threads: usize) {
        if let Weights::Host { mlp, .. } = &mut self.weights {
            mlp.set_threads(threads);
        }
    }

    fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
        AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(config.grad_clip as f32)))
            .init()
    }

    pub fn step(&self) -> usize {
        self.step
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Steps still to run.
    pub fn remaining(&self) -> usize {
        self.config.steps.saturating_sub(self.step)
    }

    /// Lets a finished run train further (the page's "train more").
    pub fn extend(&mut self, more_steps: usize) {
        self.config.steps = self.step + more_steps;
    }

    /// Mean loss of each committed chunk: (step at its end, loss).
    pub fn losses(&self) -> &[(usize, f32)] {
        &self.losses
    }

    /// The next minibatch, drawn on the host from the run's seed.
    fn next_batch(&mut self) -> HostBatch {
        let c = &self.config;
        let dim = self.net_config.dim;
        draw_batch(
            c.objective,
            &self.data,
            dim,
            c.batch,
            &self.sde,
            c.t_eps,
            &mut self.rng,
        )
    }

    /// Runs up to `n` steps (fewer if the run ends) and returns the sum of their
    /// losses as a device scalar plus the number of steps run. Nothing is read back.
    pub fn run(&mut self, n: usize) -> (Tensor<1>, usize) {
        let n = n.min(self.remaining());
        let objective = self.config.objective;
        let ad = self.device.clone().autodiff();
        let mut device_total = Tensor::<1>::zeros([1], &self.device);
        let mut host_total = 0.0f64;
        for _ in 0..n {
            let batch = self.next_batch();
            let lr = lr_at(&self.config, self.step);
            let decay = ema_decay_at(&self.config, self.step);
            match &mut self.weights {
                Weights::Host { mlp, .. } => {
                    let settings = StepSettings {
                        objective,
                        lr,
                        grad_clip: self.config.grad_clip,
                        ema_decay: decay,
                    };
                    host_total += mlp.step(&batch, &settings);
                }
                Weights::Burn {
                    net, ema, optim, ..
                } => {
                    let batch = batch.to_device(&ad);
                    let loss = match (&*net, &self.config.cnf) {
                        (Net::Mlp(net), Some(c)) => {
                            let probe = batch.probe.expect("cnf batches carry probes");
                            let f = |x, t, e| net.forward_jvp(x, t, e);
                            cnf::loss(f, batch.xt, &Trace::Hutchinson(Box::new(probe)), c)
                        }
                        (Net::Mlp(net), None) => loss(objective, |x, t| net.forward(x, t), batch),
                        // The exact negative log-likelihood per row.
                        (Net::RealNvp(flow), _) => {
                            loss(objective, |x, _| flow.log_prob(x).neg(), batch)
                        }
                    };
                    device_total = device_total.add(loss.clone().inner().reshape([1]));
                    let grads = GradientsParams::from_grads(loss.backward(), &*net);
                    *net = optim.step(lr, net.clone(), grads);
                    *ema = ema.clone().ema_from(net, decay);
                }
            }
            self.step += 1;
        }
        if let Weights::Host { .. } = self.weights {
            let sum = TensorData::new(vec![host_total as f32], [1]);
            return (Tensor::from_data(sum, &self.device), n);
        }
        (device_total, n)
    }

    /// Records the mean loss of the chunk just run. A non-finite loss restores the last
    /// good weights, resets the optimiser and returns a `Diverged` error.
    pub fn commit(&mut self, mean_loss: f32) -> Result<(), Error> {
        if !mean_loss.is_finite() {
            match &mut self.weights {
                Weights::Burn {
                    net,
                    ema,
                    optim,
                    good,
                } => {
                    (*net, *ema) = good.clone();
                    *optim = Self::optimizer(&self.config);
                }
                Weights::Host { mlp, good } => {
                    mlp.restore(&good.0, &good.1);
                    mlp.reset_optimizer();
                }
            }
            let last = self.losses.last().map(|l| l.0).unwrap_or(0);
            let reached = self.step;
            self.step = last;
            return Err(Error::diverged(format!(
                "training diverged (loss {mean_loss}) by step {reached}; kept the weights of step {last}. Try a smaller learning rate."
            )));
        }
        self.losses.push((self.step, mean_loss));
        match &mut self.weights {
            Weights::Burn { net, ema, good, .. } => *good = (net.clone(), ema.clone()),
            Weights::Host { mlp, good } => *good = mlp.snapshot(),
        }
        Ok(())
    }

    /// The EMA weights, used for sampling and saving, on the plain device.
    pub fn ema(&self) -> Net {
        match &self.weights {
            Weights::Burn { ema, .. } => ema.clone(),
            Weights::Host { mlp, .. } => {
                Net::Mlp(ScoreNet::from_host(&mlp.ema_values(), &self.device))
            }
        }
    }

    /// The raw (non-averaged) weights without autodiff.
    pub fn net(&self) -> Net {
        match &self.weights {
            Weights::Burn { net, .. } => net.valid(),
            Weights::Host { mlp, .. } => Net::Mlp(ScoreNet::from_host(&mlp.values(), &self.device)),
        }
    }
}

/// The learning rate of step `step`: linear warm-up to `config.lr`.
fn lr_at(config: &TrainConfig, step: usize) -> f64 {
    let warm = ((step + 1) as f64 / config.warmup.max(1) as f64).min(1.0);
    config.lr * warm
}

/// The EMA rate of step `step`, with the usual warm-up so that early averages are not
/// stuck at the initial weights.
fn ema_decay_at(config: &TrainConfig, step: usize) -> f64 {
    let s = step as f64;
    config.ema_decay.min((1.0 + s) / (10.0 + s))
}

/// Runs a whole training natively, reading the loss every `chunk` steps and calling
/// `progress(step, mean_loss)`.
#[cfg(not(target_arch = "wasm32"))]
pub fn train_blocking(
    trainer: &mut Trainer,
    chunk: usize,
    mut progress: impl FnMut(usize, f32),
) -> Result<(), Error> {
    while trainer.remaining() > 0 {
        let (sum, n) = trainer.run(chunk.max(1));
        let total = super::backend::read_f32(sum)?[0];
        let mean = total / n as f32;
        trainer.commit(mean)?;
        progress(trainer.step(), mean);
    }
    Ok(())
}
