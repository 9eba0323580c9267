// End-to-end: serve dist/ on loopback, open it in Debian's headless Chromium
// (playwright-core, no browser download), click Train, wait for samples to be drawn.
// Fails on any console error, page error or request outside the page's origin.
// Screenshots go to test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const artifacts = path.join(root, 'test-artifacts');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(dist, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Opens the served page in headless Chromium, runs `body(page)`, then fails on any
// console error, page error or request outside the origin.
async function withPage({ hash, webgpu }, body) {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build first');
  fs.mkdirSync(artifacts, { recursive: true });
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoredyn-e2e-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', args, viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  try {
    const page = browser.pages()[0] || await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    browser.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`request outside the origin: ${u}`);
    });
    await page.goto(`${origin}/#${hash}`);
    await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 120_000 });
    // A first visit may draw a pretrained model's samples; let that finish first.
    await page.waitForFunction(() => ['none', 'shown'].includes(document.body.dataset.pretrained)
      && !document.getElementById('train').disabled, null, { timeout: 120_000 });
    await page.evaluate(() => { delete document.body.dataset.samples; });
    await body(page);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const shoot = async (page, name) => {
  const shot = path.join(artifacts, `e2e-${name}.png`);
  await page.screenshot({ path: shot });
  return path.relative(root, shot);
};

async function runPage({ name, hash, webgpu, expectBackend, timeoutMs, checkCanvas }) {
  const t0 = Date.now();
  await withPage({ hash, webgpu }, async (page) => {
    const backend = await page.textContent('#backend');
    assert.match(backend, expectBackend, `backend line: ${backend}`);
    await page.click('#train');
    await page.waitForFunction(() => document.body.dataset.samples || !document.getElementById('error').hidden,
      null, { timeout: timeoutMs, polling: 500 });
    const error = await page.evaluate(() => document.getElementById('error').hidden ? '' : document.getElementById('error').textContent);
    assert.equal(error, '', `the page shows an error: ${error}`);
    const drawn = Number(await page.evaluate(() => document.body.dataset.samples));
    assert.ok(drawn > 0, 'no samples drawn');
    // A trained model's samples land in the data's frame: the sample canvas lights up.
    // (A model of a few WebGPU steps throws most samples out of frame; there only the
    // count is checked, and the worker has already rejected non-finite samples.)
    if (checkCanvas) {
      assert.ok(await litPixels(page, 'sample-view') > 100, 'sample canvas looks empty');
      // The run reports its sampler's evaluations, time and distances to the data.
      const metrics = await page.textContent('#metrics');
      assert.match(metrics, /score evaluations in .* SWD .* MMD/, metrics);
      console.log(`${name}: ${metrics}`);
    }
    const shot = await shoot(page, name);
    console.log(`${name}: backend "${backend.trim()}", ${drawn} samples drawn, ${((Date.now() - t0) / 1000).toFixed(1)} s from load; screenshot ${shot}`);
  });
}

function litPixels(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 60 || d[i + 2] > 60) n++;
    return n;
  }, id);
}

const previewText = (page) => page.textContent('#preview-status');

test('the system picker finds a system, and the attractor follows its parameters', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu', webgpu: false }, async (page) => {
    // The catalog arrives from the worker and Lorenz is simulated at once.
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    assert.ok(await page.locator('#system option').count() >= 134, 'the whole catalog is listed');
    await page.fill('#system-search', 'rossler');
    const options = await page.locator('#system option').allTextContents();
    assert.ok(options.length >= 1 && options.every((o) => /rossler/i.test(o)), `filtered: ${options}`);
    await page.selectOption('#system', 'Rossler');
    await page.waitForFunction(() => /Rossler: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    assert.match(await page.textContent('#system-info'), /Rossler/);
    const before = await page.evaluate(() => document.getElementById('data-view').toDataURL());
    await page.fill('#params input[data-param="c"]', '9');
    await page.waitForFunction((b) => document.getElementById('data-view').toDataURL() !== b, before, { timeout: 60_000 });
    assert.ok(await litPixels(page, 'data-view') > 100, 'the attractor is drawn');
    // A bad value gets a message and the last good attractor stays.
    await page.fill('#params input[data-param="c"]', '');
    assert.equal(await page.getAttribute('#params input[data-param="c"]', 'aria-invalid'), 'true');
    // A stochastic system: no added-noise field, its own sigma instead.
    await page.fill('#system-search', 'allen');
    await page.selectOption('#system', 'AllenCahn2D');
    await page.waitForFunction(() => /AllenCahn2D: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 120_000 });
    assert.ok(await page.isHidden('#noise-row'));
    console.log(`picker: ${await previewText(page)}; screenshot ${await shoot(page, 'picker')}`);
  }));

test('one click trains Lorenz-63 on the CPU and draws samples', { timeout: 600_000 }, () =>
  runPage({ name: 'cpu', hash: 'backend=cpu&steps=600&n=1500&ode_steps=20&sampler=ode-heun&sde=subvp', webgpu: false,
    expectBackend: /Backend: cpu/, timeoutMs: 540_000, checkCanvas: true }));

test('with --enable-unsafe-webgpu the page trains on WebGPU and draws samples', { timeout: 900_000 }, () =>
  runPage({ name: 'webgpu', hash: 'backend=webgpu&steps=8&batch=64&width=32&depth=2&n=400&ode_steps=4',
    webgpu: true, expectBackend: /Backend: webgpu/, timeoutMs: 840_000, checkCanvas: false }));

test('the URL hash round-trips the settings, and the link follows edits', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu&system=Rossler&p.c=9&steps=123&sampler=em&sde=ve&obs_noise=0.1', webgpu: false }, async (page) => {
    await page.waitForFunction(() => /Rossler: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    assert.equal(await page.inputValue('#system'), 'Rossler');
    assert.equal(await page.inputValue('#params input[data-param="c"]'), '9');
    assert.equal(await page.inputValue('#steps'), '123');
    assert.equal(await page.inputValue('#sampler'), 'em');
    assert.equal(await page.inputValue('#sde'), 've');
    assert.equal(await page.inputValue('#obs_noise'), '0.1');
    await page.fill('#batch', '64');
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.equal(hash.get('batch'), '64');
    assert.equal(hash.get('steps'), '123');
    assert.equal(hash.get('system'), 'Rossler');
    assert.equal(hash.get('p.c'), '9');
    console.log(`hash: ${hash}`);
  }));

test('a bad CSV gets a message and the data stay; a good one replaces them and exports with its header', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu', webgpu: false }, async (page) => {
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    const before = await page.textContent('#data-count');
    const bad = [
      ['text.csv', 'x,y\n1,2\n3,oops\n', /oops|number/i],
      ['nan.csv', 'x,y\n1,2\nNaN,4\n', /NaN|finite|number/i],
      ['ragged.csv', 'x,y\n1,2\n3\n', /column/i],
      ['empty.csv', '', /empty|no data|rows/i],
      ['huge.csv', 'x,y\n1,2\n1e308,4\n3,5\n', /large|1e308|range/i],
    ];
    for (const [name, text, pattern] of bad) {
      await page.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30_000 });
      const message = await page.textContent('#error');
      assert.match(message, pattern, `${name}: ${message}`);
      assert.equal(await page.textContent('#data-count'), before, `${name}: the data changed`);
      await page.evaluate(() => { document.getElementById('error').hidden = true; });
    }
    const rows = ['a,b'];
    for (let i = 0; i < 500; i++) rows.push(`${Math.cos(i)},${Math.sin(i) * 2}`);
    await page.setInputFiles('#csv-file', { name: 'circle.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => /500 points/.test(document.getElementById('data-count').textContent), null, { timeout: 30_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-export-csv="data"]'),
    ]);
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], 'x0,x1');
    assert.equal(text.trim().split('\n').length, 501);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-export-png="data-view"]')]);
    const bytes = fs.readFileSync(await png.path());
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
    console.log(`csv: ${await shoot(page, 'csv')}`);
  }));

test('training pauses, resumes, and trains more without starting over', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=400&n=500&ode_steps=10&width=64', webgpu: false }, async (page) => {
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('progress').value) > 20, null, { timeout: 60_000 });
    await page.click('#pause');
    await page.waitForFunction(() => /paused/.test(document.getElementById('progress-text').textContent), null, { timeout: 30_000 });
    const held = await page.evaluate(() => Number(document.getElementById('progress').value));
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => Number(document.getElementById('progress').value)), held, 'training moved while paused');
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#progress-text'), /done: 400 steps/);
    await page.evaluate(() => { delete document.body.dataset.samples; });
    await page.click('#more');
    await page.waitForFunction(() => document.body.dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#progress-text'), /done: 800 steps/, 'train more continues the step count');
    // Sample again without training: only the sampler runs.
    await page.evaluate(() => { delete document.body.dataset.samples; });
    await page.selectOption('#sampler', 'em');
    await page.click('#sample-again');
    await page.waitForFunction(() => document.body.dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#metrics'), /^em: /);
    console.log(`flow: ${await page.textContent('#progress-text')}; screenshot ${await shoot(page, 'flow')}`);
  }));

test('a newcomer sees Lorenz-63 samples within 10 s on the CPU fallback', { timeout: 120_000 }, () =>
  withPage({ hash: 'backend=cpu', webgpu: false }, async (page) => {
    await page.waitForFunction(() => document.body.dataset.firstSamples, null, { timeout: 60_000 });
    const ms = Number(await page.evaluate(() => document.body.dataset.firstSamples));
    assert.ok(await litPixels(page, 'sample-view') > 100, 'no samples drawn');
    console.log(`time to first samples: ${(ms / 1000).toFixed(2)} s from navigation; ${await page.textContent('#share-status')}`);
    assert.ok(ms < 10_000, `first samples after ${ms} ms`);
    await shoot(page, 'first-visit');
  }));
