// Page ↔ worker messages: constructors for what the page sends (worker.js handles them)
// and WorkerClient, one demo's worker: start, ready/init handshake, restart when it dies.
//
// Out of the worker: ready, backend {backend, reason, detail}, catalog {systems},
// samplers {samplers}, objectives {objectives}, data {rows, dim, system, seconds?, source?, restore},
// progress {step, total, loss, seconds}, paused, resumed, sampling {fraction, nfe},
// frame {rows, t, first}, checkpoint {json}, samples {rows, dim, nfe, seconds,
// trainSeconds, steps, sampler}, metrics {metrics, ...as samples}, cancelled, field
// {values, slice, ratio, velocity}, response {panel}, likelihood {result, density?: {values, grid}},
// model {json}, model-loaded {name, pretrained,
// restore}, memory {wasmBytes}, error {job, message}, done {job}, crashed {job, message},
// fatal {message}.
// WorkerClient adds two of its own: starting (a new worker is loading) and restarting
// {message, wasGpu, restarts, gaveUp}.

/**
 * @typedef {'auto'|'webgpu'|'cpu'} Backend
 * @typedef {{system: string, params: Object<string, number>, noise: number[], method?: string,
 *   t_end?: number, dt?: number, burn_in?: number, every?: number, obs_noise?: number,
 *   embed?: number[]}} DataSpec
 * @typedef {{steps: number, batch: number, width: number, depth: number, lr: number,
 *   ema: number, seed: number, sde: string, objective: string}} TrainSettings
 * @typedef {{n: number, steps: number, sampler: string, seed: number}} SampleSettings
 * @typedef {{axes: number[], t: number, grid: number, lo: number[], hi: number[]}} Slice
 */

// Jobs that train or sample (one at a time); the others are short.
export const LONG_JOBS = ['run', 'more', 'sample', 'response', 'likelihood'];

export const send = {
  /** @param {Backend} backend */
  init: (backend) => ({ type: 'init', backend }),
  /** Simulate only. @param {DataSpec} data */
  preview: (data, restore = false) => ({ type: 'preview', data, restore }),
  /** Simulate (data null: keep the current data), train, sample.
   * @param {{data: DataSpec|null, train: TrainSettings, sample: SampleSettings}} settings */
  run: ({ data, train, sample }) => ({ type: 'run', data, train, sample, frames: true }),
  /** @param {SampleSettings} sample */
  sample: (sample) => ({ type: 'sample', sample, frames: true }),
  /** Train the current run `steps` further, then sample. */
  more: (steps, sample) => ({ type: 'more', steps, sample, frames: true }),
  pause: () => ({ type: 'pause' }),
  resume: () => ({ type: 'resume' }),
  /** Stop training early and sample what was learned; during sampling, cancel it. */
  stop: () => ({ type: 'stop' }),
  csv: (text, name, restore = false) => ({ type: 'csv', text, name, restore }),
  loadModel: (text, name, { pretrained = false, restore = false } = {}) => ({ type: 'load-model', text, name, pretrained, restore }),
  /** @param {Slice} slice */
  field: (slice) => ({ type: 'field', slice }),
  /** The linear response of the current system by every estimator that applies (the
   * perturbation experiment when asked). @param {{data: DataSpec, kick: number,
   * tau_max?: number, perturbation: boolean, members?: number, normalize: boolean}} ask */
  response: (ask) => ({ type: 'response', ask }),
  model: () => ({ type: 'model' }),
  /** The current model's log-likelihood of at most `rows` held-out rows, and for data
   * of two coordinates its log-density on `grid` ({grid, lo, hi}; null: none). */
  likelihood: (rows, grid = null) => ({ type: 'likelihood', rows, grid }),
  crashTest: () => ({ type: 'crash-test' }),
  divergeTest: () => ({ type: 'diverge-test' }),
  /** The worker's wasm memory size, answered at once (tests and diagnostics). */
  memory: () => ({ type: 'memory' }),
};

export const MAX_RESTARTS = 3;

export class WorkerClient {
  // onMessage(msg): every worker message (after the client's own bookkeeping) and the
  // client's starting/restarting.
  constructor({ onMessage, url = new URL('./worker.js', import.meta.url) }) {
    this.onMessage = onMessage;
    this.url = url;
    this.worker = null;
    this.ready = false;
    this.backend = null;
    this.restarts = 0;
    // What the worker holds, so that a replacement gets it back: the last data request
    // sent, the CSV table and the model it accepted. pending: sent, not yet accepted.
    this.held = { spec: null, csv: null, model: null };
    this.pending = { csv: null, model: null };
  }

  // A new worker on the user's choice of backend: no restarts counted, no model kept.
  start(prefer) {
    this.prefer = prefer;
    this.restarts = 0;
    this.held.model = null;
    this.restoring = false;
    this.spawn(prefer);
  }

  spawn(backend) {
    if (this.worker) this.worker.terminate();
    this.ready = false;
    const worker = new Worker(this.url, { type: 'module' });
    this.worker = worker;
    worker.onmessage = (ev) => { if (this.worker === worker) this.receive(ev.data, backend); };
    worker.onerror = (ev) => {
      ev.preventDefault();
      if (this.worker === worker) this.died(ev.message || 'unknown error');
    };
    this.onMessage({ type: 'starting' });
  }

  post(msg) {
    if (!msg.restore) {
      if ((msg.type === 'preview' || msg.type === 'run') && msg.data) this.held.spec = msg.data;
      if (msg.type === 'csv') this.pending.csv = { text: msg.text, name: msg.name };
      if (msg.type === 'load-model') this.pending.model = msg.text;
    }
    this.worker.postMessage(msg);
  }

  receive(msg, backend) {
    switch (msg.type) {
      case 'ready': this.post(send.init(backend)); break;
      case 'crashed': this.died(msg.message); return;
      case 'backend':
        this.ready = true;
        this.backend = msg.backend;
        msg = { ...msg, reason: this.fallbackReason || msg.reason, restored: !!this.restoring };
        this.fallbackReason = null;
        break;
      case 'data': if (!msg.restore) this.held.csv = msg.source === 'csv' ? this.pending.csv : null; break;
      case 'model-loaded': if (!msg.restore) this.held.model = this.pending.model; break;
      case 'checkpoint': this.held.model = msg.json; break;
      default: break;
    }
    // A restarted worker gets its data and model back before anything the page queued
    // while it was down, so that the user's newer choice lands last and wins.
    if (msg.type === 'backend' && this.restoring) this.restore();
    this.onMessage(msg);
  }

  // The worker died (a Rust panic, a lost WebGPU device): start a new one, on the CPU if
  // WebGPU was in use, and give it back its data and model; after MAX_RESTARTS, give up.
  died(message) {
    const wasGpu = this.backend === 'webgpu';
    if (this.restarts >= MAX_RESTARTS) {
      this.worker.terminate();
      this.ready = false;
      this.onMessage({ type: 'restarting', message, wasGpu, restarts: this.restarts, gaveUp: true });
      return;
    }
    this.restarts += 1;
    this.restoring = true;
    this.fallbackReason = wasGpu ? 'WebGPU failed, so the restarted worker runs on the CPU' : null;
    this.spawn(wasGpu ? 'cpu' : this.prefer);
    this.onMessage({ type: 'restarting', message, wasGpu, restarts: this.restarts, gaveUp: false });
  }

  restore() {
    this.restoring = false;
    const { csv, spec, model } = this.held;
    if (csv) this.post(send.csv(csv.text, csv.name, true));
    else if (spec) this.post(send.preview(spec, true));
    if (model) this.post(send.loadModel(model, 'the last model', { restore: true }));
  }
}
