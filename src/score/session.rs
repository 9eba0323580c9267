//! One training session (score_sde's `run_lib` role): a serializable request
//! ([`TrainSpec`], what the page sends and the CLI builds), the data in, chunked
//! training, and the model file out. The CLI and the bindings only convert.

use super::checkpoint::{ModelFile, TrainSummary};
use super::cnf::CnfConfig;
use super::losses::Objective;
use super::model::{Arch, NetConfig};
use super::sde::{Sde, sigma_max_from_data};
use super::train::{Engine, TrainConfig, Trainer};
use crate::Error;
use crate::dataset::{Dataset, Standardizer};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// What to train: network, SDE, objective and optimisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainSpec {
    pub steps: usize,
    pub batch: usize,
    pub width: usize,
    pub depth: usize,
    pub lr: f64,
    pub ema: f64,
    pub seed: u64,
    /// vp, subvp, ve or ncsn.
    pub sde: String,
    /// dsm, dsm-likelihood, ssm, ncsn, flow-matching or cnf.
    pub objective: String,
    /// VE and NCSN: the largest noise; none: twice the largest pairwise distance
    /// of the standardized data.
    pub sigma_max: Option<f64>,
    /// mlp or realnvp.
    pub arch: String,
    /// What runs the steps: auto (the host MLP step on the CPU backend where it
    /// applies) or burn. Not stored in the model file: it changes rounding only.
    pub engine: String,
    /// RealNVP: coupling layers [default 8].
    pub layers: Option<usize>,
    /// CNF: RK4 steps of the training solve [default 8].
    pub cnf_steps: Option<usize>,
    /// CNF: weight of the kinetic-energy regulariser [default 0.1].
    pub kinetic: Option<f64>,
    /// CNF: weight of the Jacobian Frobenius regulariser [default 0.1].
    pub jacobian: Option<f64>,
}

impl Default for TrainSpec {
    fn default() -> Self {
        let t = TrainConfig::default();
        let n = NetConfig::new(1);
        Self {
            steps: t.steps,
            batch: t.batch,
            width: n.width,
            depth: n.depth,
            lr: t.lr,
            ema: t.ema_decay,
            seed: t.seed,
            sde: "vp".into(),
            objective: Objective::default().name().into(),
            sigma_max: None,
            arch: Arch::default().name().into(),
            engine: "auto".into(),
            layers: None,
            cnf_steps: None,
            kinetic: None,
            jacobian: None,
        }
    }
}

impl TrainSpec {
    /// The optimisation settings.
    pub fn train_config(&self) -> Result<TrainConfig, Error> {
        let objective = Objective::parse(&self.objective)?;
        let given = self.cnf_steps.is_some() || self.kinetic.is_some() || self.jacobian.is_some();
        let cnf = if objective == Objective::Cnf {
            let d = CnfConfig::default();
            Some(CnfConfig {
                steps: self.cnf_steps.unwrap_or(d.steps),
                kinetic: self.kinetic.unwrap_or(d.kinetic),
                jacobian: self.jacobian.unwrap_or(d.jacobian),
            })
        } else if given {
            return Err(Error::invalid(format!(
                "cnf-steps, kinetic and jacobian apply to the cnf objective, not {}",
                objective.name()
            )));
        } else {
            None
        };
        let config = TrainConfig {
            steps: self.steps,
            batch: self.batch,
            lr: self.lr,
            ema_decay: self.ema,
            seed: self.seed,
            objective,
            cnf,
            ..Default::default()
        };
        config.validate()?;
        Ok(config)
    }

    /// The network for data of `dim` coordinates.
    pub fn net_config(&self, dim: usize) -> Result<NetConfig, Error> {
        let arch = Arch::parse(&self.arch)?;
        if arch != Arch::RealNvp && self.layers.is_some() {
            return Err(Error::invalid(format!(
                "layers apply to the realnvp architecture, not {}",
                arch.name()
            )));
        }
        let net = NetConfig {
            arch,
            // A RealNVP's file states its layers.
            layers: (arch == Arch::RealNvp)
                .then(|| self.layers.unwrap_or(super::model::DEFAULT_COUPLINGS)),
            width: self.width,
            depth: self.depth,
            seed: self.seed,
            ..NetConfig::new(dim)
        };
        net.validate()?;
        Ok(net)
    }

    /// The SDE, with sigma_max from the standardized rows when not given.
    pub fn sde(&self, rows: &[f32], dim: usize) -> Result<Sde, Error> {
        let sigma_max = match self.sigma_max {
            Some(s) => s,
            None => sigma_max_from_data(rows, dim),
        };
        Sde::parse_with(&self.sde, sigma_max)
    }

    /// Every check that needs no data: a bad request fails before any work.
    pub fn validate(&self) -> Result<(), Error> {
        let config = self.train_config()?;
        Engine::parse(&self.engine)?;
        // Dimension 2: the smallest a RealNVP models (the data's is checked with them).
        let net = self.net_config(2)?;
        config.objective.check_arch(net.arch)?;
        if let Some(s) = self.sigma_max
            && !(s.is_finite() && s > 0.01)
        {
            return Err(Error::invalid(format!(
                "sigma-max must be a number above sigma_min (0.01), got {s}"
            )));
        }
        let sde = Sde::parse_with(&self.sde, self.sigma_max.unwrap_or(1.0))?;
        config.objective.check(&sde)
    }
}

/// A training run on one data set, from the request to the model file.
pub struct Session {
    trainer: Trainer,
    standardizer: Standardizer,
    source: String,
    columns: Vec<String>,
    rows: usize,
    seconds: f64,
    backend: String,
}

impl Session {
    /// Standardizes `data` (from `source`: a system name or a file) and starts
    /// training on `device` (`backend`: its name, for the summary).
    pub fn new(
        data: &Dataset,
        source: &str,
        spec: &TrainSpec,
        backend: &str,
        device: &Device,
    ) -> Result<Self, Error> {
        spec.validate()?;
        let standardizer = Standardizer::fit(data)?;
        let rows = standardizer.forward(data);
        let sde = spec.sde(&rows, data.dim)?;
        let trainer = Trainer::with_engine(
            rows,
            spec.net_config(data.dim)?,
            sde,
            spec.train_config()?,
            device,
            Engine::parse(&spec.engine)?,
        )?;
        Ok(Self {
            trainer,
            standardizer,
            source: source.to_string(),
            columns: data.names.clone(),
            rows: data.len(),
            seconds: 0.0,
            backend: backend.to_string(),
        })
    }

    /// Runs up to `n` steps; returns the device sum of their losses and how many ran
    /// (read it, then [`Session::commit`] the mean).
    pub fn run(&mut self, n: usize) -> (Tensor<1>, usize) {
        self.trainer.run(n)
    }

    /// Records the mean loss of the chunk just run and the seconds it took. A
    /// non-finite loss restores the last good weights and returns `Diverged`.
    pub fn commit(&mut self, mean_loss: f32, seconds: f64) -> Result<(), Error> {
        self.seconds += seconds;
        self.trainer.commit(mean_loss)
    }

    /// Trains `more` further steps (the optimiser, the EMA and the step count carry on).
    pub fn extend(&mut self, more: usize) -> Result<(), Error> {
        if more == 0 {
            return Err(Error::invalid("train more: enter at least one step"));
        }
        self.trainer.extend(more);
        Ok(())
    }

    pub fn step(&self) -> usize {
        self.trainer.step()
    }

    /// The code running the steps: "host MLP step, 2 threads", "burn", ...
    pub fn engine(&self) -> String {
        self.trainer.engine()
    }

    /// Splits each batch of the host step over `threads` cores (no effect on burn).
    pub fn set_threads(&mut self, threads: usize) {
        self.trainer.set_threads(threads);
    }

    /// The steps the run will reach.
    pub fn total(&self) -> usize {
        self.trainer.config.steps
    }

    pub fn remaining(&self) -> usize {
        self.trainer.remaining()
    }

    pub fn sde(&self) -> Sde {
        self.trainer.sde
    }

    pub fn arch(&self) -> Arch {
        self.trainer.net_config.arch
    }

    pub fn objective(&self) -> Objective {
        self.trainer.config.objective
    }

    /// The last committed mean loss (NaN before the first).
    pub fn last_loss(&self) -> f32 {
        self.trainer
            .losses()
            .last()
            .map(|l| l.1)
            .unwrap_or(f32::NAN)
    }

    /// Wall time spent training, as committed.
    pub fn seconds(&self) -> f64 {
        self.seconds
    }

    pub fn summary(&self) -> TrainSummary {
        TrainSummary {
            data_source: self.source.clone(),
            data_rows: self.rows,
            steps: self.trainer.step(),
            final_loss: self.last_loss(),
            seconds: self.seconds,
            backend: self.backend.clone(),
        }
    }

    fn file(&self, params: Vec<super::model::ParamValues>) -> ModelFile {
        ModelFile::new(
            self.trainer.net_config.clone(),
            self.trainer.sde,
            self.trainer.config.clone(),
            self.standardizer.clone(),
            self.columns.clone(),
            self.summary(),
            params,
        )
    }

    /// The model file of the EMA weights (reads them synchronously: not on WebGPU).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn model_file(&self) -> Result<ModelFile, Error> {
        let params = self.trainer.ema().to_values(&self.trainer.net_config)?;
        Ok(self.file(params))
    }

    /// The model file of the EMA weights, read asynchronously (any device).
    pub async fn model_file_async(&self) -> Result<ModelFile, Error> {
        let params = self
            .trainer
            .ema()
            .to_values_async(&self.trainer.net_config)
            .await?;
        Ok(self.file(params))
    }

    /// Trains to the end natively, reading the loss every `chunk` steps and calling
    /// `progress(step, mean_loss)`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn train_blocking(
        &mut self,
        chunk: usize,
        mut progress: impl FnMut(usize, f32),
    ) -> Result<(), Error> {
        let start = std::time::Instant::now();
        let outcome = super::train::train_blocking(&mut self.trainer, chunk, &mut progress);
        self.seconds += start.elapsed().as_secs_f64();
        outcome
    }
}
