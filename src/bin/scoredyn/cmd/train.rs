//! `scoredyn train`: a score (or flow-matching) model of a system or a CSV, written as
//! a model file.

use crate::common::{PipeArgs, SimArgs, backend, check_out, read_csv, write_out};
use crate::progress::Progress;
use clap::Args;
use scoredyn::dataset::Dataset;
use scoredyn::dynamics::{prepare, simulate};
use scoredyn::score::train::Engine;
use scoredyn::score::{Arch, Objective, Session};
use scoredyn::score::{Backend, Sde, TrainSpec};
use scoredyn::{Error, ErrorKind, csv};
use serde::Serialize;

/// Train a model on a system's trajectory or a CSV and write the model file
#[derive(Args)]
pub struct Train {
    /// Training data (CSV, an optional leading `t` column is ignored)
    #[arg(long, value_name = "FILE.csv", conflicts_with = "system")]
    data: Option<String>,
    /// Simulate this catalog system instead
    #[arg(long)]
    system: Option<String>,
    #[command(flatten)]
    sim: SimArgs,
    #[command(flatten)]
    pipe: PipeArgs,
    /// Hold out this fraction of rows (the last ones)
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    heldout: f64,
    /// Write the held-out rows here
    #[arg(long = "heldout-out", value_name = "FILE.csv")]
    heldout_out: Option<String>,
    #[arg(long, help = format!("Forward SDE: {}", Sde::NAMES), default_value = "vp")]
    sde: String,
    #[arg(long, help = format!("Objective: {}", Objective::names()), default_value = "dsm")]
    objective: String,
    #[arg(long, help = format!("Architecture: {} (realnvp trains with --objective maximum-likelihood)", Arch::NAMES), default_value = "mlp")]
    arch: String,
    #[arg(long, help = format!("What runs the steps: {} (auto: the host MLP step on the CPU backend where it applies, else burn; burn: always burn's autodiff)", Engine::NAMES), default_value = "auto")]
    engine: String,
    /// RealNVP: coupling layers, each an MLP of --width and --depth [default: 8]
    #[arg(long, value_name = "K")]
    layers: Option<usize>,
    /// VE and NCSN: the largest noise [default: twice the data's largest pairwise distance]
    #[arg(long = "sigma-max", value_name = "S", allow_negative_numbers = true)]
    sigma_max: Option<f64>,
    #[arg(long, default_value_t = TrainSpec::default().steps)]
    steps: usize,
    #[arg(long, default_value_t = TrainSpec::default().batch)]
    batch: usize,
    #[arg(long, default_value_t = TrainSpec::default().width)]
    width: usize,
    #[arg(long, default_value_t = TrainSpec::default().depth)]
    depth: usize,
    /// Learning rate (after a 200-step warm-up)
    #[arg(long, default_value_t = TrainSpec::default().lr, allow_negative_numbers = true)]
    lr: f64,
    /// EMA decay of the weights used for sampling
    #[arg(long, value_name = "DECAY", default_value_t = TrainSpec::default().ema, allow_negative_numbers = true)]
    ema: f64,
    /// CNF: RK4 steps of the solve through which training backpropagates [default: 8]
    #[arg(long = "cnf-steps", value_name = "K")]
    cnf_steps: Option<usize>,
    /// CNF: weight of the kinetic-energy regulariser int |v|^2 [default: 0.1]
    #[arg(long, value_name = "W", allow_negative_numbers = true)]
    kinetic: Option<f64>,
    /// CNF: weight of the Jacobian Frobenius regulariser [default: 0.1]
    #[arg(long, value_name = "W", allow_negative_numbers = true)]
    jacobian: Option<f64>,
    /// Seeds the weights and batches (and, with --system, the simulation) [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_parser = backend, default_value = Backend::DEFAULT_CPU.name())]
    backend: Backend,
    /// The model file to write
    #[arg(long, value_name = "MODEL")]
    out: String,
}

#[derive(Serialize)]
struct Report {
    model: String,
    steps: usize,
    final_loss: f32,
    seconds: f64,
    steps_per_second: f64,
    backend: String,
    /// What ran the steps on that backend: the host MLP step or burn.
    engine: String,
    data_rows: usize,
    data_source: String,
    sde: Sde,
    objective: &'static str,
    arch: &'static str,
    diverged: Option<String>,
}

impl Train {
    pub fn run(self) -> Result<(), Error> {
        // Every check that needs no data first, so that nothing is simulated or
        // written for a request that would fail.
        let spec = TrainSpec {
            steps: self.steps,
            batch: self.batch,
            width: self.width,
            depth: self.depth,
            lr: self.lr,
            ema: self.ema,
            seed: self.seed.unwrap_or(TrainSpec::default().seed),
            sde: self.sde.clone(),
            objective: self.objective.clone(),
            sigma_max: self.sigma_max,
            arch: self.arch.clone(),
            engine: self.engine.clone(),
            layers: self.layers,
            cnf_steps: self.cnf_steps,
            kinetic: self.kinetic,
            jacobian: self.jacobian,
        };
        spec.validate()?;
        if self.heldout_out.is_some() && self.heldout <= 0.0 {
            return Err(Error::invalid("--heldout-out needs --heldout FRACTION > 0"));
        }
        if !(0.0..1.0).contains(&self.heldout) {
            return Err(Error::invalid(format!(
                "--heldout must be a fraction in [0, 1), got {}",
                self.heldout
            )));
        }
        check_out("--out", Some(&self.out))?;
        check_out("--heldout-out", self.heldout_out.as_deref())?;
        let pipe = self.pipe.options(self.heldout, self.seed.unwrap_or(0));
        let device = self.backend.device()?;
        let (data, source) = match (&self.data, &self.system) {
            (Some(path), None) => {
                if self.sim.given() {
                    return Err(Error::invalid(
                        "simulation options apply to --system, not --data",
                    ));
                }
                (read_csv(path)?, path.clone())
            }
            (None, Some(name)) => {
                let (system, opts) = self.sim.resolve(name, self.seed)?;
                (
                    Dataset::from_trajectory(&simulate(&system, &opts)?),
                    system.name().to_string(),
                )
            }
            _ => {
                return Err(Error::invalid(
                    "train needs --data FILE.csv or --system NAME",
                ));
            }
        };
        let (data, heldout) = prepare(&data, &pipe)?;
        if self.heldout_out.is_some() && heldout.is_empty() {
            return Err(Error::invalid(format!(
                "--heldout {} leaves no row of {} out: give a larger fraction",
                self.heldout,
                data.len()
            )));
        }
        let mut session = Session::new(&data, &source, &spec, self.backend.name(), &device)?;
        if let Some(path) = &self.heldout_out {
            write_out(Some(path), &csv::write(&heldout, None))?;
        }
        let mut bar = Progress::new(session.total());
        let outcome = session.train_blocking(100, |step, loss| bar.update(step, loss));
        let diverged = match outcome {
            Err(e) if e.kind == ErrorKind::Diverged => {
                eprintln!("\nwarning: {e}");
                Some(e.message)
            }
            Err(e) => return Err(e),
            Ok(()) => None,
        };
        let file = session.model_file()?;
        write_out(Some(&self.out), &file.to_json())?;
        let summary = session.summary();
        crate::common::print_json(&Report {
            model: self.out,
            steps: summary.steps,
            final_loss: summary.final_loss,
            seconds: summary.seconds,
            steps_per_second: summary.steps as f64 / summary.seconds,
            backend: summary.backend,
            engine: session.engine(),
            data_rows: summary.data_rows,
            data_source: summary.data_source,
            sde: session.sde(),
            objective: session.objective().name(),
            arch: session.arch().name(),
            diverged,
        });
        Ok(())
    }
}
