//! `scoredyn response`: how a system answers a kick, `R_ij(tau)`, by one estimator.

use crate::common::{SimArgs, backend, check_out, print_json, read_csv, read_text, write_out};
use clap::{Args, ValueEnum};
use scoredyn::Error;
use scoredyn::dynamics::{simulate, stochastic};
use scoredyn::response::{self, PerturbationOptions, Response};
use scoredyn::score::{Backend, ModelFile};
use serde::Serialize;
use std::time::Instant;

/// The smoothing noises tried for the score estimator (standardized units).
const SCORE_NOISE_LADDER: [f64; 8] = [0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3];

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
    /// GFDT with the exact stationary score (DoubleWell, DoubleWell2D)
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

#[derive(Serialize)]
struct Report {
    estimator: &'static str,
    source: String,
    dim: usize,
    /// The score estimator: the diffusion time its score was read at, and the noise std
    /// there (standardized units).
    score_time: Option<f64>,
    score_noise: Option<f64>,
    /// The score estimator: |R_raw(0) - I|_F / sqrt(d) (0 for the exact score).
    r0_distance: Option<f64>,
    normalized: bool,
    rows: Option<usize>,
    tau: Vec<f64>,
    /// R[k][i][j]: response of x_i at tau[k] to a kick on x_j; columns not kicked are null.
    #[serde(rename = "R")]
    r: Vec<Vec<Vec<Option<f64>>>>,
    stderr: Option<Vec<Vec<Vec<Option<f64>>>>>,
    seconds: f64,
}

fn matrices(m: &[Vec<f64>], d: usize, kicked: &[usize]) -> Vec<Vec<Vec<Option<f64>>>> {
    m.iter()
        .map(|rk| {
            (0..d)
                .map(|i| {
                    (0..d)
                        .map(|j| {
                            kicked
                                .contains(&j)
                                .then_some(rk[i * d + j])
                                .filter(|v| v.is_finite())
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn positive(name: &str, v: Option<f64>) -> Result<(), Error> {
    match v {
        Some(x) if !(x.is_finite() && x > 0.0) => Err(Error::invalid(format!(
            "{name} must be a positive number, got {x}"
        ))),
        _ => Ok(()),
    }
}

impl ResponseCmd {
    pub fn run(self) -> Result<(), Error> {
        let start = Instant::now();
        for (name, v) in [
            ("--tau-max", self.tau_max),
            ("--tau-step", self.tau_step),
            ("--delta", self.delta),
            ("--restart", self.restart),
            ("--spacing", self.spacing),
        ] {
            positive(name, v)?;
        }
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
        if self.members.is_some_and(|m| !(2..=1_000_000).contains(&m)) {
            return Err(Error::invalid("--members must be between 2 and 1e6"));
        }
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
                if !system.is_stochastic() {
                    return Err(Error::invalid(format!(
                        "{name} is deterministic: its invariant measure has no smooth density for the \
                         fluctuation-dissipation theorem; add noise with --noise S"
                    )));
                }
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
        if let Some(&j) = self.kicks.iter().find(|&&j| j >= d) {
            return Err(Error::invalid(format!(
                "--kick {j} is out of range: the data have coordinates 0 to {}",
                d - 1
            )));
        }
        if let Some(m) = &model
            && m.net.dim != d
        {
            return Err(Error::invalid(format!(
                "the model has dimension {} but the data have {d}",
                m.net.dim
            )));
        }
        let kicks: Vec<usize> = if self.kicks.is_empty() {
            (0..d).collect()
        } else {
            self.kicks.clone()
        };
        // Lags: a whole number of row spacings.
        let tau_step = self.tau_step.unwrap_or(spacing);
        let every = (tau_step / spacing).round();
        if every < 1.0 || (every * spacing - tau_step).abs() > 1e-9 * tau_step {
            return Err(Error::invalid(format!(
                "--tau-step {tau_step} must be a whole multiple of the row spacing {spacing}"
            )));
        }
        let every = every as usize;
        let max_lag = match self.tau_max {
            Some(t) => (t / tau_step).round() as usize,
            None => 50,
        };
        if max_lag == 0 || max_lag > 100_000 {
            return Err(Error::invalid(format!(
                "--tau-max / --tau-step gives {max_lag} lags; between 1 and 1e5 are supported"
            )));
        }
        // Thin the trajectory to the lag spacing.
        let x: Vec<f64> = x
            .chunks_exact(d)
            .step_by(every)
            .flatten()
            .copied()
            .collect();
        let rows = x.len() / d;
        if !x.is_empty() && rows < 10 * max_lag {
            return Err(Error::invalid(format!(
                "{rows} rows at the lag spacing are too few for {max_lag} lags (at least 10 per lag): \
                 simulate longer (--t-end) or ask for fewer lags"
            )));
        }
        let (mut score_time, mut score_noise, mut r0_distance) = (None, None, None);
        let result: Response = match e {
            Estimator::Gaussian => response::gaussian(&x, d, tau_step, max_lag)?,
            Estimator::ExactScore => {
                let system = system.as_ref().expect("--system checked");
                let mut s = vec![0.0; x.len()];
                if !stochastic::exact_score(system, &x, &mut s) {
                    return Err(Error::invalid(format!(
                        "the exact score of {} is not known in closed form (DoubleWell and DoubleWell2D have one)",
                        system.name()
                    )));
                }
                response::from_score(&x, &s, d, tau_step, max_lag)?
            }
            Estimator::Score => {
                let device = self.backend.device()?;
                let m = model.as_ref().expect("--model checked");
                // The smoothing noise: given, or the one of a ladder at which the
                // learned score best satisfies R(0) = I (at the smallest noise a
                // score network's error is amplified by 1 / std).
                let ladder: Vec<f64> = match self.score_noise {
                    Some(v) => vec![v],
                    None => SCORE_NOISE_LADDER.to_vec(),
                };
                let mut best: Option<(f64, f64, f64, Vec<f64>)> = None;
                for target in ladder {
                    let t = (target > 0.0).then(|| m.sde.time_of_std(target).max(m.train.t_eps));
                    let (t, s) = m.score_of_rows(&x, t, &device)?;
                    let dist = response::identity_distance(&x, &s, d);
                    if best.as_ref().is_none_or(|b| dist < b.2) {
                        best = Some((target, t, dist, s));
                    }
                }
                let (noise, t, dist, s) = best.expect("a non-empty ladder");
                score_time = Some(t);
                score_noise = Some(noise);
                r0_distance = Some(dist);
                let raw = response::from_score(&x, &s, d, tau_step, max_lag)?;
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
                let opts = PerturbationOptions {
                    delta: self.delta.unwrap_or(2.0 * r.dt),
                    members: self.members.unwrap_or(128),
                    restart: self.restart.unwrap_or(10.0 * system.info.period),
                    every: every * r.every,
                    max_lag,
                    kicks: kicks.clone(),
                    seed: self.seed.unwrap_or(0),
                };
                // Refused before it starts, not after hours: the integration steps asked.
                let steps = opts.members as f64
                    * (opts.restart / r.dt + (2 * kicks.len() * max_lag * opts.every) as f64);
                if steps > 2e9 {
                    return Err(Error::invalid(format!(
                        "--members {} x (--restart {} + {} kicked pairs of --tau-max) is {steps:.1e} \
                         integration steps of dt {}; at most 2e9",
                        opts.members,
                        opts.restart,
                        kicks.len(),
                        r.dt
                    )));
                }
                response::perturbation(system, &sim, &opts)?
            }
        };
        let report = Report {
            estimator: match e {
                Estimator::Score => "score",
                Estimator::Gaussian => "gaussian",
                Estimator::Perturbation => "perturbation",
                Estimator::Analytic => "analytic",
                Estimator::ExactScore => "exact-score",
            },
            source,
            dim: d,
            score_time,
            score_noise,
            r0_distance,
            normalized: self.normalize,
            rows: (!x.is_empty()).then_some(rows),
            tau: result.tau.clone(),
            r: matrices(&result.r, d, &kicks),
            stderr: result.stderr.as_ref().map(|s| matrices(s, d, &kicks)),
            seconds: start.elapsed().as_secs_f64(),
        };
        match &self.out {
            Some(_) => {
                write_out(
                    self.out.as_deref(),
                    &serde_json::to_string(&report).expect("reports serialize"),
                )?;
                Ok(())
            }
            None => {
                print_json(&report);
                Ok(())
            }
        }
    }
}
