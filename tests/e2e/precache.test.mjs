// The built service worker's precache list (written into dist/sw.js by
// scripts/precache.mjs, Trunk's post_build hook) is exactly the files in dist/, so it
// cannot drift; its cache name is their hash; and every file the pages and modules
// reference is in dist/ (a module Trunk was not told to copy would fail here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { readPrecache, cacheName, ON_DEMAND } from '../../scripts/precache.mjs';
import { PRECOMPRESSED } from '../../scripts/precompress.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

// Every file under dist/ but the service worker, the raw results served on demand and
// the precompressed copies, as a sorted relative URL path.
function filesInDist() {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build first');
  return fs.readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dist, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .filter((f) => f !== 'sw.js' && !ON_DEMAND.test(f) && !PRECOMPRESSED.test(f) && !f.split('/').some((part) => part.startsWith('.')))
    .sort();
}

const precache = () => readPrecache(fs.readFileSync(path.join(dist, 'sw.js'), 'utf8'));

test('the precache list is every file in dist/ (and the page itself, ./)', () => {
  const { files } = precache();
  const onDisk = filesInDist();
  assert.deepEqual(files, ['./', ...onDisk]);
  for (const f of ['index.html', 'embed.html', 'lecture.html', 'style.css', 'uPlot.min.css', 'uPlot.esm.js', 'app.js',
    'element.js', 'worker.js', 'state.js', 'protocol.js', 'demo/demo.js', 'scoredyn.js', 'scoredyn_bg.wasm', 'models/index.json',
    'study.html', 'study.js', 'studydata.js', 'robustness/cells.json', 'robustness/pilot/cells.json']) {
    assert.ok(files.includes(f), `${f} is precached`);
  }
  console.log(`precache: ${files.length} entries`);
});

test('the cache name is a hash of this build\'s files', () => {
  const { cache } = precache();
  assert.match(cache, /^scoredyn-[0-9a-f]{16}$/);
  assert.equal(cache, cacheName(dist, filesInDist()));
});

test('every file the pages and modules reference is in dist/', () => {
  const missing = [];
  for (const f of filesInDist()) {
    const text = /\.(html|js)$/.test(f) ? fs.readFileSync(path.join(dist, f), 'utf8') : '';
    const refs = f.endsWith('.html')
      ? [...text.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"/g)].map((m) => m[1])
      : [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|new URL\(\s*)['"`](\.{1,2}\/[^'"`$]+)['"`]/g)].map((m) => m[1]);
    for (const ref of refs) {
      if (/^(data:|https?:|#)/.test(ref) || ref.endsWith('/')) continue;
      const target = path.join(path.dirname(path.join(dist, f)), ref.split(/[?#]/)[0]);
      if (!fs.existsSync(target)) missing.push(`${f} → ${ref}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every precompressed copy is its file, and the wasm has both', () => {
  const copies = fs.readdirSync(dist, { recursive: true }).map(String).filter((f) => PRECOMPRESSED.test(f));
  assert.ok(copies.includes('scoredyn_bg.wasm.br') && copies.includes('scoredyn_bg.wasm.gz'), `copies: ${copies.join(', ')}`);
  for (const c of copies) {
    const packed = fs.readFileSync(path.join(dist, c));
    const plain = c.endsWith('.br') ? zlib.brotliDecompressSync(packed) : zlib.gunzipSync(packed);
    assert.ok(plain.equals(fs.readFileSync(path.join(dist, c.replace(PRECOMPRESSED, '')))), `${c} is not its file`);
  }
  const size = (f) => fs.statSync(path.join(dist, f)).size;
  console.log(`precompressed: ${copies.length} copies; scoredyn_bg.wasm ${(size('scoredyn_bg.wasm') / 1e6).toFixed(2)} MB raw, `
    + `brotli ${(size('scoredyn_bg.wasm.br') / 1e6).toFixed(2)} MB, gzip ${(size('scoredyn_bg.wasm.gz') / 1e6).toFixed(2)} MB`);
});
