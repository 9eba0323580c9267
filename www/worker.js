// The worker owns the wasm instance and the device. Messages in:
//   {type: 'init', backend: 'auto'|'webgpu'|'cpu'}
//   {type: 'preview', data}               simulate only (data: a DataSpec)
//   {type: 'run', data, train, sample}   simulate (data null: keep the current data), train, sample
//   {type: 'sample', sample}              sample again from the current model
//   {type: 'more', steps, sample}         train the current run further, then sample
//   {type: 'pause'} / {type: 'resume'}    hold and continue a training run
//   {type: 'csv', text, name}             replace the data with a CSV table
//   {type: 'load-model', text}            load a model file
//   {type: 'stop'}                        stop training early and sample what was learned
// Messages out: ready, backend, catalog, data, progress, sampling, samples, model,
// error (with the job that failed), done.
import init, { Lab, catalogJson } from './scoredyn.js';

let lab = null;
let stopRequested = false;
let paused = false;
let busy = false;

const post = (msg, transfer) => self.postMessage(msg, transfer || []);
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));
const errorText = (e) => (e && e.message) ? e.message : String(e);

function simulate(data) {
  const t0 = performance.now();
  const rows = lab.simulate(data);
  post({ type: 'data', rows, dim: lab.dim, system: data.system, seconds: (performance.now() - t0) / 1000 },
    [rows.buffer]);
}

async function run(msg) {
  const { data, train, sample } = msg;
  if (data) simulate(data);
  else if (!lab.dim) throw new Error('no data: pick a system or load a CSV first');

  lab.start_training(train);
  const { trainSeconds, step } = await trainLoop();
  await drawSamples(sample, trainSeconds, step);
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
      report = await lab.train_chunk(chunk);
    } catch (e) {
      if (String(errorText(e)).includes('complete')) break;
      throw e;
    }
    step = report.step;
    total = report.total;
    const elapsed = (performance.now() - t0 - pausedMs) / 1000;
    post({ type: 'progress', step, total, loss: report.loss, seconds: elapsed });
    if (step >= total) break;
    // Aim at ~150 ms per chunk so progress stays live and stop stays responsive.
    const ms = performance.now() - c0;
    chunk = Math.max(1, Math.min(500, Math.round(chunk * 150 / Math.max(ms, 1))));
    await yieldToMessages();
  }
  const trainSeconds = (performance.now() - t0 - pausedMs) / 1000;
  await lab.finish_training();
  return { trainSeconds, step };
}

async function drawSamples(sample, trainSeconds = 0, step = 0) {
  const s0 = performance.now();
  lab.begin_sampling(sample);
  let fraction = 0;
  while (fraction < 1) {
    fraction = await lab.sample_chunk(Math.max(1, Math.ceil((sample.steps || 100) / 10)));
    post({ type: 'sampling', fraction, nfe: lab.nfe });
    await yieldToMessages();
  }
  const samples = await lab.take_samples();
  const sampleSeconds = (performance.now() - s0) / 1000;
  let metrics = null;
  try {
    metrics = JSON.parse(lab.metrics_json());
  } catch (e) {
    metrics = null;
  }
  post({ type: 'samples', rows: samples, dim: lab.dim, nfe: lab.nfe, seconds: sampleSeconds,
    trainSeconds, steps: step, metrics, sampler: sample.sampler }, [samples.buffer]);
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') {
    stopRequested = true;
    paused = false;
    return;
  }
  if (msg.type === 'pause' || msg.type === 'resume') {
    paused = msg.type === 'pause';
    if (!paused) post({ type: 'resumed' });
    return;
  }
  if (busy) {
    // A preview during a job is simply dropped: the job's own data will show.
    if (msg.type !== 'preview') post({ type: 'error', job: msg.type, message: 'busy: wait for the current job to finish' });
    return;
  }
  busy = true;
  stopRequested = false;
  paused = false;
  try {
    if (msg.type === 'init') {
      lab = await Lab.create(msg.backend);
      post({ type: 'backend', backend: lab.backend, reason: lab.reason, detail: lab.detail });
      post({ type: 'catalog', systems: JSON.parse(catalogJson()) });
    } else if (msg.type === 'preview') {
      simulate(msg.data);
    } else if (msg.type === 'run') {
      await run(msg);
    } else if (msg.type === 'more') {
      lab.extend_training(msg.steps);
      const { trainSeconds, step } = await trainLoop();
      await drawSamples(msg.sample, trainSeconds, step);
    } else if (msg.type === 'sample') {
      await drawSamples(msg.sample);
    } else if (msg.type === 'csv') {
      const rows = lab.load_csv(msg.text, msg.name);
      post({ type: 'data', rows, dim: lab.dim, system: msg.name, source: 'csv' }, [rows.buffer]);
    } else if (msg.type === 'load-model') {
      lab.load_model(msg.text);
      post({ type: 'model-loaded', name: msg.name, pretrained: !!msg.pretrained });
    } else if (msg.type === 'model') {
      post({ type: 'model', json: lab.model_json() });
    } else {
      throw new Error(`unknown message type ${msg.type}`);
    }
  } catch (e) {
    post({ type: 'error', job: msg.type, message: errorText(e) });
  } finally {
    busy = false;
    post({ type: 'done' });
  }
};

init({ module_or_path: new URL('./scoredyn_bg.wasm', import.meta.url) })
  .then(() => post({ type: 'ready' }))
  .catch((e) => post({ type: 'fatal', message: `could not start WebAssembly: ${errorText(e)}` }));
