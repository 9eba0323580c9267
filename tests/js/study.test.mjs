// The study page's data functions (www/studydata.js): a report table becomes cells,
// filters and sorts keep and order what they say, and a cell's trainer link is a URL
// hash the main page's own decoder (state.js) reads back as the cell's settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellsOf, filterCells, sortCells, trainerLink, choices } from '../../www/studydata.js';
import { decode } from '../../www/state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TABLE = {
  columns: ['index', 'system', 'family', 'noise', 'periods', 't_end', 'every', 'noise_sigma', 'obs_noise_std', 'sde',
    'objective', 'steps', 'batch', 'width', 'depth', 'sampler', 'sampler_steps', 'samples', 'seed', 'status', 'swd_ratio'],
  rows: [
    [0, 'Lorenz', 'flow', 0.1, 30, 22.5, 10, [0.79, 0.9, 0.86], 0, 'vp', 'dsm', 800, 256, 64, 3, 'em', 250, 1000, 1, 'ok', 1.4],
    [1, 'Rossler', 'flow', 0, null, 50, 5, null, 0.25, 've', 'dsm', 800, 256, 64, 3, 'ode-rk4', 25, 1000, 0, 'ok', 2.5],
    [2, 'DoubleWell2D', 'stochastic', 0, 30, 45, 10, null, 0, 'vp', 'flow-matching', 800, 256, 64, 3, 'ode-rk4', null, 1000, 0, 'failed', null],
  ],
};

test('a report table becomes cells with their derived columns', () => {
  const cells = cellsOf(TABLE);
  assert.equal(cells.length, 3);
  assert.equal(cells[0].method, 'dsm / vp');
  assert.equal(cells[0].span, '30 periods');
  assert.equal(cells[1].span, 't_end 50');
  assert.deepEqual(choices(cells, 'noise'), [0, 0.1]);
  assert.throws(() => cellsOf({ rows: [] }), /not a report table/);
});

test('filters keep what they name, and sorting puts missing values last', () => {
  const cells = cellsOf(TABLE);
  assert.deepEqual(filterCells(cells, { system: 'ROSS' }).map((c) => c.index), [1]);
  assert.deepEqual(filterCells(cells, { system: '', family: 'flow', noise: '0' }).map((c) => c.index), [1]);
  assert.deepEqual(filterCells(cells, { status: '' }).length, 3);
  assert.deepEqual(sortCells(cells, 'swd_ratio').map((c) => c.index), [0, 1, 2]);
  assert.deepEqual(sortCells(cells, 'swd_ratio', true).map((c) => c.index), [1, 0, 2]);
  assert.deepEqual(sortCells(cells, 'system').map((c) => c.system), ['DoubleWell2D', 'Lorenz', 'Rossler']);
});

// The trainer reads the link with its own decoder: every setting comes back as the cell
// had it (the noise per coordinate included), none replaced by a default.
function assertOpensAsCell(c) {
  const hash = trainerLink(c).split('#')[1];
  const s = decode(new URLSearchParams(hash));
  assert.equal(s.system, c.system);
  const sigma = Array.isArray(c.noise_sigma) && c.noise_sigma.some((x) => x > 0) ? c.noise_sigma.join(',') : '0';
  assert.equal(s.noise, sigma, `cell ${c.index}`);
  assert.equal(Number(s.obs_noise), c.obs_noise_std || 0);
  assert.equal(Number(s.t_end), c.t_end);
  for (const k of ['every', 'steps', 'batch', 'width', 'depth', 'seed']) assert.equal(Number(s[k]), c[k], `${k} of cell ${c.index}`);
  for (const k of ['sde', 'objective', 'sampler']) assert.equal(s[k], c[k]);
  assert.equal(Number(s.n), c.samples);
  if (c.sampler_steps !== null) assert.equal(Number(s.ode_steps), c.sampler_steps);
}

test('a cell\'s trainer link decodes to the cell\'s settings', () => {
  for (const c of cellsOf(TABLE)) assertOpensAsCell(c);
});

test('every committed study cell opens in the trainer with its settings', () => {
  for (const dir of ['docs/robustness', 'docs/robustness/pilot']) {
    const file = path.join(root, dir, 'cells.json');
    const cells = cellsOf(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.ok(cells.length > 100, `${file}: ${cells.length} cells`);
    for (const c of cells) {
      if (c.t_end !== null) assertOpensAsCell(c);
      else assert.throws(() => trainerLink(c), /failed before its data were simulated/);
    }
  }
});
