//! `scoredyn eval`: distances between a sample set and a reference set.

use crate::common::{print_json, read_csv};
use clap::Args;
use scoredyn::{Error, metrics};

/// Compare samples with a reference: SWD and its floor, MMD, energy distance, marginal
/// KL and Hellinger, mean and covariance errors, correlation dimensions
#[derive(Args)]
pub struct Eval {
    #[arg(long, value_name = "A.csv")]
    samples: String,
    #[arg(long, value_name = "B.csv")]
    reference: String,
}

impl Eval {
    pub fn run(self) -> Result<(), Error> {
        let e = metrics::evaluate(&read_csv(&self.samples)?, &read_csv(&self.reference)?)?;
        print_json(&e);
        Ok(())
    }
}
