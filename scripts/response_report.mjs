// Writes docs/response.md and its SVG figures from the JSON files scripts/response.sh
// made (one folder per system: <estimator>.json, <estimator>.vs-perturbation.json, ...).
// No dependencies: the figures are plain SVG polylines.
//   node scripts/response_report.mjs WORK_DIR FIG_DIR OUT.md
import fs from 'node:fs';
import path from 'node:path';

const [work, figDir, outMd] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

const SYSTEMS = [
  { tag: 'ou', title: 'Ornstein-Uhlenbeck ring (8 points, linear, Gaussian)',
    how: '`--system OrnsteinUhlenbeck` (theta 1, kappa 0.5, sigma 1, correlated noise), every coordinate kicked' },
  { tag: 'double-well', title: 'Double well (1-D, bimodal)', how: '`--system DoubleWell --dt 0.01` (sigma 0.5)' },
  { tag: 'allen-cahn', title: 'Allen-Cahn on a ring (32 points)', how: '`--system AllenCahn1D` (defaults), kick on x0' },
  { tag: 'lorenz', title: 'Lorenz-63 with additive noise', how: '`--system Lorenz --noise 2`, kick on x0' },
];
const ORDER = ['analytic', 'exact-score', 'gaussian', 'score', 'score-normalized'];
const LABEL = { analytic: 'exp(A tau)', 'exact-score': 'exact score', gaussian: 'gaussian', score: 'learned score',
  'score-normalized': 'learned score, normalized', perturbation: 'perturbation (truth)' };
const COLOR = { perturbation: '#222222', analytic: '#888888', 'exact-score': '#2ca02c', gaussian: '#1f77b4', score: '#ff7f0e',
  'score-normalized': '#d62728' };

// A line chart: series [{name, x, y}], as SVG text.
function chart(series, { title, ylabel, width = 560, height = 300 }) {
  const m = { l: 56, r: 170, t: 26, b: 40 };
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) y1 = y0 + 1;
  const pad = 0.05 * (y1 - y0);
  y0 -= pad; y1 += pad;
  const X = (x) => m.l + (x - x0) / (x1 - x0) * (width - m.l - m.r);
  const Y = (y) => height - m.b - (y - y0) / (y1 - y0) * (height - m.t - m.b);
  const ticks = (lo, hi, n) => {
    const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
    const s = [1, 2, 5, 10].map((k) => k * step).find((k) => (hi - lo) / k <= n) || step * 10;
    const out = [];
    for (let v = Math.ceil(lo / s) * s; v <= hi + 1e-12; v += s) out.push(Number(v.toPrecision(6)));
    return out;
  };
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.l}" y="16" font-size="12" font-weight="bold">${title}</text>`];
  for (const v of ticks(y0, y1, 6)) {
    parts.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  for (const v of ticks(x0, x1, 8)) {
    parts.push(`<text x="${X(v)}" y="${height - m.b + 15}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${Y(0)}" y2="${Y(0)}" stroke="#999"/>`,
    `<text x="${(m.l + width - m.r) / 2}" y="${height - 8}" text-anchor="middle">tau (time units)</text>`,
    `<text transform="translate(14 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">${ylabel}</text>`);
  series.forEach((s, k) => {
    const pts = s.x.map((x, i) => [x, s.y[i]]).filter(([, y]) => Number.isFinite(y))
      .map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    const dash = s.name === 'analytic' ? ' stroke-dasharray="6 4"' : '';
    const w = s.name === 'perturbation' ? 2.5 : 1.6;
    parts.push(`<polyline fill="none" stroke="${COLOR[s.name] || '#000'}" stroke-width="${w}"${dash} points="${pts}"/>`,
      `<line x1="${width - m.r + 10}" x2="${width - m.r + 30}" y1="${m.t + 8 + 16 * k}" y2="${m.t + 8 + 16 * k}" stroke="${COLOR[s.name] || '#000'}" stroke-width="${w}"${dash}/>`,
      `<text x="${width - m.r + 36}" y="${m.t + 12 + 16 * k}">${LABEL[s.name] || s.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const f3 = (v) => (v === null || v === undefined ? '–' : v < 0.001 ? v.toExponential(1) : v.toFixed(3));
const results = {};
let md = `# Response theory: four systems, every estimator, against the perturbation truth

Regenerate with \`bash scripts/response.sh\` (about 10 minutes on 2 cores; it trains one
score model per system with the \`scoredyn train\` defaults, 6000 steps, width 128,
depth 3, DSM on VP, on a trajectory from another seed than the response's). Each
estimator is a \`scoredyn response\` run; its error against the truth is
\`scoredyn response-compare\`: **relative L2** over all lags and kicked columns (the
paper's RMS error) and **L∞** (the largest difference, its max-pixel error). The truth is
the perturbation experiment: pairs of runs from states along the attractor, one kicked by
delta = 2 dt, both driven by the same noise. The learned score is read at the noise level
of the ladder 0.02 ... 0.3 (standardized units) at which it best satisfies R(0) = I; the
normalized variant is R(tau) R(0)^-1 (Giorgini, Deck, Bischoff, Souza, PRL 133, 267302,
2024). The figures show the response of the first kicked coordinate to its own kick and
each estimator's relative L2 error per lag.

`;
for (const sys of SYSTEMS) {
  const dir = path.join(work, sys.tag);
  const truth = read(path.join(dir, 'perturbation.json'));
  const train = read(path.join(dir, 'train.json'));
  const rows = [];
  const curves = [{ name: 'perturbation', x: truth.tau, y: null }];
  const errs = [];
  const j = truth.R[0][0].findIndex((v) => v !== null);
  curves[0].y = truth.R.map((m) => m[j][j]);
  const r = {};
  for (const name of ORDER) {
    const file = path.join(dir, `${name}.json`);
    if (!fs.existsSync(file)) continue;
    const rep = read(file);
    const vs = read(path.join(dir, `${name}.vs-perturbation.json`));
    const vsA = fs.existsSync(path.join(dir, `${name}.vs-analytic.json`)) ? read(path.join(dir, `${name}.vs-analytic.json`)) : null;
    r[name] = { l2: vs.relative_l2, linf: vs.linf, l2a: vsA && vsA.relative_l2, noise: rep.score_noise, r0: rep.r0_distance };
    const hasA = fs.existsSync(path.join(dir, 'analytic.json'));
    rows.push(`| ${LABEL[name]} | ${f3(vs.relative_l2)} | ${f3(vs.linf)} |${hasA ? ` ${vsA ? f3(vsA.relative_l2) : '–'} |` : ''}`
      + ` ${rep.score_noise ?? '–'} | ${f3(rep.r0_distance)} | ${rep.rows ?? '–'} | ${rep.seconds.toFixed(1)} |`);
    curves.push({ name, x: rep.tau, y: rep.R.map((m) => m[j][j]) });
    errs.push({ name, x: vs.tau, y: vs.relative_l2_per_lag });
  }
  const pvsA = fs.existsSync(path.join(dir, 'perturbation.vs-analytic.json')) ? read(path.join(dir, 'perturbation.vs-analytic.json')) : null;
  results[sys.tag] = r;
  const maxSe = Math.max(...truth.stderr.flat(2).filter((v) => v !== null));
  fs.writeFileSync(path.join(figDir, `${sys.tag}-response.svg`),
    chart(curves, { title: `${sys.title}: R_${j}${j}(tau)`, ylabel: 'response' }));
  fs.writeFileSync(path.join(figDir, `${sys.tag}-error.svg`),
    chart(errs, { title: `${sys.title}: relative L2 error per lag`, ylabel: 'relative L2 vs perturbation' }));
  md += `## ${sys.title}

${sys.how}. Score model: ${train.steps} steps in ${train.seconds.toFixed(0)} s, final loss
${train.final_loss.toFixed(3)}. Truth: ${truth.seconds.toFixed(1)} s, largest standard error of an entry
${f3(maxSe)}${pvsA ? `; against exp(A tau) the truth itself is off by ${f3(pvsA.relative_l2)} (relative L2: the Euler-Maruyama step)` : ''}.

| estimator | relative L2 | L∞ |${pvsA ? ' relative L2 vs exp(A tau) |' : ''} score noise | \\|R(0) - I\\| | rows | seconds |
|---|---|---|${pvsA ? '---|' : ''}---|---|---|---|
${rows.join('\n')}

![${sys.title}: response](response/${sys.tag}-response.svg)
![${sys.title}: error per lag](response/${sys.tag}-error.svg)

`;
}

// Findings, from the numbers above.
const o = results.ou, w = results['double-well'], a = results['allen-cahn'], l = results.lorenz;
const better = (x, y) => (x < y ? 'better than' : 'worse than');
const zero = (x) => (x > 1 ? ' (worse than predicting no response at all, whose error is 1)' : '');
const best = (r) => (r.score.l2 <= r['score-normalized'].l2 ? ['raw', r.score.l2] : ['normalized', r['score-normalized'].l2]);
md += `## Findings

- **OU ring (linear).** The Gaussian estimator is exact in law here, and its error
  (${f3(o.gaussian.l2)} against the perturbation truth, ${f3(o.gaussian.l2a)} against exp(A tau)) is the
  sampling error of the trajectory. The learned score gives ${f3(o.score.l2a)} raw and
  ${f3(o['score-normalized'].l2a)} normalized against exp(A tau): normalizing removes the bias of reading
  the score at a finite noise level (${o.score.noise} here; |R(0) - I| = ${f3(o.score.r0)}), which for
  a Gaussian it does exactly, and leaves the same sampling error as the Gaussian estimator's.
- **Double well (bimodal).** The Gaussian estimator misses the slow barrier crossings
  (${f3(w.gaussian.l2)}); the exact score gives ${f3(w['exact-score'].l2)} and the learned score
  ${f3(w.score.l2)} raw, ${f3(w['score-normalized'].l2)} normalized: the best score-based response has
  ${(best(w)[1] / w.gaussian.l2).toFixed(2)} times the Gaussian error. This is the case score-based response
  theory is for: a non-Gaussian density whose score a network learns well (|R(0) - I| = ${f3(w.score.r0)}).
- **Allen-Cahn ring (32 points, kick on x0).** Gaussian ${f3(a.gaussian.l2)}, learned score
  ${f3(a.score.l2)} raw and ${f3(a['score-normalized'].l2)} normalized. The 32-dimensional score model is far
  from satisfying R(0) = I (|R(0) - I| = ${f3(a.score.r0)}, read at noise ${a.score.noise}); the best
  score-based estimate (${best(a)[0]}) is ${better(best(a)[1], a.gaussian.l2)} the Gaussian fit
  (${(best(a)[1] / a.gaussian.l2).toFixed(2)} times its error). A better-trained score (more steps, a
  wider network, or the convolutional network of the published experiments) is what this
  system needs.
- **Noisy Lorenz-63 (kick on x0).** Gaussian ${f3(l.gaussian.l2)}${zero(l.gaussian.l2)}, learned score
  ${f3(l.score.l2)} raw${zero(l.score.l2)} and ${f3(l['score-normalized'].l2)} normalized${zero(l['score-normalized'].l2)}
  (|R(0) - I| = ${f3(l.score.r0)}). The noise (sigma 2) gives the density the smoothness the theorem
  needs, but the chaotic flow makes every estimate hard: the perturbation truth's own
  standard error stays large with 1e5 pairs, and dividing by a poorly known R_raw(0)
  (normalizing) can amplify the score's errors instead of removing its bias.
`;
fs.writeFileSync(outMd, md);
console.log(md);
