//! Training and sampling throughput of the default model on each native backend, and
//! of the host MLP step (`src/score/host_mlp.rs`) on 1 and 2 threads. Prints figures
//! (medians over interleaved rounds, and ratios to burn on flex measured in the same
//! run); asserts nothing. `cargo run --release --example bench [-- STEPS [ROUNDS]]`.
//! With `SCOREDYN_JAX_PY` set to a Python that has JAX and optax (`scripts/bench.sh`
//! installs one), also scoredyn / JAX for the same network, loss, optimiser and batch
//! (`bench/jax_dsm.py`) at widths 64, 128, 256 and batches 256, 1024, in interleaved
//! rounds.

use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::Sampler;
use scoredyn::score::host_mlp::HostScore;
use scoredyn::score::train::Engine;
use scoredyn::score::{Backend, NetConfig, SampleConfig, Sde, TrainConfig, Trainer};
use std::process::Command;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let arg = |i: usize, d: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (steps, rounds) = (arg(1, 1000), arg(2, 3));
    let sys = System::new("Lorenz").unwrap();
    let data = Dataset::from_trajectory(&simulate(&sys, &SimulateOptions::default()).unwrap());
    let s = Standardizer::fit(&data).unwrap();
    let net = NetConfig::new(3);
    let config = TrainConfig {
        steps: rounds * (steps + 50),
        ..Default::default()
    };
    println!(
        "default model: width {}, depth {}, batch {}; {steps} timed steps per round, {rounds} rounds",
        net.width, net.depth, config.batch
    );
    let mut backends = Vec::new();
    // burn on every backend, then the host step (CPU) on 1 and 2 threads.
    let mut runs: Vec<(String, Backend, Engine, usize)> = Backend::available()
        .iter()
        .map(|&b| (format!("burn {}", b.name()), b, Engine::Burn, 1))
        .collect();
    for threads in [1, 2] {
        runs.push((
            format!("host {threads}T"),
            Backend::DEFAULT_CPU,
            Engine::Auto,
            threads,
        ));
    }
    for (label, b, engine, threads) in runs {
        match b.device() {
            Ok(device) => {
                let mut trainer = Trainer::with_engine(
                    s.forward(&data),
                    net.clone(),
                    Sde::default(),
                    config.clone(),
                    &device,
                    engine,
                )
                .unwrap();
                trainer.set_threads(threads);
                backends.push((label, b, device, trainer, Vec::new(), Vec::new()));
            }
            Err(e) => println!("{label:>12}: unavailable ({e})"),
        }
    }
    for _ in 0..rounds {
        for (_, b, device, trainer, train_rates, nfe_rates) in backends.iter_mut() {
            // The wgpu software adapters are ~20x slower: time fewer steps there.
            let steps = if *b == Backend::Wgpu {
                steps / 20
            } else {
                steps
            };
            train_rates.push(train_rate(trainer, steps));
            let sample = SampleConfig {
                n: 4000,
                steps: 10,
                ..Default::default()
            };
            let t0 = Instant::now();
            // The host rows sample with the host forward pass (what model files use
            // on the CPU backend), the burn rows with burn's.
            let ema = trainer.ema();
            let mut sampler = if trainer.engine().starts_with("host") {
                let values = ema.to_values(&trainer.net_config).unwrap();
                let score = HostScore::from_values(&trainer.net_config, &values).unwrap();
                Sampler::new(score, Sde::default(), 3, sample.clone(), device)
            } else {
                let score = ema.as_mlp().expect("an MLP").clone();
                Sampler::new(score, Sde::default(), 3, sample.clone(), device)
            }
            .unwrap();
            sampler.advance(sample.steps).unwrap();
            let _ = sampler.state().into_data();
            nfe_rates.push(sampler.nfe() as f64 / t0.elapsed().as_secs_f64());
        }
    }
    let mut reference = None;
    for (label, _, _, trainer, train_rates, nfe_rates) in backends {
        let (t, f) = (median(train_rates), median(nfe_rates));
        let r = *reference.get_or_insert(t);
        println!(
            "{label:>12}: {t:8.1} train steps/s ({:.2}x burn flex; {}), {:.2}M points x score evaluations/s",
            t / r,
            trainer.engine(),
            f * 4000.0 / 1e6
        );
    }
    if let Ok(python) = std::env::var("SCOREDYN_JAX_PY") {
        against_jax(&python, &s.forward(&data), steps.min(500), rounds);
    }
}

/// Steps/s of one CPU training run of the default network at `width` and `batch`
/// (the default engine: the host step) on `threads` threads.
fn scoredyn_rate(data: &[f32], width: usize, batch: usize, steps: usize, threads: usize) -> f64 {
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let net = NetConfig {
        width,
        ..NetConfig::new(3)
    };
    let config = TrainConfig {
        steps: steps + 50,
        batch,
        ..Default::default()
    };
    let mut trainer = Trainer::new(data.to_vec(), net, Sde::default(), config, &device).unwrap();
    trainer.set_threads(threads);
    train_rate(&mut trainer, steps)
}

/// Steps/s over `steps` steps after 50 of warm-up, read back as `train` does: the loss
/// every 100 steps.
fn train_rate(trainer: &mut Trainer, steps: usize) -> f64 {
    let _ = trainer.run(50).0.into_scalar::<f32>();
    let t0 = Instant::now();
    let mut done = 0;
    while done < steps {
        let (l, n) = trainer.run(100.min(steps - done));
        let _ = l.into_scalar::<f32>();
        done += n;
    }
    steps as f64 / t0.elapsed().as_secs_f64()
}

/// Steps/s of the JAX reference (its own warm-up and compile excluded), or why not.
fn jax_rate(python: &str, width: usize, batch: usize, steps: usize) -> Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/jax_dsm.py");
    let out = Command::new(python)
        .args([script, "--rounds", "1"])
        .args(["--width", &width.to_string(), "--batch", &batch.to_string()])
        .args(["--steps", &steps.to_string()])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .to_string());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bad JSON from JAX: {e}"))?;
    v["steps_per_second"]
        .as_f64()
        .ok_or_else(|| "no steps_per_second".to_string())
}

/// scoredyn (the native default: the host step, 2 threads; and on 1 thread) against
/// JAX on the same machine (XLA uses every core), round by round.
fn against_jax(python: &str, data: &[f32], steps: usize, rounds: usize) {
    println!(
        "scoredyn (host step) against JAX (bench/jax_dsm.py), {steps} steps per round, {rounds} interleaved rounds:"
    );
    for width in [64, 128, 256] {
        for batch in [256, 1024] {
            let (mut ours, mut single, mut theirs) = (vec![], vec![], vec![]);
            for _ in 0..rounds {
                ours.push(scoredyn_rate(data, width, batch, steps, 2));
                single.push(scoredyn_rate(data, width, batch, steps, 1));
                match jax_rate(python, width, batch, steps) {
                    Ok(r) => theirs.push(r),
                    Err(e) => {
                        println!("  JAX failed: {e}");
                        return;
                    }
                }
            }
            let (a, a1, b) = (median(ours), median(single), median(theirs));
            println!(
                "  width {width:>3}, batch {batch:>4}: scoredyn {a:7.1} steps/s (1 thread {a1:7.1}), JAX {b:7.1} steps/s, scoredyn / JAX {:.2} (1 thread {:.2})",
                a / b,
                a1 / b
            );
        }
    }
}
