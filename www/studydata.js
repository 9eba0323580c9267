// The study page's data, without the DOM: a report's cells.json (written by
// `scoredyn report`) as row objects, their filters and order, and the trainer link of a
// cell (its settings as the main page's URL hash, through state.js's schema).
import { defaults, encode, check } from './state.js';

// The studies the page offers: a folder holding a report (README.md, cells.json,
// figures) and its raw results.
export const STUDIES = [
  { dir: 'robustness', label: 'The study', raw: 'results.jsonl' },
  { dir: 'robustness/pilot', label: 'Pilot (ten systems)', raw: 'results.jsonl' },
];

// The report's figures, by file name, and their captions.
export const FIGURES = [
  ['noise.svg', 'Quality against added noise'],
  ['size.svg', 'Quality against training-set size'],
];

// cells.json ({columns, rows}) as one object per cell, with the derived columns the
// page shows: method ("objective / SDE") and span (periods when the plan gave them).
export function cellsOf(table) {
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new Error('cells.json is not a report table ({columns, rows})');
  }
  return table.rows.map((r) => {
    const c = Object.fromEntries(table.columns.map((k, i) => [k, r[i] ?? null]));
    c.method = `${c.objective} / ${c.sde}`;
    c.span = c.periods != null ? `${c.periods} periods` : `t_end ${c.t_end}`;
    return c;
  });
}

// The columns of the table: key, heading, and whether it sorts as a number.
export const COLUMNS = [
  ['system', 'system'], ['family', 'family'], ['dim', 'dim', true], ['max_lyapunov', 'λ_max', true],
  ['noise', 'added noise', true], ['span', 'span'], ['rows', 'rows', true], ['method', 'objective / SDE'],
  ['sampler', 'sampler'], ['seed', 'seed', true], ['swd_ratio', 'SWD / floor', true], ['mmd', 'MMD', true],
  ['nats_per_dim', 'nats/dim', true], ['nfe', 'NFE', true], ['status', 'status'],
];

// The distinct values of a column, sorted (numbers as numbers).
export function choices(cells, key) {
  const vals = [...new Set(cells.map((c) => c[key]).filter((v) => v !== null && v !== undefined))];
  return vals.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true })));
}

// The cells a filter keeps: {system: text (part of the name, any case), and column: value
// ('' for any)}.
export function filterCells(cells, filter) {
  const text = (filter.system || '').trim().toLowerCase();
  return cells.filter((c) => (!text || c.system.toLowerCase().includes(text))
    && Object.entries(filter).every(([k, v]) => k === 'system' || v === '' || v === undefined || String(c[k]) === String(v)));
}

// Cells in the order of one column; missing values last in either direction.
export function sortCells(cells, key, descending = false) {
  const numeric = (COLUMNS.find(([k]) => k === key) || [])[2];
  const missing = (v) => v === null || v === undefined || (numeric && !Number.isFinite(v));
  return [...cells].sort((a, b) => {
    const [x, y] = [a[key], b[key]];
    if (missing(x) || missing(y)) return missing(x) - missing(y);
    const d = numeric ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
    return descending ? -d : d;
  });
}

// Text for a figure: 3 significant digits, '–' when absent.
export function fmt(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

// The trainer's settings for a cell: the main page's state (state.js) with the cell's
// system, data, training and sampling, and the notes on what the trainer does otherwise.
// Every value is one the page takes as given (checked against its schema here).
export function trainerState(cell) {
  // A cell that failed before its data were simulated has no resolved span or noise:
  // a link would open other settings than the cell's.
  if (cell.t_end == null || (cell.noise > 0 && !Array.isArray(cell.noise_sigma))) {
    throw new Error('the cell failed before its data were simulated (no resolved span and noise to open)');
  }
  const state = defaults();
  const set = (key, v) => { if (v !== null && v !== undefined) state[key] = String(v); };
  set('system', cell.system);
  if (Array.isArray(cell.noise_sigma) && cell.noise_sigma.some((s) => s > 0)) state.noise = cell.noise_sigma.join(',');
  if (cell.obs_noise_std) set('obs_noise', cell.obs_noise_std);
  set('t_end', cell.t_end);
  set('every', cell.every);
  set('sde', cell.sde);
  set('objective', cell.objective);
  for (const k of ['steps', 'batch', 'width', 'depth', 'seed', 'sampler']) set(k, cell[k]);
  set('ode_steps', cell.sampler_steps);
  set('n', cell.samples);
  for (const key of Object.keys(state)) {
    const msg = typeof state[key] === 'string' ? check(key, state[key]) : '';
    if (msg) throw new Error(`cell ${cell.index}: ${key} = ${state[key]}: ${msg}`);
  }
  // What the trainer does otherwise (so its numbers are close to the cell's, not equal).
  const notes = ['the trainer simulates the data and draws the samples with its own seeds',
    'it scores the samples against its own held-out simulation (twice the span), not the study\'s'];
  return { state, notes };
}

// The link that opens a cell in the trainer (relative to the study page).
export function trainerLink(cell) {
  return `index.html#${encode(trainerState(cell).state).toString()}`;
}
