// The data and sample views: two point clouds turning with one camera, the overlay,
// the three coordinates shown when there are more, and the marginal histograms.
import { coord } from '../state.js';
import { Camera, PointView, viewBounds } from './view3d.js';
import { DATA_COLOR, SAMPLE_COLOR, drawHistograms } from './draw.js';

const COORD_KEYS = ['axis-0', 'axis-1', 'axis-2', 'field-x', 'field-y', 'response-kick', 'response-obs'];

export class Views {
  constructor(demo) {
    this.demo = demo;
    this.camera = new Camera();
    this.dataView = new PointView(demo.$('data-view'), this.camera);
    this.sampleView = new PointView(demo.$('sample-view'), this.camera);
    this.axes = [0, 1, 2];
    this.dataBounds = null;
  }

  // New data: the coordinate menus offer the data's coordinates.
  setDim(dim) {
    const { form, state } = this.demo;
    const pairs = Array.from({ length: dim }, (_, k) => [String(k), `x${k}`]);
    for (const key of COORD_KEYS) form.options(key, pairs, String(coord(state, key, dim)));
    this.demo.$('axes-row').hidden = dim <= 3;
  }

  redraw() {
    const { s, state, $ } = this.demo;
    this.axes = s.dim > 3 ? [0, 1, 2].map((k) => coord(state, `axis-${k}`, s.dim)) : [0, 1, 2].slice(0, s.dim);
    const bounds = viewBounds(s.data, s.samples, s.dim, this.axes);
    this.dataBounds = viewBounds(s.data, null, s.dim, this.axes);
    const overlay = state.overlay;
    $('sample-figure').hidden = overlay;
    $('data-caption').textContent = overlay ? 'data and samples' : 'data';
    this.dataView.set([{ rows: s.data, color: DATA_COLOR }, ...(overlay ? [{ rows: s.samples, color: SAMPLE_COLOR }] : [])],
      s.dim, bounds, this.axes);
    if (s.samples) this.sampleView.set([{ rows: s.samples, color: SAMPLE_COLOR }], s.dim, bounds, this.axes);
    else this.sampleView.clear();
    drawHistograms($('hist'), s.data, s.samples, s.dim, this.axes, bounds);
  }
}
