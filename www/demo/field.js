// The learned score (or velocity) as arrows on a 2D slice at a chosen noise level.
import { coord } from '../state.js';
import { send } from '../protocol.js';
import { viewBounds } from './view3d.js';
import { drawField } from './draw.js';

const GRID = 21;
// The slider (0 to 100) on a log scale of diffusion time, 0.01 to 1.
const time = (slider) => 10 ** (-2 + 2 * Number(slider) / 100);

export class FieldView {
  constructor(demo) {
    this.demo = demo;
    this.pending = false;
  }

  axes() {
    const { s, state } = this.demo;
    return [coord(state, 'field-x', s.dim), coord(state, 'field-y', s.dim)];
  }

  slice() {
    const { s, state } = this.demo;
    const ax = this.axes();
    if (ax[0] === ax[1]) throw new Error('choose two different coordinates for the slice');
    const box = viewBounds(s.data, null, s.dim, ax).map(([lo, hi]) => {
      const pad = 0.08 * (hi - lo);
      return [lo - pad, hi + pad];
    });
    return { axes: ax, t: time(state['field-t']), grid: GRID, lo: [box[0][0], box[1][0]], hi: [box[0][1], box[1][1]] };
  }

  // Asks the worker for the slice, now or (pending) once it is free.
  request() {
    const { s, run, client, $ } = this.demo;
    if (!run.hasModel || !s.data || s.dim < 2) return;
    if (!client.ready || run.running) { this.pending = true; return; }
    this.pending = false;
    let slice;
    try { slice = this.slice(); } catch (e) { $('field-label').textContent = e.message; return; }
    client.post(send.field(slice));
  }

  // While the noise slider moves: its time, drawn on release.
  scrub() {
    this.demo.$('field-label').textContent = `t = ${time(this.demo.state['field-t']).toFixed(3)}: release to draw`;
  }

  draw() {
    const { s, $ } = this.demo;
    const f = s.field;
    const ax = f ? f.slice.axes : this.axes();
    if (!s.data || s.dim < 2 || ax.some((k) => !(k < s.dim))) {
      drawField($('field'), null, 0, null, 0, [0, 1], null);
      if (s.data && s.dim < 2) $('field-label').textContent = 'learned score: a slice needs two coordinates (these data have one)';
      return;
    }
    const box = f ? [[f.slice.lo[0], f.slice.hi[0]], [f.slice.lo[1], f.slice.hi[1]]] : null;
    drawField($('field'), f ? f.values : null, GRID, s.data, s.dim, ax, box || viewBounds(s.data, null, s.dim, ax));
    if (f) {
      $('field-label').textContent = `${f.velocity ? 'learned velocity' : 'learned score'} at t = ${f.slice.t.toFixed(3)}`
        + ` (noise/signal ${f.ratio.toPrecision(2)} in standard units)`;
    }
  }
}
