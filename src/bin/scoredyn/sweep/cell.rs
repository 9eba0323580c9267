//! The cells of a sweep, end to end: simulate (and a held-out trajectory from another
//! initial condition), train, sample, and measure the samples against the held-out
//! data. Cells that differ only in how they sample share the data and the model. Each
//! cell's result is one JSON object; a cell that fails says where and why.

use super::plan::Cell;
use scoredyn::dataset::Dataset;
use scoredyn::dynamics::{Family, PipelineOptions, SimulateOptions, System, prepare, simulate};
use scoredyn::score::backend::read_f32;
use scoredyn::score::likelihood::{self, LikelihoodConfig};
use scoredyn::score::{Backend, SampleConfig, SamplerKind, Session, TrainSpec};
use scoredyn::{Error, metrics};
use serde_json::{Value, json};
use std::time::Instant;

/// The held-out trajectory's seed: another initial condition (and other observation
/// noise) than the training data's.
pub const HELDOUT_SEED_OFFSET: u64 = 1_000_003;

/// Per-coordinate standard deviations of a trajectory.
fn stds(d: &Dataset) -> Vec<f64> {
    let n = d.len() as f64;
    (0..d.dim)
        .map(|j| {
            let col = (0..d.len()).map(|i| d.row(i)[j]);
            let mean = col.clone().sum::<f64>() / n;
            (col.map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
        })
        .collect()
}

/// A failure: the stage and the message, shared by every cell it stops.
type Failure = (&'static str, String);

fn header(cell: &Cell, index: usize, group: usize) -> Value {
    json!({
        "id": cell.id(),
        "index": index,
        "group": group,
        "cell": cell,
        "version": env!("CARGO_PKG_VERSION"),
        "commit": env!("SCOREDYN_COMMIT"),
        "backend": Backend::DEFAULT_CPU.name(),
        "heldout_seed": cell.seed + HELDOUT_SEED_OFFSET,
    })
}

fn put(out: &mut Value, k: &str, v: Value) {
    out.as_object_mut().expect("an object").insert(k.into(), v);
}

/// The failed line of a cell that did not run to the end (also for a panic).
pub fn failed(cell: &Cell, index: usize, group: usize, stage: &str, error: &str) -> Value {
    let mut out = header(cell, index, group);
    put(&mut out, "status", json!("failed"));
    put(&mut out, "stage", json!(stage));
    put(&mut out, "error", json!(error));
    out
}

/// Runs a group of cells with the same data (`Cell::data_key`), emitting each cell's
/// line as it ends: one simulation and held-out trajectory for the group, one trained
/// model (and likelihood) per model key, one sampling and measurement per cell. A cell
/// gets the numbers it would get alone (every random draw is seeded by the cell).
/// Never panics on bad numbers: every failure is a cell's `status: "failed"` line with
/// the stage and the message. A line's `seconds` is its share of the group's wall time.
pub fn run_group(group: usize, cells: &[(usize, &Cell)], emit: &mut dyn FnMut(usize, Value)) {
    let started = Instant::now();
    let prepared = prepare_data(cells[0].1).map_err(|e| ("simulate", e.message));
    let data_share = started.elapsed().as_secs_f64() / cells.len() as f64;
    let mut models: Vec<(String, Vec<(usize, &Cell)>)> = vec![];
    for &(i, c) in cells {
        let key = c.model_key();
        match models.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((i, c)),
            None => models.push((key, vec![(i, c)])),
        }
    }
    for (_, members) in models {
        let started = Instant::now();
        let model = prepared.as_ref().map_err(Clone::clone).and_then(|d| {
            let m = train(members[0].1, &d.data).map_err(|e| ("train", e.message))?;
            let like = likelihood_of(members[0].1, &m, d);
            Ok((m, like))
        });
        let model_share = started.elapsed().as_secs_f64() / members.len() as f64;
        for &(i, c) in &members {
            let started = Instant::now();
            let mut out = header(c, i, group);
            let result = prepared.as_ref().map_err(Clone::clone).and_then(|d| {
                put(&mut out, "system", d.system.clone());
                put(&mut out, "data", d.summary.clone());
                let (m, like) = model.as_ref().map_err(Clone::clone)?;
                put(&mut out, "train", m.summary.clone());
                sample_and_measure(c, m, &d.heldout, &mut out)?;
                match like {
                    Ok(v) => {
                        put(&mut out, "likelihood", v.clone());
                        Ok(())
                    }
                    Err(e) => Err(("likelihood", e.clone())),
                }
            });
            match result {
                Ok(()) => put(&mut out, "status", json!("ok")),
                Err((stage, e)) => {
                    put(&mut out, "status", json!("failed"));
                    put(&mut out, "stage", json!(stage));
                    put(&mut out, "error", json!(e));
                }
            }
            put(
                &mut out,
                "shared_by",
                json!({"data": cells.len(), "model": members.len()}),
            );
            put(
                &mut out,
                "seconds",
                json!(started.elapsed().as_secs_f64() + model_share + data_share),
            );
            emit(i, out);
        }
    }
}

/// A group's data: the training trajectory, the held-out one, and their summaries.
struct Prepared {
    system: Value,
    summary: Value,
    data: Dataset,
    heldout: Dataset,
    /// The held-out rows' exact nats/dim, where the system's density is known and the
    /// data are its own (no added or observation noise).
    truth: Option<f64>,
}

fn prepare_data(cell: &Cell) -> Result<Prepared, Error> {
    let mut system = System::new(&cell.system)?;
    let info = system.info;
    let system_json = json!({
        "dim": system.dim(),
        "family": match info.family { Family::Stochastic => "stochastic", _ => "flow" },
        "period": info.period,
        "max_lyapunov": info.max_lyapunov,
        "correlation_dimension": info.correlation_dimension,
        "kaplan_yorke_dimension": info.kaplan_yorke_dimension,
    });
    let opts = SimulateOptions {
        t_end: cell.t_end.or(cell.periods.map(|p| p * info.period)),
        every: Some(cell.every),
        seed: Some(cell.seed),
        ..Default::default()
    };
    let resolved = opts.resolve(&system)?;
    // Relative levels are multiples of the clean trajectory's std.
    let scale: Vec<f64> = if cell.relative && (cell.noise > 0.0 || cell.obs_noise > 0.0) {
        stds(&Dataset::from_trajectory(&simulate(&system, &opts)?))
    } else {
        vec![1.0; system.dim()]
    };
    let noise: Vec<f64> = scale.iter().map(|s| s * cell.noise).collect();
    if cell.noise > 0.0 {
        system.set_noise(&noise)?;
    }
    let obs_noise = cell.obs_noise * scale.iter().sum::<f64>() / scale.len() as f64;
    let observe = |d: &Dataset, seed: u64| {
        prepare(
            d,
            &PipelineOptions {
                obs_noise,
                seed,
                ..Default::default()
            },
        )
        .map(|(data, _)| data)
    };
    let data = observe(
        &Dataset::from_trajectory(&simulate(&system, &opts)?),
        cell.seed,
    )?;
    let heldout_seed = cell.seed + HELDOUT_SEED_OFFSET;
    let heldout_t_end = match cell.heldout_periods {
        Some(p) => p * info.period,
        None => resolved.t_end * cell.heldout_span,
    };
    let heldout_opts = SimulateOptions {
        t_end: Some(heldout_t_end),
        seed: Some(heldout_seed),
        ..opts
    };
    let heldout = observe(
        &Dataset::from_trajectory(&simulate(&system, &heldout_opts)?),
        heldout_seed,
    )?;
    let summary = json!({
        "rows": data.len(),
        "heldout_rows": heldout.len(),
        "t_end": resolved.t_end,
        "heldout_t_end": heldout_t_end,
        "dt": resolved.dt,
        "noise_sigma": if cell.noise > 0.0 { json!(noise) } else { Value::Null },
        "obs_noise": obs_noise,
    });
    let truth = if cell.noise == 0.0 && obs_noise == 0.0 && cell.likelihood_rows > 0 {
        metrics::exact_nats_per_dim(&system, &heldout, cell.likelihood_rows)
    } else {
        None
    };
    Ok(Prepared {
        system: system_json,
        summary,
        data,
        heldout,
        truth,
    })
}

/// A trained model and its training summary.
struct Trained {
    file: scoredyn::score::ModelFile,
    summary: Value,
}

fn train(cell: &Cell, data: &Dataset) -> Result<Trained, Error> {
    let spec = TrainSpec {
        steps: cell.steps,
        batch: cell.batch,
        width: cell.width,
        depth: cell.depth,
        seed: cell.seed,
        sde: cell.sde.clone(),
        objective: cell.objective.clone(),
        arch: cell.arch.clone(),
        ..TrainSpec::default()
    };
    let backend = Backend::DEFAULT_CPU;
    let device = backend.device()?;
    let mut session = Session::new(data, &cell.system, &spec, backend.name(), &device)?;
    // Cells run each on one thread (--jobs of them at once), as the sweep's help says.
    session.set_threads(1);
    session.train_blocking(500, |_, _| {})?;
    let summary = session.summary();
    Ok(Trained {
        file: session.model_file()?,
        summary: json!({
            "seconds": summary.seconds,
            "steps_per_second": summary.steps as f64 / summary.seconds.max(1e-9),
            "final_loss": summary.final_loss,
        }),
    })
}

/// The held-out likelihood (once per model), or why it was not computed; beside it, the
/// baseline of a Gaussian fitted to the training data and, where the system's density is
/// known, the exact value, on the same rows.
fn likelihood_of(cell: &Cell, m: &Trained, d: &Prepared) -> Result<Value, String> {
    let (train, heldout) = (&d.data, &d.heldout);
    if cell.likelihood_rows == 0 {
        return Ok(json!({"skipped": "likelihood_rows = 0"}));
    }
    let started = Instant::now();
    let device = Backend::DEFAULT_CPU.device().map_err(|e| e.message)?;
    let l = likelihood::of_data(
        &m.file,
        heldout,
        cell.likelihood_rows,
        &LikelihoodConfig::default(),
        &device,
    )
    .map_err(|e| e.message)?;
    let gaussian = metrics::gaussian_nats_per_dim(train, heldout, cell.likelihood_rows).ok();
    Ok(json!({
        "nats_per_dim": l.nats_per_dim,
        "gaussian_nats_per_dim": gaussian,
        "exact_nats_per_dim": d.truth,
        "rows": l.rows,
        "nfe": l.nfe,
        "seconds": started.elapsed().as_secs_f64(),
    }))
}

fn sample_and_measure(
    cell: &Cell,
    m: &Trained,
    heldout: &Dataset,
    out: &mut Value,
) -> Result<(), Failure> {
    let sampled = || -> Result<_, Error> {
        let config = SampleConfig {
            n: cell.samples,
            steps: cell.sampler_steps.unwrap_or(0),
            sampler: SamplerKind::parse(&cell.sampler)?,
            seed: cell.seed,
            ..SampleConfig::default()
        };
        let started = Instant::now();
        let device = Backend::DEFAULT_CPU.device()?;
        let mut sampler = m.file.sampler(config, &device)?;
        while !sampler.advance(50)? {}
        let samples = m.file.samples_from(&read_f32(sampler.state())?)?;
        let summary = json!({
            "nfe": sampler.nfe(),
            "steps": sampler.steps_taken(),
            "seconds": started.elapsed().as_secs_f64(),
        });
        Ok((samples, summary))
    };
    let (samples, summary) = sampled().map_err(|e| ("sample", e.message))?;
    put(out, "sample", summary);
    let metrics = metrics::evaluate(&samples, heldout).map_err(|e| ("metrics", e.message))?;
    put(
        out,
        "metrics",
        serde_json::to_value(metrics).expect("metrics serialize"),
    );
    Ok(())
}
