// Flat canvas drawings: marginal histograms (data against samples), the learned
// score as arrows on a 2D slice, and a model's log-density as an image.
import { prepareCanvas } from './canvas.js';

export const DATA_COLOR = [90, 170, 255];
export const SAMPLE_COLOR = [240, 160, 48];
const rgb = ([r, g, b], a = 1) => `rgba(${r},${g},${b},${a})`;

// One panel per shown coordinate: the data's histogram filled, the samples' as a line,
// both as densities over the same bins.
export function drawHistograms(canvas, data, samples, dim, axes, bounds, bins = 40) {
  const { ctx, w, h } = prepareCanvas(canvas);
  if (!data || !bounds) return;
  const shown = axes.slice(0, Math.min(3, dim));
  const pw = w / shown.length;
  ctx.font = '11px system-ui, sans-serif';
  shown.forEach((k, p) => {
    const [lo, hi] = bounds[p];
    const count = (rows) => {
      const c = new Float64Array(bins);
      const n = rows.length / dim;
      for (let i = 0; i < n; i++) {
        const b = Math.floor((rows[i * dim + k] - lo) / (hi - lo) * bins);
        if (b >= 0 && b < bins) c[b] += 1;
      }
      return c.map((v) => v / n);
    };
    const dc = count(data);
    const sc = samples ? count(samples) : null;
    const top = Math.max(...dc, ...(sc || [0])) || 1;
    const x0 = p * pw + 6, x1 = (p + 1) * pw - 6, y0 = h - 16, y1 = 8;
    const X = (b) => x0 + (b / bins) * (x1 - x0);
    const Y = (v) => y0 - (v / top) * (y0 - y1);
    ctx.fillStyle = rgb(DATA_COLOR, 0.45);
    for (let b = 0; b < bins; b++) ctx.fillRect(X(b), Y(dc[b]), X(b + 1) - X(b) - 0.5, y0 - Y(dc[b]));
    if (sc) {
      ctx.strokeStyle = rgb(SAMPLE_COLOR);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let b = 0; b < bins; b++) {
        if (b === 0) ctx.moveTo(X(0), Y(sc[0])); else ctx.lineTo(X(b), Y(sc[b]));
        ctx.lineTo(X(b + 1), Y(sc[b]));
      }
      ctx.stroke();
    }
    ctx.fillStyle = '#9aa7b4';
    ctx.fillText(`x${k}`, x0, h - 3);
  });
}

// field: Float32Array of (x, y, u, v) per grid point; axes: the two coordinates;
// box: [[xlo, xhi], [ylo, yhi]]. The data's projection is drawn faintly beneath.
// Arrow lengths grow with the square root of the field's magnitude (relative to
// the largest on the slice), so that both weak and strong regions stay readable.
export function drawField(canvas, field, grid, data, dim, axes, box) {
  const { ctx, w, h } = prepareCanvas(canvas);
  if (!box) return;
  const pad = 8;
  const [[xlo, xhi], [ylo, yhi]] = box;
  const X = (x) => pad + (x - xlo) / (xhi - xlo) * (w - 2 * pad);
  const Y = (y) => h - pad - (y - ylo) / (yhi - ylo) * (h - 2 * pad);
  if (data) {
    ctx.fillStyle = rgb(DATA_COLOR, 0.25);
    const n = data.length / dim;
    for (let i = 0; i < n; i += 1) ctx.fillRect(X(data[i * dim + axes[0]]) - 0.5, Y(data[i * dim + axes[1]]) - 0.5, 1.5, 1.5);
  }
  ctx.fillStyle = '#9aa7b4';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(`x${axes[0]} →, x${axes[1]} ↑`, 6, h - 6);
  if (!field) return;
  const cell = Math.min(w, h) / grid;
  let max = 0;
  // Directions on screen: data units differ per axis, so scale into pixels first.
  const sx = (w - 2 * pad) / (xhi - xlo), sy = (h - 2 * pad) / (yhi - ylo);
  const vecs = [];
  for (let i = 0; i < field.length; i += 4) {
    const du = field[i + 2] * sx, dv = field[i + 3] * sy;
    const m = Math.hypot(field[i + 2], field[i + 3]);
    vecs.push([field[i], field[i + 1], du, dv, m]);
    if (m > max) max = m;
  }
  if (!(max > 0)) return;
  ctx.lineWidth = 1.2;
  for (const [x, y, du, dv, m] of vecs) {
    const len = 0.85 * cell * Math.sqrt(m / max);
    const dl = Math.hypot(du, dv) || 1;
    const ux = du / dl * len, uy = -dv / dl * len;
    const px = X(x), py = Y(y);
    const heat = Math.sqrt(m / max);
    ctx.strokeStyle = `rgb(${240 * heat + 120 * (1 - heat) | 0},${160 * heat + 200 * (1 - heat) | 0},${60 + 140 * (1 - heat) | 0})`;
    ctx.beginPath();
    ctx.moveTo(px - ux / 2, py - uy / 2);
    ctx.lineTo(px + ux / 2, py + uy / 2);
    const a = Math.atan2(uy, ux);
    const hl = Math.min(4, len * 0.4);
    ctx.lineTo(px + ux / 2 - hl * Math.cos(a - 0.5), py + uy / 2 - hl * Math.sin(a - 0.5));
    ctx.moveTo(px + ux / 2, py + uy / 2);
    ctx.lineTo(px + ux / 2 - hl * Math.cos(a + 0.5), py + uy / 2 - hl * Math.sin(a + 0.5));
    ctx.stroke();
  }
}

// Viridis at five stops, interpolated: dark (unlikely) to bright (likely).
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function viridis(u) {
  const x = Math.max(0, Math.min(1, u)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
}

// The log-density `logp` on a grid×grid lattice over box [[xlo, xhi], [ylo, yhi]]
// (row-major from the lower-left corner), the `span` nats below its maximum mapped
// from dark to bright, and the data as dots on top.
export function drawDensity(canvas, logp, grid, box, data, span = 8) {
  const { ctx, w, h } = prepareCanvas(canvas);
  if (!logp || !box) return;
  const max = Math.max(...logp.filter(Number.isFinite));
  const image = document.createElement('canvas');
  image.width = grid;
  image.height = grid;
  const ictx = image.getContext('2d');
  const pixels = ictx.createImageData(grid, grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const v = logp[r * grid + c];
      const [R, G, B] = Number.isFinite(v) ? viridis(1 - (max - v) / span) : [0, 0, 0];
      const o = 4 * ((grid - 1 - r) * grid + c);
      pixels.data.set([R, G, B, 255], o);
    }
  }
  ictx.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(image, 0, 0, w, h);
  const [[xlo, xhi], [ylo, yhi]] = box;
  if (data) {
    ctx.fillStyle = 'rgba(255,255,255,0.35)';
    const n = data.length / 2;
    for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 3000))) {
      ctx.fillRect((data[2 * i] - xlo) / (xhi - xlo) * w - 0.5, h - (data[2 * i + 1] - ylo) / (yhi - ylo) * h - 0.5, 1.5, 1.5);
    }
  }
  return max;
}
