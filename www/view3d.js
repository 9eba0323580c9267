import { prepareCanvas } from './canvas.js';

// A rotatable 3D point cloud on a 2D canvas (orthographic, depth-shaded).
// Several views can share one camera so that data and samples turn together.

export class Camera {
  constructor() {
    this.yaw = -0.6;
    this.pitch = 0.35;
    this.views = new Set();
  }
  rotate(dx, dy) {
    this.yaw += dx * 0.01;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dy * 0.01));
    for (const v of this.views) v.draw();
  }
}

export class PointView {
  constructor(canvas, camera, color) {
    this.canvas = canvas;
    this.camera = camera;
    this.color = color;
    this.rows = null;
    this.dim = 3;
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
    canvas.addEventListener('keydown', (e) => {
      const step = 10;
      if (e.key === 'ArrowLeft') camera.rotate(-step, 0);
      else if (e.key === 'ArrowRight') camera.rotate(step, 0);
      else if (e.key === 'ArrowUp') camera.rotate(0, -step);
      else if (e.key === 'ArrowDown') camera.rotate(0, step);
      else return;
      e.preventDefault();
    });
  }

  // rows: Float32Array, row-major with `dim` columns; bounds: shared [min, max] per axis.
  set(rows, dim, bounds) {
    this.rows = rows;
    this.dim = dim;
    this.bounds = bounds;
    this.draw();
  }

  clear() {
    this.rows = null;
    this.draw();
  }

  draw() {
    const { ctx, w, h } = prepareCanvas(this.canvas);
    if (!this.rows || !this.bounds) return;
    const { yaw, pitch } = this.camera;
    const [cy, sy, cp, sp] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
    const d = this.dim;
    const n = this.rows.length / d;
    const mid = [0, 1, 2].map((k) => k < d ? (this.bounds[k][0] + this.bounds[k][1]) / 2 : 0);
    const half = Math.max(...[0, 1, 2].map((k) => k < d ? (this.bounds[k][1] - this.bounds[k][0]) / 2 : 0)) || 1;
    const scale = 0.42 * Math.min(w, h) / half;
    const [r, g, b] = this.color;
    for (let i = 0; i < n; i++) {
      const x = this.rows[i * d] - mid[0];
      const y = d > 1 ? this.rows[i * d + 1] - mid[1] : 0;
      const z = d > 2 ? this.rows[i * d + 2] - mid[2] : 0;
      // Turn about the vertical (z) axis, then tilt.
      const x1 = cy * x - sy * y;
      const y1 = sy * x + cy * y;
      const depth = cp * y1 + sp * z;
      const up = -sp * y1 + cp * z;
      const shade = 0.45 + 0.55 * (0.5 - 0.5 * depth / (half * 1.8));
      ctx.fillStyle = `rgba(${r * shade | 0},${g * shade | 0},${b * shade | 0},0.75)`;
      ctx.fillRect(w / 2 + x1 * scale - 1, h / 2 - up * scale - 1, 2, 2);
    }
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];
}

// Per-axis [min, max] for drawing: the data's extent, widened to hold the bulk (2%-98%)
// of the samples but never to more than three times the data's span, so that a poor
// model's samples stay visible without shrinking the attractor to a dot.
export function viewBounds(data, samples, dim) {
  const bounds = [];
  for (let k = 0; k < Math.min(dim, 3); k++) {
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
    bounds.push([lo, hi]);
  }
  return bounds;
}
