// The page: UI only. A module worker owns the wasm instance and the device.
import { Camera, PointView, viewBounds } from './view3d.js';
import { LossPlot } from './plot.js';
import { SystemPicker } from './systems.js';

const $ = (id) => document.getElementById(id);
const ui = {
  backend: $('backend'), form: $('controls'), train: $('train'), stop: $('stop'), download: $('download'),
  error: $('error'), progress: $('progress'), progressText: $('progress-text'), prefer: $('prefer'),
  dataCount: $('data-count'), sampleCount: $('sample-count'), previewStatus: $('preview-status'),
};
const camera = new Camera();
const dataView = new PointView($('data-view'), camera, [90, 170, 255]);
const sampleView = new PointView($('sample-view'), camera, [240, 160, 48]);
const lossPlot = new LossPlot($('loss'));
const state = { worker: null, ready: false, running: false, data: null, samples: null, dim: 3, hasModel: false,
  catalog: null, dataSource: 'system', dataName: 'Lorenz', canContinue: false, firstData: true, pretrained: null };
const hash = new URLSearchParams(location.hash.slice(1));
const picker = new SystemPicker({
  search: $('system-search'), select: $('system'), info: $('system-info'), params: $('params'),
  noiseRow: $('noise-row'), noise: $('noise'),
}, () => schedulePreview());

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

function setRunning(running) {
  state.running = running;
  ui.train.disabled = running || !state.ready;
  ui.stop.disabled = !running;
  ui.prefer.disabled = running;
  ui.download.disabled = running || !state.hasModel;
  $('sample-again').disabled = running || !state.hasModel || !state.ready;
  $('more').disabled = running || !state.canContinue || !state.ready;
  $('pause').disabled = !running;
  if (!running) $('pause').textContent = 'Pause';
}

function startWorker() {
  if (state.worker) state.worker.terminate();
  state.ready = false;
  state.hasModel = false;
  state.canContinue = false;
  setRunning(false);
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  state.worker = worker;
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    ui.backend.textContent = 'The worker stopped unexpectedly.';
    showError(`The compute worker failed: ${ev.message || 'unknown error'}. Reload the page or pick another backend.`);
    setRunning(false);
  };
  ui.backend.textContent = 'Loading WebAssembly…';
}

function readNumber(id, { integer = false, min = -Infinity, max = Infinity } = {}) {
  const el = $(id);
  const v = Number(el.value);
  const label = el.parentElement.firstChild.textContent.trim();
  if (el.value.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    el.focus();
    throw new Error(`${label}: enter ${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}`);
  }
  return v;
}

function optionalNumber(id, { min = 0 } = {}) {
  const el = $(id);
  if (el.value.trim() === '') return undefined;
  return readNumber(id, { min });
}

// The data request (a DataSpec for the worker); throws naming the first bad field.
function dataSpec() {
  if (!picker.current) throw new Error('the catalog is still loading');
  const spec = picker.spec();
  const method = $('method').value;
  if (method) spec.method = method;
  const t_end = optionalNumber('t_end', { min: 1e-9 });
  if (t_end !== undefined) spec.t_end = t_end;
  const dt = optionalNumber('dt', { min: 1e-12 });
  if (dt !== undefined) spec.dt = dt;
  const obs = optionalNumber('obs_noise', { min: 0 });
  if (obs) spec.obs_noise = obs;
  const embed = $('embed').value.trim();
  if (embed) {
    const parts = embed.split(',').map((v) => Number(v.trim()));
    if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 0) || parts[1] < 1 || parts[2] < 1) {
      $('embed').focus();
      throw new Error('delay embedding: enter COORD,DIMS,LAG as three whole numbers, e.g. 0,3,5');
    }
    spec.embed = parts;
  }
  return spec;
}

// Re-simulates shortly after the last change, so the attractor follows the parameters.
let previewTimer = null;
function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => {
    if (!state.ready || state.running) return;
    let data;
    try {
      data = dataSpec();
    } catch (e) {
      ui.previewStatus.textContent = e.message;
      return;
    }
    ui.previewStatus.textContent = 'simulating…';
    state.worker.postMessage({ type: 'preview', data });
  }, 200);
}

function settings() {
  return {
    data: dataSpec(),
    train: {
      steps: readNumber('steps', { integer: true, min: 1, max: 1e7 }),
      batch: readNumber('batch', { integer: true, min: 1, max: 65536 }),
      width: readNumber('width', { integer: true, min: 1, max: 4096 }),
      depth: readNumber('depth', { integer: true, min: 1, max: 32 }),
      lr: readNumber('lr', { min: 1e-8, max: 1 }),
      seed: readNumber('seed', { integer: true, min: 0, max: 2 ** 53 }),
      sde: $('sde').value,
      objective: $('objective').value,
    },
    sample: {
      n: readNumber('n', { integer: true, min: 1, max: 1e6 }),
      steps: readNumber('ode_steps', { integer: true, min: 1, max: 10000 }),
      sampler: $('sampler').value,
      seed: 1,
    },
  };
}

function redraw() {
  const bounds = viewBounds(state.data, state.samples, state.dim);
  dataView.set(state.data, state.dim, bounds);
  if (state.samples) sampleView.set(state.samples, state.dim, bounds); else sampleView.clear();
}

function onMessage(msg) {
  switch (msg.type) {
    case 'ready':
      state.worker.postMessage({ type: 'init', backend: ui.prefer.value });
      break;
    case 'backend':
      state.ready = true;
      state.backend = msg.backend;
      ui.backend.textContent = `Backend: ${msg.backend}. ${msg.reason[0].toUpperCase()}${msg.reason.slice(1)}.`;
      ui.backend.title = msg.detail || '';
      ui.backend.dataset.backend = msg.backend;
      setRunning(false);
      schedulePreview();
      break;
    case 'catalog':
      state.catalog = msg.systems;
      picker.load(msg.systems, hash.get('system') || 'Lorenz');
      for (const [k, v] of hash) if (k.startsWith('p.')) picker.setParam(k.slice(2), v);
      schedulePreview();
      break;
    case 'data':
      state.data = msg.rows;
      state.dim = msg.dim;
      state.dataSource = msg.source || 'system';
      state.dataName = msg.system || '';
      state.samples = null;
      ui.dataCount.textContent = `(${msg.rows.length / msg.dim} points${msg.dim > 3 ? `; showing coordinates 1–3 of ${msg.dim}` : ''})`;
      if (state.firstData) {
        state.firstData = false;
        loadPretrained();
      }
      ui.previewStatus.textContent = msg.seconds !== undefined
        ? `${msg.system}: ${msg.rows.length / msg.dim} points simulated in ${(msg.seconds * 1000).toFixed(0)} ms`
        : '';
      ui.sampleCount.textContent = '';
      redraw();
      break;
    case 'progress': {
      const rate = msg.step / Math.max(msg.seconds, 1e-9);
      const eta = (msg.total - msg.step) / Math.max(rate, 1e-9);
      ui.progress.max = msg.total;
      ui.progress.value = msg.step;
      ui.progressText.textContent =
        `training ${msg.step}/${msg.total} · loss ${msg.loss.toFixed(4)} · ${rate.toFixed(0)} steps/s · ETA ${eta.toFixed(0)} s`;
      lossPlot.push(msg.step, msg.loss);
      break;
    }
    case 'sampling':
      ui.progress.max = 1;
      ui.progress.value = msg.fraction;
      ui.progressText.textContent = `sampling: ${(100 * msg.fraction).toFixed(0)}% · ${msg.nfe} score evaluations`;
      break;
    case 'samples':
      state.samples = msg.rows;
      if (!document.body.dataset.firstSamples) {
        document.body.dataset.firstSamples = String(Math.round(performance.now()));
      }
      if (document.body.dataset.pretrained === 'loading') document.body.dataset.pretrained = 'shown';
      if (msg.metrics) {
        const m = msg.metrics;
        const cd = (v) => (v === null || v === undefined) ? '–' : v.toFixed(2);
        $('metrics').textContent = `${msg.sampler}: ${msg.nfe} score evaluations in ${msg.seconds.toFixed(1)} s · `
          + `SWD ${m.swd.toFixed(3)} (${m.swd_ratio.toFixed(2)}× the data's floor) · MMD² ${m.mmd.toExponential(2)} · `
          + `correlation dimension ${cd(m.corr_dim_samples)} (data ${cd(m.corr_dim_reference)})`;
      }
      ui.sampleCount.textContent = `(${msg.rows.length / msg.dim} points, ${msg.nfe} score evaluations, ${msg.seconds.toFixed(1)} s)`;
      ui.progressText.textContent = msg.steps
        ? `done: ${msg.steps} steps in ${msg.trainSeconds.toFixed(1)} s, sampled in ${msg.seconds.toFixed(1)} s`
        : `sampled in ${msg.seconds.toFixed(1)} s`;
      state.hasModel = true;
      redraw();
      document.body.dataset.samples = String(msg.rows.length / msg.dim);
      break;
    case 'paused':
      $('pause').textContent = 'Resume';
      ui.progressText.textContent = `paused at step ${ui.progress.value}`;
      break;
    case 'resumed':
      $('pause').textContent = 'Pause';
      break;
    case 'model-loaded':
      state.hasModel = true;
      setRunning(false);
      if (msg.pretrained) {
        $('share-status').textContent = `Showing a small pretrained model of ${msg.name}; press Train for your own.`;
        setRunning(true);
        state.worker.postMessage({ type: 'sample', sample: { n: 2000, steps: 10, sampler: 'ode-heun', seed: 1 } });
      } else {
        $('share-status').textContent = `Loaded model ${msg.name}: "Sample again" draws from it.`;
      }
      break;
    case 'model': {
      const blob = new Blob([msg.json], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'scoredyn-model.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      break;
    }
    case 'error':
      if (msg.job === 'preview') ui.previewStatus.textContent = msg.message;
      else showError(msg.message);
      break;
    case 'fatal':
      ui.backend.textContent = 'WebAssembly could not start.';
      showError(msg.message);
      break;
    case 'done':
      setRunning(false);
      break;
    default:
      break;
  }
}

ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (state.running || !state.ready) return;
  let s;
  try {
    s = settings();
  } catch (e) {
    showError(e.message);
    return;
  }
  showError('');
  lossPlot.reset();
  ui.progress.value = 0;
  ui.progressText.textContent = 'simulating…';
  setRunning(true);
  if (state.dataSource === 'csv') s.data = null;
  state.canContinue = true;
  state.worker.postMessage({ type: 'run', ...s });
});
ui.stop.addEventListener('click', () => state.worker.postMessage({ type: 'stop' }));
ui.download.addEventListener('click', () => state.worker.postMessage({ type: 'model' }));
// WebGPU can be initialised once per worker: a new choice gets a new worker.
ui.prefer.addEventListener('change', startWorker);
for (const id of ['method', 't_end', 'dt', 'obs_noise', 'embed']) $(id).addEventListener('input', schedulePreview);
window.addEventListener('resize', () => { redraw(); lossPlot.draw(); });

if (['auto', 'webgpu', 'cpu'].includes(hash.get('backend'))) ui.prefer.value = hash.get('backend');
for (const [k, v] of hash) {
  const el = document.getElementById(k);
  if (el && el.tagName === 'INPUT') el.value = v;
  if (el && el.tagName === 'SELECT' && [...el.options].some((o) => o.value === v)) el.value = v;
}
lossPlot.draw();
redraw();
startWorker();

// ---- Share, export, import ----

// Every form field that differs from its default, the system and its changed
// parameters: the URL hash reproduces the page.
function writeHash() {
  const out = new URLSearchParams();
  if (ui.prefer.value !== 'auto') out.set('backend', ui.prefer.value);
  if (picker.current && picker.current.name !== 'Lorenz') out.set('system', picker.current.name);
  for (const input of document.querySelectorAll('#params input[data-param]')) {
    if (input.value !== input.dataset.default) out.set(`p.${input.dataset.param}`, input.value);
  }
  for (const el of document.querySelectorAll('#controls input[id], #controls select[id]')) {
    if (['system-search', 'csv-file', 'model-file', 'prefer', 'system'].includes(el.id)) continue;
    const initial = el.tagName === 'SELECT' ? el.querySelector('option').value : el.defaultValue;
    if (el.value !== initial) out.set(el.id, el.value);
  }
  const text = out.toString();
  history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
}
ui.form.addEventListener('input', () => writeHash());
ui.form.addEventListener('change', () => writeHash());

$('copy-link').addEventListener('click', async () => {
  writeHash();
  try {
    await navigator.clipboard.writeText(location.href);
    $('share-status').textContent = 'Link copied: it opens this page with these settings.';
  } catch (e) {
    $('share-status').textContent = `Copy this link: ${location.href}`;
  }
});

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function toCsv(rows, dim) {
  const lines = [Array.from({ length: dim }, (_, j) => `x${j}`).join(',')];
  for (let i = 0; i < rows.length / dim; i++) {
    lines.push(Array.from(rows.subarray(i * dim, (i + 1) * dim)).join(','));
  }
  return lines.join('\n') + '\n';
}

for (const b of document.querySelectorAll('[data-export-csv]')) {
  b.addEventListener('click', () => {
    const which = b.dataset.exportCsv;
    const rows = which === 'data' ? state.data : state.samples;
    if (!rows) { showError(`no ${which} yet`); return; }
    download(`scoredyn-${which}.csv`, new Blob([toCsv(rows, state.dim)], { type: 'text/csv' }));
  });
}
for (const b of document.querySelectorAll('[data-export-png]')) {
  b.addEventListener('click', () => {
    $(b.dataset.exportPng).toBlob((blob) => download(`scoredyn-${b.dataset.exportPng}.png`, blob), 'image/png');
  });
}

$('csv-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!file || !state.ready || state.running) return;
  showError('');
  state.worker.postMessage({ type: 'csv', text: await file.text(), name: file.name });
});
$('model-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!file || !state.ready || state.running) return;
  showError('');
  state.worker.postMessage({ type: 'load-model', text: await file.text(), name: file.name });
});
$('sample-again').addEventListener('click', () => {
  if (!state.ready || state.running) return;
  let s;
  try { s = settings(); } catch (e) { showError(e.message); return; }
  showError('');
  setRunning(true);
  state.worker.postMessage({ type: 'sample', sample: s.sample });
});
$('pause').addEventListener('click', () => {
  if (!state.running) return;
  state.worker.postMessage({ type: $('pause').textContent === 'Pause' ? 'pause' : 'resume' });
});
$('more').addEventListener('click', () => {
  if (!state.ready || state.running) return;
  let s;
  try { s = settings(); } catch (e) { showError(e.message); return; }
  showError('');
  setRunning(true);
  state.worker.postMessage({ type: 'more', steps: s.train.steps, sample: s.sample });
});

// First visit: a small pretrained model of the chosen system (www/models, made by
// scripts/pretrain.sh) draws samples at once, before any training.
async function loadPretrained() {
  const none = () => { document.body.dataset.pretrained = 'none'; };
  try {
    if (!picker.current || [...hash.keys()].some((k) => k.startsWith('p.'))) return none();
    const index = await (await fetch(new URL('./models/index.json', import.meta.url))).json();
    const name = picker.current.name;
    if (!index.includes(name) || state.running || state.hasModel) return none();
    const text = await (await fetch(new URL(`./models/${name}.json`, import.meta.url))).text();
    if (state.running || state.hasModel) return none();
    document.body.dataset.pretrained = 'loading';
    state.worker.postMessage({ type: 'load-model', text, name, pretrained: true });
  } catch (e) {
    // No pretrained model is no problem: training works without one.
    none();
  }
}
