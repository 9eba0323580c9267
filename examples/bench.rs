//! Training throughput of the default model on each native backend, and sampling
//! throughput. Prints figures (and ratios to flex, measured in the same run); asserts
//! nothing. `cargo run --release --example bench [-- STEPS]`.

use scoredyn::dynamics::{Dataset, SimulateOptions, Standardizer, System, simulate};
use scoredyn::score::sampling::OdeSampler;
use scoredyn::score::{Backend, NetConfig, SampleConfig, Sde, TrainConfig, Trainer};
use std::time::Instant;

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let sys = System::new("Lorenz").unwrap();
    let data = Dataset::from_trajectory(&simulate(&sys, &SimulateOptions::default()).unwrap());
    let s = Standardizer::fit(&data).unwrap();
    let net = NetConfig::new(3);
    let config = TrainConfig {
        steps: steps + 50,
        ..Default::default()
    };
    println!(
        "default model: width {}, depth {}, batch {}; {steps} timed steps after 50 warm-up",
        net.width, net.depth, config.batch
    );
    let mut reference = None;
    for backend in Backend::available() {
        let device = match backend.device() {
            Ok(d) => d,
            Err(e) => {
                println!("{:>8}: unavailable ({e})", backend.name());
                continue;
            }
        };
        let mut trainer = Trainer::new(
            s.forward(&data),
            net.clone(),
            Sde::default(),
            config.clone(),
            &device,
        )
        .unwrap();
        let (l, _) = trainer.run(50);
        let _ = l.into_scalar::<f32>();
        let t0 = Instant::now();
        let (l, _) = trainer.run(steps);
        let _ = l.into_scalar::<f32>();
        let train_rate = steps as f64 / t0.elapsed().as_secs_f64();
        let sample = SampleConfig {
            n: 4000,
            steps: 25,
            ..Default::default()
        };
        let t0 = Instant::now();
        let mut sampler = OdeSampler::new(
            trainer.ema().clone(),
            Sde::default(),
            3,
            sample.clone(),
            &device,
        )
        .unwrap();
        sampler.advance(sample.steps);
        let _ = sampler.state().into_data();
        let nfe_rate = sampler.nfe() as f64 / t0.elapsed().as_secs_f64();
        let r = *reference.get_or_insert(train_rate);
        println!(
            "{:>8}: {train_rate:8.1} train steps/s ({:.2}x flex), {nfe_rate:7.1} score evaluations/s on 4000 points",
            backend.name(),
            train_rate / r
        );
    }
}
