//! `scoredyn invariants`: moments, correlation dimension and (for a flow) the maximum
//! Lyapunov exponent of a system or of a CSV point cloud.

use crate::common::{SimArgs, print_json, read_csv};
use clap::Args;
use scoredyn::Error;
use scoredyn::dataset::Dataset;
use scoredyn::dynamics::invariants::{self, CorrelationOptions, LyapunovOptions};
use scoredyn::dynamics::simulate;
use serde::Serialize;
use std::time::Instant;

/// Invariants of a system's trajectory or of a point cloud
#[derive(Args)]
pub struct Invariants {
    /// A catalog system
    #[arg(long)]
    system: Option<String>,
    /// A CSV point cloud
    #[arg(long, value_name = "FILE.csv")]
    data: Option<String>,
    #[command(flatten)]
    sim: SimArgs,
    /// Seeds the initial perturbation and the noise
    #[arg(long)]
    seed: Option<u64>,
    /// Points drawn for the correlation dimension
    #[arg(long, default_value_t = CorrelationOptions::default().max_points)]
    points: usize,
    /// Averaging time of the Lyapunov exponent [default: 200 periods]
    #[arg(
        long = "lyapunov-time",
        value_name = "T",
        allow_negative_numbers = true
    )]
    lyapunov_time: Option<f64>,
}

#[derive(Serialize)]
struct CloudReport {
    data: String,
    rows: usize,
    dim: usize,
    mean: Vec<f64>,
    std: Vec<f64>,
    correlation_dimension: f64,
}

#[derive(Serialize)]
struct SystemReport {
    system: String,
    rows: usize,
    dim: usize,
    mean: Vec<f64>,
    std: Vec<f64>,
    correlation_dimension: f64,
    max_lyapunov: Option<f64>,
    seconds: f64,
    /// dysts' values, for comparison.
    catalog: CatalogValues,
}

#[derive(Serialize)]
struct CatalogValues {
    mean: Option<Vec<f64>>,
    std: Option<Vec<f64>>,
    correlation_dimension: Option<f64>,
    max_lyapunov: Option<f64>,
}

impl Invariants {
    pub fn run(self) -> Result<(), Error> {
        if !(50..=100_000).contains(&self.points) {
            return Err(Error::invalid(format!(
                "--points must be between 50 and 1e5, got {}",
                self.points
            )));
        }
        if let Some(t) = self.lyapunov_time
            && !(t.is_finite() && t > 0.0)
        {
            return Err(Error::invalid(format!(
                "--lyapunov-time must be a positive number, got {t}"
            )));
        }
        let opts = CorrelationOptions {
            max_points: self.points,
            ..Default::default()
        };
        match (&self.system, &self.data) {
            (Some(_), Some(_)) => Err(Error::invalid("give either --system or --data, not both")),
            (None, None) => Err(Error::invalid(
                "invariants needs --system NAME or --data FILE.csv",
            )),
            (None, Some(path)) => {
                if self.sim.given() || self.seed.is_some() || self.lyapunov_time.is_some() {
                    return Err(Error::invalid(
                        "simulation options, --seed and --lyapunov-time apply to --system, not --data",
                    ));
                }
                let data = read_csv(path)?;
                let (mean, std) = invariants::moments(&data);
                let cd = invariants::correlation_dimension(&data, &opts)?;
                print_json(&CloudReport {
                    data: path.clone(),
                    rows: data.len(),
                    dim: data.dim,
                    mean,
                    std,
                    correlation_dimension: cd,
                });
                Ok(())
            }
            (Some(name), None) => {
                let (system, sim) = self.sim.resolve(name, self.seed)?;
                if system.is_stochastic() && self.lyapunov_time.is_some() {
                    return Err(Error::invalid(format!(
                        "--lyapunov-time: {} is stochastic, and its Lyapunov exponent is not computed",
                        system.name()
                    )));
                }
                let start = Instant::now();
                let traj = simulate(&system, &sim)?;
                let data = Dataset::from_trajectory(&traj);
                let (mean, std) = invariants::moments(&data);
                let cd = invariants::correlation_dimension(&data, &opts)?;
                let lyap = if system.is_stochastic() {
                    None
                } else {
                    Some(invariants::max_lyapunov(
                        &system,
                        &LyapunovOptions {
                            t_end: self.lyapunov_time,
                            dt: sim.dt,
                            burn_in: sim.burn_in,
                            method: sim.method,
                            seed: sim.seed,
                        },
                    )?)
                };
                let info = system.info;
                print_json(&SystemReport {
                    system: info.name.to_string(),
                    rows: data.len(),
                    dim: data.dim,
                    mean,
                    std,
                    correlation_dimension: cd,
                    max_lyapunov: lyap,
                    seconds: start.elapsed().as_secs_f64(),
                    catalog: CatalogValues {
                        mean: info.mean.clone(),
                        std: info.std.clone(),
                        correlation_dimension: info.correlation_dimension,
                        max_lyapunov: info.max_lyapunov,
                    },
                });
                Ok(())
            }
        }
    }
}
