// The worker owns the wasm instance and the device. Messages in:
//   {type: 'init', backend: 'auto'|'webgpu'|'cpu'}
//   {type: 'preview', data}               simulate only (data: a DataSpec)
//   {type: 'run', data, train, sample}   simulate, train, sample
//   {type: 'stop'}                        stop training early and sample what was learned
// Messages out: ready, backend, catalog, data, progress, sampling, samples, model,
// error (with the job that failed), done.
import init, { Lab, catalogJson } from './scoredyn.js';

let lab = null;
let stopRequested = false;
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
  simulate(data);

  lab.start_training(train);
  const t0 = performance.now();
  let chunk = 5;
  let step = 0;
  const total = train.steps;
  while (step < total && !stopRequested) {
    const c0 = performance.now();
    const report = await lab.train_chunk(chunk);
    step = report.step;
    const elapsed = (performance.now() - t0) / 1000;
    post({ type: 'progress', step, total, loss: report.loss, seconds: elapsed });
    // Aim at ~150 ms per chunk so progress stays live and stop stays responsive.
    const ms = performance.now() - c0;
    chunk = Math.max(1, Math.min(500, Math.round(chunk * 150 / Math.max(ms, 1))));
    await yieldToMessages();
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  await lab.finish_training();

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
    return;
  }
  if (busy) {
    // A preview during a job is simply dropped: the job's own data will show.
    if (msg.type !== 'preview') post({ type: 'error', job: msg.type, message: 'busy: wait for the current job to finish' });
    return;
  }
  busy = true;
  stopRequested = false;
  try {
    if (msg.type === 'init') {
      lab = await Lab.create(msg.backend);
      post({ type: 'backend', backend: lab.backend, reason: lab.reason, detail: lab.detail });
      post({ type: 'catalog', systems: JSON.parse(catalogJson()) });
    } else if (msg.type === 'preview') {
      simulate(msg.data);
    } else if (msg.type === 'run') {
      await run(msg);
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
