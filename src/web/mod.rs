//! wasm-bindgen bindings for the page's worker. Thin: every method converts its
//! arguments, calls the library and turns errors into `JsError`s with the library's
//! message. One call at a time per `Lab` (the worker serialises them).

use crate::dataset::{Dataset, Standardizer};
use crate::dynamics::{DataSpec, SimulateOptions, stochastic};
use crate::response::plan::{self, Lags, Panel, PerturbationAsk, ScoreChoice};
use crate::score::backend::read_f32_async;
use crate::score::{Backend, ModelFile, SampleConfig, Sampler, SamplerKind, Session, TrainSpec};
use crate::{Error, csv};
use burn::tensor::Device;
use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn js(e: Error) -> JsError {
    JsError::new(&e.message)
}

/// Settings from JavaScript, read through their JSON text so that serde_json's
/// checks apply in full (serde-wasm-bindgen lets unknown fields through).
fn settings_from<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, JsError> {
    let text = js_sys::JSON::stringify(&v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("invalid settings: not a JSON object"))?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("invalid settings: {e}")))
}

/// The catalog as JSON (one object per system: name, family, dim, supported,
/// parameters, initial condition, metadata, description, citation).
#[wasm_bindgen(js_name = catalogJson)]
pub fn catalog_json() -> String {
    let list: Vec<serde_json::Value> = crate::dynamics::catalog()
        .iter()
        .map(crate::dynamics::listing::to_json)
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

/// The samplers (JSON, one object per sampler: name, aliases, label, default_steps,
/// adaptive, velocity, sdes), for the page's select.
#[wasm_bindgen(js_name = samplersJson)]
pub fn samplers_json() -> String {
    SamplerKind::table_json()
}

/// The objectives (JSON, one object per objective: name, aliases, label, velocity), for
/// the page's select.
#[wasm_bindgen(js_name = objectivesJson)]
pub fn objectives_json() -> String {
    crate::score::losses::Objective::table_json()
}

/// Panics on purpose: the page's tests use it to check that a dead worker is
/// replaced and the user's work kept. Nothing in the page calls it otherwise.
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("deliberate panic (test hook)");
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The page's Response view asks for this (JSON): the current system's data request,
/// the largest lag, and whether to run the perturbation experiment (slow) on `kick`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseAsk {
    data: DataSpec,
    kick: usize,
    #[serde(default)]
    tau_max: Option<f64>,
    #[serde(default)]
    perturbation: bool,
    #[serde(default)]
    members: Option<usize>,
    /// The learned score's response as `R(tau) R(0)^-1` (so that R(0) = I).
    #[serde(default)]
    normalize: bool,
}

/// The most integration steps the page's perturbation experiment may take (about a
/// minute of the worker); the command line allows 2e9.
const PAGE_PERTURBATION_STEPS: f64 = 2e8;

#[derive(Serialize)]
struct ChunkReport {
    step: usize,
    total: usize,
    loss: f32,
    /// What runs the steps: "host MLP step" (the CPU's own) or "burn".
    engine: String,
}

/// The worker's state: one device, the data, a training run and the last model.
#[wasm_bindgen]
pub struct Lab {
    device: Device,
    backend: Backend,
    reason: String,
    /// The device error behind a fallback, for the curious.
    detail: String,
    data: Option<(Dataset, String)>,
    /// The request the current data were simulated from (None for a CSV): the metrics
    /// compare samples with a held-out simulation of it.
    spec: Option<DataSpec>,
    session: Option<Session>,
    model: Option<ModelFile>,
    sampler: Option<Sampler>,
    /// The last samples taken, in data units.
    samples: Option<Dataset>,
    /// Tests only: the next chunk's loss reads as NaN.
    diverge_next: bool,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen]
impl Lab {
    /// Initialises the device: `prefer` is "auto" (WebGPU if an adapter appears, else CPU;
    /// the worker turns "auto" into "cpu" first when the only adapter is a software one),
    /// "webgpu" (fails without an adapter) or "cpu".
    pub async fn create(prefer: String) -> Result<Lab, JsError> {
        let cpu = Backend::DEFAULT_CPU;
        let mut detail = String::new();
        let (backend, device, reason) = match prefer.as_str() {
            "cpu" => (cpu, cpu.cpu_device().unwrap(), "CPU requested".to_string()),
            "webgpu" | "auto" => match Backend::Wgpu.device_async().await {
                Ok(d) => (Backend::Wgpu, d, "WebGPU adapter found".to_string()),
                Err(e) if prefer == "auto" => {
                    detail = e.message;
                    let reason =
                        "this browser offers no WebGPU adapter, so training runs on the CPU";
                    (cpu, cpu.cpu_device().unwrap(), reason.to_string())
                }
                Err(e) => return Err(js(e)),
            },
            other => {
                return Err(JsError::new(&format!(
                    "unknown backend preference '{other}'"
                )));
            }
        };
        Ok(Lab {
            device,
            backend,
            reason,
            detail,
            data: None,
            spec: None,
            session: None,
            model: None,
            sampler: None,
            samples: None,
            diverge_next: false,
        })
    }

    /// "webgpu" or the CPU backend's name.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        match self.backend {
            Backend::Wgpu => "webgpu".into(),
            b => format!("cpu ({})", b.name()),
        }
    }

    /// Why this backend was chosen.
    #[wasm_bindgen(getter)]
    pub fn reason(&self) -> String {
        self.reason.clone()
    }

    /// The underlying error when WebGPU was unavailable (empty otherwise).
    #[wasm_bindgen(getter)]
    pub fn detail(&self) -> String {
        self.detail.clone()
    }

    /// Simulates a catalog system (a `DataSpec`: system, params, noise, method,
    /// t_end, dt, ..., obs_noise, embed, heldout); returns the training rows
    /// (data units, row-major) and keeps them. On error the previous data stay.
    pub fn simulate(&mut self, settings: JsValue) -> Result<Float32Array, JsError> {
        let spec: DataSpec = settings_from(settings)?;
        let g = spec.generate().map_err(js)?;
        let out = rows_f32(&g.train);
        self.data = Some((g.train, g.system.name().to_string()));
        self.spec = Some(spec);
        Ok(out)
    }

    /// Replaces the data with a CSV table (leading `t` column ignored). On error the
    /// previous data stay.
    pub fn load_csv(&mut self, text: &str, name: &str) -> Result<Float32Array, JsError> {
        let data = csv::parse(text).map_err(js)?;
        Standardizer::fit(&data).map_err(js)?;
        let out = rows_f32(&data);
        self.data = Some((data, name.to_string()));
        self.spec = None;
        Ok(out)
    }

    /// Dimension of the current data.
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.data.as_ref().map(|(d, _)| d.dim).unwrap_or(0)
    }

    /// Starts a training run on the current data (`settings`: a `TrainSpec`).
    pub fn start_training(&mut self, settings: JsValue) -> Result<(), JsError> {
        let spec: TrainSpec = settings_from(settings)?;
        let (data, source) = self
            .data
            .as_ref()
            .ok_or_else(|| JsError::new("no data yet: simulate a system or load a CSV first"))?;
        let session =
            Session::new(data, source, &spec, &self.backend(), &self.device).map_err(js)?;
        self.session = Some(session);
        Ok(())
    }

    /// Runs up to `n` steps and reads their mean loss (asynchronously: WebGPU allows no
    /// synchronous reads). Returns `{step, total, loss}`. A non-finite loss restores the
    /// last good weights and throws.
    pub async fn train_chunk(&mut self, n: usize) -> Result<JsValue, JsError> {
        let t0 = now_ms();
        let diverge = std::mem::take(&mut self.diverge_next);
        let session = self
            .session
            .as_mut()
            .ok_or_else(|| JsError::new("no training run: start one first"))?;
        let (sum, ran) = session.run(n);
        if ran == 0 {
            return Err(JsError::new("the training run is complete"));
        }
        let total = sum
            .into_scalar_async::<f32>()
            .await
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        let mean = if diverge {
            f32::NAN
        } else {
            total / ran as f32
        };
        session.commit(mean, (now_ms() - t0) / 1e3).map_err(js)?;
        let report = ChunkReport {
            step: session.step(),
            total: session.total(),
            loss: mean,
            engine: session.engine(),
        };
        serde_wasm_bindgen::to_value(&report).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Lets the current run train `more` further steps without starting over (the
    /// optimiser state, the EMA and the step count carry on).
    pub fn extend_training(&mut self, more: usize) -> Result<(), JsError> {
        self.session
            .as_mut()
            .ok_or_else(|| JsError::new("no training run to continue: train first"))?
            .extend(more)
            .map_err(js)
    }

    /// Makes the next training chunk's loss read as NaN, as a diverging run's does: the
    /// page's tests use it to check the diverged path end to end. Nothing in the page
    /// calls it otherwise.
    #[wasm_bindgen(js_name = forceDivergenceForTest)]
    pub fn force_divergence_for_test(&mut self) {
        self.diverge_next = true;
    }

    /// Makes a model file of the current run's EMA weights and keeps it as the model.
    pub async fn finish_training(&mut self) -> Result<(), JsError> {
        let session = self
            .session
            .as_ref()
            .ok_or_else(|| JsError::new("no training run"))?;
        self.model = Some(session.model_file_async().await.map_err(js)?);
        Ok(())
    }

    /// Starts a sampling run. `settings` is a `SampleConfig`: n, steps (0: the
    /// sampler's default), sampler ("ode-rk4", "em", "pc", ...), seed, and the
    /// samplers' own settings.
    pub fn begin_sampling(&mut self, settings: JsValue) -> Result<(), JsError> {
        let model = self.current_model("no model: train or load one first")?;
        let config: SampleConfig = settings_from(settings)?;
        self.sampler = Some(model.sampler(config, &self.device).map_err(js)?);
        Ok(())
    }

    /// Advances the sampler by up to `k` steps and waits for the device; returns the
    /// fraction of the run done (1 when finished).
    pub async fn sample_chunk(&mut self, k: usize) -> Result<f64, JsError> {
        let sampler = self
            .sampler
            .as_mut()
            .ok_or_else(|| JsError::new("no sampling run"))?;
        sampler.advance(k).map_err(js)?;
        // A one-value read makes the device finish the chunk before we report progress.
        let probe = sampler.state().slice([0..1, 0..1]).reshape([1]);
        probe
            .into_scalar_async::<f32>()
            .await
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(sampler.progress())
    }

    /// The current state of the sampling run in data units (row-major), at any point
    /// of the run: frames of the noise-to-data animation.
    pub async fn sample_state(&self) -> Result<Float32Array, JsError> {
        let model = self.current_model("no model")?;
        let sampler = self.current_sampler()?;
        let z = read_f32_async(sampler.state()).await.map_err(js)?;
        Ok(rows_f32(&model.standardizer.inverse(&z)))
    }

    /// The diffusion time the sampling run has reached (1: noise, near 0: data).
    #[wasm_bindgen(getter)]
    pub fn sample_time(&self) -> f64 {
        self.sampler.as_ref().map(|s| s.time()).unwrap_or(1.0)
    }

    /// The current model's score (a flow-matching model: its velocity) on a 2D slice at
    /// one diffusion time (a `field::Slice`: axes, t, grid, lo, hi; data units).
    /// Returns (x, y, u, v) per grid point, row-major.
    pub async fn score_field(&self, settings: JsValue) -> Result<Float32Array, JsError> {
        let model = self.current_model("no model: train or load one first")?;
        let slice: crate::score::field::Slice = settings_from(settings)?;
        let net = model.build_net(&self.device).map_err(js)?;
        let values = crate::score::field::evaluate(
            &net,
            &model.sde,
            model.is_velocity(),
            &model.standardizer,
            &slice,
            &self.device,
        )
        .map_err(js)?;
        let values = read_f32_async(values).await.map_err(js)?;
        let out = crate::score::field::assemble(&slice, model.net.dim, &values);
        Ok(Float32Array::from(out.as_slice()))
    }

    /// Whether the current model is a flow-matching velocity (else a score).
    #[wasm_bindgen(getter)]
    pub fn velocity_model(&self) -> bool {
        self.model.as_ref().is_some_and(|m| m.is_velocity())
    }

    /// Noise-to-signal ratio s(t) / m(t) of the current model's SDE at time t, in
    /// standardized units (a flow-matching model: (1 - tau) / tau with tau = 1 - t).
    pub fn noise_ratio(&self, t: f64) -> Result<f64, JsError> {
        let model = self.current_model("no model")?;
        Ok(crate::score::field::noise_ratio(
            &model.sde,
            model.is_velocity(),
            t,
        ))
    }

    /// Score evaluations of the current sampling run.
    #[wasm_bindgen(getter)]
    pub fn nfe(&self) -> usize {
        self.sampler.as_ref().map(|s| s.nfe()).unwrap_or(0)
    }

    /// The samples in data units (row-major) once the sampler is done.
    pub async fn take_samples(&mut self) -> Result<Float32Array, JsError> {
        let model = self.current_model("no model")?;
        let sampler = self.current_sampler()?;
        if !sampler.done() {
            return Err(JsError::new("the sampler has not finished"));
        }
        let z = read_f32_async(sampler.state()).await.map_err(js)?;
        let samples = model.samples_from(&z).map_err(js)?;
        let out = rows_f32(&samples);
        self.samples = Some(samples);
        Ok(out)
    }

    /// Distances between the last samples and a held-out simulation of the current
    /// system (the same request from another seed: another initial condition and other
    /// noise; a CSV: the CSV itself, there being no equations). JSON: swd, swd_floor,
    /// swd_floor_std, swd_ratio, swd_ratio_se, mmd, energy, marginal_kl, ..., and
    /// `reference` ("a held-out simulation" or "the loaded data").
    pub fn metrics_json(&self) -> Result<String, JsError> {
        let samples = self
            .samples
            .as_ref()
            .ok_or_else(|| JsError::new("no samples yet"))?;
        let (reference, label) = self.held_out()?;
        let e = crate::metrics::evaluate(samples, &reference).map_err(js)?;
        let mut v = serde_json::to_value(&e).map_err(|e| JsError::new(&e.to_string()))?;
        v["reference"] = label.into();
        serde_json::to_string(&v).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The current model's log-likelihood of at most `rows` rows of the held-out data
    /// of [`Lab::metrics_json`], for every family (the probability flow of a score
    /// model, the ODE of a flow-matching or CNF velocity), read asynchronously so on
    /// WebGPU too. JSON: nats_per_dim, exact_nats_per_dim (the truth, where the system's
    /// density is known; else null), bits_per_dim (data units), rows, nfe, method,
    /// objective, seconds, reference.
    pub async fn likelihood(&self, rows: usize) -> Result<String, JsError> {
        let t0 = now_ms();
        let model = self.current_model("no model: train or load one first")?;
        let (reference, label) = self.held_out()?;
        let config = crate::score::likelihood::LikelihoodConfig::default();
        let l =
            crate::score::likelihood::of_data_async(model, &reference, rows, &config, &self.device)
                .await
                .map_err(js)?;
        // The truth on the same rows, where the system's density is known and the data
        // are its own (no added or observation noise, no delay embedding).
        let exact = self
            .spec
            .as_ref()
            .filter(|s| s.noise.is_empty() && s.obs_noise == 0.0 && s.embed.is_none())
            .and_then(|s| s.system().ok())
            .and_then(|system| crate::metrics::exact_nats_per_dim(&system, &reference, rows));
        let v = serde_json::json!({
            "nats_per_dim": l.nats_per_dim,
            "exact_nats_per_dim": exact,
            "bits_per_dim": l.nats_per_dim / std::f64::consts::LN_2,
            "rows": l.rows,
            "nfe": l.nfe,
            "method": if model.is_flow() { "exact" } else { "ode" },
            "objective": model.train.objective.name(),
            "seconds": (now_ms() - t0) / 1000.0,
            "reference": label,
        });
        Ok(v.to_string())
    }

    /// The current model's log-density log p(x) (data units) on the grid of a
    /// `field::DensityGrid` (grid, lo, hi) over data of two coordinates, row-major:
    /// the density view. The same likelihood as [`Lab::likelihood`], at grid points.
    pub async fn density(&self, settings: JsValue) -> Result<Float32Array, JsError> {
        let model = self.current_model("no model: train or load one first")?;
        let grid: crate::score::field::DensityGrid = settings_from(settings)?;
        let points = grid.points(model.net.dim).map_err(js)?;
        let config = crate::score::likelihood::LikelihoodConfig::default();
        let l = crate::score::likelihood::of_data_async(
            model,
            &points,
            points.len(),
            &config,
            &self.device,
        )
        .await
        .map_err(js)?;
        let v: Vec<f32> = l.logp.iter().map(|v| *v as f32).collect();
        Ok(Float32Array::from(v.as_slice()))
    }

    /// The data samples and likelihoods are measured against: a held-out simulation of
    /// the current system (the same request from another seed: another initial
    /// condition and other noise, over twice the span) or, for a CSV, the CSV itself,
    /// there being no equations.
    fn held_out(&self) -> Result<(Dataset, &'static str), JsError> {
        let (data, _) = self.data.as_ref().ok_or_else(|| JsError::new("no data"))?;
        Ok(match &self.spec {
            Some(spec) => {
                let mut held = spec.clone();
                held.simulate.seed = Some(spec.simulate.seed.unwrap_or(0).wrapping_add(1));
                // Twice the span, so that the floor's three draws of the samples' size
                // fit disjointly in half of it (2000 samples of 10,000 rows would not).
                let r = spec
                    .simulate
                    .resolve(&spec.system().map_err(js)?)
                    .map_err(js)?;
                held.simulate.t_end = Some(2.0 * r.t_end);
                (held.generate().map_err(js)?.train, "a held-out simulation")
            }
            None => (data.clone(), "the loaded data"),
        })
    }

    /// The linear response of the current system (`settings`: a `ResponseAsk`) by every
    /// estimator that applies: gaussian, analytic (linear systems), exact score (where
    /// known), the current model's score (read asynchronously, so on WebGPU too), and
    /// the perturbation experiment when asked. Returns a `plan::Panel` as JSON.
    pub async fn response(&self, settings: JsValue) -> Result<String, JsError> {
        let t0 = now_ms();
        let ask: ResponseAsk = settings_from(settings)?;
        let spec = &ask.data;
        if spec.embed.is_some() || spec.obs_noise > 0.0 {
            return Err(JsError::new(
                "the response is of the system's state: remove the delay embedding and the observation noise",
            ));
        }
        let system = spec.system().map_err(js)?;
        plan::check_stochastic(&system).map_err(js)?;
        let r = spec.simulate.resolve(&system).map_err(js)?;
        let sim = SimulateOptions {
            raw: true,
            ..spec.simulate.clone()
        };
        let d = system.dim();
        let kick = plan::kicks(&[ask.kick], d).map_err(js)?;
        let all: Vec<usize> = (0..d).collect();
        let lags = Lags::new(
            r.dt * r.every as f64,
            None,
            ask.tau_max,
            ["the largest lag", "the lag step"],
        )
        .map_err(js)?;
        // Checked before the simulation: the experiment's size.
        let perturbation = if ask.perturbation {
            let p = PerturbationAsk {
                members: ask.members,
                seed: spec.simulate.seed.unwrap_or(0),
                ..Default::default()
            };
            Some(
                plan::perturbation_options(&system, &r, &lags, &kick, &p, PAGE_PERTURBATION_STEPS)
                    .map_err(js)?,
            )
        } else {
            None
        };
        let x = lags
            .thin(&crate::dynamics::simulate(&system, &sim).map_err(js)?.x, d)
            .map_err(js)?;
        let (tau_step, max_lag) = (lags.tau_step, lags.max_lag);
        let mut results = vec![(
            crate::response::gaussian(&x, d, tau_step, max_lag).map_err(js)?,
            all.clone(),
            None,
        )];
        let mut notes = vec![];
        if let Some(a) = stochastic::linear_drift(&system) {
            results.push((
                crate::response::linear_analytic(&a, d, tau_step, max_lag),
                all.clone(),
                None,
            ));
        }
        let mut s = vec![0.0; x.len()];
        if stochastic::exact_score(&system, &x, &mut s) {
            let mut e = crate::response::from_score(&x, &s, d, tau_step, max_lag).map_err(js)?;
            e.estimator = "exact-score";
            results.push((e, all.clone(), None));
        }
        match self
            .model
            .as_ref()
            .map(|m| plan::check_model(m, d).map(|_| m))
        {
            None => notes.push("score: no model yet (train or load one)".to_string()),
            Some(Err(e)) => notes.push(format!("score: {}", e.message)),
            Some(Ok(m)) => {
                let mut choice: Option<ScoreChoice> = None;
                for (noise, t) in plan::score_times(m, None).map_err(js)? {
                    let (t, s) = m
                        .score_of_rows_async(&x, t, &self.device)
                        .await
                        .map_err(js)?;
                    ScoreChoice::keep_best(&mut choice, &x, d, (noise, t, s));
                }
                let choice = choice.expect("a non-empty ladder");
                let mut r =
                    crate::response::from_score(&x, &choice.s, d, tau_step, max_lag).map_err(js)?;
                if ask.normalize {
                    r = crate::response::normalized(r).map_err(js)?;
                }
                results.push((r, all.clone(), Some(choice)));
            }
        }
        if let Some(opts) = perturbation {
            results.push((
                crate::response::perturbation(&system, &sim, &opts).map_err(js)?,
                kick.clone(),
                None,
            ));
        }
        let rows = x.len() / d;
        let mut panel =
            Panel::new(results, system.name(), rows, notes, (now_ms() - t0) / 1e3).map_err(js)?;
        for r in panel.reports.iter_mut().filter(|r| r.estimator == "score") {
            r.normalized = ask.normalize;
        }
        serde_json::to_string(&panel).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The current model file (JSON), for download.
    pub fn model_json(&self) -> Result<String, JsError> {
        Ok(self
            .model
            .as_ref()
            .ok_or_else(|| JsError::new("no model yet"))?
            .to_json())
    }

    /// Loads a model file; on error the current model stays.
    pub fn load_model(&mut self, text: &str) -> Result<(), JsError> {
        let file = ModelFile::from_json(text).map_err(js)?;
        file.check_build(&self.device).map_err(js)?;
        self.model = Some(file);
        Ok(())
    }
}

impl Lab {
    fn current_model(&self, missing: &str) -> Result<&ModelFile, JsError> {
        self.model.as_ref().ok_or_else(|| JsError::new(missing))
    }

    fn current_sampler(&self) -> Result<&Sampler, JsError> {
        self.sampler
            .as_ref()
            .ok_or_else(|| JsError::new("no sampling run"))
    }
}

fn rows_f32(d: &Dataset) -> Float32Array {
    let v: Vec<f32> = d.rows.iter().map(|x| *x as f32).collect();
    Float32Array::from(v.as_slice())
}
