//! Training and sampling throughput of the default model on each native backend.
//! Prints figures (medians over interleaved rounds, and ratios to flex measured in the
//! same run); asserts nothing. `cargo run --release --example bench [-- STEPS [ROUNDS]]`.

use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::Sampler;
use scoredyn::score::{Backend, NetConfig, SampleConfig, Sde, TrainConfig, Trainer};
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
    for &b in Backend::available() {
        match b.device() {
            Ok(device) => {
                let trainer = Trainer::new(
                    s.forward(&data),
                    net.clone(),
                    Sde::default(),
                    config.clone(),
                    &device,
                )
                .unwrap();
                backends.push((b, device, trainer, Vec::new(), Vec::new()));
            }
            Err(e) => println!("{:>8}: unavailable ({e})", b.name()),
        }
    }
    for _ in 0..rounds {
        for (b, device, trainer, train_rates, nfe_rates) in backends.iter_mut() {
            // The wgpu software adapters are ~20x slower: time fewer steps there.
            let steps = if *b == Backend::Wgpu {
                steps / 20
            } else {
                steps
            };
            let _ = trainer.run(50).0.into_scalar::<f32>();
            // As `train` runs: the loss is read back every 100 steps.
            let t0 = Instant::now();
            let mut done = 0;
            while done < steps {
                let (l, n) = trainer.run(100.min(steps - done));
                let _ = l.into_scalar::<f32>();
                done += n;
            }
            train_rates.push(steps as f64 / t0.elapsed().as_secs_f64());
            let sample = SampleConfig {
                n: 4000,
                steps: 10,
                ..Default::default()
            };
            let t0 = Instant::now();
            let mut sampler = Sampler::new(
                trainer.ema().as_mlp().expect("an MLP").clone(),
                Sde::default(),
                3,
                sample.clone(),
                device,
            )
            .unwrap();
            sampler.advance(sample.steps).unwrap();
            let _ = sampler.state().into_data();
            nfe_rates.push(sampler.nfe() as f64 / t0.elapsed().as_secs_f64());
        }
    }
    let mut reference = None;
    for (b, _, _, train_rates, nfe_rates) in backends {
        let (t, f) = (median(train_rates), median(nfe_rates));
        let r = *reference.get_or_insert(t);
        println!(
            "{:>8}: {t:8.1} train steps/s ({:.2}x flex), {f:7.1} score evaluations/s on 4000 points",
            b.name(),
            t / r
        );
    }
}
