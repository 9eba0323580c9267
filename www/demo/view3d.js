// A rotatable, zoomable 3D point cloud on a 2D canvas (orthographic, depth-shaded).
// Several views can share one camera so that data and samples turn together.
// Drag or arrow keys rotate; the wheel or +/- zoom.
import { prepareCanvas } from './canvas.js';

export class Camera {
  constructor() {
    this.yaw = -0.6;
    this.pitch = 0.35;
    this.zoom = 1;
    this.views = new Set();
  }
  rotate(dx, dy) {
    this.yaw += dx * 0.01;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dy * 0.01));
    this.redraw();
  }
  scale(factor) {
    this.zoom = Math.max(0.2, Math.min(20, this.zoom * factor));
    this.redraw();
  }
  redraw() {
    for (const v of this.views) v.draw();
  }
}

export class PointView {
  constructor(canvas, camera) {
    this.canvas = canvas;
    this.camera = camera;
    this.layers = [];
    this.dim = 3;
    this.axes = [0, 1, 2];
    this.bounds = null;
    camera.views.add(this);
    let last = null;
    canvas.addEventListener('pointerdown', (e) => { last = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      camera.rotate(e.clientX - last[0], e.clientY - last[1]);
      last = [e.clientX, e.clientY];
    });
    const end = () => { last = null; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      camera.scale(Math.exp(-e.deltaY * 0.0015));
    }, { passive: false });
    canvas.addEventListener('keydown', (e) => {
      const step = 10;
      if (e.key === 'ArrowLeft') camera.rotate(-step, 0);
      else if (e.key === 'ArrowRight') camera.rotate(step, 0);
      else if (e.key === 'ArrowUp') camera.rotate(0, -step);
      else if (e.key === 'ArrowDown') camera.rotate(0, step);
      else if (e.key === '+' || e.key === '=') camera.scale(1.15);
      else if (e.key === '-') camera.scale(1 / 1.15);
      else return;
      e.preventDefault();
    });
  }

  // layers: [{rows: Float32Array (row-major, `dim` columns), color: [r, g, b]}];
  // bounds: shared [min, max] per shown axis; axes: the 3 coordinates shown.
  set(layers, dim, bounds, axes = [0, 1, 2]) {
    this.layers = layers.filter((l) => l.rows);
    this.dim = dim;
    this.bounds = bounds;
    this.axes = axes;
    this.draw();
  }

  clear() {
    this.layers = [];
    this.draw();
  }

  draw() {
    const { ctx, w, h } = prepareCanvas(this.canvas);
    if (!this.layers.length || !this.bounds) return;
    const { yaw, pitch, zoom } = this.camera;
    const [cy, sy, cp, sp] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
    const d = this.dim;
    const ax = this.axes.slice(0, Math.min(3, d));
    const b = this.bounds;
    const mid = [0, 1, 2].map((k) => k < ax.length ? (b[k][0] + b[k][1]) / 2 : 0);
    const half = Math.max(...[0, 1, 2].map((k) => k < ax.length ? (b[k][1] - b[k][0]) / 2 : 0)) || 1;
    const scale = 0.42 * zoom * Math.min(w, h) / half;
    const [a0, a1, a2] = [ax[0], ax[1] ?? -1, ax[2] ?? -1];
    for (const { rows, color: [r, g, bl] } of this.layers) {
      const n = rows.length / d;
      for (let i = 0; i < n; i++) {
        const x = rows[i * d + a0] - mid[0];
        const y = a1 >= 0 ? rows[i * d + a1] - mid[1] : 0;
        const z = a2 >= 0 ? rows[i * d + a2] - mid[2] : 0;
        // Turn about the vertical (z) axis, then tilt.
        const x1 = cy * x - sy * y;
        const y1 = sy * x + cy * y;
        const depth = cp * y1 + sp * z;
        const up = -sp * y1 + cp * z;
        const shade = 0.45 + 0.55 * (0.5 - 0.5 * depth / (half * 1.8));
        ctx.fillStyle = `rgba(${r * shade | 0},${g * shade | 0},${bl * shade | 0},0.75)`;
        ctx.fillRect(w / 2 + x1 * scale - 1, h / 2 - up * scale - 1, 2, 2);
      }
    }
    ctx.fillStyle = '#9aa7b4';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(ax.map((k) => `x${k}`).join(' · '), 6, h - 6);
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];
}

// Per shown axis [min, max] for drawing: the data's extent, widened to hold the bulk
// (2%-98%) of the samples but never to more than three times the data's span, so that
// a poor model's samples stay visible without shrinking the attractor to a dot.
export function viewBounds(data, samples, dim, axes = [0, 1, 2]) {
  const bounds = [];
  for (const k of axes.slice(0, Math.min(dim, 3))) {
    const axis = (rows) => {
      const v = new Float64Array(rows.length / dim);
      for (let i = 0; i < v.length; i++) v[i] = rows[i * dim + k];
      return v.sort();
    };
    const base = data || samples;
    if (!base) return null;
    const d = axis(base);
    let [lo, hi] = [d[0], d[d.length - 1]];
    if (data && samples) {
      const s = axis(samples);
      const span = hi - lo;
      lo = Math.min(lo, Math.max(quantile(s, 0.02), lo - span));
      hi = Math.max(hi, Math.min(quantile(s, 0.98), hi + span));
    }
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    bounds.push([lo, hi]);
  }
  return bounds;
}
