//! `scoredyn likelihood`: log-likelihood of data under a model, by the probability-flow
//! ODE of a score model or the ODE of a velocity model, in nats and bits per dimension of the data's units.

use crate::common::{backend, read_csv, read_text};
use clap::Args;
use scoredyn::Error;
use scoredyn::score::likelihood::{self, Divergence, LikelihoodConfig};
use scoredyn::score::{Backend, ModelFile};
use serde::Serialize;
use std::time::Instant;

/// Log-likelihood of data (nats/dim, bits/dim) under any model
#[derive(Args)]
pub struct Likelihood {
    #[arg(long, value_name = "MODEL")]
    model: String,
    #[arg(long, value_name = "FILE.csv")]
    data: String,
    /// At most this many rows, evenly spaced
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    rows: u64,
    /// RK4 steps of the probability-flow ODE
    #[arg(long, value_name = "K", default_value_t = LikelihoodConfig::default().steps)]
    steps: usize,
    /// exact | rademacher | gaussian
    #[arg(long, default_value = "exact")]
    divergence: String,
    /// Hutchinson probes (rademacher, gaussian)
    #[arg(long, value_name = "P")]
    probes: Option<usize>,
    #[arg(long, default_value_t = LikelihoodConfig::default().seed)]
    seed: u64,
    #[arg(long, value_parser = backend, default_value = Backend::DEFAULT_CPU.name())]
    backend: Backend,
}

#[derive(Serialize)]
struct Report {
    nats_per_dim: f64,
    bits_per_dim: f64,
    rows: usize,
    dim: usize,
    units: &'static str,
    divergence: &'static str,
    steps: usize,
    nfe: usize,
    seconds: f64,
    sde: &'static str,
    objective: &'static str,
    backend: &'static str,
}

impl Likelihood {
    pub fn run(self) -> Result<(), Error> {
        if self.divergence == "exact" && self.probes.is_some() {
            return Err(Error::invalid(
                "--probes applies to --divergence rademacher or gaussian",
            ));
        }
        let config = LikelihoodConfig {
            steps: self.steps,
            divergence: Divergence::parse(&self.divergence, self.probes.unwrap_or(1))?,
            seed: self.seed,
            ..LikelihoodConfig::default()
        };
        let device = self.backend.device()?;
        let file = ModelFile::from_json(&read_text(&self.model)?)
            .map_err(|e| Error::invalid(format!("{}: {e}", self.model)))?;
        let data = read_csv(&self.data)?;
        let start = Instant::now();
        let result = likelihood::of_data(&file, &data, self.rows as usize, &config, &device)?;
        let nats = result.nats_per_dim;
        crate::common::print_json(&Report {
            nats_per_dim: nats,
            bits_per_dim: nats / std::f64::consts::LN_2,
            rows: result.rows,
            dim: data.dim,
            units: "data",
            divergence: config.divergence.name(),
            steps: config.steps,
            nfe: result.nfe,
            seconds: start.elapsed().as_secs_f64(),
            sde: file.sde.name(),
            objective: file.train.objective.name(),
            backend: self.backend.name(),
        });
        Ok(())
    }
}
