//! `scoredyn simulate`: a trajectory of a catalog system as CSV.

use crate::common::{PipeArgs, SimArgs, check_out, write_out};
use clap::Args;
use scoredyn::dataset::Dataset;
use scoredyn::dynamics::{prepare, simulate};
use scoredyn::{Error, csv};

/// Simulate a system and write CSV `t,x0,x1,...`
#[derive(Args)]
pub struct Simulate {
    /// Catalog name (see `scoredyn systems`)
    #[arg(long)]
    system: String,
    #[command(flatten)]
    sim: SimArgs,
    #[command(flatten)]
    pipe: PipeArgs,
    /// Seeds the initial perturbation, the noise and the observation noise
    #[arg(long)]
    seed: Option<u64>,
    /// Output file [default: stdout]
    #[arg(long, value_name = "FILE.csv")]
    out: Option<String>,
}

impl Simulate {
    pub fn run(self) -> Result<(), Error> {
        let (system, opts) = self.sim.resolve(&self.system, self.seed)?;
        check_out("--out", self.out.as_deref())?;
        let pipe = self.pipe.options(0.0, self.seed.unwrap_or(0));
        let traj = simulate(&system, &opts)?;
        let (data, _) = prepare(&Dataset::from_trajectory(&traj), &pipe)?;
        write_out(
            self.out.as_deref(),
            &csv::write(&data, Some(&traj.t[..data.len()])),
        )
    }
}
