import { prepareCanvas } from './canvas.js';

// A minimal line plot of the training loss (log scale) on a canvas.
export class LossPlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = [];
  }
  reset() { this.points = []; this.draw(); }
  push(step, loss) { if (Number.isFinite(loss) && loss > 0) this.points.push([step, loss]); this.draw(); }
  draw() {
    const { ctx, w, h } = prepareCanvas(this.canvas);
    ctx.fillStyle = '#9aa7b4';
    ctx.font = '12px system-ui, sans-serif';
    if (this.points.length < 2) {
      ctx.fillText('loss (log scale) appears here during training', 10, h / 2);
      return;
    }
    const pad = { l: 48, r: 10, t: 10, b: 22 };
    const xs = this.points.map((p) => p[0]);
    const ys = this.points.map((p) => Math.log10(p[1]));
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    if (y1 - y0 < 1e-6) { y0 -= 0.5; y1 += 0.5; }
    const X = (x) => pad.l + (x - x0) / Math.max(x1 - x0, 1) * (w - pad.l - pad.r);
    const Y = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
    ctx.strokeStyle = '#2a3440';
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, h - pad.b); ctx.lineTo(w - pad.r, h - pad.b);
    ctx.stroke();
    ctx.fillText(10 ** y1 < 100 ? (10 ** y1).toPrecision(3) : (10 ** y1).toExponential(1), 4, pad.t + 10);
    ctx.fillText((10 ** y0).toPrecision(3), 4, h - pad.b);
    ctx.fillText(`step ${x1}`, w - pad.r - 70, h - 6);
    ctx.strokeStyle = '#f0a030';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.points.forEach(([x], i) => {
      const px = X(x), py = Y(ys[i]);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
}
