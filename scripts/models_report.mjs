// Writes docs/models.md from the sweep of plans/models.toml (scripts/models.sh): one
// table per system, a row per model family, and findings computed from the numbers.
//   node scripts/models_report.mjs PLAN.toml RESULTS.jsonl OUT.md [WALL_SECONDS]
import fs from 'node:fs';
import os from 'node:os';

const [planPath, resultsPath, outMd, wall] = process.argv.slice(2);
const plan = fs.readFileSync(planPath, 'utf8');
const lines = fs.readFileSync(resultsPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
// A later line for the same cell replaces an earlier one (a resumed or repeated run).
const all = [...new Map(lines.map((v) => [v.id, v])).values()];

const family = (c) => {
  if (c.arch === 'realnvp') return 'RealNVP';
  if (c.objective === 'cnf') return 'CNF (FFJORD)';
  if (c.objective === 'flow-matching') return 'flow matching';
  if (c.objective === 'ncsn') return 'NCSN (its loss and ladder)';
  return `DSM, ${c.sde === 'ncsn' ? 'NCSN ladder' : c.sde.toUpperCase()}`;
};
const ORDER = ['RealNVP', 'CNF (FFJORD)', 'flow matching', 'DSM, VP', 'DSM, VE', 'NCSN (its loss and ladder)'];
// DSM under the ncsn SDE is VE's continuous-time DSM (the ladder only enters NCSN's own
// loss and samplers): the same model, so its row is left out.
const shown = (v) => !(v.cell.objective === 'dsm' && v.cell.sde === 'ncsn');
const cells = all.filter(shown);
const f = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const nll = (c) => c.objective === 'cnf' || c.objective === 'maximum-likelihood';
const systems = [...new Set(cells.map((v) => v.cell.system))];
// A binary built from a checkout with uncommitted changes records "+dirty".
const commitText = (c) => (c?.endsWith('+dirty')
  ? `built from commit ${c.slice(0, -6)} with uncommitted changes (committed with these results)`
  : `commit ${c ?? '?'}`);

let md = `# The model families side by side

Every family scoredyn trains, on the same data and scored on the same held-out
trajectory (another initial condition and other noise, as long as the training run):
normalizing flows (RealNVP), continuous normalizing flows (CNF, FFJORD-style maximum
likelihood through an RK4 solve), flow matching, and score models (denoising score
matching under VP and VE; NCSN's own loss on its geometric noise ladder).
Made by \`bash scripts/models.sh\` (\`scoredyn sweep --plan plans/models.toml\`, then
\`scripts/models_report.mjs\`); ${all.length} cells, ${Math.round(all.reduce((t, v) => t + (v.seconds || 0), 0))} s of
cell time in all${wall ? ` (the last run, which computes only the cells missing from the results, took ${wall} s of wall time)` : ''}, on
${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${commitText(cells[0]?.commit)}.

Columns: **held-out nats/dim** is the mean log-likelihood per coordinate of 500 held-out
rows in data units (RealNVP exact; CNF and flow matching by their ODE with the exact
divergence; score models by the probability-flow ODE), higher is better; the **Gaussian
baseline** is a Gaussian fitted to the training data on the same rows (for the
Ornstein-Uhlenbeck ring, a Gaussian process, it is the truth up to sampling error); the
**exact density**, where the stationary law is known in closed form (the Gaussian
mixture; the double wells, normalised by quadrature), is the truth on the same rows,
which no model beats beyond the rows' sampling error.
**SWD / floor** is the sliced Wasserstein distance of 2000 samples to the held-out
trajectory over the calibrated floor of another draw of the system (1: as close as the
system itself), ± one standard error; **MMD** the RBF maximum mean discrepancy;
**corr. dim** the correlation dimension of the samples (the held-out data's in the
header); **NFE** network evaluations per sample (RK4 with 50 steps: 200; the RealNVP's
inverse: 1); **train s** the training time (3000 steps, batch 256, width 64, depth 3,
Adam, one thread); **train NLL** the last training loss of the likelihood-trained
families, the negative log-likelihood per row in standardized units (the CNF's through
its 8-step training solve). DSM under the \`ncsn\` SDE is VE's continuous-time DSM (the
same model and numbers), so its row is left out. For the stochastic systems the floor
is another stretch of the same long trajectory, whose rows are correlated in time, so
independent samples can come closer to the held-out record than it does (ratios below 1).

The plan:

\`\`\`toml
${plan.trim()}
\`\`\`
`;

const best = [];
for (const system of systems) {
  const rows = cells.filter((v) => v.cell.system === system);
  const ok = rows.filter((v) => v.status === 'ok');
  const any = ok[0] || rows[0];
  const dim = any?.system?.dim ?? any?.data?.dim;
  const ref = ok[0]?.metrics?.corr_dim_reference;
  const gauss = ok.map((v) => v.likelihood?.gaussian_nats_per_dim).find(Number.isFinite);
  const exact = ok.map((v) => v.likelihood?.exact_nats_per_dim).find(Number.isFinite);
  md += `\n## ${system}${dim ? ` (${dim}-D)` : ''}\n\n`;
  md += `${any?.data?.rows ?? '?'} training rows, ${any?.data?.heldout_rows ?? '?'} held-out rows; `
    + `Gaussian baseline ${f(gauss)} nats/dim; `
    + (Number.isFinite(exact) ? `**exact density ${f(exact)} nats/dim** (the truth on the same rows); ` : '')
    + `held-out correlation dimension ${f(ref, 2)}.\n\n`;
  md += '| family | held-out nats/dim | SWD / floor | MMD | corr. dim | NFE | train s | train NLL |\n|---|---|---|---|---|---|---|---|\n';
  const sorted = rows.slice().sort((a, b) => ORDER.indexOf(family(a.cell)) - ORDER.indexOf(family(b.cell)));
  for (const v of sorted) {
    if (v.status !== 'ok') {
      md += `| ${family(v.cell)} | failed at ${v.stage}: ${String(v.error).replace(/\|/g, '/')} | | | | | | |\n`;
      continue;
    }
    const m = v.metrics;
    md += `| ${family(v.cell)} | ${f(v.likelihood?.nats_per_dim)} | ${f(m.swd_ratio, 2)} ± ${f(m.swd_ratio_se, 2)} | `
      + `${m.mmd.toExponential(1)} | ${f(m.corr_dim_samples, 2)} | ${v.sample.nfe} | ${f(v.train.seconds, 1)} | `
      + `${nll(v.cell) ? f(v.train.final_loss) : ''} |\n`;
  }
  const byLike = ok.filter((v) => Number.isFinite(v.likelihood?.nats_per_dim))
    .sort((a, b) => b.likelihood.nats_per_dim - a.likelihood.nats_per_dim);
  const bySwd = ok.slice().sort((a, b) => a.metrics.swd_ratio - b.metrics.swd_ratio);
  const cnf = ok.find((v) => v.cell.objective === 'cnf');
  const nvp = ok.find((v) => v.cell.arch === 'realnvp');
  if (byLike.length && bySwd.length) best.push({ system, like: byLike[0], swd: bySwd[0], gauss, exact, byLike, worstSwd: bySwd[bySwd.length - 1], cnf, nvp });
}

md += '\n## Findings in numbers\n\nComputed from the tables above by the script (one seed each: differences within '
  + 'about two standard errors of the SWD ratio are not findings).\n\n';
for (const b of best) {
  const like = b.like.likelihood.nats_per_dim;
  md += `- **${b.system}**: the best held-out likelihood is ${family(b.like.cell)}'s, ${f(like)} nats/dim`
    + (Number.isFinite(b.gauss) ? ` (${like > b.gauss ? `${f(like - b.gauss)} above` : `${f(b.gauss - like)} below`} the Gaussian baseline)` : '')
    + (Number.isFinite(b.exact) ? `; the exact density gives ${f(b.exact)}, and its margin over each family`
      + ' (exact − model; below zero is the 500 rows\' sampling error) is '
      + b.byLike.map((v) => `${f(b.exact - v.likelihood.nats_per_dim)} (${family(v.cell)})`).join(', ')
      + (Number.isFinite(b.gauss) ? `, over the Gaussian ${f(b.exact - b.gauss)}` : '') : '')
    + `; the best samples are ${family(b.swd.cell)}'s, ${f(b.swd.metrics.swd_ratio, 2)}× the floor`
    + ` (the worst: ${family(b.worstSwd.cell)}'s, ${f(b.worstSwd.metrics.swd_ratio, 2)}×).`;
  // A CNF whose training NLL beats the exact-likelihood RealNVP's while its held-out
  // likelihood (a 100-step solve) is far worse has fitted its own 8-step solver.
  if (b.cnf && b.nvp && b.cnf.train.final_loss < b.nvp.train.final_loss
    && b.cnf.likelihood.nats_per_dim < b.nvp.likelihood.nats_per_dim - 0.5) {
    md += ` The CNF's training NLL, ${f(b.cnf.train.final_loss)} nats/row, is below the exact RealNVP's`
      + ` ${f(b.nvp.train.final_loss)}, yet its held-out likelihood by a 100-step solve is ${f(b.cnf.likelihood.nats_per_dim)}`
      + ' nats/dim: with 8 fixed RK4 steps it learned dynamics its training solver'
      + ' integrates wrongly (discretise-then-optimise), which the finer solve exposes.';
  }
  md += '\n';
}
const time = (name) => {
  const t = cells.filter((v) => v.status === 'ok' && family(v.cell) === name).map((v) => v.train.seconds);
  return t.length ? t.reduce((a, b) => a + b, 0) / t.length : NaN;
};
md += `- **Training time** (mean over systems, 3000 steps): RealNVP ${f(time('RealNVP'), 1)} s, CNF ${f(time('CNF (FFJORD)'), 1)} s, `
  + `flow matching ${f(time('flow matching'), 1)} s, DSM (VP) ${f(time('DSM, VP'), 1)} s: the CNF backpropagates through `
  + '8 RK4 steps of the network and its forward-mode product, about 64 network passes a step.\n';
const failed = cells.filter((v) => v.status !== 'ok');
if (failed.length) md += `- **Failed cells:** ${failed.length} (${failed.map((v) => `${v.cell.system} ${family(v.cell)}: ${v.stage}`).join('; ')}).\n`;

fs.writeFileSync(outMd, md);
