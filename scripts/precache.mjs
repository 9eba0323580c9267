// Trunk post_build hook: writes the service worker's precache list into the built sw.js.
// The list is every file Trunk staged (plus './', the page itself), and the cache name a
// hash of their paths and contents, so that each build caches afresh and never mixes
// with another's files. Run by Trunk (TRUNK_STAGING_DIR), or by hand: node
// scripts/precache.mjs DIR.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PRECOMPRESSED, precompress } from './precompress.mjs';

export const SW = 'sw.js';
// Served but not precached: a study's raw results (www/study.html links them), megabytes
// that no page needs to run.
export const ON_DEMAND = /\.jsonl$/;
const LINE = /^const PRECACHE = .*;$/m;

// The files under dir, as sorted relative URL paths; dotfiles, the service worker
// itself, the files served on demand and the precompressed copies of files (the
// browser gets those in place of the file, transparently) are left out.
export function builtFiles(dir) {
  const out = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (rel !== SW && !ON_DEMAND.test(rel) && !PRECOMPRESSED.test(rel)) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export function cacheName(dir, files) {
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(dir, f))).update('\0');
  return `scoredyn-${hash.digest('hex').slice(0, 16)}`;
}

// The precache a built sw.js carries: {cache, files}.
export function readPrecache(swText) {
  const m = swText.match(LINE);
  if (!m) throw new Error(`${SW} has no PRECACHE line`);
  return JSON.parse(m[0].slice('const PRECACHE = '.length, -1));
}

export function writePrecache(dir) {
  const files = builtFiles(dir);
  const precache = { cache: cacheName(dir, files), files: ['./', ...files] };
  const sw = path.join(dir, SW);
  const text = fs.readFileSync(sw, 'utf8');
  if ((text.match(new RegExp(LINE.source, 'gm')) || []).length !== 1) throw new Error(`${sw}: expected one PRECACHE line`);
  fs.writeFileSync(sw, text.replace(LINE, () => `const PRECACHE = ${JSON.stringify(precache)};`));
  return precache;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
  if (!dir) throw new Error('usage: node scripts/precache.mjs DIR (or run as a Trunk hook)');
  const { cache, files } = writePrecache(dir);
  console.error(`precache: ${files.length} entries in ${path.join(dir, SW)}, cache ${cache}`);
  // After sw.js has its list: the brotli and gzip copies of every file, sw.js included.
  const wasm = precompress(dir)['scoredyn_bg.wasm'];
  if (wasm) console.error(`precompressed: scoredyn_bg.wasm ${wasm.raw} bytes, brotli ${wasm.br}, gzip ${wasm.gz}`);
}
