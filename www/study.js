// The study page (study.html): a report's cells as a sortable, filterable table, its
// figures, and per cell a link that opens its settings in the trainer. Reads only the
// page's own files (robustness/…/cells.json, copied from docs/robustness by Trunk).
import { STUDIES, FIGURES, COLUMNS, cellsOf, choices, filterCells, sortCells, fmt, trainerLink, trainerState } from './studydata.js';

const $ = (id) => document.getElementById(id);
const PAGE = 200;
const FILTERS = ['family', 'method', 'sampler', 'noise', 'span', 'status'];

const view = { cells: [], sort: { key: 'swd_ratio', descending: true }, shown: PAGE };

function status(text) { $('study-status').textContent = text; }

function head() {
  $('study-head').replaceChildren(...[...COLUMNS, ['open', 'trainer']].map(([key, label]) => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (key === 'open') { th.textContent = label; return th; }
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.sort = key;
    b.addEventListener('click', () => {
      view.sort = { key, descending: view.sort.key === key ? !view.sort.descending : false };
      view.shown = PAGE;
      render();
    });
    th.append(b);
    if (view.sort.key === key) th.setAttribute('aria-sort', view.sort.descending ? 'descending' : 'ascending');
    return th;
  }));
}

function filter() {
  const f = { system: $('filter-system').value };
  for (const k of FILTERS) f[k] = $(`filter-${k}`).value;
  return f;
}

function row(c) {
  const tr = document.createElement('tr');
  tr.dataset.index = c.index;
  for (const [key] of COLUMNS) {
    const td = document.createElement('td');
    if (key === 'swd_ratio' && Number.isFinite(c.swd_ratio)) {
      td.textContent = `${fmt(c.swd_ratio)} ± ${fmt(c.swd_ratio_se)}`;
    } else if (key === 'status' && c.status !== 'ok') {
      td.textContent = `${c.status} (${c.stage})`;
      td.title = c.error || '';
    } else {
      td.textContent = fmt(c[key]);
    }
    td.dataset.column = key;
    tr.append(td);
  }
  const td = document.createElement('td');
  try {
    const a = document.createElement('a');
    a.href = trainerLink(c);
    a.textContent = 'open';
    a.className = 'open-cell';
    a.title = `Open this cell's settings in the trainer; ${trainerState(c).notes.join('; ')}`;
    td.append(a);
  } catch (e) {
    td.textContent = '–';
    td.title = `cannot open in the trainer: ${e.message}`;
  }
  tr.append(td);
  return tr;
}

function render() {
  head();
  const kept = sortCells(filterCells(view.cells, filter()), view.sort.key, view.sort.descending);
  $('study-body').replaceChildren(...kept.slice(0, view.shown).map(row));
  const failed = kept.filter((c) => c.status !== 'ok').length;
  $('study-count').textContent = `${kept.length} of ${view.cells.length} cells match (${failed} failed); `
    + `showing ${Math.min(kept.length, view.shown)}, sorted by ${view.sort.key} ${view.sort.descending ? 'descending' : 'ascending'}`;
  $('study-more').hidden = kept.length <= view.shown;
}

function fillFilters() {
  for (const k of FILTERS) {
    const sel = $(`filter-${k}`);
    sel.replaceChildren(new Option('any', ''), ...choices(view.cells, k).map((v) => new Option(fmt(v), String(v))));
  }
}

async function load(study) {
  const base = `${study.dir}/`;
  $('study-report').href = `${base}README.md`;
  $('study-raw').href = `${base}${study.raw}`;
  status(`Loading ${study.label.toLowerCase()}…`);
  let table;
  try {
    const res = await fetch(`${base}cells.json`);
    if (!res.ok) throw new Error(`${base}cells.json: HTTP ${res.status}`);
    table = await res.json();
    view.cells = cellsOf(table);
  } catch (e) {
    status(`Cannot show ${study.label.toLowerCase()}: ${e.message}. The table stays as it was.`);
    return;
  }
  view.shown = PAGE;
  fillFilters();
  render();
  $('study-figures').replaceChildren(...FIGURES.map(([file, caption]) => {
    const fig = document.createElement('figure');
    const img = new Image();
    img.alt = caption;
    img.src = `${base}${file}`;
    img.addEventListener('error', () => { fig.hidden = true; });
    const cap = document.createElement('figcaption');
    cap.textContent = caption;
    fig.append(img, cap);
    return fig;
  }));
  const ok = view.cells.filter((c) => c.status === 'ok').length;
  status(`${study.label}: ${view.cells.length} cells, ${ok} ok, over ${new Set(view.cells.map((c) => c.system)).size} systems.`);
  document.body.dataset.loaded = study.dir;
}

function main() {
  const source = $('study-source');
  source.replaceChildren(...STUDIES.map((s, i) => new Option(s.label, String(i))));
  source.addEventListener('change', () => load(STUDIES[Number(source.value)]));
  for (const k of FILTERS) $(`filter-${k}`).addEventListener('change', () => { view.shown = PAGE; render(); });
  $('filter-system').addEventListener('input', () => { view.shown = PAGE; render(); });
  $('study-filters').addEventListener('submit', (e) => e.preventDefault());
  $('study-more').addEventListener('click', () => { view.shown += PAGE; render(); });
  load(STUDIES[0]);
}

main();
