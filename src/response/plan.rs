//! One response request as the command line (`scoredyn response`) and the page's Response
//! view make it: the checks of what was asked, the lag grid, the trajectory thinned to
//! it, the choice of the learned score's noise level, the perturbation experiment's size,
//! and the JSON report. The estimators themselves are in the parent module; reading a
//! network's score is the caller's (synchronous natively, asynchronous in the browser).

use super::{PerturbationOptions, Response, identity_distance};
use crate::Error;
use crate::dynamics::System;
use crate::dynamics::simulation::Resolved;
use crate::score::ModelFile;
use serde::Serialize;

/// The smoothing noises tried for the score estimator (standardized units): at the
/// smallest noise a network's score error is amplified by 1 / std, at large ones the
/// score is that of a blurred density; the one whose score best satisfies R(0) = I wins.
pub const SCORE_NOISE_LADDER: [f64; 8] = [0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3];

/// Lags asked when no largest lag is given.
pub const DEFAULT_LAGS: usize = 50;
/// The most lags one request may ask.
pub const MAX_LAGS: usize = 100_000;
/// Rows of the thinned trajectory needed per lag.
pub const ROWS_PER_LAG: usize = 10;
/// The perturbation experiment's members when none are given (as published).
pub const DEFAULT_MEMBERS: usize = 128;

/// The estimators, by their names in the JSON and on the command line.
pub const ESTIMATORS: [&str; 5] = [
    "score",
    "gaussian",
    "perturbation",
    "analytic",
    "exact-score",
];

/// The lag grid: `max_lag + 1` lags `k * tau_step`, `tau_step` being `every` rows of the
/// trajectory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lags {
    pub tau_step: f64,
    pub every: usize,
    pub max_lag: usize,
}

/// Refuses a given value that is not a positive finite number, naming the setting.
pub fn positive(name: &str, v: Option<f64>) -> Result<(), Error> {
    match v {
        Some(x) if !(x.is_finite() && x > 0.0) => Err(Error::invalid(format!(
            "{name} must be a positive number, got {x}"
        ))),
        _ => Ok(()),
    }
}

impl Lags {
    /// For a trajectory whose rows are `spacing` apart: lags `tau_step` apart (a whole
    /// multiple of the spacing; default: the spacing) up to `tau_max` (default:
    /// [`DEFAULT_LAGS`] lags). `names` are the two settings' names for the messages.
    pub fn new(
        spacing: f64,
        tau_step: Option<f64>,
        tau_max: Option<f64>,
        names: [&str; 2],
    ) -> Result<Lags, Error> {
        positive(names[0], tau_max)?;
        positive(names[1], tau_step)?;
        let tau_step = tau_step.unwrap_or(spacing);
        let every = (tau_step / spacing).round();
        if every < 1.0 || (every * spacing - tau_step).abs() > 1e-9 * tau_step {
            return Err(Error::invalid(format!(
                "{} {tau_step} must be a whole multiple of the row spacing {spacing}",
                names[1]
            )));
        }
        let max_lag = match tau_max {
            Some(t) => (t / tau_step).round(),
            None => DEFAULT_LAGS as f64,
        };
        if !(1.0..=MAX_LAGS as f64).contains(&max_lag) {
            return Err(Error::invalid(format!(
                "{} / {} gives {max_lag} lags; between 1 and {MAX_LAGS:e} are supported",
                names[0], names[1]
            )));
        }
        Ok(Lags {
            tau_step,
            every: every as usize,
            max_lag: max_lag as usize,
        })
    }

    /// The trajectory `x` (rows of `d`) at the lag spacing; refused when it has fewer
    /// than [`ROWS_PER_LAG`] rows per lag.
    pub fn thin(&self, x: &[f64], d: usize) -> Result<Vec<f64>, Error> {
        let thin: Vec<f64> = x
            .chunks_exact(d)
            .step_by(self.every)
            .flatten()
            .copied()
            .collect();
        let rows = thin.len() / d;
        if rows < ROWS_PER_LAG * self.max_lag {
            return Err(Error::invalid(format!(
                "{rows} rows at the lag spacing are too few for {} lags (at least {ROWS_PER_LAG} per lag): \
                 simulate longer or ask for fewer lags",
                self.max_lag
            )));
        }
        Ok(thin)
    }
}

/// The kicked coordinates (all when none are given), each checked against `d`.
pub fn kicks(asked: &[usize], d: usize) -> Result<Vec<usize>, Error> {
    if let Some(&j) = asked.iter().find(|&&j| j >= d) {
        return Err(Error::invalid(format!(
            "kick {j} is out of range: the data have coordinates 0 to {}",
            d - 1
        )));
    }
    Ok(if asked.is_empty() {
        (0..d).collect()
    } else {
        asked.to_vec()
    })
}

/// GFDT needs a smooth stationary density, so noise.
pub fn check_stochastic(system: &System) -> Result<(), Error> {
    if system.is_stochastic() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{} is deterministic: its invariant measure has no smooth density for the \
         fluctuation-dissipation theorem; add noise with --noise S (in the page: added noise σ)",
        system.name()
    )))
}

/// A model fit for the score estimator on data of dimension `d`.
pub fn check_model(model: &ModelFile, d: usize) -> Result<(), Error> {
    model.check_score_model()?;
    if model.net.dim != d {
        return Err(Error::invalid(format!(
            "the model has dimension {} but the data have {d}",
            model.net.dim
        )));
    }
    Ok(())
}

/// The smoothing noises to try (`asked`, or the ladder) with the diffusion time at which
/// the model's noise has each std (`None`: the smallest time the model saw).
pub fn score_times(
    model: &ModelFile,
    asked: Option<f64>,
) -> Result<Vec<(f64, Option<f64>)>, Error> {
    if asked.is_some_and(|s| !(0.0..1.0).contains(&s)) {
        return Err(Error::invalid("the score noise must be in [0, 1)"));
    }
    let ladder = match asked {
        Some(v) => vec![v],
        None => SCORE_NOISE_LADDER.to_vec(),
    };
    Ok(ladder
        .into_iter()
        .map(|target| {
            let t = (target > 0.0).then(|| model.sde.time_of_std(target).max(model.train.t_eps));
            (target, t)
        })
        .collect())
}

/// The learned score chosen for the estimator.
#[derive(Debug, Clone)]
pub struct ScoreChoice {
    /// Its noise std (standardized units) and diffusion time.
    pub noise: f64,
    pub time: f64,
    /// `|R_raw(0) - I|_F / sqrt(d)`.
    pub r0_distance: f64,
    /// The score at the trajectory's rows.
    pub s: Vec<f64>,
}

impl ScoreChoice {
    /// Keeps `candidate` (noise, time, score) if it satisfies R(0) = I better than the
    /// current choice.
    pub fn keep_best(
        best: &mut Option<ScoreChoice>,
        x: &[f64],
        d: usize,
        candidate: (f64, f64, Vec<f64>),
    ) {
        let (noise, time, s) = candidate;
        let r0_distance = identity_distance(x, &s, d);
        if best.as_ref().is_none_or(|b| r0_distance < b.r0_distance) {
            *best = Some(ScoreChoice {
                noise,
                time,
                r0_distance,
                s,
            });
        }
    }
}

/// What the perturbation experiment asks for, besides the lags.
#[derive(Debug, Clone, Default)]
pub struct PerturbationAsk {
    pub delta: Option<f64>,
    pub members: Option<usize>,
    pub restart: Option<f64>,
    pub seed: u64,
}

/// The perturbation experiment's settings (defaults as published: delta = 2 dt, 128
/// members, restarts 10 periods apart), refused before it starts when it would take more
/// than `max_steps` integration steps.
pub fn perturbation_options(
    system: &System,
    r: &Resolved,
    lags: &Lags,
    kicks: &[usize],
    ask: &PerturbationAsk,
    max_steps: f64,
) -> Result<PerturbationOptions, Error> {
    positive("delta (the kick size)", ask.delta)?;
    positive("restart (the time between starting states)", ask.restart)?;
    if ask.members.is_some_and(|m| !(2..=1_000_000).contains(&m)) {
        return Err(Error::invalid(
            "members (pairs of runs per kick) must be between 2 and 1e6",
        ));
    }
    let opts = PerturbationOptions {
        delta: ask.delta.unwrap_or(2.0 * r.dt),
        members: ask.members.unwrap_or(DEFAULT_MEMBERS),
        restart: ask.restart.unwrap_or(10.0 * system.info.period),
        every: lags.every * r.every,
        max_lag: lags.max_lag,
        kicks: kicks.to_vec(),
        seed: ask.seed,
    };
    let steps = opts.members as f64
        * (opts.restart / r.dt + (2 * kicks.len() * lags.max_lag * opts.every) as f64);
    if steps > max_steps {
        return Err(Error::invalid(format!(
            "{} members x (restart {} + {} kicked pairs over the lags) is {steps:.1e} \
             integration steps of dt {}; at most {max_steps:.0e} here: fewer members, lags or kicks",
            opts.members,
            opts.restart,
            kicks.len(),
            r.dt
        )));
    }
    Ok(opts)
}

/// The JSON a response request prints: `R[k][i][j]` the response of x_i at `tau[k]` to a
/// kick on x_j, null for columns not kicked.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub estimator: &'static str,
    pub source: String,
    pub dim: usize,
    /// The score estimator: the diffusion time its score was read at, and the noise std
    /// there (standardized units).
    pub score_time: Option<f64>,
    pub score_noise: Option<f64>,
    /// The score estimator: |R_raw(0) - I|_F / sqrt(d) (0 for the exact score).
    pub r0_distance: Option<f64>,
    pub normalized: bool,
    pub rows: Option<usize>,
    pub tau: Vec<f64>,
    #[serde(rename = "R")]
    pub r: Vec<Vec<Vec<Option<f64>>>>,
    pub stderr: Option<Vec<Vec<Vec<Option<f64>>>>>,
    pub seconds: f64,
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

impl Report {
    /// The report of `result` over the `kicked` columns; the score fields from `score`.
    pub fn new(
        result: &Response,
        kicked: &[usize],
        source: &str,
        rows: Option<usize>,
        score: Option<&ScoreChoice>,
        normalized: bool,
        seconds: f64,
    ) -> Report {
        let d = result.dim;
        Report {
            estimator: result.estimator,
            source: source.to_string(),
            dim: d,
            score_time: score.map(|s| s.time),
            score_noise: score.map(|s| s.noise),
            r0_distance: score.map(|s| s.r0_distance),
            normalized,
            rows,
            tau: result.tau.clone(),
            r: matrices(&result.r, d, kicked),
            stderr: result.stderr.as_ref().map(|s| matrices(s, d, kicked)),
            seconds,
        }
    }
}

/// One estimator's error against the truth, on one kicked column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnError {
    pub estimator: &'static str,
    pub truth: &'static str,
    pub kick: usize,
    pub relative_l2: f64,
    pub linf: f64,
}

/// Several estimators on one system, as the page's Response view shows them: their
/// reports, and each one's error against the truth on every kicked column the truth has
/// (the truth: the perturbation experiment when it ran, else the analytic response).
#[derive(Debug, Clone, Serialize)]
pub struct Panel {
    pub dim: usize,
    pub tau: Vec<f64>,
    pub reports: Vec<Report>,
    pub errors: Vec<ColumnError>,
    /// What was not computed, and why.
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl Panel {
    /// `results`: each estimator's response (same lags), its kicked columns and, for the
    /// score estimator, the score chosen.
    pub fn new(
        results: Vec<(Response, Vec<usize>, Option<ScoreChoice>)>,
        source: &str,
        rows: usize,
        notes: Vec<String>,
        seconds: f64,
    ) -> Result<Panel, Error> {
        let Some(first) = results.first() else {
            return Err(Error::invalid("no estimator could run"));
        };
        let (dim, tau) = (first.0.dim, first.0.tau.clone());
        let truth = ["perturbation", "analytic"]
            .into_iter()
            .find_map(|name| results.iter().find(|r| r.0.estimator == name));
        let mut errors = vec![];
        if let Some(tr) = truth {
            let (t, t_kicks, _) = tr;
            for item in &results {
                if std::ptr::eq(item, tr) {
                    continue;
                }
                let (r, kicks, _) = item;
                for &j in t_kicks.iter().filter(|j| kicks.contains(j)) {
                    let c = super::compare(&only_column(r, j), &only_column(t, j))?;
                    errors.push(ColumnError {
                        estimator: r.estimator,
                        truth: t.estimator,
                        kick: j,
                        relative_l2: c.relative_l2,
                        linf: c.linf,
                    });
                }
            }
        }
        let reports = results
            .iter()
            .map(|(r, kicks, score)| {
                let rows =
                    (r.estimator != "perturbation" && r.estimator != "analytic").then_some(rows);
                Report::new(r, kicks, source, rows, score.as_ref(), false, 0.0)
            })
            .collect();
        Ok(Panel {
            dim,
            tau,
            reports,
            errors,
            notes,
            seconds,
        })
    }
}

/// The response with every column but `j` set to NaN.
fn only_column(r: &Response, j: usize) -> Response {
    let d = r.dim;
    let mut out = r.clone();
    for m in out.r.iter_mut() {
        for (k, v) in m.iter_mut().enumerate() {
            if k % d != j {
                *v = f64::NAN;
            }
        }
    }
    out
}
