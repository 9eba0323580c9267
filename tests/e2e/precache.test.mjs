// The built service worker's precache list (written into dist/sw.js by
// scripts/precache.mjs, Trunk's post_build hook) is exactly the files in dist/, so it
// cannot drift; its cache name is their hash; and every file the pages and modules
// reference is in dist/ (a module Trunk was not told to copy would fail here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPrecache, cacheName, ON_DEMAND } from '../../scripts/precache.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

// Every file under dist/ but the service worker and the raw results served on demand,
// as a sorted relative URL path.
function filesInDist() {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build first');
  return fs.readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dist, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .filter((f) => f !== 'sw.js' && !ON_DEMAND.test(f) && !f.split('/').some((part) => part.startsWith('.')))
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
