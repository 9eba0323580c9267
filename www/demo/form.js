// The settings form: its fields generated from the schema (state.js), kept in step with
// the demo's state, and each field's check shown beside it (label[data-error]).
import { SCHEMA, ENTRY, check, parse, parseEmbed, defaultText } from '../state.js';
import { pickerMarkup } from './systems.js';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const attr = (name, v) => (v === undefined || v === null || v === '' ? '' : ` ${name}="${esc(v)}"`);

const FIELDSETS = [['system', 'System'], ['data', 'Parameters and data'], ['train', 'Model and training'],
  ['sample', 'Sampling'], ['backend', 'Backend']];

const INPUT_TYPES = { number: ['number', 'any'], int: ['number', '1'], slider: ['range', '1'], bool: ['checkbox'], text: ['text'], sigmas: ['text'] };

const fieldId = (p, e) => `${p}${e.id || e.key}`;

// One setting's control: in a <label> with its text, or with an aria-label.
export function field(p, key) {
  const e = ENTRY.get(key);
  const id = fieldId(p, e);
  const common = ` id="${id}" data-key="${e.key}"${attr('aria-label', e.aria)}`;
  let control;
  if (e.type === 'choice' || e.type === 'coord') {
    const options = Array.isArray(e.options) ? e.options.map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join('') : '';
    control = `<select${common}>${options}</select>`;
  } else {
    const [type, step] = INPUT_TYPES[e.type];
    const r = e.range || {};
    control = `<input${common} type="${type}"${attr('step', step)}${attr('min', r.min)}${attr('max', r.max)}`
      + `${attr('placeholder', e.placeholder)}${e.type === 'bool' ? '' : attr('value', defaultText(e))}>`;
  }
  if (!e.label) return control;
  if (e.type === 'bool') return `<label id="${id}-row" class="check"${attr('title', e.title)}>${control} ${esc(e.label)}</label>`;
  return `<label id="${id}-row"${attr('title', e.title)}>${esc(e.label)} ${control}</label>`;
}

function fieldset(p, group, legend) {
  const body = SCHEMA.filter((e) => e.group === group).map((e) => {
    if (e.type === 'system') return pickerMarkup(p);
    if (e.type === 'params') return `<div id="${p}params" class="params"></div>`;
    return field(p, e.key);
  });
  if (group === 'data') body.push(`<p id="${p}preview-status" class="hint" aria-live="polite"></p>`);
  return `<fieldset>\n    <legend>${legend}</legend>\n    ${body.join('\n    ')}\n  </fieldset>`;
}

// The controls: a fieldset per group, then the file and sharing buttons.
export function controlsMarkup(p) {
  return `<form id="${p}controls" class="controls" aria-label="Settings" novalidate>
  ${FIELDSETS.map(([group, legend]) => fieldset(p, group, legend)).join('\n  ')}
  <div class="buttons io">
    <label class="file-button">Load CSV data <input id="${p}csv-file" type="file" accept=".csv,text/csv"></label>
    <label class="file-button">Load model <input id="${p}model-file" type="file" accept=".json,application/json"></label>
    <button id="${p}download" type="button" disabled>Download model</button>
    <button id="${p}copy-link" type="button">Copy link</button>
    <button id="${p}copy-embed" type="button" title="an iframe and a &lt;scoredyn-demo&gt; element with these settings">Copy embed code</button>
  </div>
  <p id="${p}share-status" class="hint" aria-live="polite"></p>
</form>`;
}

function mark(el, msg) {
  el.setAttribute('aria-invalid', String(!!msg));
  const label = el.closest('label');
  if (label) { if (msg) label.dataset.error = msg; else delete label.dataset.error; }
}

export class Form {
  constructor(root, p, state) {
    this.root = root;
    this.p = p;
    this.state = state;
  }

  el(key) { return this.root.querySelector(`#${CSS.escape(fieldId(this.p, ENTRY.get(key)))}`); }

  // Every field shows its state (menus still without options get theirs later).
  show() {
    for (const el of this.root.querySelectorAll('[data-key]')) {
      const v = this.state[el.dataset.key];
      if (el.type === 'checkbox') el.checked = v; else el.value = v;
    }
  }

  // An edited field's value into the state; returns its key (undefined: not a setting).
  take(el) {
    const key = el.dataset.key;
    if (key) this.state[key] = el.type === 'checkbox' ? el.checked : el.value;
    return key;
  }

  // A menu's options ([value, text] pairs) and its value.
  options(key, pairs, value) {
    const el = this.el(key);
    el.replaceChildren(...pairs.map(([v, text]) => new Option(text, v)));
    el.value = value;
  }

  // Checks a number field, shows the message beside it; returns the message.
  check(key) {
    const msg = check(key, this.state[key]);
    mark(this.el(key), msg);
    return msg;
  }

  // A number field's value (undefined when empty); a bad one takes the focus and throws
  // its label and message.
  number(key) {
    const msg = this.check(key);
    if (msg) {
      this.el(key).focus();
      throw new Error(`${ENTRY.get(key).label}: ${msg}`);
    }
    return parse(this.state[key]);
  }

  // The delay embedding [coord, dims, lag], or undefined; a bad one throws like number().
  embed() {
    const el = this.el('embed');
    const parts = parseEmbed(this.state.embed);
    mark(el, parts === null ? 'three whole numbers COORD,DIMS,LAG, e.g. 0,3,5' : '');
    if (parts === null) {
      el.focus();
      throw new Error('delay embedding: enter COORD,DIMS,LAG as three whole numbers, e.g. 0,3,5');
    }
    return parts;
  }
}
