// Training loss (log scale) against the step, with the sample quality (sliced
// Wasserstein distance over the data's own floor) each time samples are drawn.
// uPlot ships with the page (npm package copied by Trunk), nothing from a CDN.
import uPlot from '../uPlot.esm.js';

export class LossPlot {
  constructor(container) {
    this.container = container;
    this.data = [[], [], []];
    this.u = null;
  }

  options(width) {
    const axis = { stroke: '#9aa7b4', grid: { stroke: '#222b35', width: 1 }, ticks: { stroke: '#2a3440' } };
    return {
      width,
      height: 170,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: { x: { time: false }, loss: { distr: 3 }, swd: { range: (u, lo, hi) => [0, Math.max(2, hi * 1.1)] } },
      series: [
        { label: 'step' },
        { label: 'loss', scale: 'loss', stroke: '#f0a030', width: 1.5, spanGaps: true },
        { label: 'SWD ÷ floor', scale: 'swd', stroke: '#5ab4ff', width: 0, spanGaps: true,
          paths: () => null, points: { show: true, size: 8, fill: '#5ab4ff' } },
      ],
      axes: [
        { ...axis, label: 'step', labelSize: 16 },
        { ...axis, scale: 'loss', size: 56 },
        { ...axis, scale: 'swd', side: 1, stroke: '#5ab4ff', grid: { show: false }, size: 40 },
      ],
    };
  }

  ensure() {
    const width = Math.max(200, this.container.clientWidth || 300);
    if (!this.u) {
      this.u = new uPlot(this.options(width), this.data, this.container);
    } else if (Math.abs(this.u.width - width) > 1) {
      this.u.setSize({ width, height: 170 });
    }
  }

  reset() { this.data = [[], [], []]; this.redraw(); }

  push(step, loss) {
    if (!(Number.isFinite(loss) && loss > 0)) return;
    this.data[0].push(step);
    this.data[1].push(loss);
    this.data[2].push(null);
    this.redraw();
  }

  // Sample quality after a sampling run, at the training step reached.
  pushQuality(step, swdRatio) {
    if (!Number.isFinite(swdRatio)) return;
    // uPlot wants increasing x: at the step of the last loss point, share its row.
    const last = this.data[0].length - 1;
    if (last >= 0 && this.data[0][last] >= step) {
      this.data[2][last] = swdRatio;
    } else {
      this.data[0].push(step);
      this.data[1].push(null);
      this.data[2].push(swdRatio);
    }
    this.redraw();
  }

  lastStep() { return this.data[0].length ? this.data[0][this.data[0].length - 1] : 0; }

  redraw() {
    this.ensure();
    this.u.setData(this.data);
  }

  canvas() { this.ensure(); return this.u.ctx.canvas; }
}
