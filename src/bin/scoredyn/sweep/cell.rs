//! One cell of a sweep, end to end: simulate (and a held-out trajectory from another
//! initial condition), train, sample, and measure the samples against the held-out
//! data. The result is one JSON object; a cell that fails says where and why.

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

/// The cell's line: its settings, identity and outcome. Never panics on bad numbers:
/// every failure becomes `status: "failed"` with the stage and the message.
pub fn run(cell: &Cell, index: usize) -> Value {
    let start = Instant::now();
    let mut out = json!({
        "id": cell.id(),
        "index": index,
        "cell": cell,
        "version": env!("CARGO_PKG_VERSION"),
        "commit": env!("SCOREDYN_COMMIT"),
        "backend": Backend::DEFAULT_CPU.name(),
        "heldout_seed": cell.seed + HELDOUT_SEED_OFFSET,
    });
    let mut stage = "simulate";
    let result = measure(cell, &mut out, &mut stage);
    let obj = out.as_object_mut().expect("an object");
    match result {
        Ok(()) => {
            obj.insert("status".into(), json!("ok"));
        }
        Err(e) => {
            obj.insert("status".into(), json!("failed"));
            obj.insert("stage".into(), json!(stage));
            obj.insert("error".into(), json!(e.message));
        }
    }
    obj.insert("seconds".into(), json!(start.elapsed().as_secs_f64()));
    out
}

fn measure(cell: &Cell, out: &mut Value, stage: &mut &'static str) -> Result<(), Error> {
    let put = |out: &mut Value, k: &str, v: Value| {
        out.as_object_mut().expect("an object").insert(k.into(), v);
    };
    let mut system = System::new(&cell.system)?;
    let info = system.info;
    put(
        out,
        "system",
        json!({
            "dim": system.dim(),
            "family": match info.family { Family::Stochastic => "stochastic", _ => "flow" },
            "max_lyapunov": info.max_lyapunov,
            "correlation_dimension": info.correlation_dimension,
            "kaplan_yorke_dimension": info.kaplan_yorke_dimension,
        }),
    );
    let opts = SimulateOptions {
        t_end: cell.t_end,
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
    let heldout_opts = SimulateOptions {
        t_end: Some(resolved.t_end * cell.heldout_span),
        seed: Some(heldout_seed),
        ..opts
    };
    let heldout = observe(
        &Dataset::from_trajectory(&simulate(&system, &heldout_opts)?),
        heldout_seed,
    )?;
    put(
        out,
        "data",
        json!({
            "rows": data.len(),
            "heldout_rows": heldout.len(),
            "t_end": resolved.t_end,
            "dt": resolved.dt,
            "noise_sigma": if cell.noise > 0.0 { json!(noise) } else { Value::Null },
            "obs_noise": obs_noise,
        }),
    );

    *stage = "train";
    let spec = TrainSpec {
        steps: cell.steps,
        batch: cell.batch,
        width: cell.width,
        depth: cell.depth,
        seed: cell.seed,
        sde: cell.sde.clone(),
        objective: cell.objective.clone(),
        ..TrainSpec::default()
    };
    let backend = Backend::DEFAULT_CPU;
    let device = backend.device()?;
    let mut session = Session::new(&data, &cell.system, &spec, backend.name(), &device)?;
    session.train_blocking(500, |_, _| {})?;
    let summary = session.summary();
    put(
        out,
        "train",
        json!({
            "seconds": summary.seconds,
            "steps_per_second": summary.steps as f64 / summary.seconds.max(1e-9),
            "final_loss": summary.final_loss,
        }),
    );
    let file = session.model_file()?;

    *stage = "sample";
    let config = SampleConfig {
        n: cell.samples,
        steps: cell.sampler_steps.unwrap_or(0),
        sampler: SamplerKind::parse(&cell.sampler)?,
        seed: cell.seed,
        ..SampleConfig::default()
    };
    let started = Instant::now();
    let mut sampler = file.sampler(config, &device)?;
    while !sampler.advance(50)? {}
    let samples = file.samples_from(&read_f32(sampler.state())?)?;
    put(
        out,
        "sample",
        json!({
            "nfe": sampler.nfe(),
            "steps": sampler.steps_taken(),
            "seconds": started.elapsed().as_secs_f64(),
        }),
    );

    *stage = "metrics";
    put(
        out,
        "metrics",
        serde_json::to_value(metrics::evaluate(&samples, &heldout)?).expect("metrics serialize"),
    );

    *stage = "likelihood";
    let like = if cell.likelihood_rows == 0 {
        json!({"skipped": "likelihood_rows = 0"})
    } else if file.is_velocity() {
        json!({"skipped": "not computed for flow-matching velocity models"})
    } else {
        let started = Instant::now();
        let l = likelihood::of_data(
            &file,
            &heldout,
            cell.likelihood_rows,
            &LikelihoodConfig::default(),
            &device,
        )?;
        json!({
            "nats_per_dim": l.nats_per_dim,
            "rows": l.rows,
            "nfe": l.nfe,
            "seconds": started.elapsed().as_secs_f64(),
        })
    };
    put(out, "likelihood", like);
    Ok(())
}
