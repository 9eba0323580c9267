// What the worker's results do to a demo: new data, training progress, sampling frames,
// the samples and their distances to the data, the score slice.

const points = (m) => m.rows.length / m.dim;
// A RealNVP's inverse is one pass; every other sampler evaluates a score or a velocity.
const evaluations = (m) => (m.sampler === 'inverse' ? 'exact inverse, one pass' : `${m.nfe} network evaluations`);

export const RESULTS = {
  data(d, m) {
    if (m.restore) return;
    const { s, $ } = d;
    Object.assign(s, { data: m.rows, dim: m.dim, source: m.source || 'system', samples: null, frames: [], field: null, density: null });
    d.views.setDim(m.dim);
    $('data-count').textContent = `(${points(m)} points${m.dim > 3 ? `, ${m.dim} coordinates` : ''})`;
    if (s.firstData) {
      s.firstData = false;
      d.root.dataset.firstData = String(Math.round(performance.now()));
      d.loadPretrained();
    }
    $('preview-status').textContent = m.seconds !== undefined
      ? `${m.system}: ${points(m)} points simulated in ${(m.seconds * 1000).toFixed(0)} ms`
      : `${m.system}: ${points(m)} rows, ${m.dim} columns`;
    $('sample-count').textContent = '';
    d.framesView.show();
    d.redraw();
  },
  progress(d, m) {
    const rate = m.step / Math.max(m.seconds, 1e-9);
    const eta = (m.total - m.step) / Math.max(rate, 1e-9);
    d.$('progress').max = m.total;
    d.$('progress').value = m.step;
    d.$('progress-text').textContent =
      `training ${m.step}/${m.total} · loss ${m.loss.toFixed(4)} · ${rate.toFixed(0)} steps/s${m.engine ? ` (${m.engine})` : ''} · ETA ${eta.toFixed(0)} s`;
    d.lossPlot.push(m.step, m.loss);
  },
  sampling(d, m) {
    d.$('progress').max = 1;
    d.$('progress').value = m.fraction;
    d.$('progress-text').textContent = `sampling: ${(100 * m.fraction).toFixed(0)}% · ${m.nfe} network evaluations`;
  },
  frame(d, m) {
    if (m.first) d.s.frames = [];
    d.s.frames.push({ rows: m.rows, t: m.t });
    d.framesView.show(true);
  },
  samples(d, m) {
    const { s, $ } = d;
    s.samples = m.rows;
    if (!d.root.dataset.firstSamples) d.root.dataset.firstSamples = String(Math.round(performance.now()));
    $('sample-count').textContent = `(${points(m)} points, ${evaluations(m)}, ${m.seconds.toFixed(1)} s)`;
    $('progress-text').textContent = m.steps
      ? `done: ${m.steps} steps in ${m.trainSeconds.toFixed(1)} s, sampled in ${m.seconds.toFixed(1)} s`
      : `sampled in ${m.seconds.toFixed(1)} s`;
    $('metrics').textContent = `${m.sampler}: ${evaluations(m)} in ${m.seconds.toFixed(1)} s · measuring…`;
    d.run.hasModel = true;
    d.fieldView.pending = true;
    d.redraw();
  },
  // Distances between the samples and the data; the run is complete with them.
  metrics(d, m) {
    const q = m.metrics;
    const cd = (v) => (v === null || v === undefined) ? '–' : v.toFixed(2);
    d.$('metrics').textContent = `${m.sampler}: ${evaluations(m)} in ${m.seconds.toFixed(1)} s`
      + (q ? ` · SWD ${q.swd.toFixed(3)} (${q.swd_ratio.toFixed(2)} ± ${q.swd_ratio_se.toFixed(2)}`
        + `${q.floor_draws_overlap ? ' (understated: a short reference)' : ''} × the floor, against `
        + `${q.reference}) · MMD² ${q.mmd.toExponential(2)} · `
        + `correlation dimension ${cd(q.corr_dim_samples)} (data ${cd(q.corr_dim_reference)})` : '');
    if (q) d.lossPlot.pushQuality(m.steps || d.lossPlot.lastStep(), q.swd_ratio);
    if (d.s.samples) d.root.dataset.samples = String(d.s.samples.length / d.s.dim);
  },
  response(d, m) {
    d.responseView.show(m.panel);
  },
  field(d, m) {
    d.s.field = m;
    d.fieldView.draw();
  },
};
