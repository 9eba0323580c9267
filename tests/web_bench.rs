//! Browser benchmark (not part of the test suite): training throughput of the default
//! model on the browser's CPU backend and on WebGPU, printed to the console.
//! `scripts/bench.sh` runs it with --nocapture.
#![cfg(target_arch = "wasm32")]

use scoredyn::dynamics::{Dataset, SimulateOptions, Standardizer, System, simulate};
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
