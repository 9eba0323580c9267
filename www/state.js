// The settings schema (every setting's key, group, type, default, range and form text)
// and the pure functions over it: defaults, URL-hash decode/encode, field checks. No DOM.
//
// A state is a plain object: key → the setting as text (the way fields and the URL hold
// it; '' for an empty optional number), bool settings → true/false, 'p.' → {name: text}
// for the system parameters the user changed. Keys are the URL hash's keys and a
// <scoredyn-demo>'s attributes.

const opts = (...pairs) => pairs.map(([value, label = value]) => ({ value, label }));

// group: where a setting goes (page, system, data, train, sample, backend, view,
// response: the Response view's own).
// type: bool, choice (static options, or from the worker's table when options is a
// string), number, int, slider (an int from a range input), coord (a coordinate index;
// its default is clamped to the data's dimension), sigmas (one number ≥ 0, or one per
// coordinate separated by commas), text, system, params.
// range: {min, max, exclusive (min is a strict bound), optional (may be empty)}.
// label: the visible label; aria: the accessible name where there is none; title,
// placeholder: the field's. id: the field's DOM id (without the demo's prefix) when it
// is not the key.
export const SCHEMA = [
  { key: 'controls', group: 'page', type: 'choice', default: 'shown', options: opts(['shown'], ['hidden']) },
  { key: 'autostart', group: 'page', type: 'bool', default: false },

  { key: 'system', group: 'system', type: 'system', default: 'Lorenz' },
  { key: 'p.', group: 'data', type: 'params', default: {} },
  { key: 'noise', group: 'data', type: 'sigmas', default: 0, label: 'added noise σ',
    title: 'σ dW on every coordinate, or one σ per coordinate separated by commas' },
  { key: 'method', group: 'data', type: 'choice', default: '', label: 'integrator',
    options: opts(['', 'default'], ['rk4', 'RK4'], ['dopri5', 'Dormand-Prince 5(4)'], ['em', 'Euler-Maruyama'], ['heun', 'stochastic Heun']) },
  { key: 't_end', group: 'data', type: 'number', default: null, range: { min: 0, exclusive: true, optional: true },
    label: 'time span', placeholder: 'default' },
  { key: 'dt', group: 'data', type: 'number', default: null, range: { min: 0, exclusive: true, optional: true },
    label: 'dt', placeholder: 'default' },
  { key: 'burn_in', group: 'data', type: 'number', default: null, range: { min: 0, optional: true },
    label: 'burn-in', title: 'simulated time dropped before recording', placeholder: 'default' },
  { key: 'every', group: 'data', type: 'int', default: null, range: { min: 1, max: 1e6, optional: true },
    label: 'stride', title: 'record every k-th integration step', placeholder: 'default' },
  { key: 'obs_noise', group: 'data', type: 'number', default: 0, range: { min: 0 },
    label: 'obs. noise', title: 'standard deviation of noise added to the recorded data' },
  { key: 'embed', group: 'data', type: 'text', default: '', label: 'delay embedding',
    title: 'coordinate (from 0), dimensions, lag in recorded rows', placeholder: 'none, or C,M,L' },

  { key: 'sde', group: 'train', type: 'choice', default: 'vp', label: 'SDE',
    options: opts(['vp', 'VP (beta 0.1 to 20)'], ['subvp', 'sub-VP'], ['ve', 'VE (sigma_max from the data)'], ['ncsn', 'NCSN ladder']) },
  { key: 'objective', group: 'train', type: 'choice', default: 'dsm', label: 'objective', options: 'objectives' },
  { key: 'arch', group: 'train', type: 'choice', default: 'mlp', label: 'network',
    options: opts(['mlp', 'MLP (score or velocity)'], ['realnvp', 'RealNVP (coupling layers)']) },
  { key: 'layers', group: 'train', type: 'int', default: null, range: { min: 1, max: 64, optional: true },
    label: 'coupling layers', title: 'RealNVP only', placeholder: 'default (8)' },
  { key: 'steps', group: 'train', type: 'int', default: 3000, range: { min: 1, max: 1e7 }, label: 'steps' },
  { key: 'batch', group: 'train', type: 'int', default: 256, range: { min: 1, max: 65536 }, label: 'batch' },
  { key: 'width', group: 'train', type: 'int', default: 128, range: { min: 1, max: 4096 }, label: 'width' },
  { key: 'depth', group: 'train', type: 'int', default: 3, range: { min: 1, max: 32 }, label: 'depth' },
  { key: 'lr', group: 'train', type: 'number', default: 0.002, range: { min: 1e-8, max: 1 }, label: 'learning rate' },
  { key: 'ema', group: 'train', type: 'number', default: 0.999, range: { min: 0, max: 0.99999 }, label: 'EMA',
    title: 'decay of the exponential moving average of the weights (0: none)' },
  { key: 'seed', group: 'train', type: 'int', default: 0, range: { min: 0, max: 2 ** 53 }, label: 'seed' },

  { key: 'sampler', group: 'sample', type: 'choice', default: 'ode-rk4', options: 'samplers', label: 'sampler' },
  { key: 'n', group: 'sample', type: 'int', default: 2000, range: { min: 1, max: 1e6 }, label: 'samples' },
  { key: 'ode_steps', group: 'sample', type: 'int', default: 25, range: { min: 1, max: 10000 }, label: 'steps',
    title: 'fixed-step samplers; adaptive ones choose their own' },

  { key: 'backend', group: 'backend', type: 'choice', default: 'auto', id: 'device', label: 'device',
    options: opts(['auto', 'auto (WebGPU if available)'], ['webgpu', 'WebGPU'], ['cpu', 'CPU']) },

  { key: 'overlay', group: 'view', type: 'bool', default: false, label: 'overlay samples on data' },
  { key: 'axis-0', group: 'view', type: 'coord', default: 0, aria: 'first coordinate shown' },
  { key: 'axis-1', group: 'view', type: 'coord', default: 1, aria: 'second coordinate shown' },
  { key: 'axis-2', group: 'view', type: 'coord', default: 2, aria: 'third coordinate shown' },
  { key: 'field-x', group: 'view', type: 'coord', default: 0, aria: 'horizontal coordinate of the slice' },
  { key: 'field-y', group: 'view', type: 'coord', default: 2, aria: 'vertical coordinate of the slice' },
  { key: 'field-t', group: 'view', type: 'slider', default: 35, range: { min: 0, max: 100 },
    aria: 'Noise level (diffusion time, log scale)' },

  { key: 'response-kick', group: 'response', type: 'coord', default: 0, label: 'kick on',
    title: 'the coordinate kicked at time 0' },
  { key: 'response-obs', group: 'response', type: 'coord', default: 0, label: 'response of',
    title: 'the coordinate whose response is drawn' },
  { key: 'response-tau', group: 'response', type: 'number', default: null, range: { min: 0, exclusive: true, optional: true },
    label: 'largest lag τ', title: 'in time units; default: 50 lags of the recorded spacing', placeholder: 'default' },
  { key: 'response-normalize', group: 'response', type: 'bool', default: false, label: 'learned score normalized, R(0) = I',
    title: 'R(τ) R(0)⁻¹: removes the bias of reading the score at a small noise level (exact for a Gaussian)' },
  { key: 'response-perturb', group: 'response', type: 'bool', default: false, label: 'with the perturbation truth (slow)',
    title: 'pairs of runs, one kicked, with the same noise: the truth the estimators are measured against' },
  { key: 'response-members', group: 'response', type: 'int', default: 32, range: { min: 2, max: 100000 }, label: 'pairs',
    title: 'pairs of runs of the perturbation experiment' },
];

export const ENTRY = new Map(SCHEMA.map((e) => [e.key, e]));
export const PARAM = 'p.';

// Keys that older pages read and that are not schema keys: old → new. (The old page
// took any field's DOM id as a key; `prefer` was the device menu's.)
export const OLD_KEYS = { prefer: 'backend' };

const TRUE = ['1', 'true', 'yes', 'on'];
// What a number input holds: HTML's valid floating-point number (anything else it empties).
const FLOAT = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?$/;

// The text a setting's default has in a state.
export function defaultText(entry, dim = null) {
  if (entry.type === 'bool') return entry.default;
  if (entry.type === 'coord' && dim) return String(Math.max(0, Math.min(entry.default, dim - 1)));
  return entry.default === null ? '' : String(entry.default);
}

export function defaults() {
  const state = {};
  for (const e of SCHEMA) state[e.key] = e.type === 'params' ? {} : defaultText(e);
  return state;
}

// One value from a URL or an attribute, as state text; undefined when it is not one.
function accept(entry, raw) {
  const v = String(raw);
  switch (entry.type) {
    case 'bool': return TRUE.includes(v.toLowerCase());
    case 'choice':
      if (typeof entry.options === 'string') return v.trim() ? v.trim() : undefined; // checked against the table later
      return entry.options.some((o) => o.value === v) ? v : undefined;
    case 'number': case 'int': return v === '' || FLOAT.test(v) ? v : undefined;
    case 'sigmas': return parseSigmas(v) ? v : undefined;
    case 'slider': {
      const x = Number(v);
      if (v.trim() === '' || !Number.isFinite(x)) return undefined;
      return String(Math.round(Math.max(entry.range.min, Math.min(entry.range.max, x))));
    }
    case 'coord': return /^\d+$/.test(v.trim()) ? String(Number(v.trim())) : undefined;
    default: return v;
  }
}

// A state from the URL hash's keys (or an element's attributes): every known key,
// old keys mapped to their new names; anything else is ignored.
export function decode(params) {
  const state = defaults();
  for (const [rawKey, raw] of params) {
    if (rawKey.startsWith(PARAM)) {
      if (rawKey.length > PARAM.length) state[PARAM][rawKey.slice(PARAM.length)] = String(raw);
      continue;
    }
    const entry = ENTRY.get(OLD_KEYS[rawKey] || rawKey);
    if (!entry || entry.type === 'params') continue;
    const v = accept(entry, raw);
    if (v !== undefined) state[entry.key] = v;
  }
  return state;
}

// The URL hash's keys for a state: every setting that differs from its default, in
// schema order. dim (the data's dimension, when known) sets the coordinates' defaults
// and drops coordinates the data do not have.
export function encode(state, { dim = null } = {}) {
  const out = new URLSearchParams();
  for (const e of SCHEMA) {
    const v = state[e.key];
    if (e.type === 'params') {
      for (const [name, text] of Object.entries(v || {})) out.set(`${PARAM}${name}`, text);
    } else if (e.type === 'bool') {
      if (v !== e.default) out.set(e.key, v ? '1' : '0');
    } else if (v !== undefined && v !== defaultText(e, dim) && !(e.type === 'coord' && dim && !(Number(v) < dim))) {
      out.set(e.key, v);
    }
  }
  return out;
}

// A coordinate setting's value for data of `dim` coordinates: the chosen one if the
// data have it, else the default.
export function coord(state, key, dim) {
  const v = Number(state[key]);
  return v < dim ? v : Number(defaultText(ENTRY.get(key), dim));
}

// Added-noise text as numbers ≥ 0 (one, or one per coordinate); null when it is not.
export function parseSigmas(text) {
  const parts = String(text).split(',').map((p) => p.trim());
  if (!parts.every((p) => FLOAT.test(p))) return null;
  const v = parts.map(Number);
  return v.every((x) => Number.isFinite(x) && x >= 0) ? v : null;
}

// The message for a number field's text ('' when it is fine).
export function check(key, text) {
  const { type, range } = ENTRY.get(key);
  if (type === 'sigmas') return parseSigmas(text) ? '' : 'enter a number ≥ 0, or one per coordinate separated by commas';
  if (!range) return '';
  const t = String(text).trim();
  if (t === '' && range.optional) return '';
  const v = Number(t);
  const integer = type !== 'number';
  const low = range.min !== undefined && (range.exclusive ? v <= range.min : v < range.min);
  if (t === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || low || v > (range.max ?? Infinity)) {
    return `enter ${integer ? 'a whole number' : 'a number'}`
      + `${range.min !== undefined ? ` ${range.exclusive ? '>' : '≥'} ${range.min}` : ''}`
      + `${range.max !== undefined ? ` and ≤ ${range.max}` : ''}`;
  }
  return '';
}

// A checked number field's value (undefined when empty).
export function parse(text) {
  return String(text).trim() === '' ? undefined : Number(text);
}

// The delay embedding [coord, dims, lag] from its text; undefined when empty, null when
// it is not three whole numbers with dims and lag ≥ 1.
export function parseEmbed(text) {
  const t = String(text).trim();
  if (!t) return undefined;
  const parts = t.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 0) || parts[1] < 1 || parts[2] < 1) return null;
  return parts;
}

// The canonical name of a value of a table-backed setting (`key`: sampler, objective)
// from the worker's table (names and aliases), or the setting's default when the table
// does not know it.
export function tableName(table, value, key = 'sampler') {
  const hit = table.find((s) => s.name === value || (s.aliases || []).includes(value));
  return hit ? hit.name : ENTRY.get(key).default;
}
