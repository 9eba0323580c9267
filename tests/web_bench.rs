//! Browser benchmark (not part of the test suite): simulation throughput, and training
//! throughput of the default model on the browser's CPU backend and on WebGPU, printed
//! to the console.
//! `scripts/bench.sh` runs it with --nocapture.
#![cfg(target_arch = "wasm32")]

use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::integrate::rk4_step;
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::{Backend, NetConfig, Sde, TrainConfig, Trainer};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn rate(backend: Backend, steps: usize) -> Result<f64, String> {
    let device = backend.device_async().await.map_err(|e| e.message)?;
    let sys = System::new("Lorenz").unwrap();
    let data = Dataset::from_trajectory(&simulate(&sys, &SimulateOptions::default()).unwrap());
    let s = Standardizer::fit(&data).unwrap();
    let config = TrainConfig {
        steps: steps + 5,
        ..Default::default()
    };
    let mut trainer = Trainer::new(
        s.forward(&data),
        NetConfig::new(3),
        Sde::default(),
        config,
        &device,
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
    console_log!(
        "browser {}: {cpu:.1} train steps/s (default model, batch 256)",
        Backend::DEFAULT_CPU.name()
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
