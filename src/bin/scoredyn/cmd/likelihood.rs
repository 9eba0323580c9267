//! `scoredyn likelihood`: log-likelihood of data under a model, by the probability-flow
//! ODE of a score model, the ODE of a velocity model, or exactly for a RealNVP, in nats
//! and bits per dimension of the data's units.

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
    /// RK4 steps of the ODE (score and velocity models) [default: 100]
    #[arg(long, value_name = "K")]
    steps: Option<usize>,
    /// exact | rademacher | gaussian (score and velocity models) [default: exact]
    #[arg(long)]
    divergence: Option<String>,
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
    /// "ode" (score and velocity models) or "exact" (RealNVP: change of variables).
    method: &'static str,
    divergence: Option<&'static str>,
    steps: Option<usize>,
    nfe: usize,
    seconds: f64,
    sde: &'static str,
    objective: &'static str,
    backend: &'static str,
}

impl Likelihood {
    pub fn run(self) -> Result<(), Error> {
        let divergence = self.divergence.as_deref().unwrap_or("exact");
        if divergence == "exact" && self.probes.is_some() {
            return Err(Error::invalid(
                "--probes applies to --divergence rademacher or gaussian",
            ));
        }
        let d = LikelihoodConfig::default();
        let config = LikelihoodConfig {
            steps: self.steps.unwrap_or(d.steps),
            divergence: Divergence::parse(divergence, self.probes.unwrap_or(1))?,
            seed: self.seed,
            ..d
        };
        let device = self.backend.device()?;
        let file = ModelFile::from_json(&read_text(&self.model)?)
            .map_err(|e| Error::invalid(format!("{}: {e}", self.model)))?;
        let flow = file.is_flow();
        if flow && (self.steps.is_some() || self.divergence.is_some() || self.probes.is_some()) {
            return Err(Error::invalid(
                "--steps, --divergence and --probes apply to the ODE of score and velocity models; a RealNVP's likelihood is exact",
            ));
        }
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
            method: if flow { "exact" } else { "ode" },
            divergence: (!flow).then(|| config.divergence.name()),
            steps: (!flow).then_some(config.steps),
            nfe: result.nfe,
            seconds: start.elapsed().as_secs_f64(),
            sde: file.sde.name(),
            objective: file.train.objective.name(),
            backend: self.backend.name(),
        });
        Ok(())
    }
}
