// Shared canvas set-up: match the backing store to the CSS size and device pixel ratio,
// clear to the background, and hand back a context in CSS pixels.
export function prepareCanvas(c) {
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0f1419';
  ctx.fillRect(0, 0, w, h);
  return { ctx, w, h };
}
