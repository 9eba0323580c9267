//! Self-describing model files (JSON): architecture, SDE, training settings,
//! standardization and weights. The same file loads natively and in the page.

use super::model::{Arch, NetConfig, ParamValues, ScoreNet};
use super::realnvp::RealNvp;
use super::sampling::{SampleConfig, Sampler};
use super::sde::Sde;
use super::train::TrainConfig;
use crate::Error;
use crate::dataset::{Dataset, Standardizer};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "scoredyn-model";
pub const VERSION: u32 = 1;

/// What a model was trained on and how training went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// System name or data file.
    pub data_source: String,
    pub data_rows: usize,
    pub steps: usize,
    pub final_loss: f32,
    pub seconds: f64,
    pub backend: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub net: NetConfig,
    pub sde: Sde,
    pub train: TrainConfig,
    pub standardizer: Standardizer,
    /// Column names of the data, for sample files.
    pub columns: Vec<String>,
    pub summary: TrainSummary,
    pub params: Vec<ParamValues>,
}

impl ModelFile {
    pub fn new(
        net: NetConfig,
        sde: Sde,
        train: TrainConfig,
        standardizer: Standardizer,
        columns: Vec<String>,
        summary: TrainSummary,
        params: Vec<ParamValues>,
    ) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            net,
            sde,
            train,
            standardizer,
            columns,
            summary,
            params,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("model files serialize")
    }

    /// Parses and checks a model file: format, version, then every shape.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::invalid(format!("not a scoredyn model file (invalid JSON: {e})"))
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(Error::invalid(
                "not a scoredyn model file (no \"format\": \"scoredyn-model\")",
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == VERSION as u64 => {}
            Some(v) => {
                return Err(Error::invalid(format!(
                    "model file version {v} is not supported by this build (it reads version {VERSION})"
                )));
            }
            None => return Err(Error::invalid("model file has no version")),
        }
        let file: ModelFile = serde_json::from_value(value)
            .map_err(|e| Error::invalid(format!("malformed model file: {e}")))?;
        file.sde.validate()?;
        file.net.validate()?;
        if file.standardizer.dim() != file.net.dim
            || file.standardizer.std.len() != file.net.dim
            || file.columns.len() != file.net.dim
        {
            return Err(Error::invalid(format!(
                "model file standardization has {} coordinates but the network models {}",
                file.standardizer.dim(),
                file.net.dim
            )));
        }
        if file
            .standardizer
            .std
            .iter()
            .chain(&file.standardizer.mean)
            .any(|v| !v.is_finite())
            || file.standardizer.std.iter().any(|s| *s <= 0.0)
        {
            return Err(Error::invalid(
                "model file standardization has invalid values",
            ));
        }
        // Shape check without a device: the same check `from_values` makes.
        let shapes = file.net.param_shapes();
        if shapes.len() != file.params.len()
            || shapes.iter().zip(&file.params).any(|((n, s), p)| {
                &p.name != n || &p.shape != s || p.values.len() != s.iter().product::<usize>()
            })
        {
            return Err(Error::invalid(format!(
                "model file weights do not match its architecture (dim {}, width {}, depth {})",
                file.net.dim, file.net.width, file.net.depth
            )));
        }
        if let Some(p) = file
            .params
            .iter()
            .find(|p| p.values.iter().any(|v| !v.is_finite()))
        {
            return Err(Error::invalid(format!(
                "model file parameter '{}' has values that are not finite 32-bit numbers",
                p.name
            )));
        }
        Ok(file)
    }

    /// The score or velocity network on `device` (a RealNVP has none: an error).
    pub fn build_net(&self, device: &Device) -> Result<ScoreNet, Error> {
        if self.is_flow() {
            return Err(Error::invalid(
                "a RealNVP is a normalizing flow: it has no score or velocity network",
            ));
        }
        ScoreNet::from_values(&self.net, &self.params, device)
    }

    /// The RealNVP flow on `device` (a score or velocity model: an error).
    pub fn build_flow(&self, device: &Device) -> Result<RealNvp, Error> {
        RealNvp::from_values(&self.net, &self.params, device)
    }

    /// Whether the model is an invertible flow (RealNVP).
    pub fn is_flow(&self) -> bool {
        self.net.arch == Arch::RealNvp
    }

    /// Refuses a model that has no score (a velocity model, a RealNVP): what the
    /// score estimator of response theory needs.
    pub fn check_score_model(&self) -> Result<(), Error> {
        if self.is_velocity() || self.is_flow() {
            return Err(Error::invalid(format!(
                "a {} model learns {}, not a score: train a score model (dsm, ssm, ncsn) for the score estimator",
                self.train.objective.name(),
                if self.is_flow() {
                    "an invertible flow"
                } else {
                    "a velocity"
                }
            )));
        }
        Ok(())
    }

    /// Builds whatever network the file holds: the check a loaded file gets.
    pub fn check_build(&self, device: &Device) -> Result<(), Error> {
        match self.is_flow() {
            true => self.build_flow(device).map(|_| ()),
            false => self.build_net(device).map(|_| ()),
        }
    }

    /// Whether the network is a flow-matching velocity (else a score).
    pub fn is_velocity(&self) -> bool {
        self.train.objective.is_velocity()
    }

    /// Samples in standardized units (row-major) as data: the standardization undone,
    /// the model's column names; non-finite values are an error.
    pub fn samples_from(&self, z: &[f32]) -> Result<Dataset, Error> {
        if z.iter().any(|v| !v.is_finite()) {
            return Err(Error::diverged("the sampler produced non-finite values"));
        }
        let mut samples = self.standardizer.inverse(z);
        samples.names = self.columns.clone();
        Ok(samples)
    }

    /// The learned score of the data, in data units, at the rows `x` (row-major, data
    /// units), evaluated at diffusion time `t` (the model's training `t_eps` when `None`:
    /// the score of the data smoothed at the smallest noise it learned). Batched through
    /// the network. Natively (a synchronous read); the browser reads with
    /// [`ModelFile::score_of_rows_async`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn score_of_rows(
        &self,
        x: &[f64],
        t: Option<f64>,
        device: &Device,
    ) -> Result<(f64, Vec<f64>), Error> {
        let (t, batches) = self.score_batches(x, t, device)?;
        let mut z = Vec::with_capacity(x.len());
        for b in batches {
            z.extend(super::backend::read_f32(b)?);
        }
        Ok((t, self.score_in_data_units(&z)?))
    }

    /// [`ModelFile::score_of_rows`] with asynchronous reads (any device, WebGPU too).
    pub async fn score_of_rows_async(
        &self,
        x: &[f64],
        t: Option<f64>,
        device: &Device,
    ) -> Result<(f64, Vec<f64>), Error> {
        let (t, batches) = self.score_batches(x, t, device)?;
        let mut z = Vec::with_capacity(x.len());
        for b in batches {
            z.extend(super::backend::read_f32_async(b).await?);
        }
        Ok((t, self.score_in_data_units(&z)?))
    }

    /// The network's score (standardized units) at the rows `x`, in batches of 8192
    /// rows, and the diffusion time it is read at.
    fn score_batches(
        &self,
        x: &[f64],
        t: Option<f64>,
        device: &Device,
    ) -> Result<(f64, Vec<Tensor<2>>), Error> {
        use super::score_fn::ScoreFn;
        self.check_score_model()?;
        let d = self.net.dim;
        if !x.len().is_multiple_of(d) {
            return Err(Error::invalid(format!("rows of {d} values expected")));
        }
        let t = t.unwrap_or(self.train.t_eps);
        let net = self.build_net(device)?;
        let (mean, std) = (&self.standardizer.mean, &self.standardizer.std);
        let batches = x
            .chunks(8192 * d)
            .map(|chunk| {
                let z: Vec<f32> = chunk
                    .iter()
                    .enumerate()
                    .map(|(k, v)| ((v - mean[k % d]) / std[k % d]) as f32)
                    .collect();
                let z = Tensor::<2>::from_data(TensorData::new(z, [chunk.len() / d, d]), device);
                net.score_at_time(&self.sde, z, t)
            })
            .collect();
        Ok((t, batches))
    }

    /// d/dx log p(x) = (1 / std) d/dz log p(z); non-finite values are an error.
    fn score_in_data_units(&self, s: &[f32]) -> Result<Vec<f64>, Error> {
        let (d, std) = (self.net.dim, &self.standardizer.std);
        let out: Vec<f64> = s
            .iter()
            .enumerate()
            .map(|(k, v)| *v as f64 / std[k % d])
            .collect();
        if out.iter().any(|v| !v.is_finite()) {
            return Err(Error::diverged(
                "the model's score is not finite at some rows",
            ));
        }
        Ok(out)
    }

    /// A sampling run of this model on `device`, from its prior.
    pub fn sampler(&self, config: SampleConfig, device: &Device) -> Result<Sampler, Error> {
        if self.is_flow() {
            let flow = self.build_flow(device)?;
            return Sampler::inverse(flow, self.sde, self.net.dim, config, device);
        }
        let config = SampleConfig {
            velocity_model: self.is_velocity(),
            ..config
        };
        // On the CPU backend the host forward pass evaluates the network: the same
        // function, without burn's per-operation cost (tests/score.rs compares them).
        if super::host_mlp::runs_on(device) {
            let score = super::host_mlp::HostScore::from_values(&self.net, &self.params)?;
            return Sampler::new(score, self.sde, self.net.dim, config, device);
        }
        Sampler::new(
            self.build_net(device)?,
            self.sde,
            self.net.dim,
            config,
            device,
        )
    }
}
