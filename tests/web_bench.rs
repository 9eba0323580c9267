//! Browser benchmark (not part of the test suite): simulation throughput, training
//! throughput of the default model on the browser's CPU backend (the host MLP step and
//! burn) and on WebGPU, and sampling throughput, printed to the console.
//! `scripts/bench.sh` runs it with --nocapture.
#![cfg(target_arch = "wasm32")]

use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::integrate::rk4_step;
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::host_mlp::HostScore;
use scoredyn::score::train::Engine;
use scoredyn::score::{Backend, NetConfig, SampleConfig, Sampler, Sde, TrainConfig, Trainer};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn rate(backend: Backend, steps: usize) -> Result<f64, String> {
    rate_on(backend, steps, Engine::Auto).await
}

async fn rate_on(backend: Backend, steps: usize, engine: Engine) -> Result<f64, String> {
    let device = backend.device_async().await.map_err(|e| e.message)?;
    let sys = System::new("Lorenz").unwrap();
    let data = Dataset::from_trajectory(&simulate(&sys, &SimulateOptions::default()).unwrap());
    let s = Standardizer::fit(&data).unwrap();
    let config = TrainConfig {
        steps: steps + 5,
        ..Default::default()
    };
    let mut trainer = Trainer::with_engine(
        s.forward(&data),
        NetConfig::new(3),
        Sde::default(),
        config,
        &device,
        engine,
    )
    .unwrap();
    let (l, _) = trainer.run(5);
    l.into_scalar_async::<f32>()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let t0 = js_sys::Date::now();
    let (l, _) = trainer.run(steps);
    l.into_scalar_async::<f32>()
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(steps as f64 / ((js_sys::Date::now() - t0) / 1e3))
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[wasm_bindgen_test]
fn bench_simulation() {
    for (name, steps) in [
        ("Lorenz", 1_000_000),
        ("Lorenz96", 500_000),
        ("AllenCahn2D", 50_000),
    ] {
        let sys = System::new(name).unwrap();
        let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
        let ms = median(
            (0..5)
                .map(|_| {
                    let mut x: Vec<f64> = (0..sys.dim()).map(|i| 0.1 + (i as f64).sin()).collect();
                    let mut k = vec![0.0; 5 * x.len()];
                    let t0 = now_ms();
                    for i in 0..steps {
                        rk4_step(&f, i as f64 * 1e-3, &mut x, 1e-3, &mut k);
                    }
                    assert!(x[0].is_finite());
                    now_ms() - t0
                })
                .collect(),
        );
        console_log!(
            "browser RK4 {name} (dim {}): {:.0} steps/s",
            sys.dim(),
            steps as f64 / (ms / 1e3)
        );
    }
    let lorenz = System::new("Lorenz").unwrap();
    for every in [1usize, 10] {
        let opts = SimulateOptions {
            t_end: Some(100_000.0 * every as f64 * 0.01),
            dt: Some(0.01),
            burn_in: Some(0.0),
            every: Some(every),
            ..Default::default()
        };
        let ms = median(
            (0..5)
                .map(|_| {
                    let t0 = now_ms();
                    assert_eq!(simulate(&lorenz, &opts).unwrap().len(), 100_001);
                    now_ms() - t0
                })
                .collect(),
        );
        console_log!("browser simulate 100k Lorenz points, every {every} step(s): {ms:.1} ms");
    }
}

#[wasm_bindgen_test]
async fn bench_default_model_training() {
    let cpu = rate(Backend::DEFAULT_CPU, 300).await.unwrap();
    let burn = rate_on(Backend::DEFAULT_CPU, 300, Engine::Burn)
        .await
        .unwrap();
    console_log!(
        "browser {}: {cpu:.1} train steps/s with the host MLP step, {burn:.1} with burn ({:.2}x; default model, batch 256)",
        Backend::DEFAULT_CPU.name(),
        cpu / burn
    );
    // Sampling: 4000 points, 10 Euler-Maruyama steps, host forward pass against burn's.
    let device = Backend::DEFAULT_CPU.cpu_device().unwrap();
    let net = NetConfig::new(3);
    let values = net.init_values().unwrap();
    let sample = SampleConfig {
        n: 4000,
        steps: 10,
        ..Default::default()
    };
    let time = |mut sampler: Sampler| {
        let t0 = now_ms();
        sampler.advance(sample.steps).unwrap();
        let _ = sampler.state().into_data();
        sampler.nfe() as f64 * sample.n as f64 / ((now_ms() - t0) / 1e3)
    };
    let host = HostScore::from_values(&net, &values).unwrap();
    let host = time(Sampler::new(host, Sde::default(), 3, sample.clone(), &device).unwrap());
    let burn_net = scoredyn::score::ScoreNet::from_values(&net, &values, &device).unwrap();
    let burn = time(Sampler::new(burn_net, Sde::default(), 3, sample.clone(), &device).unwrap());
    console_log!(
        "browser sampling: {:.2}M points x score evaluations/s with the host forward pass, {:.2}M with burn",
        host / 1e6,
        burn / 1e6
    );
    // Built with --features browser-ndarray: the other pure-Rust CPU backend, for comparison.
    if Backend::available().contains(&Backend::NdArray) {
        for _ in 0..5 {
            let flex = rate(Backend::Flex, 300).await.unwrap();
            let nd = rate(Backend::NdArray, 300).await.unwrap();
            console_log!(
                "browser flex: {flex:.1} train steps/s vs ndarray {nd:.1} in the same round ({:.2}x)",
                flex / nd
            );
        }
    }
    match rate(Backend::Wgpu, 10).await {
        Ok(gpu) => console_log!(
            "browser webgpu: {gpu:.2} train steps/s ({:.3}x the CPU)",
            gpu / cpu
        ),
        Err(e) => console_log!("browser webgpu: unavailable ({e})"),
    }
}
