// What the worker's messages (and WorkerClient's starting/restarting) do to a demo: its
// status line, run state, model and errors; results.js handles the results.
import { LONG_JOBS, send } from '../protocol.js';
import { tableName } from '../state.js';
import { download } from './files.js';
import { RESULTS } from './results.js';

// The first samples of a pretrained model: quick, from its probability-flow ODE.
const PRETRAINED_SAMPLE = { n: 2000, steps: 10, sampler: 'ode-heun', seed: 1 };
const capital = (text) => `${text[0].toUpperCase()}${text.slice(1)}`;

// A new model: the old one's density is not its.
function clearDensity(d) {
  if (!d.s.density) return;
  d.s.density = null;
  d.$('density-label').textContent = "the model's density: press Likelihood to draw it";
  d.drawDensity();
}

const STATUS = {
  starting(d) {
    d.run.hasModel = false;
    d.run.canContinue = false;
    d.setRunning(false);
    d.$('backend').textContent = 'Loading WebAssembly…';
  },
  restarting(d, m) {
    d.showError('');
    if (m.gaveUp) {
      d.setRunning(false);
      d.$('backend').textContent = 'The compute worker keeps failing.';
      d.showError(`The compute worker stopped (${m.message}) ${m.restarts + 1} times. Reload the page.`);
      return;
    }
    d.$('backend').textContent = `The compute worker stopped (${m.message}); starting a new one${m.wasGpu ? ' on the CPU' : ''}…`;
    d.root.dataset.restarts = String(m.restarts);
    d.restartNote = `The compute worker stopped (${m.message}) and was restarted${m.wasGpu ? ' on the CPU, because WebGPU failed' : ''}. `
      + 'Your settings and results are kept.';
  },
  backend(d, m) {
    const el = d.$('backend');
    el.textContent = `Backend: ${m.backend}. ${capital(m.reason)}.`;
    el.title = m.detail || '';
    el.dataset.backend = m.backend;
    d.root.dataset.backend = m.backend;
    d.setRunning(false);
    if (m.restored) d.$('share-status').textContent = d.restartNote;
    else d.schedulePreview(true);
  },
  catalog(d, m) {
    if (d.picker.systems.length) return;
    d.picker.load(m.systems, d.state.system);
    for (const [name, v] of Object.entries(d.state['p.'])) d.picker.setParam(name, v);
    d.systemEdited(true);
  },
  samplers(d, m) {
    if (d.samplers) return;
    d.samplers = m.samplers;
    d.state.sampler = tableName(m.samplers, d.state.sampler, 'sampler');
    d.form.options('sampler', m.samplers.map((x) => [x.name, x.label]), d.state.sampler);
  },
  // The objectives' table (losses.rs), once: the select's options and labels.
  objectives(d, m) {
    if (d.objectives) return;
    d.objectives = m.objectives;
    d.state.objective = tableName(m.objectives, d.state.objective, 'objective');
    d.form.options('objective', m.objectives.map((x) => [x.name, x.label]), d.state.objective);
  },
  paused(d) {
    d.run.paused = true;
    d.showRun();
    d.$('progress-text').textContent = `paused at step ${d.$('progress').value}${d.run.autoPaused ? ' (off-screen)' : ''}`;
  },
  resumed(d) {
    d.run.paused = false;
    d.showRun();
  },
  // A model file of the run's (last good) weights exists: it can be sampled and saved.
  checkpoint(d) {
    d.run.hasModel = true;
    d.$('likelihood').textContent = '';
    clearDensity(d);
  },
  cancelled(d) {
    d.$('progress-text').textContent = 'sampling stopped; the previous samples stay';
    if (d.root.dataset.pretrained === 'loading') d.root.dataset.pretrained = 'none';
  },
  'model-loaded': (d, m) => {
    d.run.hasModel = true;
    d.$('likelihood').textContent = '';
    clearDensity(d);
    d.setRunning(false);
    if (m.restore) return;
    d.s.field = null;
    if (m.pretrained) {
      d.$('share-status').textContent = `Showing a small pretrained model of ${m.name}; press Train for your own.`;
      d.setRunning(true, 'sample');
      d.client.post(send.sample(PRETRAINED_SAMPLE));
    } else {
      d.$('share-status').textContent = `Loaded model ${m.name}: "Sample again" draws from it.`;
      d.fieldView.pending = true;
    }
  },
  likelihood(d, m) {
    const r = m.result;
    d.$('likelihood').textContent = `held-out likelihood (${r.objective}): ${r.nats_per_dim.toFixed(3)} nats/dim`
      + ` = ${r.bits_per_dim.toFixed(3)} bits/dim over ${r.rows} rows of ${r.reference}`
      + (Number.isFinite(r.exact_nats_per_dim) ? ` (the exact density: ${r.exact_nats_per_dim.toFixed(3)})` : '')
      + (r.method === 'exact' ? ` · exact, one pass, in ${r.seconds.toFixed(1)} s`
        : ` · ${r.nfe} evaluations in ${r.seconds.toFixed(1)} s`);
    if (m.density) {
      d.s.density = m.density;
      d.drawDensity();
    }
  },
  model(d, m) {
    download('scoredyn-model.json', new Blob([m.json], { type: 'application/json' }));
  },
  error(d, m) {
    if (m.job === 'preview') d.$('preview-status').textContent = m.message;
    else if (m.job === 'field') d.$('field-label').textContent = m.message;
    else if (m.job === 'response') d.responseView.error(m.message);
    else if (m.job === 'likelihood') {
      d.$('likelihood').textContent = `likelihood: ${m.message}`;
      if (d.s.dim === 2) d.$('density-label').textContent = `the model's density: ${m.message}`;
    }
    else d.showError(m.message);
  },
  fatal(d, m) {
    d.$('backend').textContent = 'WebAssembly could not start.';
    d.showError(m.message);
  },
  done(d, m) {
    // Short jobs (preview, field, csv, ...) may finish during a long one.
    if (LONG_JOBS.includes(m.job) || !d.run.running) d.setRunning(false);
    if (d.root.dataset.pretrained === 'loading' && m.job === 'sample') d.root.dataset.pretrained = 'shown';
    if (d.fieldView.pending) d.fieldView.request();
    d.tryAutostart();
  },
};

export function handle(demo, msg) {
  const h = STATUS[msg.type] || RESULTS[msg.type];
  if (h) h(demo, msg);
}
