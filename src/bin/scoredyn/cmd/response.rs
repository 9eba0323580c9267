//! `scoredyn response`: how a system answers a kick, `R_ij(tau)`, by one estimator.

use crate::common::{SimArgs, backend, check_out, print_json, read_csv, read_text, write_out};
use clap::{Args, ValueEnum};
use scoredyn::Error;
use scoredyn::dynamics::{simulate, stochastic};
use scoredyn::response::plan::{self, Lags, PerturbationAsk, Report, ScoreChoice};
use scoredyn::response::{self, Response};
use scoredyn::score::{Backend, ModelFile};
use std::time::Instant;

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Estimator {
    /// GFDT with a trained model's score (--model)
    Score,
    /// GFDT with the Gaussian score: C(tau) C(0)^-1
    Gaussian,
    /// Kicked and unkicked runs with the same noise (the truth; --system only)
    Perturbation,
    /// exp(A tau) for a linear system (OrnsteinUhlenbeck)
    Analytic,
    /// GFDT with the exact stationary score (DoubleWell, DoubleWell2D, GaussianMixture2D)
    ExactScore,
}

/// Linear response R_ij(tau) of x_i to a kick on x_j, by the fluctuation-dissipation
/// theorem (score, gaussian, exact-score), by experiment (perturbation) or exactly
/// (analytic); prints JSON
#[derive(Args)]
pub struct ResponseCmd {
    /// A catalog system (a deterministic flow needs --noise: GFDT needs a smooth density)
    #[arg(long, conflicts_with = "data")]
    system: Option<String>,
    /// A stationary trajectory (CSV rows evenly spaced in time; give --spacing)
    #[arg(long, value_name = "FILE.csv")]
    data: Option<String>,
    /// With --data: the time between rows
    #[arg(long, value_name = "DT", requires = "data")]
    spacing: Option<f64>,
    #[command(flatten)]
    sim: SimArgs,
    #[arg(long, value_enum)]
    estimator: Estimator,
    /// The score estimator's model file
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Largest lag [default: 50 lag steps]
    #[arg(long = "tau-max", value_name = "T", allow_negative_numbers = true)]
    tau_max: Option<f64>,
    /// Lag spacing, a multiple of the trajectory's row spacing [default: the row spacing]
    #[arg(long = "tau-step", value_name = "S", allow_negative_numbers = true)]
    tau_step: Option<f64>,
    /// Kicked coordinates, 0-based (repeatable) [default: all]
    #[arg(long = "kick", value_name = "J")]
    kicks: Vec<usize>,
    /// Perturbation: kick size [default: 2 dt, as published]
    #[arg(long, allow_negative_numbers = true)]
    delta: Option<f64>,
    /// Perturbation: pairs of runs per kicked coordinate [default: 128]
    #[arg(long)]
    members: Option<usize>,
    /// Perturbation: time between starting states along the attractor [default: 10 periods]
    #[arg(long, value_name = "T", allow_negative_numbers = true)]
    restart: Option<f64>,
    /// Score: R(tau) R(0)^-1, so that R(0) = I
    #[arg(long)]
    normalize: bool,
    /// Score: read the model's score where its noise has this std (standardized units;
    /// 0: the smallest the model saw) [default: the one of 0.02 ... 0.3 at which the score
    /// best satisfies R(0) = I]
    #[arg(long = "score-noise", value_name = "S", allow_negative_numbers = true)]
    score_noise: Option<f64>,
    /// Seeds the simulation, the noise and the perturbation ensemble [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_parser = backend, default_value = Backend::DEFAULT_CPU.name())]
    backend: Backend,
    /// Write the JSON here [default: stdout]
    #[arg(long, value_name = "FILE.json")]
    out: Option<String>,
}

impl ResponseCmd {
    pub fn run(self) -> Result<(), Error> {
        let start = Instant::now();
        plan::positive("--spacing", self.spacing)?;
        let e = self.estimator;
        let perturbing = e == Estimator::Perturbation;
        if !perturbing && (self.delta.is_some() || self.members.is_some() || self.restart.is_some())
        {
            return Err(Error::invalid(
                "--delta, --members and --restart apply to --estimator perturbation",
            ));
        }
        if (e == Estimator::Score) != self.model.is_some() {
            return Err(Error::invalid(
                "--model is needed by, and only by, --estimator score",
            ));
        }
        if (self.normalize || self.score_noise.is_some()) && e != Estimator::Score {
            return Err(Error::invalid(
                "--normalize and --score-noise apply to --estimator score",
            ));
        }
        if self.score_noise.is_some_and(|s| !(0.0..1.0).contains(&s)) {
            return Err(Error::invalid("--score-noise must be in [0, 1)"));
        }
        let ask = PerturbationAsk {
            delta: self.delta,
            members: self.members,
            restart: self.restart,
            seed: self.seed.unwrap_or(0),
        };
        check_out("--out", self.out.as_deref())?;
        let model = match &self.model {
            Some(path) => Some(
                ModelFile::from_json(&read_text(path)?)
                    .map_err(|e| Error::invalid(format!("{path}: {e}")))?,
            ),
            None => None,
        };
        // The trajectory: simulated, or read.
        let (system, sim, x, d, spacing, source) = match (&self.system, &self.data) {
            (Some(name), None) => {
                let (system, sim) = self.sim.resolve(name, self.seed)?;
                plan::check_stochastic(&system)?;
                if matches!(e, Estimator::Perturbation | Estimator::Analytic)
                    && self.sim.t_end.is_some()
                {
                    return Err(Error::invalid(
                        "--t-end does not apply to the perturbation and analytic estimators \
                         (the perturbation runs --members pairs from states --restart apart)",
                    ));
                }
                let r = sim.resolve(&system)?;
                let sim = scoredyn::dynamics::SimulateOptions { raw: true, ..sim };
                let x = if perturbing || e == Estimator::Analytic {
                    vec![]
                } else {
                    simulate(&system, &sim)?.x
                };
                let d = system.dim();
                (Some(system), sim, x, d, r.dt * r.every as f64, name.clone())
            }
            (None, Some(path)) => {
                if self.sim.given() {
                    return Err(Error::invalid(
                        "simulation options apply to --system, not --data",
                    ));
                }
                let Some(spacing) = self.spacing else {
                    return Err(Error::invalid(
                        "--data needs --spacing DT, the time between its rows",
                    ));
                };
                if matches!(
                    e,
                    Estimator::Perturbation | Estimator::Analytic | Estimator::ExactScore
                ) {
                    return Err(Error::invalid(
                        "this estimator needs the equations: give --system",
                    ));
                }
                let data = read_csv(path)?;
                (
                    None,
                    Default::default(),
                    data.rows.clone(),
                    data.dim,
                    spacing,
                    path.clone(),
                )
            }
            _ => {
                return Err(Error::invalid(
                    "response needs --system NAME or --data FILE.csv",
                ));
            }
        };
        let kicks =
            plan::kicks(&self.kicks, d).map_err(|e| Error::invalid(format!("--{}", e.message)))?;
        if let Some(m) = &model {
            plan::check_model(m, d)?;
        }
        let lags = Lags::new(
            spacing,
            self.tau_step,
            self.tau_max,
            ["--tau-max", "--tau-step"],
        )?;
        let (tau_step, max_lag) = (lags.tau_step, lags.max_lag);
        // Thin the trajectory to the lag spacing (the experiments simulate their own).
        let x = if x.is_empty() { x } else { lags.thin(&x, d)? };
        let rows = x.len() / d;
        let mut choice: Option<ScoreChoice> = None;
        let result: Response = match e {
            Estimator::Gaussian => response::gaussian(&x, d, tau_step, max_lag)?,
            Estimator::ExactScore => {
                let system = system.as_ref().expect("--system checked");
                let mut s = vec![0.0; x.len()];
                if !stochastic::exact_score(system, &x, &mut s) {
                    return Err(Error::invalid(format!(
                        "the exact score of {} is not known in closed form (these systems have one: {})",
                        system.name(),
                        stochastic::EXACT_DENSITY_SYSTEMS.join(", ")
                    )));
                }
                Response {
                    estimator: "exact-score",
                    ..response::from_score(&x, &s, d, tau_step, max_lag)?
                }
            }
            Estimator::Score => {
                let device = self.backend.device()?;
                let m = model.as_ref().expect("--model checked");
                for (noise, t) in plan::score_times(m, self.score_noise)? {
                    let (t, s) = m.score_of_rows(&x, t, &device)?;
                    ScoreChoice::keep_best(&mut choice, &x, d, (noise, t, s));
                }
                let s = &choice.as_ref().expect("a non-empty ladder").s;
                let raw = response::from_score(&x, s, d, tau_step, max_lag)?;
                if self.normalize {
                    response::normalized(raw)?
                } else {
                    raw
                }
            }
            Estimator::Analytic => {
                let system = system.as_ref().expect("--system checked");
                let Some(a) = stochastic::linear_drift(system) else {
                    return Err(Error::invalid(format!(
                        "{} is not linear: the analytic response exp(A tau) is known for OrnsteinUhlenbeck",
                        system.name()
                    )));
                };
                response::linear_analytic(&a, d, tau_step, max_lag)
            }
            Estimator::Perturbation => {
                let system = system.as_ref().expect("--system checked");
                let r = sim.resolve(system)?;
                // Refused before it starts, not after hours: the integration steps asked.
                let opts = plan::perturbation_options(system, &r, &lags, &kicks, &ask, 2e9)?;
                response::perturbation(system, &sim, &opts)?
            }
        };
        let report = Report::new(
            &result,
            &kicks,
            &source,
            (!x.is_empty()).then_some(rows),
            choice.as_ref(),
            self.normalize,
            start.elapsed().as_secs_f64(),
        );
        let json = serde_json::to_string(&report).expect("reports serialize");
        match &self.out {
            Some(_) => write_out(self.out.as_deref(), &json),
            None => {
                print_json(&report);
                Ok(())
            }
        }
    }
}
