// One demo: the controls, the views and the module worker that owns its wasm instance
// and device. The page (app.js), the embed page and the <scoredyn-demo> element each
// make Demos; this file does UI only, the worker does all computation.
import { Camera, PointView, viewBounds } from './view3d.js';
import { LossPlot } from './plot.js';
import { SystemPicker } from './systems.js';
import { markup } from './markup.js';
import { DATA_COLOR, SAMPLE_COLOR, canvasPng, drawField, drawHistograms } from './views.js';

// Numeric fields: their rules, checked as the user types (inline message) and again
// before a job starts.
// (The system's parameters and added noise are the picker's: systems.js.)
const RULES = {
  t_end: { min: 1e-9, optional: true },
  dt: { min: 1e-12, optional: true },
  burn_in: { min: 0, optional: true },
  every: { integer: true, min: 1, max: 1e6, optional: true },
  obs_noise: { min: 0 },
  steps: { integer: true, min: 1, max: 1e7 },
  batch: { integer: true, min: 1, max: 65536 },
  width: { integer: true, min: 1, max: 4096 },
  depth: { integer: true, min: 1, max: 32 },
  lr: { min: 1e-8, max: 1 },
  ema: { min: 0, max: 0.99999 },
  seed: { integer: true, min: 0, max: 2 ** 53 },
  n: { integer: true, min: 1, max: 1e6 },
  ode_steps: { integer: true, min: 1, max: 10000 },
};
const MAX_RESTARTS = 3;
const FIELD_GRID = 21;

function ruleMessage(rule, value) {
  const text = String(value).trim();
  if (text === '' && rule.optional) return '';
  const v = Number(text);
  if (text === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v))
    || v < (rule.min ?? -Infinity) || v > (rule.max ?? Infinity)) {
    return `enter ${rule.integer ? 'a whole number' : 'a number'}${rule.min !== undefined ? ` ≥ ${rule.min}` : ''}`
      + `${rule.max !== undefined ? ` and ≤ ${rule.max}` : ''}`;
  }
  return '';
}

function toCsv(rows, dim) {
  const lines = [Array.from({ length: dim }, (_, j) => `x${j}`).join(',')];
  for (let i = 0; i < rows.length / dim; i++) lines.push(Array.from(rows.subarray(i * dim, (i + 1) * dim)).join(','));
  return lines.join('\n') + '\n';
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export class Demo {
  // root: the element to fill; keys: URLSearchParams of settings (the URL hash's keys,
  // or a <scoredyn-demo>'s attributes); prefix: for the ids of this demo's elements;
  // syncHash: write every change back to location.hash; visible: false holds autostart
  // until setVisible(true).
  constructor(root, { keys = new URLSearchParams(), prefix = '', syncHash = false, visible = true } = {}) {
    this.root = root;
    this.p = prefix;
    this.keys = keys;
    this.syncHash = syncHash;
    root.classList.add('scoredyn');
    root.innerHTML = markup(prefix);
    if (keys.get('controls') === 'hidden') root.classList.add('controls-hidden');
    this.autostart = ['1', 'true', 'yes'].includes(keys.get('autostart'));
    this.visible = visible;
    root.dataset.visible = String(visible);
    this.autoPaused = false;
    this.restarts = 0;
    this.s = {
      worker: null, ready: false, running: false, job: null, data: null, samples: null, dim: 3,
      hasModel: false, modelJson: null, dataSource: 'system', csv: null, canContinue: false,
      firstData: true, backend: null, frames: [], field: null, fieldPending: false,
      // What was last sent to the worker, kept once it is accepted (a restart resends it).
      pendingCsv: null, pendingModel: null,
    };
    this.axes = [0, 1, 2];
    const $ = (id) => this.$(id);
    this.camera = new Camera();
    this.dataView = new PointView($('data-view'), this.camera);
    this.sampleView = new PointView($('sample-view'), this.camera);
    this.animView = new PointView($('anim'), this.camera);
    this.lossPlot = new LossPlot($('loss'));
    this.picker = new SystemPicker({
      search: $('system-search'), select: $('system'), info: $('system-info'), params: $('params'),
      noiseRow: $('noise-row'), noise: $('noise'),
    }, () => this.schedulePreview());
    this.bind();
    this.applyKeys();
    this.redraw();
    this.startWorker(this.$('prefer').value);
  }

  $(id) { return this.root.querySelector(`#${CSS.escape(this.p + id)}`); }

  // ---- settings ----

  applyKeys() {
    for (const [key, v] of this.keys) {
      const k = key === 'backend' ? 'prefer' : key;
      const el = this.$(k);
      if (!el || el.hasAttribute('data-nokey')) continue;
      if (el.type === 'checkbox') el.checked = ['1', 'true', 'on'].includes(v);
      else if (el.tagName === 'INPUT') el.value = v;
      else if (el.tagName === 'SELECT' && [...el.options].some((o) => o.value === v)) el.value = v;
    }
    if (!['auto', 'webgpu', 'cpu'].includes(this.$('prefer').value)) this.$('prefer').value = 'auto';
  }

  // Checks one numeric field, shows the message beside it; returns the message.
  checkField(id) {
    const el = this.$(id);
    const msg = ruleMessage(RULES[id], el.value);
    el.setAttribute('aria-invalid', String(!!msg));
    const label = el.closest('label');
    if (label) { if (msg) label.dataset.error = msg; else delete label.dataset.error; }
    return msg;
  }

  readNumber(id) {
    const el = this.$(id);
    const msg = this.checkField(id);
    if (msg) {
      el.focus();
      const label = el.closest('label').firstChild.textContent.trim();
      throw new Error(`${label}: ${msg}`);
    }
    return el.value.trim() === '' ? undefined : Number(el.value);
  }

  // The data request (a DataSpec for the worker); throws naming the first bad field.
  dataSpec() {
    if (!this.picker.current) throw new Error('the catalog is still loading');
    const spec = this.picker.spec();
    const method = this.$('method').value;
    if (method) spec.method = method;
    for (const id of ['t_end', 'dt', 'burn_in', 'every']) {
      const v = this.readNumber(id);
      if (v !== undefined) spec[id] = v;
    }
    const obs = this.readNumber('obs_noise');
    if (obs) spec.obs_noise = obs;
    const embedEl = this.$('embed');
    const embed = embedEl.value.trim();
    const label = embedEl.closest('label');
    delete label.dataset.error;
    embedEl.setAttribute('aria-invalid', 'false');
    if (embed) {
      const parts = embed.split(',').map((v) => Number(v.trim()));
      if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 0) || parts[1] < 1 || parts[2] < 1) {
        label.dataset.error = 'three whole numbers COORD,DIMS,LAG, e.g. 0,3,5';
        embedEl.setAttribute('aria-invalid', 'true');
        embedEl.focus();
        throw new Error('delay embedding: enter COORD,DIMS,LAG as three whole numbers, e.g. 0,3,5');
      }
      spec.embed = parts;
    }
    return spec;
  }

  settings() {
    return {
      data: this.dataSpec(),
      train: {
        steps: this.readNumber('steps'),
        batch: this.readNumber('batch'),
        width: this.readNumber('width'),
        depth: this.readNumber('depth'),
        lr: this.readNumber('lr'),
        ema: this.readNumber('ema'),
        seed: this.readNumber('seed'),
        sde: this.$('sde').value,
        objective: this.$('objective').value,
      },
      sample: this.sampleSettings(),
    };
  }

  sampleSettings() {
    return {
      n: this.readNumber('n'),
      steps: this.readNumber('ode_steps'),
      sampler: this.$('sampler').value,
      seed: 1,
    };
  }

  // Every setting that differs from its default, the system and its changed
  // parameters: the keys of the URL hash and of a <scoredyn-demo>.
  currentKeys() {
    const out = new URLSearchParams();
    for (const k of ['controls', 'autostart']) if (this.keys.has(k)) out.set(k, this.keys.get(k));
    if (this.picker.current && this.picker.current.name !== 'Lorenz') out.set('system', this.picker.current.name);
    for (const input of this.root.querySelectorAll('input[data-param]')) {
      if (input.value !== input.dataset.default) out.set(`p.${input.dataset.param}`, input.value);
    }
    for (const el of this.root.querySelectorAll('input[id], select[id]')) {
      if (el.hasAttribute('data-nokey')) continue;
      const id = el.id.slice(this.p.length);
      const key = id === 'prefer' ? 'backend' : id;
      let value, initial;
      if (el.type === 'checkbox') { value = el.checked ? '1' : ''; initial = el.defaultChecked ? '1' : ''; }
      else if (el.tagName === 'SELECT') {
        if (!el.options.length) continue;
        value = el.value;
        initial = el.dataset.default ?? (el.querySelector('option[selected]') || el.querySelector('option'))?.value;
      } else { value = el.value; initial = el.defaultValue; }
      if (value !== initial && value !== undefined) out.set(key, value);
    }
    return out;
  }

  writeHash() {
    if (!this.syncHash) return;
    const text = this.currentKeys().toString();
    history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
  }

  // ---- state and messages ----

  showError(message) {
    const el = this.$('error');
    el.textContent = message;
    el.hidden = !message;
  }

  setRunning(running, job = null) {
    const s = this.s;
    s.running = running;
    s.job = running ? job : null;
    const $ = (id) => this.$(id);
    $('train').disabled = running || !s.ready;
    $('stop').disabled = !running;
    $('prefer').disabled = running;
    $('download').disabled = running || !s.hasModel;
    $('sample-again').disabled = running || !s.hasModel || !s.ready;
    $('more').disabled = running || !s.canContinue || !s.ready;
    $('pause').disabled = !running || job === 'sample';
    if (!running) $('pause').textContent = 'Pause';
  }

  post(msg) { this.s.worker.postMessage(msg); }

  startWorker(backend) {
    const s = this.s;
    if (s.worker) s.worker.terminate();
    s.ready = false;
    s.hasModel = false;
    s.canContinue = false;
    this.setRunning(false);
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    s.worker = worker;
    s.workerBackend = backend;
    worker.onmessage = (ev) => { if (s.worker === worker) this.onMessage(ev.data); };
    worker.onerror = (ev) => {
      ev.preventDefault();
      if (s.worker === worker) this.workerDied(ev.message || 'unknown error');
    };
    this.$('backend').textContent = 'Loading WebAssembly…';
  }

  // The worker died (a Rust panic, a lost WebGPU device): start a new one, on the CPU
  // if WebGPU was in use, and give it back the data and the last model. The settings
  // and the results on screen stay as they are.
  workerDied(message) {
    const s = this.s;
    const wasGpu = s.backend === 'webgpu';
    this.showError('');
    if (this.restarts >= MAX_RESTARTS) {
      s.worker.terminate();
      s.ready = false;
      this.setRunning(false);
      this.$('backend').textContent = 'The compute worker keeps failing.';
      this.showError(`The compute worker stopped (${message}) ${this.restarts + 1} times. Reload the page.`);
      return;
    }
    this.restarts += 1;
    this.restoring = true;
    this.fallbackReason = wasGpu ? 'WebGPU failed, so the restarted worker runs on the CPU' : null;
    this.startWorker(wasGpu ? 'cpu' : this.$('prefer').value);
    this.$('backend').textContent = `The compute worker stopped (${message}); starting a new one${wasGpu ? ' on the CPU' : ''}…`;
    this.root.dataset.restarts = String(this.restarts);
    this.restartNote = `The compute worker stopped (${message}) and was restarted${wasGpu ? ' on the CPU, because WebGPU failed' : ''}. `
      + 'Your settings and results are kept.';
  }

  restore() {
    const s = this.s;
    this.restoring = false;
    if (s.dataSource === 'csv' && s.csv) this.post({ type: 'csv', text: s.csv.text, name: s.csv.name, restore: true });
    else {
      try { this.post({ type: 'preview', data: this.dataSpec(), restore: true }); } catch (e) { /* shown on the next run */ }
    }
    if (s.modelJson) this.post({ type: 'load-model', text: s.modelJson, name: 'the last model', restore: true });
    this.$('share-status').textContent = this.restartNote;
  }

  onMessage(msg) {
    const s = this.s;
    const $ = (id) => this.$(id);
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'init', backend: s.workerBackend });
        break;
      case 'backend':
        s.ready = true;
        s.backend = msg.backend;
        {
          const reason = this.fallbackReason || msg.reason;
          this.fallbackReason = null;
          $('backend').textContent = `Backend: ${msg.backend}. ${reason[0].toUpperCase()}${reason.slice(1)}.`;
        }
        $('backend').title = msg.detail || '';
        $('backend').dataset.backend = msg.backend;
        this.root.dataset.backend = msg.backend;
        this.setRunning(false);
        if (this.restoring) this.restore(); else this.schedulePreview();
        break;
      case 'catalog':
        if (this.picker.systems.length) break;
        this.picker.load(msg.systems, this.keys.get('system') || 'Lorenz');
        for (const [k, v] of this.keys) if (k.startsWith('p.')) this.picker.setParam(k.slice(2), v);
        this.schedulePreview();
        break;
      case 'data':
        if (msg.restore) break;
        s.data = msg.rows;
        s.dim = msg.dim;
        s.dataSource = msg.source || 'system';
        s.csv = s.dataSource === 'csv' ? s.pendingCsv : null;
        s.samples = null;
        s.frames = [];
        s.field = null;
        this.setAxes(msg.dim);
        $('data-count').textContent = `(${msg.rows.length / msg.dim} points${msg.dim > 3 ? `, ${msg.dim} coordinates` : ''})`;
        if (s.firstData) {
          s.firstData = false;
          this.root.dataset.firstData = String(Math.round(performance.now()));
          this.loadPretrained();
        }
        $('preview-status').textContent = msg.seconds !== undefined
          ? `${msg.system}: ${msg.rows.length / msg.dim} points simulated in ${(msg.seconds * 1000).toFixed(0)} ms`
          : `${msg.system}: ${msg.rows.length / msg.dim} rows, ${msg.dim} columns`;
        $('sample-count').textContent = '';
        this.showFrames();
        this.redraw();
        break;
      case 'progress': {
        const rate = msg.step / Math.max(msg.seconds, 1e-9);
        const eta = (msg.total - msg.step) / Math.max(rate, 1e-9);
        $('progress').max = msg.total;
        $('progress').value = msg.step;
        $('progress-text').textContent =
          `training ${msg.step}/${msg.total} · loss ${msg.loss.toFixed(4)} · ${rate.toFixed(0)} steps/s · ETA ${eta.toFixed(0)} s`;
        this.lossPlot.push(msg.step, msg.loss);
        break;
      }
      case 'sampling':
        $('progress').max = 1;
        $('progress').value = msg.fraction;
        $('progress-text').textContent = `sampling: ${(100 * msg.fraction).toFixed(0)}% · ${msg.nfe} score evaluations`;
        break;
      case 'frame':
        if (msg.first) s.frames = [];
        s.frames.push({ rows: msg.rows, t: msg.t });
        this.showFrames(true);
        break;
      case 'checkpoint':
        s.modelJson = msg.json;
        break;
      case 'samples':
        this.onSamples(msg);
        break;
      case 'metrics':
        this.onMetrics(msg);
        break;
      case 'cancelled':
        $('progress-text').textContent = 'sampling stopped; the previous samples stay';
        if (this.root.dataset.pretrained === 'loading') this.root.dataset.pretrained = 'none';
        break;
      case 'field':
        s.field = msg;
        this.drawField();
        break;
      case 'paused':
        $('pause').textContent = 'Resume';
        $('progress-text').textContent = `paused at step ${$('progress').value}${this.autoPaused ? ' (off-screen)' : ''}`;
        break;
      case 'resumed':
        $('pause').textContent = 'Pause';
        break;
      case 'model-loaded':
        if (msg.restore) { s.hasModel = true; this.setRunning(false); break; }
        s.hasModel = true;
        s.modelJson = s.pendingModel;
        s.field = null;
        this.setRunning(false);
        if (msg.pretrained) {
          $('share-status').textContent = `Showing a small pretrained model of ${msg.name}; press Train for your own.`;
          this.setRunning(true, 'sample');
          this.post({ type: 'sample', sample: { n: 2000, steps: 10, sampler: 'ode-heun', seed: 1 }, frames: true });
        } else {
          $('share-status').textContent = `Loaded model ${msg.name}: "Sample again" draws from it.`;
          this.s.fieldPending = true;
        }
        break;
      case 'model':
        download('scoredyn-model.json', new Blob([msg.json], { type: 'application/json' }));
        break;
      case 'error':
        if (msg.job === 'preview') $('preview-status').textContent = msg.message;
        else if (msg.job === 'field') $('field-label').textContent = msg.message;
        else this.showError(msg.message);
        break;
      case 'crashed':
        this.workerDied(msg.message);
        break;
      case 'fatal':
        $('backend').textContent = 'WebAssembly could not start.';
        this.showError(msg.message);
        break;
      case 'done':
        // Short jobs (preview, field, csv, ...) may finish during a long one.
        if (['run', 'more', 'sample'].includes(msg.job) || !s.running) this.setRunning(false);
        if (this.root.dataset.pretrained === 'loading' && msg.job === 'sample') this.root.dataset.pretrained = 'shown';
        if (s.fieldPending) this.requestField();
        this.tryAutostart();
        break;
      default:
        break;
    }
  }

  onSamples(msg) {
    const s = this.s;
    const $ = (id) => this.$(id);
    s.samples = msg.rows;
    if (!this.root.dataset.firstSamples) this.root.dataset.firstSamples = String(Math.round(performance.now()));
    $('sample-count').textContent = `(${msg.rows.length / msg.dim} points, ${msg.nfe} score evaluations, ${msg.seconds.toFixed(1)} s)`;
    $('progress-text').textContent = msg.steps
      ? `done: ${msg.steps} steps in ${msg.trainSeconds.toFixed(1)} s, sampled in ${msg.seconds.toFixed(1)} s`
      : `sampled in ${msg.seconds.toFixed(1)} s`;
    $('metrics').textContent = `${msg.sampler}: ${msg.nfe} score evaluations in ${msg.seconds.toFixed(1)} s · measuring…`;
    s.hasModel = true;
    s.fieldPending = true;
    this.redraw();
  }

  // Distances between the samples and the data; the run is complete with them.
  onMetrics(msg) {
    const m = msg.metrics;
    const cd = (v) => (v === null || v === undefined) ? '–' : v.toFixed(2);
    this.$('metrics').textContent = `${msg.sampler}: ${msg.nfe} score evaluations in ${msg.seconds.toFixed(1)} s`
      + (m ? ` · SWD ${m.swd.toFixed(3)} (${m.swd_ratio.toFixed(2)}× the data's floor) · MMD² ${m.mmd.toExponential(2)} · `
        + `correlation dimension ${cd(m.corr_dim_samples)} (data ${cd(m.corr_dim_reference)})` : '');
    if (m) this.lossPlot.pushQuality(msg.steps || this.lossPlot.lastStep(), m.swd_ratio);
    if (this.s.samples) this.root.dataset.samples = String(this.s.samples.length / this.s.dim);
  }

  // ---- jobs ----

  // Re-simulates shortly after the last change, so the attractor follows the parameters.
  schedulePreview() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      const s = this.s;
      if (!s.ready || s.running) return;
      let data;
      try {
        data = this.dataSpec();
      } catch (e) {
        this.$('preview-status').textContent = e.message;
        return;
      }
      this.$('preview-status').textContent = 'simulating…';
      this.post({ type: 'preview', data });
    }, 200);
  }

  train() {
    const s = this.s;
    if (s.running || !s.ready) return;
    let settings;
    try {
      settings = this.settings();
    } catch (e) {
      this.showError(e.message);
      return;
    }
    this.showError('');
    this.lossPlot.reset();
    this.$('progress').value = 0;
    this.$('progress-text').textContent = 'simulating…';
    this.setRunning(true, 'run');
    if (s.dataSource === 'csv') settings.data = null;
    s.canContinue = true;
    this.post({ type: 'run', ...settings, frames: true });
  }

  tryAutostart() {
    const s = this.s;
    if (!this.autostart || this.autostarted || !this.visible || !s.ready || s.running || !s.data) return;
    this.autostarted = true;
    this.train();
  }

  // Called by the <scoredyn-demo> element: training holds while the demo is off-screen.
  setVisible(visible) {
    this.visible = visible;
    const s = this.s;
    if (!visible && s.running && s.job !== 'sample' && this.$('pause').textContent === 'Pause') {
      this.autoPaused = true;
      this.post({ type: 'pause' });
    } else if (visible && this.autoPaused) {
      this.autoPaused = false;
      if (s.running) this.post({ type: 'resume' });
    }
    this.root.dataset.visible = String(visible);
    if (visible) this.tryAutostart();
  }

  // First visit: a small pretrained model of the chosen system (www/models, made by
  // scripts/pretrain.sh) draws samples at once, before any training.
  async loadPretrained() {
    const none = () => { this.root.dataset.pretrained = 'none'; };
    try {
      if (this.autostart || !this.picker.current || [...this.keys.keys()].some((k) => k.startsWith('p.'))) return none();
      const index = await (await fetch(new URL('./models/index.json', import.meta.url))).json();
      const name = this.picker.current.name;
      if (!index.includes(name) || this.s.running || this.s.hasModel) return none();
      const text = await (await fetch(new URL(`./models/${name}.json`, import.meta.url))).text();
      if (this.s.running || this.s.hasModel) return none();
      this.root.dataset.pretrained = 'loading';
      this.s.pendingModel = text;
      this.post({ type: 'load-model', text, name, pretrained: true });
    } catch (e) {
      // No pretrained model is no problem: training works without one.
      none();
    }
  }

  // ---- views ----

  setAxes(dim) {
    const names = Array.from({ length: dim }, (_, k) => k);
    const fill = (el, def) => {
      el.replaceChildren(...names.map((k) => new Option(`x${k}`, String(k))));
      el.dataset.default = String(Math.min(def, dim - 1));
      const key = this.keys.get(el.id.slice(this.p.length));
      el.value = key !== null && Number(key) < dim ? key : el.dataset.default;
    };
    [0, 1, 2].forEach((k) => fill(this.$(`axis-${k}`), k));
    this.$('axes-row').hidden = dim <= 3;
    fill(this.$('field-x'), 0);
    fill(this.$('field-y'), dim >= 3 ? 2 : 1);
    this.readAxes();
  }

  readAxes() {
    const dim = this.s.dim;
    this.axes = dim > 3 ? [0, 1, 2].map((k) => Number(this.$(`axis-${k}`).value)) : [0, 1, 2].slice(0, dim);
  }

  redraw() {
    const s = this.s;
    const bounds = viewBounds(s.data, s.samples, s.dim, this.axes);
    this.dataBounds = viewBounds(s.data, null, s.dim, this.axes);
    const overlay = this.$('overlay').checked;
    this.$('sample-figure').hidden = overlay;
    this.$('data-caption').textContent = overlay ? 'data and samples' : 'data';
    this.dataView.set([{ rows: s.data, color: DATA_COLOR }, ...(overlay ? [{ rows: s.samples, color: SAMPLE_COLOR }] : [])],
      s.dim, bounds, this.axes);
    if (s.samples) this.sampleView.set([{ rows: s.samples, color: SAMPLE_COLOR }], s.dim, bounds, this.axes);
    else this.sampleView.clear();
    drawHistograms(this.$('hist'), s.data, s.samples, s.dim, this.axes, bounds);
    this.drawFrame();
    this.drawField();
    this.lossPlot.redraw();
  }

  // The noise-to-data frames of the last sampling run, on the time slider.
  showFrames(live = false) {
    const slider = this.$('anim-time');
    const n = this.s.frames.length;
    slider.max = String(Math.max(0, n - 1));
    slider.disabled = n < 2;
    this.$('anim-play').disabled = n < 2;
    if (live || Number(slider.value) > n - 1) slider.value = String(Math.max(0, n - 1));
    this.drawFrame();
  }

  drawFrame() {
    const s = this.s;
    const frame = s.frames[Number(this.$('anim-time').value)];
    if (!frame || !s.data) {
      this.animView.clear();
      return;
    }
    // The data's bounds, from the last redraw: playing the frames sorts nothing.
    this.animView.set([{ rows: frame.rows, color: SAMPLE_COLOR }], s.dim, this.dataBounds, this.axes);
    const i = Number(this.$('anim-time').value);
    this.$('anim-label').textContent = `t = ${frame.t.toFixed(3)} (frame ${i + 1} of ${s.frames.length}; 1 is noise, 0 is data)`;
  }

  play() {
    const slider = this.$('anim-time');
    clearInterval(this.playTimer);
    if (this.$('anim-play').textContent === 'Stop') {
      this.$('anim-play').textContent = 'Play';
      return;
    }
    slider.value = '0';
    this.$('anim-play').textContent = 'Stop';
    this.playTimer = setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next > Number(slider.max)) {
        clearInterval(this.playTimer);
        this.$('anim-play').textContent = 'Play';
        return;
      }
      slider.value = String(next);
      this.drawFrame();
    }, 160);
  }

  fieldSlice() {
    const s = this.s;
    const ax = [Number(this.$('field-x').value), Number(this.$('field-y').value)];
    if (ax[0] === ax[1]) throw new Error('choose two different coordinates for the slice');
    const box = viewBounds(s.data, null, s.dim, ax).map(([lo, hi]) => {
      const pad = 0.08 * (hi - lo);
      return [lo - pad, hi + pad];
    });
    const t = 10 ** (-2 + 2 * Number(this.$('field-t').value) / 100);
    return { axes: ax, t, grid: FIELD_GRID, lo: [box[0][0], box[1][0]], hi: [box[0][1], box[1][1]] };
  }

  requestField() {
    const s = this.s;
    if (!s.hasModel || !s.data) return;
    if (!s.ready || s.running) { s.fieldPending = true; return; }
    s.fieldPending = false;
    let slice;
    try { slice = this.fieldSlice(); } catch (e) { this.$('field-label').textContent = e.message; return; }
    this.post({ type: 'field', slice });
  }

  drawField() {
    const s = this.s;
    const f = s.field;
    let ax = [Number(this.$('field-x').value), Number(this.$('field-y').value)];
    if (f) ax = f.slice.axes;
    if (!s.data || ax.some((k) => !(k < s.dim))) { drawField(this.$('field'), null, 0, null, 0, [0, 1], null); return; }
    const box = f ? [[f.slice.lo[0], f.slice.hi[0]], [f.slice.lo[1], f.slice.hi[1]]] : null;
    drawField(this.$('field'), f ? f.values : null, FIELD_GRID, s.data, s.dim, ax,
      box || viewBounds(s.data, null, s.dim, ax));
    if (f) {
      this.$('field-label').textContent = `${f.velocity ? 'learned velocity' : 'learned score'} at t = ${f.slice.t.toFixed(3)}`
        + ` (noise/signal ${f.ratio.toPrecision(2)} in standard units)`;
    }
  }

  // ---- wiring ----

  bind() {
    const $ = (id) => this.$(id);
    const s = this.s;
    $('controls').addEventListener('submit', (ev) => { ev.preventDefault(); this.train(); });
    $('stop').addEventListener('click', () => this.post({ type: 'stop' }));
    $('download').addEventListener('click', () => this.post({ type: 'model' }));
    // WebGPU can be initialised once per worker: a new choice gets a new worker.
    $('prefer').addEventListener('change', () => { this.restarts = 0; s.modelJson = null; this.startWorker($('prefer').value); });
    for (const id of ['method', 't_end', 'dt', 'burn_in', 'every', 'obs_noise', 'embed']) $(id).addEventListener('input', () => this.schedulePreview());
    for (const id of Object.keys(RULES)) $(id).addEventListener('input', () => this.checkField(id));
    const resize = () => this.redraw();
    window.addEventListener('resize', resize);
    $('controls').addEventListener('input', () => this.writeHash());
    $('controls').addEventListener('change', () => this.writeHash());
    $('overlay').addEventListener('change', () => { this.redraw(); this.writeHash(); });
    for (const k of [0, 1, 2]) $(`axis-${k}`).addEventListener('change', () => { this.readAxes(); this.redraw(); this.writeHash(); });
    $('anim-time').addEventListener('input', () => this.drawFrame());
    $('anim-play').addEventListener('click', () => this.play());
    for (const id of ['field-x', 'field-y', 'field-t']) {
      $(id).addEventListener('change', () => { this.requestField(); this.writeHash(); });
    }
    $('field-t').addEventListener('input', () => {
      const t = 10 ** (-2 + 2 * Number($('field-t').value) / 100);
      $('field-label').textContent = `t = ${t.toFixed(3)}: release to draw`;
    });

    $('copy-link').addEventListener('click', () => this.copy(this.link(), 'Link copied: it opens this page with these settings.'));
    $('copy-embed').addEventListener('click', () => {
      const keys = this.currentKeys();
      const attrs = [...keys].map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
      const base = new URL('.', location.href).href;
      const code = `<iframe src="${base}embed.html#${keys}" width="900" height="700" title="scoredyn demo"></iframe>\n`
        + `<!-- or, with ${base}element.js loaded as a module: -->\n<scoredyn-demo${attrs}></scoredyn-demo>`;
      this.copy(code, 'Embed code copied: an iframe, or a <scoredyn-demo> element with the same settings.');
    });

    for (const b of this.root.querySelectorAll('[data-export-csv]')) {
      b.addEventListener('click', () => {
        const which = b.dataset.exportCsv;
        const rows = which === 'data' ? s.data : s.samples;
        if (!rows) { this.showError(`no ${which} yet`); return; }
        download(`scoredyn-${which}.csv`, new Blob([toCsv(rows, s.dim)], { type: 'text/csv' }));
      });
    }
    for (const b of this.root.querySelectorAll('[data-export-png]')) {
      b.addEventListener('click', () => {
        const which = b.dataset.exportPng;
        const canvas = which === 'loss' ? this.lossPlot.canvas() : $(which);
        canvasPng(canvas, (blob) => download(`scoredyn-${which}.png`, blob));
      });
    }

    $('csv-file').addEventListener('change', async (ev) => {
      const file = ev.target.files[0];
      ev.target.value = '';
      if (!file || !s.ready || s.running) return;
      this.showError('');
      const text = await file.text();
      s.pendingCsv = { text, name: file.name };
      this.post({ type: 'csv', text, name: file.name });
    });
    $('model-file').addEventListener('change', async (ev) => {
      const file = ev.target.files[0];
      ev.target.value = '';
      if (!file || !s.ready || s.running) return;
      this.showError('');
      s.pendingModel = await file.text();
      this.post({ type: 'load-model', text: s.pendingModel, name: file.name });
    });
    $('sample-again').addEventListener('click', () => {
      if (!s.ready || s.running) return;
      let sample;
      try { sample = this.sampleSettings(); } catch (e) { this.showError(e.message); return; }
      this.showError('');
      this.setRunning(true, 'sample');
      this.post({ type: 'sample', sample, frames: true });
    });
    $('pause').addEventListener('click', () => {
      if (!s.running) return;
      this.autoPaused = false;
      this.post({ type: $('pause').textContent === 'Pause' ? 'pause' : 'resume' });
    });
    $('more').addEventListener('click', () => {
      if (!s.ready || s.running) return;
      let steps, sample;
      try { steps = this.readNumber('steps'); sample = this.sampleSettings(); } catch (e) { this.showError(e.message); return; }
      this.showError('');
      this.setRunning(true, 'more');
      this.post({ type: 'more', steps, sample, frames: true });
    });
  }

  link() {
    const keys = this.currentKeys().toString();
    if (this.syncHash) { this.writeHash(); return location.href; }
    return `${new URL('.', location.href).href}#${keys}`;
  }

  async copy(text, ok) {
    try {
      await navigator.clipboard.writeText(text);
      this.$('share-status').textContent = ok;
    } catch (e) {
      this.$('share-status').textContent = `Copy this: ${text}`;
    }
  }
}
