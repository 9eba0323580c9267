// One demo: its settings (state.js), its worker (protocol.js) and its jobs, wiring the
// parts in this folder. app.js (the page, embed.html) and element.js make Demos.
import { ENTRY, PARAM, decode } from '../state.js';
import { WorkerClient, send } from '../protocol.js';
import { layout } from './layout.js';
import { Form } from './form.js';
import { SystemPicker } from './systems.js';
import { Views } from './views.js';
import { Frames } from './frames.js';
import { FieldView } from './field.js';
import { viewBounds } from './view3d.js';
import { drawDensity } from './draw.js';
import { LossPlot } from './plot.js';
import { ResponseView } from './response.js';
import { idle, showRun } from './runbar.js';
import { handle } from './messages.js';
import { bindFiles } from './files.js';
import { bindSharing, writeHash } from './share.js';
import { runSettings, sampleSettings, dataSpec } from './settings.js';

// Rows of the held-out data the page's Likelihood integrates (the CLI's default: 2000).
const LIKELIHOOD_ROWS = 500;
// Points per side of the density view's grid (data of two coordinates).
const DENSITY_GRID = 24;

export class Demo {
  // root: the element to fill; keys: URLSearchParams of settings (the URL hash's keys,
  // or a <scoredyn-demo>'s attributes); prefix: for the ids of this demo's elements;
  // syncHash: write every change back to location.hash; visible: false holds autostart
  // until setVisible(true).
  constructor(root, { keys = new URLSearchParams(), prefix = '', syncHash = false, visible = true } = {}) {
    this.root = root;
    this.syncHash = syncHash;
    this.$ = (id) => root.querySelector(`#${CSS.escape(prefix + id)}`);
    this.state = decode(keys);
    // A link with parameters of its own does not start from a pretrained model.
    this.ownParams = Object.keys(this.state[PARAM]).length > 0;
    this.autostart = this.state.autostart;
    this.visible = visible;
    this.run = idle();
    // Actions asked for while the worker was busy, by kind (the latest of each kind):
    // carried out when the current job ends.
    this.queued = new Map();
    // The results: the data (source: system or csv), samples, noise-to-data frames, score slice.
    this.s = { data: null, dim: 3, source: 'system', samples: null, frames: [], field: null, density: null, firstData: true };
    root.classList.add('scoredyn');
    if (this.state.controls === 'hidden') root.classList.add('controls-hidden');
    root.innerHTML = layout(prefix);
    root.dataset.visible = String(visible);
    const { $ } = this;
    this.form = new Form(root, prefix, this.state);
    this.form.show();
    this.showFamily();
    this.picker = new SystemPicker({
      search: $('system-search'), select: $('system'), info: $('system-info'), params: $('params'),
      noiseRow: $('noise-row'), noise: $('noise'),
    }, () => this.systemEdited());
    this.views = new Views(this);
    this.framesView = new Frames(this, this.views.camera);
    this.fieldView = new FieldView(this);
    this.lossPlot = new LossPlot($('loss'));
    this.responseView = new ResponseView(this);
    this.client = new WorkerClient({ onMessage: (msg) => handle(this, msg) });
    this.bind();
    this.redraw();
    this.client.start(this.state.backend);
  }

  bind() {
    const { $ } = this;
    $('controls').addEventListener('submit', (ev) => { ev.preventDefault(); this.train(); });
    $('pause').addEventListener('click', () => this.pause());
    $('stop').addEventListener('click', () => this.client.post(send.stop()));
    $('more').addEventListener('click', () => this.more());
    $('sample-again').addEventListener('click', () => this.sampleAgain());
    $('likelihood-run').addEventListener('click', () => this.likelihood());
    $('response-run').addEventListener('click', () => this.responseView.request());
    for (const type of ['input', 'change']) this.root.addEventListener(type, (ev) => this.edited(ev));
    window.addEventListener('resize', () => this.redraw());
    bindFiles(this);
    bindSharing(this);
  }

  // A control changed: its value into the state, what depends on it, the URL hash.
  edited(ev) {
    const el = ev.target;
    const key = this.form.take(el);
    if (el.dataset.param !== undefined) this.state[PARAM] = this.picker.changed();
    if (!key && !this.$('controls').contains(el)) return;
    if (key) this.react(ENTRY.get(key), ev.type);
    writeHash(this);
  }

  react(entry, type) {
    const { key, group } = entry;
    if (type === 'input') {
      if (entry.range && entry.type !== 'slider') this.form.check(key);
      // (The added noise re-simulates through the picker, once it is valid.)
      if (group === 'data' && key !== 'noise') this.schedulePreview();
      if (key === 'field-t') this.fieldView.scrub();
    } else if (key === 'arch' || key === 'objective') {
      this.family(key);
    } else if (key === 'backend') {
      // WebGPU can be initialised once per worker: a new choice gets a new worker.
      this.client.start(this.state.backend);
    } else if (group === 'view') {
      if (key.startsWith('field-')) this.fieldView.request(); else this.redraw();
    } else if (group === 'response') {
      this.responseView.redraw();
    }
  }

  // The families' couplings: a RealNVP trains by maximum likelihood and samples by its
  // exact inverse, which nothing else does; choosing one side sets the others, and says so.
  family(key) {
    const s = this.state;
    const was = [s.arch, s.objective, s.sampler].join();
    const flow = key === 'arch' ? s.arch === 'realnvp' : s.objective === 'maximum-likelihood';
    if (flow) {
      Object.assign(s, { arch: 'realnvp', objective: 'maximum-likelihood', sampler: 'inverse' });
    } else if (s.arch === 'realnvp' || s.objective === 'maximum-likelihood') {
      s.arch = ENTRY.get('arch').default;
      if (s.objective === 'maximum-likelihood') s.objective = ENTRY.get('objective').default;
    }
    if (!flow && s.sampler === 'inverse') s.sampler = ENTRY.get('sampler').default;
    this.showFamily();
    if ([s.arch, s.objective, s.sampler].join() !== was) {
      this.$('share-status').textContent = flow
        ? 'RealNVP: trained by maximum likelihood, sampled by its exact inverse (objective and sampler set to match).'
        : `Network ${s.arch}, objective ${s.objective}, sampler ${s.sampler} (set to match).`;
    }
  }

  // The fields of the chosen family: the coupling layers are a RealNVP's.
  showFamily() {
    // Only these fields: showing every field would write raw state into the coordinate
    // menus, whose state may name a coordinate the data lack (field-y = 2 on 2-D data).
    for (const key of ['arch', 'objective', 'sampler']) this.form.el(key).value = this.state[key];
    this.form.el('layers').disabled = this.state.arch !== 'realnvp';
  }

  // The picker chose a system or a parameter changed.
  systemEdited(auto = false) {
    if (this.picker.current) this.state.system = this.picker.current.name;
    this.state[PARAM] = this.picker.changed();
    this.schedulePreview(auto);
  }

  showError(message) {
    const el = this.$('error');
    el.textContent = message;
    el.hidden = !message;
  }

  setRunning(running, job = null) {
    this.run.running = running;
    this.run.job = running ? job : null;
    if (!running) this.run.paused = false;
    this.showRun();
    if (!running) this.runQueued();
  }

  // Carries out `fn` now if the worker is free; else keeps it (replacing an earlier one
  // of the same kind: the latest wins, and runs last), says so (in `where`, the error
  // line by default), and carries it out when the current job ends. `fn(later)`: later
  // is true when it runs from the queue.
  whenIdle(kind, what, fn, where = null) {
    if (this.client.ready && !this.run.running) { fn(false); return; }
    this.queued.delete(kind);
    this.queued.set(kind, { what, fn, where });
    const busy = !this.client.ready ? 'the compute worker is starting'
      : this.run.job === 'sample' ? 'sampling' : this.run.job === 'response' ? 'computing the response'
        : this.run.job === 'likelihood' ? 'computing the likelihood' : 'training';
    const text = `Busy (${busy}): ${what} when it is done.`;
    if (where) where.textContent = text;
    else {
      this.busyNote = text;
      this.showError(text);
    }
  }

  runQueued() {
    if (!this.client.ready || this.run.running || !this.queued.size) return;
    const jobs = [...this.queued.values()];
    this.queued.clear();
    // The busy note goes; a message the job itself left (an error) stays.
    if (this.busyNote && this.$('error').textContent === this.busyNote) this.showError('');
    this.busyNote = null;
    for (const { fn } of jobs) fn(true);
  }

  showRun() { showRun(this); }

  redraw() {
    this.views.redraw();
    this.framesView.draw();
    this.fieldView.draw();
    this.drawDensity();
    this.lossPlot.redraw();
    this.responseView.redraw();
  }

  // ---- jobs ----

  // Re-simulates shortly after the last change (auto: a preview the page makes by
  // itself, at start-up, which a CSV the user chose takes precedence over).
  schedulePreview(auto = false) {
    if (auto && (this.userCsv || this.queued.has('data'))) return;
    if (!auto) this.userCsv = false;
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.whenIdle('data', 'the data will re-simulate', () => {
      let data;
      try {
        data = dataSpec(this.form, this.picker);
      } catch (e) {
        this.$('preview-status').textContent = e.message;
        return;
      }
      this.$('preview-status').textContent = 'simulating…';
      this.client.post(send.preview(data));
    }, this.$('preview-status')), 200);
  }

  // Runs the job if the fields check out (else the first bad one's message shows).
  start(job, settings) {
    if (!this.client.ready || this.run.running) return false;
    let msg;
    try {
      msg = settings();
    } catch (e) {
      this.showError(e.message);
      return false;
    }
    this.showError('');
    this.setRunning(true, job);
    this.client.post(msg);
    return true;
  }

  // The held-out likelihood of the current model (any family), in the line below the
  // metrics; asked for while busy, it runs when the current job ends.
  likelihood() {
    const line = this.$('likelihood');
    this.whenIdle('likelihood', 'the likelihood will be computed', () => {
      if (this.start('likelihood', () => send.likelihood(LIKELIHOOD_ROWS, this.densityGrid()))) {
        line.textContent = `likelihood: computing over ${LIKELIHOOD_ROWS} held-out rows…`;
        if (this.s.dim === 2) this.$('density-label').textContent = 'the model\'s density: computing…';
      }
    }, line);
  }

  // The density view: shown for data of two coordinates, drawn once Likelihood made it.
  drawDensity() {
    const { s, $ } = this;
    $('density-figure').hidden = s.dim !== 2;
    if (s.dim !== 2) return;
    const d = s.density;
    const box = d ? [[d.grid.lo[0], d.grid.hi[0]], [d.grid.lo[1], d.grid.hi[1]]] : null;
    const max = drawDensity($('density'), d ? d.values : null, d ? d.grid.grid : 0, box, s.data);
    if (d) {
      $('density-label').textContent = `the model's log-density, x0 →, x1 ↑: brightest ${max.toFixed(2)},`
        + ' dark 8 nats below; data as dots';
    }
  }

  // For data of two coordinates, the density view's grid: the data's box, padded.
  densityGrid() {
    const { s } = this;
    if (s.dim !== 2 || !s.data) return null;
    const box = viewBounds(s.data, null, 2, [0, 1]).map(([lo, hi]) => [lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)]);
    return { grid: DENSITY_GRID, lo: [box[0][0], box[1][0]], hi: [box[0][1], box[1][1]] };
  }

  train() {
    this.start('run', () => {
      const settings = runSettings(this.form, this.picker);
      if (this.s.source === 'csv') settings.data = null;
      this.lossPlot.reset();
      this.$('progress').value = 0;
      this.$('progress-text').textContent = 'simulating…';
      this.run.canContinue = true;
      return send.run(settings);
    });
  }

  more() {
    this.start('more', () => send.more(this.form.number('steps'), sampleSettings(this.form)));
  }

  sampleAgain() {
    this.start('sample', () => send.sample(sampleSettings(this.form)));
  }

  pause() {
    if (!this.run.running) return;
    this.run.autoPaused = false;
    this.client.post(this.run.paused ? send.resume() : send.pause());
  }

  tryAutostart() {
    if (!this.autostart || this.autostarted || !this.visible || !this.client.ready || this.run.running || !this.s.data) return;
    this.autostarted = true;
    this.train();
  }

  // Called by the <scoredyn-demo> element: training holds while the demo is off-screen.
  setVisible(visible) {
    this.visible = visible;
    const { run } = this;
    if (!visible && run.running && run.job !== 'sample' && !run.paused) {
      run.autoPaused = true;
      this.client.post(send.pause());
    } else if (visible && run.autoPaused) {
      run.autoPaused = false;
      if (run.running) this.client.post(send.resume());
    }
    this.root.dataset.visible = String(visible);
    if (visible) this.tryAutostart();
  }

  // First visit: a small pretrained model of the chosen system (www/models, made by
  // scripts/pretrain.sh) draws samples at once, before any training.
  async loadPretrained() {
    const none = () => { this.root.dataset.pretrained = 'none'; };
    const busy = () => this.run.running || this.run.hasModel;
    try {
      if (this.autostart || !this.picker.current || this.ownParams) return none();
      const index = await (await fetch(new URL('../models/index.json', import.meta.url))).json();
      const name = this.picker.current.name;
      if (!index.includes(name) || busy()) return none();
      const text = await (await fetch(new URL(`../models/${name}.json`, import.meta.url))).text();
      if (busy()) return none();
      this.root.dataset.pretrained = 'loading';
      this.client.post(send.loadModel(text, name, { pretrained: true }));
    } catch (e) {
      // No pretrained model is no problem: training works without one.
      none();
    }
  }
}
