//! Browser tests (wasm-bindgen-test in headless Chromium, release build):
//! `cargo test --release --target wasm32-unknown-unknown --no-default-features --test web`.
//! Chromium gets `--enable-unsafe-webgpu` from webdriver.json.
#![cfg(target_arch = "wasm32")]

use burn::prelude::*;
use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::{Backend, NetConfig, Sde, TrainConfig, Trainer};
use scoredyn::web::Lab;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn settings(pairs: &[(&str, f64)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_f64(*v)).unwrap();
    }
    obj.into()
}

/// The message of an error the bindings return.
fn message(err: wasm_bindgen::JsError) -> String {
    js_sys::Reflect::get(&JsValue::from(err), &JsValue::from_str("message"))
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

fn field(v: &JsValue, name: &str) -> f64 {
    js_sys::Reflect::get(v, &JsValue::from_str(name))
        .unwrap()
        .as_f64()
        .unwrap()
}

/// The page's path on the CPU: simulate, train in chunks, sample, through the bindings.
#[wasm_bindgen_test]
async fn cpu_training_through_the_bindings_lowers_the_loss_and_samples() {
    let mut lab = Lab::create("cpu".into())
        .await
        .map_err(JsValue::from)
        .unwrap();
    assert!(lab.backend().starts_with("cpu (flex)"), "{}", lab.backend());
    let rows = lab
        .simulate(settings(&[("t_end", 300.0)]))
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(rows.length(), 3 * 3001);
    lab.start_training(settings(&[
        ("steps", 600.0),
        ("width", 64.0),
        ("depth", 2.0),
    ]))
    .map_err(JsValue::from)
    .unwrap();
    let mut losses = Vec::new();
    for _ in 0..6 {
        let report = lab.train_chunk(100).await.map_err(JsValue::from).unwrap();
        losses.push(field(&report, "loss"));
    }
    assert!(losses[5] < 0.7 * losses[0], "losses {losses:?}");
    lab.finish_training().await.map_err(JsValue::from).unwrap();
    lab.begin_sampling(
        js_sys::JSON::parse(r#"{"n":300,"steps":10,"sampler":"ode-rk4","seed":1}"#).unwrap(),
    )
    .map_err(JsValue::from)
    .unwrap();
    assert_eq!(
        lab.sample_chunk(4).await.map_err(JsValue::from).unwrap(),
        0.4
    );
    // Mid-run frames for the animation: the whole state, at the time of the fourth
    // step of the sampler's grid (EDM's).
    assert_eq!(
        lab.sample_state()
            .await
            .map_err(JsValue::from)
            .unwrap()
            .length(),
        900
    );
    let want = scoredyn::score::sampling::ode::edm_grid(&Sde::default(), 10, 1e-3)[4];
    assert!(
        (lab.sample_time() - want).abs() < 1e-9,
        "{} vs {want}",
        lab.sample_time()
    );
    assert_eq!(
        lab.sample_chunk(10).await.map_err(JsValue::from).unwrap(),
        1.0
    );
    assert_eq!(lab.nfe(), 40);
    let samples = lab
        .take_samples()
        .await
        .map_err(JsValue::from)
        .unwrap()
        .to_vec();
    assert_eq!(samples.len(), 900);
    // With a model at hand, a misspelled sample setting is refused, not ignored.
    let err = lab
        .begin_sampling(js_sys::JSON::parse(r#"{"sampler":"em","stpes":3}"#).unwrap())
        .unwrap_err();
    let m = message(err);
    assert!(m.contains("stpes"), "{m:?}");
    // Every sampler of the table the page's select is made from runs through the
    // bindings (the adaptive and Langevin ones read small values back synchronously,
    // which the browser's CPU backend allows).
    let table: serde_json::Value = serde_json::from_str(&scoredyn::web::samplers_json()).unwrap();
    let names: Vec<&str> = table
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), scoredyn::score::SAMPLERS.len());
    for sampler in names {
        if sampler == scoredyn::score::sampling::registry::INVERSE {
            // The exact inverse belongs to invertible flows: a score model refuses it
            // with the reason, and keeps its model.
            let err = lab
                .begin_sampling(
                    js_sys::JSON::parse(&format!(r#"{{"n":50,"sampler":"{sampler}"}}"#)).unwrap(),
                )
                .unwrap_err();
            let m = message(err);
            assert!(m.contains("RealNVP"), "{m:?}");
            continue;
        }
        lab.begin_sampling(
            js_sys::JSON::parse(&format!(r#"{{"n":50,"steps":20,"sampler":"{sampler}"}}"#))
                .unwrap(),
        )
        .map_err(JsValue::from)
        .unwrap();
        let mut fraction = 0.0;
        for _ in 0..1000 {
            fraction = lab.sample_chunk(10).await.map_err(JsValue::from).unwrap();
            if fraction >= 1.0 {
                break;
            }
        }
        assert_eq!(fraction, 1.0, "{sampler}");
        assert!(lab.nfe() > 0);
    }
    // Samples come back in data units: Lorenz z lives around 23.5.
    let mean_z: f32 = samples.iter().skip(2).step_by(3).sum::<f32>() / 300.0;
    assert!((10.0..40.0).contains(&mean_z), "mean z {mean_z}");

    // The learned score on the x-z slice. At t = 1 the VP-perturbed data are nearly
    // N(0, I) in standard units, so the score points at the data's mean (x 0, z 23.5).
    let slice = |t: f64, axes: &str| {
        js_sys::JSON::parse(&format!(
            r#"{{"axes":{axes},"t":{t},"grid":5,"lo":[-20,5],"hi":[20,45]}}"#
        ))
        .unwrap()
    };
    let f = lab
        .score_field(slice(1.0, "[0,2]"))
        .await
        .map_err(JsValue::from)
        .unwrap()
        .to_vec();
    assert_eq!(f.len(), 25 * 4);
    let inward = f
        .chunks(4)
        .filter(|p| (0.0 - p[0]) * p[2] + (23.5 - p[1]) * p[3] > 0.0)
        .count();
    assert!(inward >= 23, "{inward} of 25 arrows point inward");
    assert!(!lab.velocity_model());
    let ratio = lab.noise_ratio(1.0).map_err(JsValue::from).unwrap();
    assert!(ratio > 50.0, "VP at t = 1: noise/signal {ratio}");
    // A bad slice is an error, not a panic.
    assert!(lab.score_field(slice(1.0, "[0,0]")).await.is_err());
    assert!(lab.score_field(slice(0.0, "[0,2]")).await.is_err());
}

#[wasm_bindgen_test]
async fn bad_input_through_the_bindings_is_an_error_not_a_panic() {
    let mut lab = Lab::create("cpu".into())
        .await
        .map_err(JsValue::from)
        .unwrap();
    assert!(lab.simulate(settings(&[("dt", -1.0)])).is_err());
    assert!(lab.load_csv("x,y\n1,2\n3,oops\n", "bad.csv").is_err());
    assert!(lab.start_training(settings(&[])).is_err(), "no data yet");
    lab.simulate(settings(&[("t_end", 20.0)]))
        .map_err(JsValue::from)
        .unwrap();
    assert!(lab.start_training(settings(&[("lr", f64::NAN)])).is_err());
    assert!(
        lab.start_training(settings(&[("stpes", 10.0)])).is_err(),
        "a typo is an error"
    );
    assert!(
        lab.load_model("{\"format\":\"scoredyn-model\",\"version\":9}")
            .is_err()
    );
    assert!(
        lab.begin_sampling(js_sys::JSON::parse(r#"{"sampler":"nope"}"#).unwrap())
            .is_err()
    );
    // The data survive the failed calls.
    assert_eq!(lab.dim(), 3);
    // A diverging chunk (forced, as the page's tests do) is an error that names the
    // step kept, and the kept weights make the model.
    lab.start_training(settings(&[("steps", 50.0), ("width", 8.0), ("depth", 1.0)]))
        .map_err(JsValue::from)
        .unwrap();
    lab.train_chunk(10).await.map_err(JsValue::from).unwrap();
    lab.force_divergence_for_test();
    let m = message(lab.train_chunk(10).await.map(|_| ()).unwrap_err());
    assert!(m.contains("kept the weights of step 10"), "{m}");
    lab.finish_training().await.map_err(JsValue::from).unwrap();
    let model: serde_json::Value =
        serde_json::from_str(&lab.model_json().map_err(JsValue::from).unwrap()).unwrap();
    assert_eq!(model["summary"]["steps"], 10);
}

/// The catalog and the dynamics run the same in the browser as natively: the
/// catalog JSON lists every system, and a stochastic grid system and a dysts
/// flow chosen by a spec (string fields, parameter overrides) simulate.
#[wasm_bindgen_test]
async fn catalog_and_data_specs_work_in_the_browser() {
    let list: serde_json::Value = serde_json::from_str(&scoredyn::web::catalog_json()).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 141);
    assert_eq!(list.iter().filter(|s| s["supported"] == true).count(), 135);
    let mut lab = Lab::create("cpu".into())
        .await
        .map_err(JsValue::from)
        .unwrap();
    let spec = |json: &str| js_sys::JSON::parse(json).unwrap();
    let rows = lab
        .simulate(spec(
            r#"{"system":"AllenCahn1D","params":{"n":16},"t_end":20,"seed":4}"#,
        ))
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(lab.dim(), 16);
    assert_eq!(rows.length() as usize, 16 * 201);
    lab.simulate(spec(
        r#"{"system":"Thomas","method":"heun","t_end":50,"noise":[0.1]}"#,
    ))
    .map_err(JsValue::from)
    .unwrap();
    assert_eq!(lab.dim(), 3);
    // Bad specs are errors that keep the data: an unknown field, a delay system, a
    // negative noise, an integrator that does not fit the system.
    for bad in [
        r#"{"sytem":"Lorenz"}"#,
        r#"{"system":"MackeyGlass"}"#,
        r#"{"system":"Lorenz","noise":[-1]}"#,
        r#"{"system":"OrnsteinUhlenbeck","method":"rk4"}"#,
    ] {
        assert!(lab.simulate(spec(bad)).is_err(), "{bad}");
    }
    assert_eq!(lab.dim(), 3);
}

/// WebGPU must be found under --enable-unsafe-webgpu: this fails, not skips, without it.
#[wasm_bindgen_test]
async fn webgpu_adapter_is_found_and_training_steps_run_on_it() {
    let device = Backend::Wgpu
        .device_async()
        .await
        .expect("a WebGPU adapter under --enable-unsafe-webgpu");
    let sys = System::new("Lorenz").unwrap();
    let traj = simulate(
        &sys,
        &SimulateOptions {
            t_end: Some(50.0),
            ..Default::default()
        },
    )
    .unwrap();
    let data = Dataset::from_trajectory(&traj);
    let s = Standardizer::fit(&data).unwrap();
    let net = NetConfig {
        width: 32,
        depth: 2,
        ..NetConfig::new(3)
    };
    let config = TrainConfig {
        steps: 6,
        batch: 64,
        ..Default::default()
    };
    let mut trainer = Trainer::new(
        s.forward(&data),
        net.clone(),
        Sde::default(),
        config,
        &device,
    )
    .unwrap();
    for _ in 0..3 {
        let (sum, n) = trainer.run(2);
        let loss = sum.into_scalar_async::<f32>().await.unwrap() / n as f32;
        assert!(loss.is_finite() && loss > 0.0, "loss {loss}");
        trainer.commit(loss).unwrap();
    }
    assert_eq!(trainer.step(), 6);
    // Saving after WebGPU training: every read asynchronous.
    let values = trainer.ema().to_values_async(&net).await.unwrap();
    assert_eq!(values.len(), net.param_shapes().len());
    assert!(
        values
            .iter()
            .all(|p| p.values.iter().all(|v| v.is_finite()))
    );
    let _ = Tensor::<1>::zeros([1], &device);
}

mod corpus {
    include!("fixtures/hostile/corpus.rs");
}

/// Every file of `tests/fixtures/hostile/` as the page hands it over (the text a
/// browser's `File.text()` decodes): the expected table, or the expected refusal with
/// the data and model already loaded left as they were.
#[wasm_bindgen_test]
async fn the_hostile_corpus_through_the_bindings() {
    use corpus::{CSV_CORPUS, Expect, MODEL_CORPUS};
    let mut lab = Lab::create("cpu".into())
        .await
        .map_err(JsValue::from)
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    lab.simulate(settings(&[("t_end", 5.0)]))
        .map_err(JsValue::from)
        .unwrap();
    lab.start_training(settings(&[("steps", 2.0), ("width", 4.0), ("depth", 1.0)]))
        .map_err(JsValue::from)
        .unwrap();
    lab.train_chunk(2).await.map_err(JsValue::from).unwrap();
    lab.finish_training().await.map_err(JsValue::from).unwrap();
    let model = lab.model_json().map_err(JsValue::from).unwrap();
    for (name, bytes, want) in CSV_CORPUS {
        match (want, lab.load_csv(&text(bytes), name)) {
            (Expect::Table(dim, rows, _), Ok(values)) => {
                assert_eq!(
                    (lab.dim(), values.length() as usize),
                    (*dim, dim * rows),
                    "{name}"
                );
                // Back to the 3-D data for the next refusal's check.
                lab.simulate(settings(&[("t_end", 5.0)]))
                    .map_err(JsValue::from)
                    .unwrap();
            }
            (Expect::Refused(want), Err(e)) => {
                let m = message(e);
                assert!(m.contains(want), "{name}: {m}");
                assert_eq!(lab.dim(), 3, "{name}: the data changed");
            }
            (_, Ok(_)) => panic!("{name}: accepted"),
            (_, Err(e)) => panic!("{name}: {}", message(e)),
        }
    }
    for (name, bytes, want) in MODEL_CORPUS {
        let m = message(lab.load_model(&text(bytes)).unwrap_err());
        assert!(m.contains(want), "{name}: {m}");
        assert_eq!(
            lab.model_json().map_err(JsValue::from).unwrap(),
            model,
            "{name}: the model changed"
        );
    }
}
