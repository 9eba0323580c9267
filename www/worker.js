// The worker owns the wasm instance and the device. Jobs run one at a time, in order.
// The messages in and out are listed, with their constructors, in protocol.js:
//   init, preview, run, sample, more, pause/resume, stop, csv, load-model, field, response, model,
//   crash-test (a deliberate Rust panic, tests only), diverge-test (the next training
//   chunk's loss reads as NaN, tests only), memory (the wasm memory's size, answered at
//   once, even during a job).
// A trap (a Rust panic, a lost device) makes the instance unusable: the worker says
// 'crashed' and closes, and the page's WorkerClient starts a new one.
import init, { Lab, catalogJson, samplersJson, objectivesJson, panicForTest } from './scoredyn.js';
import { LONG_JOBS } from './protocol.js';

const FRAME_POINTS = 800;
const FRAMES = 30;

let lab = null;
let stopRequested = false;
let paused = false;
let longJob = false;
let queue = Promise.resolve();
let dead = false;
let divergeRequested = false;
let wasmMemory = null;

const post = (msg, transfer) => self.postMessage(msg, transfer || []);
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));
const errorText = (e) => (e && e.message) ? e.message : String(e);

function simulate(data, restore = false) {
  const t0 = performance.now();
  const rows = lab.simulate(data);
  post({ type: 'data', rows, dim: lab.dim, system: data.system, seconds: (performance.now() - t0) / 1000, restore },
    [rows.buffer]);
}

// Trains the current run to its end (or until stopped), reporting progress.
async function trainLoop() {
  const t0 = performance.now();
  let pausedMs = 0;
  let chunk = 5;
  let step = 0;
  let total = 1;
  for (;;) {
    if (stopRequested) break;
    if (paused) {
      const p0 = performance.now();
      post({ type: 'paused' });
      while (paused && !stopRequested) await new Promise((r) => setTimeout(r, 100));
      pausedMs += performance.now() - p0;
      continue;
    }
    const c0 = performance.now();
    let report;
    try {
      if (divergeRequested) {
        divergeRequested = false;
        lab.forceDivergenceForTest();
      }
      report = await lab.train_chunk(chunk);
    } catch (e) {
      if (String(errorText(e)).includes('complete')) break;
      if (String(errorText(e)).includes('diverged')) {
        // The run kept its last good weights: they become the model, then the message shows.
        await lab.finish_training();
        post({ type: 'checkpoint', json: lab.model_json() });
      }
      throw e;
    }
    step = report.step;
    total = report.total;
    const elapsed = (performance.now() - t0 - pausedMs) / 1000;
    post({ type: 'progress', step, total, loss: report.loss, seconds: elapsed, engine: report.engine });
    if (step >= total) break;
    // Aim at ~150 ms per chunk so progress stays live and stop stays responsive.
    const ms = performance.now() - c0;
    chunk = Math.max(1, Math.min(500, Math.round(chunk * 150 / Math.max(ms, 1))));
    await yieldToMessages();
  }
  const trainSeconds = (performance.now() - t0 - pausedMs) / 1000;
  // Stop ends training; a second Stop cancels the sampling that follows.
  stopRequested = false;
  await lab.finish_training();
  post({ type: 'checkpoint', json: lab.model_json() });
  return { trainSeconds, step };
}

async function frame(first) {
  const rows = await lab.sample_state();
  const keep = rows.slice(0, Math.min(rows.length, FRAME_POINTS * lab.dim));
  post({ type: 'frame', rows: keep, t: lab.sample_time, first }, [keep.buffer]);
}

async function drawSamples(sample, frames, trainSeconds = 0, step = 0) {
  const s0 = performance.now();
  lab.begin_sampling(sample);
  if (frames) await frame(true);
  let fraction = 0;
  const steps = sample.steps || 100;
  const chunk = Math.max(1, Math.ceil(steps / (frames ? FRAMES : 10)));
  while (fraction < 1) {
    if (stopRequested) {
      post({ type: 'cancelled', job: 'sample' });
      return;
    }
    fraction = await lab.sample_chunk(chunk);
    post({ type: 'sampling', fraction, nfe: lab.nfe });
    if (frames) await frame(false);
    await yieldToMessages();
  }
  const samples = await lab.take_samples();
  const sampleSeconds = (performance.now() - s0) / 1000;
  const info = { dim: lab.dim, nfe: lab.nfe, seconds: sampleSeconds, trainSeconds, steps: step, sampler: sample.sampler };
  // The samples first (drawn at once), then their distances to the data (~1 s).
  post({ type: 'samples', rows: samples, ...info }, [samples.buffer]);
  await yieldToMessages();
  let metrics = null;
  try {
    metrics = JSON.parse(lab.metrics_json());
  } catch (e) {
    metrics = null;
  }
  post({ type: 'metrics', metrics, ...info });
}

// The name of the browser's WebGPU adapter if it is a software one (SwiftShader,
// lavapipe, llvmpipe or one the browser flags as a fallback); null for a hardware
// adapter or none.
async function softwareAdapter() {
  try {
    const adapter = navigator.gpu && await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info || {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    if (info.isFallbackAdapter || adapter.isFallbackAdapter || /swiftshader|lavapipe|llvmpipe|software/i.test(name)) {
      return name || 'a fallback adapter';
    }
    return null;
  } catch {
    return null;
  }
}

async function handle(msg) {
  if (dead) return;
  stopRequested = false;
  paused = false;
  longJob = LONG_JOBS.includes(msg.type);
  try {
    if (msg.type === 'init') {
      // "auto" takes WebGPU on a hardware adapter only: a software one trains about a
      // thousand times slower than the CPU here (choosing WebGPU still uses it).
      const software = msg.backend === 'auto' ? await softwareAdapter() : null;
      lab = await Lab.create(software ? 'cpu' : msg.backend);
      const reason = software
        ? `the only WebGPU adapter is a software one (${software}), far slower than the CPU, so training runs on the CPU; choose WebGPU to use it anyway`
        : lab.reason;
      post({ type: 'backend', backend: lab.backend, reason, detail: lab.detail });
      post({ type: 'catalog', systems: JSON.parse(catalogJson()) });
      post({ type: 'samplers', samplers: JSON.parse(samplersJson()) });
      post({ type: 'objectives', objectives: JSON.parse(objectivesJson()) });
    } else if (msg.type === 'preview') {
      simulate(msg.data, !!msg.restore);
    } else if (msg.type === 'run') {
      if (msg.data) simulate(msg.data);
      else if (!lab.dim) throw new Error('no data: pick a system or load a CSV first');
      lab.start_training(msg.train);
      const { trainSeconds, step } = await trainLoop();
      await drawSamples(msg.sample, msg.frames, trainSeconds, step);
    } else if (msg.type === 'more') {
      lab.extend_training(msg.steps);
      const { trainSeconds, step } = await trainLoop();
      await drawSamples(msg.sample, msg.frames, trainSeconds, step);
    } else if (msg.type === 'sample') {
      await drawSamples(msg.sample, msg.frames);
    } else if (msg.type === 'csv') {
      const rows = lab.load_csv(msg.text, msg.name);
      post({ type: 'data', rows, dim: lab.dim, system: msg.name, source: 'csv', restore: !!msg.restore }, [rows.buffer]);
    } else if (msg.type === 'load-model') {
      lab.load_model(msg.text);
      post({ type: 'model-loaded', name: msg.name, pretrained: !!msg.pretrained, restore: !!msg.restore });
    } else if (msg.type === 'field') {
      const values = await lab.score_field(msg.slice);
      post({ type: 'field', values, slice: msg.slice, ratio: lab.noise_ratio(msg.slice.t), velocity: lab.velocity_model },
        [values.buffer]);
    } else if (msg.type === 'response') {
      post({ type: 'response', panel: JSON.parse(await lab.response(msg.ask)) });
    } else if (msg.type === 'likelihood') {
      const result = JSON.parse(await lab.likelihood(msg.rows));
      const values = msg.grid ? await lab.density(msg.grid) : null;
      post({ type: 'likelihood', result, density: values ? { values, grid: msg.grid } : null }, values ? [values.buffer] : []);
    } else if (msg.type === 'model') {
      post({ type: 'model', json: lab.model_json() });
    } else if (msg.type === 'crash-test') {
      panicForTest();
    } else {
      throw new Error(`unknown message type ${msg.type}`);
    }
  } catch (e) {
    // A trap (a Rust panic, a lost device) leaves the instance unusable: say so and
    // stop; the page starts a new worker.
    if (e instanceof WebAssembly.RuntimeError) {
      dead = true;
      post({ type: 'crashed', job: msg.type, message: errorText(e) });
      self.close();
      return;
    }
    post({ type: 'error', job: msg.type, message: errorText(e) });
  } finally {
    longJob = false;
    if (!dead) post({ type: 'done', job: msg.type });
  }
}

self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') {
    stopRequested = true;
    paused = false;
    return;
  }
  if (msg.type === 'diverge-test') {
    divergeRequested = true;
    return;
  }
  if (msg.type === 'memory') {
    post({ type: 'memory', wasmBytes: wasmMemory ? wasmMemory.buffer.byteLength : 0 });
    return;
  }
  if (msg.type === 'pause' || msg.type === 'resume') {
    paused = msg.type === 'pause';
    if (!paused) post({ type: 'resumed' });
    return;
  }
  // A preview behind a long job is dropped: the job's own data will show.
  if (msg.type === 'preview' && longJob) return;
  queue = queue.then(() => handle(msg));
};

init({ module_or_path: new URL('./scoredyn_bg.wasm', import.meta.url) })
  .then((wasm) => { wasmMemory = wasm.memory; post({ type: 'ready' }); })
  .catch((e) => post({ type: 'fatal', message: `could not start WebAssembly: ${errorText(e)}` }));
