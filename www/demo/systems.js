// The system picker: a searchable list of the catalog, the chosen system's
// description and citation, and an editor for its scalar parameters.

import { parseSigmas } from '../state.js';

const fmt = (v) => (v === null || v === undefined) ? '–' : (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)) ? v.toExponential(3) : String(+v.toFixed(4));

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// The picker's markup (ids carry the demo's prefix p); the parameters go in `${p}params`.
export function pickerMarkup(p) {
  return `<label>search <input id="${p}system-search" type="search" placeholder="name, words, dimension" autocomplete="off" aria-controls="${p}system"></label>
    <select id="${p}system" class="system-list" size="7" aria-label="System (filtered by the search)" aria-describedby="${p}system-info"></select>
    <div id="${p}system-info" class="info" aria-live="polite">Loading the catalog…</div>`;
}

export class SystemPicker {
  // els: {search, select, info, params, noiseRow, noise}; onChange(): the system or a parameter changed.
  constructor(els, onChange) {
    this.els = els;
    this.onChange = onChange;
    this.systems = [];
    this.current = null;
    els.search.addEventListener('input', () => this.filter());
    els.select.addEventListener('change', () => this.choose(els.select.value));
    els.params.addEventListener('input', (ev) => { if (this.valid(ev.target)) this.onChange(); });
    els.noise.addEventListener('input', () => { if (!this.validNoise()) this.onChange(); });
  }

  load(systems, initial = 'Lorenz') {
    this.systems = systems;
    this.filter();
    this.choose(this.systems.some((s) => s.name === initial && s.supported) ? initial : 'Lorenz', { silent: true });
  }

  // Keeps the systems whose name, description, family or dimension match every word.
  filter() {
    const words = this.els.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const { select } = this.els;
    const keep = this.systems.filter((s) => {
      const hay = `${s.name} ${s.description} ${s.family} ${s.dim}d dim${s.dim} ${s.stochastic ? 'stochastic noisy sde' : ''}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    select.replaceChildren(...keep.map((s) => {
      const o = document.createElement('option');
      o.value = s.name;
      o.textContent = `${s.name} (${s.dim}D${s.stochastic ? ', SDE' : ''}${s.supported ? '' : ', not supported'})`;
      o.disabled = !s.supported;
      o.title = s.supported ? s.description : s.unsupported_reason;
      return o;
    }));
    if (this.current && keep.some((s) => s.name === this.current.name)) select.value = this.current.name;
  }

  choose(name, { silent = false } = {}) {
    const s = this.systems.find((x) => x.name === name);
    if (!s || !s.supported) return;
    this.current = s;
    this.els.select.value = name;
    this.els.info.innerHTML = this.describe(s);
    this.buildParams(s);
    this.els.noiseRow.hidden = s.stochastic;
    if (!silent) this.onChange();
  }

  describe(s) {
    const inv = s.stochastic
      ? 'stochastic (additive noise)'
      : `λ<sub>max</sub> ${fmt(s.max_lyapunov)} · correlation dim. ${fmt(s.correlation_dimension)} · period ${fmt(s.period)}`;
    const extra = [];
    if (s.nonautonomous) extra.push('time-forced (time enters as a phase variable)');
    if (s.postprocessed) extra.push('reported in dysts\u2019 transformed coordinates');
    return `<b>${escapeHtml(s.name)}</b>, ${s.dim} dimensions. ${escapeHtml(s.description)}<br>`
      + `${inv}${extra.length ? `<br>${escapeHtml(extra.join('; '))}` : ''}<br><i>${escapeHtml(s.citation)}</i>`;
  }

  buildParams(s) {
    const rows = Object.entries(s.parameters).map(([name, v]) => {
      const label = document.createElement('label');
      if (typeof v === 'number') {
        label.append(`${name} `);
        const input = document.createElement('input');
        input.type = 'number';
        input.step = 'any';
        input.value = String(v);
        input.dataset.param = name;
        input.dataset.default = String(v);
        if (name === 'n') { input.step = '1'; input.min = '2'; }
        if (name === 'sigma' && s.stochastic) input.min = '0';
        label.append(input);
      } else {
        label.append(`${name} `);
        const span = document.createElement('span');
        span.className = 'hint';
        span.textContent = `array ${v.shape.join('×')} (fixed)`;
        label.append(span);
      }
      return label;
    });
    this.els.params.replaceChildren(...rows);
  }

  valid(input) {
    if (!input || input.tagName !== 'INPUT') return false;
    const v = Number(input.value);
    const ok = input.value.trim() !== '' && Number.isFinite(v) && !(input.min !== '' && v < Number(input.min));
    input.setAttribute('aria-invalid', String(!ok));
    const label = input.closest('label');
    if (label) {
      if (ok) delete label.dataset.error;
      else label.dataset.error = `enter a number${input.min !== '' ? ` ≥ ${input.min}` : ''}`;
    }
    return ok;
  }

  // Whether the added noise is one σ ≥ 0 or one per coordinate; marks the field.
  validNoise() {
    const input = this.els.noise;
    const sigmas = parseSigmas(input.value);
    const dim = this.current ? this.current.dim : 0;
    const msg = !sigmas ? 'enter a number ≥ 0, or one per coordinate separated by commas'
      : sigmas.length !== 1 && sigmas.length !== dim ? `give one σ, or ${dim} (one per coordinate); got ${sigmas.length}` : '';
    input.setAttribute('aria-invalid', String(!!msg));
    const label = input.closest('label');
    if (label) { if (msg) label.dataset.error = msg; else delete label.dataset.error; }
    return msg;
  }

  // The parameters that differ from the catalog's, and the added noise.
  // Throws with a message naming the first bad field.
  spec() {
    const params = {};
    for (const input of this.els.params.querySelectorAll('input[data-param]')) {
      if (!this.valid(input)) {
        input.focus();
        throw new Error(`${input.dataset.param}: enter a number${input.min !== '' ? ` ≥ ${input.min}` : ''}`);
      }
      const v = Number(input.value);
      if (v !== Number(input.dataset.default)) params[input.dataset.param] = v;
    }
    let noise = [];
    if (!this.current.stochastic) {
      const msg = this.validNoise();
      if (msg) {
        this.els.noise.focus();
        throw new Error(`added noise σ: ${msg}`);
      }
      const sigmas = parseSigmas(this.els.noise.value);
      if (sigmas.some((x) => x > 0)) noise = sigmas;
    }
    return { system: this.current.name, params, noise };
  }

  // The parameters whose text differs from the catalog's: {name: text}.
  changed() {
    const out = {};
    for (const input of this.els.params.querySelectorAll('input[data-param]')) {
      if (input.value !== input.dataset.default) out[input.dataset.param] = input.value;
    }
    return out;
  }

  setParam(name, value) {
    const input = this.els.params.querySelector(`input[data-param="${CSS.escape(name)}"]`);
    if (input) input.value = value;
  }
}
