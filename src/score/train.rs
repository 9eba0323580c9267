//! The training loop, written by hand so that it runs in a browser too (no blocking
//! channels). The caller reads the loss every chunk of steps, synchronously natively
//! or asynchronously on WebGPU, and hands it back with [`Trainer::commit`].

use super::cnf::{self, CnfConfig, Trace};
use super::losses::{Objective, draw_batch, loss};
use super::model::NetConfig;
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

/// A training run in progress.
pub struct Trainer {
    pub net_config: NetConfig,
    pub config: TrainConfig,
    pub sde: Sde,
    device: Device,
    data: Vec<f32>,
    net: Net,
    ema: Net,
    optim: ModuleOptimizer,
    rng: Rng64,
    step: usize,
    /// The last weights whose loss was finite: (net, ema).
    good: (Net, Net),
    losses: Vec<(usize, f32)>,
}

impl Trainer {
    /// `data` are standardized rows of `net_config.dim` columns; `device` a plain device.
    pub fn new(
        data: Vec<f32>,
        net_config: NetConfig,
        sde: Sde,
        config: TrainConfig,
        device: &Device,
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
        let net = Net::init(&net_config, &device.clone().autodiff())?;
        let ema = net.valid();
        Ok(Self {
            optim: Self::optimizer(&config),
            rng: Rng64::new(config.seed ^ 0x5eed_da7a),
            good: (net.clone(), ema.clone()),
            net_config,
            config,
            sde,
            device,
            data,
            net,
            ema,
            step: 0,
            losses: Vec::new(),
        })
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

    fn lr(&self) -> f64 {
        let warm = ((self.step + 1) as f64 / self.config.warmup.max(1) as f64).min(1.0);
        self.config.lr * warm
    }

    /// Runs up to `n` steps (fewer if the run ends) and returns the sum of their
    /// losses as a device scalar plus the number of steps run. Nothing is read back.
    pub fn run(&mut self, n: usize) -> (Tensor<1>, usize) {
        let n = n.min(self.remaining());
        let ad = self.device.clone().autodiff();
        let mut total = Tensor::<1>::zeros([1], &self.device);
        for _ in 0..n {
            let batch = draw_batch(
                self.config.objective,
                &self.data,
                self.net_config.dim,
                self.config.batch,
                &self.sde,
                self.config.t_eps,
                &mut self.rng,
                &ad,
            );
            let objective = self.config.objective;
            let loss = match (&self.net, &self.config.cnf) {
                (Net::Mlp(net), Some(c)) => {
                    let probe = batch.probe.expect("cnf batches carry probes");
                    let f = |x, t, e| net.forward_jvp(x, t, e);
                    cnf::loss(f, batch.xt, &Trace::Hutchinson(Box::new(probe)), c)
                }
                (Net::Mlp(net), None) => loss(objective, |x, t| net.forward(x, t), batch),
                // The exact negative log-likelihood per row.
                (Net::RealNvp(flow), _) => loss(objective, |x, _| flow.log_prob(x).neg(), batch),
            };
            total = total.add(loss.clone().inner().reshape([1]));
            let grads = GradientsParams::from_grads(loss.backward(), &self.net);
            let lr = self.lr();
            self.net = self.optim.step(lr, self.net.clone(), grads);
            // EMA with the usual warm-up of its rate, so early averages are not stuck at init.
            let s = self.step as f64;
            let decay = self.config.ema_decay.min((1.0 + s) / (10.0 + s));
            self.ema = self.ema.clone().ema_from(&self.net, decay);
            self.step += 1;
        }
        (total, n)
    }

    /// Records the mean loss of the chunk just run. A non-finite loss restores the last
    /// good weights, resets the optimiser and returns a `Diverged` error.
    pub fn commit(&mut self, mean_loss: f32) -> Result<(), Error> {
        if !mean_loss.is_finite() {
            let (net, ema) = self.good.clone();
            self.net = net;
            self.ema = ema;
            self.optim = Self::optimizer(&self.config);
            let last = self.losses.last().map(|l| l.0).unwrap_or(0);
            let reached = self.step;
            self.step = last;
            return Err(Error::diverged(format!(
                "training diverged (loss {mean_loss}) by step {reached}; kept the weights of step {last}. Try a smaller learning rate."
            )));
        }
        self.losses.push((self.step, mean_loss));
        self.good = (self.net.clone(), self.ema.clone());
        Ok(())
    }

    /// The EMA weights, used for sampling and saving.
    pub fn ema(&self) -> &Net {
        &self.ema
    }

    /// The raw (non-averaged) weights without autodiff.
    pub fn net(&self) -> Net {
        self.net.valid()
    }
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
