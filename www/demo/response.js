// The Response view: how the current system answers a kick on one coordinate, R_ij(τ),
// by the fluctuation-dissipation theorem from the Gaussian fit and from the model's
// learned score, by the exact score or exp(Aτ) where they are known, and (on demand,
// slow) by the perturbation experiment, with each estimator's error against the truth.
// The worker computes (Lab.response, src/response/plan.rs); this draws.
import uPlot from '../uPlot.esm.js';
import { coord } from '../state.js';
import { send } from '../protocol.js';
import { dataSpec } from './settings.js';

// One colour and dash per estimator (the names of src/response/plan.rs).
const STYLE = {
  perturbation: { stroke: '#e6edf3', width: 2.5 },
  analytic: { stroke: '#9aa7b4', width: 2, dash: [6, 4] },
  gaussian: { stroke: '#5ab4ff', width: 1.5 },
  score: { stroke: '#f0a030', width: 1.5 },
  'exact-score': { stroke: '#7ee787', width: 1.5, dash: [2, 3] },
};
const LABEL = { perturbation: 'perturbation (truth)', analytic: 'exp(Aτ)', gaussian: 'gaussian', score: 'learned score', 'exact-score': 'exact score' };
const HEIGHT = 200;

export class ResponseView {
  constructor(demo) {
    this.demo = demo;
    this.container = demo.$('response-plot');
    this.panel = null;
    this.u = null;
    this.shape = '';
  }

  // The Compute button: now if the worker is free, else when the current job ends.
  request() {
    const { demo } = this;
    const status = demo.$('response-status');
    demo.whenIdle('response', 'the response will be computed', () => {
      let ask;
      try {
        ask = this.ask();
      } catch (e) {
        this.error(e.message);
        return;
      }
      if (demo.start('response', () => send.response(ask))) {
        status.textContent = ask.perturbation ? 'computing (with the perturbation experiment)…' : 'computing…';
      }
    }, status);
  }

  ask() {
    const { demo } = this;
    if (demo.s.source === 'csv') {
      throw new Error('the Response view simulates the chosen system; a CSV has no equations to kick '
        + '(on the command line: scoredyn response --data FILE.csv --spacing DT)');
    }
    const { form, state } = demo;
    const ask = {
      data: dataSpec(form, demo.picker),
      kick: coord(state, 'response-kick', demo.s.dim),
      perturbation: !!state['response-perturb'],
      normalize: !!state['response-normalize'],
    };
    const tau = form.number('response-tau');
    if (tau !== undefined) ask.tau_max = tau;
    if (ask.perturbation) ask.members = form.number('response-members');
    return ask;
  }

  show(panel) {
    this.panel = panel;
    this.redraw();
    this.demo.root.dataset.response = String(panel.reports.length);
    this.answered();
  }

  // A refusal: its reason in the status line; the curves on screen stay.
  error(message) {
    this.demo.$('response-status').textContent = message;
    this.answered();
  }

  // Counts the answers (results or refusals), for the page's tests.
  answered() {
    const { dataset } = this.demo.root;
    dataset.responseAnswers = String(Number(dataset.responseAnswers || 0) + 1);
  }

  // The curves of the chosen observable for the chosen kick, and the errors line.
  redraw() {
    const { panel, demo } = this;
    if (!panel) return;
    const j = coord(demo.state, 'response-kick', panel.dim);
    const i = coord(demo.state, 'response-obs', panel.dim);
    const shown = panel.reports.filter((r) => r.R[0][i][j] !== null);
    const data = [panel.tau, ...shown.map((r) => r.R.map((m) => m[i][j]))];
    const series = [{ label: 'τ' }, ...shown.map((r) => ({ label: LABEL[r.estimator] || r.estimator, ...STYLE[r.estimator] }))];
    const shape = series.map((s) => s.label).join('|');
    const width = Math.max(200, this.container.clientWidth || 300);
    if (!this.u || this.shape !== shape) {
      if (this.u) this.u.destroy();
      this.u = new uPlot(this.options(width, series), data, this.container);
      this.shape = shape;
    } else {
      if (Math.abs(this.u.width - width) > 1) this.u.setSize({ width, height: HEIGHT });
      this.u.setData(data);
    }
    demo.$('response-status').textContent = this.summary(j, i);
  }

  options(width, series) {
    const axis = { stroke: '#9aa7b4', grid: { stroke: '#222b35', width: 1 }, ticks: { stroke: '#2a3440' } };
    return {
      width,
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      series,
      axes: [{ ...axis, label: 'τ', labelSize: 16 }, { ...axis, size: 56 }],
    };
  }

  summary(j, i) {
    const { panel } = this;
    const source = panel.reports[0].source;
    const parts = [`${source}: R(x${i} ← kick on x${j}) over ${panel.tau.length} lags, ${panel.seconds.toFixed(1)} s`];
    const errors = panel.errors.filter((e) => e.kick === j);
    if (errors.length) {
      parts.push(`relative L2 error against the ${errors[0].truth === 'analytic' ? 'analytic response' : 'perturbation truth'}`
        + ` (all observables): ${errors.map((e) => `${LABEL[e.estimator] || e.estimator} ${e.relative_l2.toFixed(3)}`).join(', ')}`);
    } else {
      parts.push('no truth for this kick (tick the perturbation truth and compute)');
    }
    const score = panel.reports.find((r) => r.estimator === 'score');
    if (score) {
      parts.push(`learned score read at noise ${score.score_noise} (|R(0) − I| = ${score.r0_distance.toFixed(3)}`
        + `${score.normalized ? ' before normalizing' : ''})`);
    }
    for (const n of panel.notes) parts.push(n);
    return parts.join(' · ');
  }

  canvas() { return this.u ? this.u.ctx.canvas : this.container; }
}
