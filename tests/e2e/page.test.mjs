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
import { readPrecache, writePrecache } from '../../scripts/precache.mjs';
import { precompress } from '../../scripts/precompress.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const artifacts = path.join(root, 'test-artifacts');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml' };

// Serves `dir()` (read at each request, so that a test can deploy another build);
// `hold(pathname)` may return a promise that delays that response. Like
// scripts/serve.sh's server, it sends a file's precompressed copy (brotli, else gzip)
// when the browser accepts it; `server.sent` tallies the bytes sent per path.
function serve(dir = () => dist, hold = () => null) {
  const sent = {};
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    await hold(url.pathname);
    const base = dir();
    const file = path.join(base, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (!file.startsWith(base) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    const accepts = String(req.headers['accept-encoding'] || '');
    const encoding = ['br', 'gzip'].find((e) => accepts.includes(e) && fs.existsSync(`${file}.${e === 'br' ? 'br' : 'gz'}`));
    const body = encoding ? `${file}.${encoding === 'br' ? 'br' : 'gz'}` : file;
    const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', vary: 'accept-encoding' };
    if (encoding) headers['content-encoding'] = encoding;
    res.writeHead(200, headers);
    const key = url.pathname.slice(1) || 'index.html';
    sent[key] = { bytes: (sent[key]?.bytes || 0) + fs.statSync(body).size, encoding: encoding || 'identity' };
    fs.createReadStream(body).pipe(res);
  });
  server.sent = sent;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Opens the served page in headless Chromium, runs `body(page, context)`, then fails on
// any console error (but those matching `allowConsole`), page error or request outside
// the origin. `settle` waits for the main page's demo to be idle first.
async function withPage({ hash = '', webgpu = false, path: pagePath = '/', settle = true, allowConsole = null,
  viewport = { width: 1280, height: 900 }, dir, hold }, body) {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build first');
  fs.mkdirSync(artifacts, { recursive: true });
  const server = await serve(dir, hold);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoredyn-e2e-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', args, viewport,
  });
  const problems = [];
  try {
    const page = browser.pages()[0] || await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !(allowConsole && allowConsole.test(m.text()))) problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    browser.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`request outside the origin: ${u}`);
    });
    await page.goto(`${origin}${pagePath}${hash ? `#${hash}` : ''}`);
    if (settle) {
      await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 120_000 });
      // A first visit may draw a pretrained model's samples; let that finish first.
      await page.waitForFunction(() => ['none', 'shown'].includes(document.getElementById('app').dataset.pretrained)
        && !document.getElementById('train').disabled, null, { timeout: 120_000 });
      await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
    }
    await body(page, browser, server);
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
    await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
      null, { timeout: timeoutMs, polling: 500 });
    const error = await page.evaluate(() => document.getElementById('error').hidden ? '' : document.getElementById('error').textContent);
    assert.equal(error, '', `the page shows an error: ${error}`);
    const drawn = Number(await page.evaluate(() => document.getElementById('app').dataset.samples));
    assert.ok(drawn > 0, 'no samples drawn');
    // A trained model's samples land in the data's frame: the sample canvas lights up.
    // (A model of a few WebGPU steps throws most samples out of frame; there only the
    // count is checked, and the worker has already rejected non-finite samples.)
    if (checkCanvas) {
      assert.ok(await litPixels(page, 'sample-view') > 100, 'sample canvas looks empty');
      // The run reports its sampler's evaluations, time and distances to the data.
      const metrics = await page.textContent('#metrics');
      assert.match(metrics, /network evaluations in .* SWD .* MMD/, metrics);
      console.log(`${name}: ${metrics}`);
      await checkViews(page, name);
    }
    const shot = await shoot(page, name);
    console.log(`${name}: backend "${backend.trim()}", ${drawn} samples drawn, ${((Date.now() - t0) / 1000).toFixed(1)} s from load; screenshot ${shot}`);
  });
}

// The views beyond the point clouds: uPlot's loss chart, the marginal histograms, the
// noise-to-data frames on their slider, and the learned score on a slice, which at
// t = 1 (the VP prior, nearly N(0, I) in standard units) must point at the data's mean.
async function checkViews(page, name) {
  assert.equal(await page.locator('#loss canvas').count(), 1, 'uPlot draws the loss');
  assert.ok(await litPixels(page, 'hist') > 100, 'histograms drawn');
  const frames = Number(await page.getAttribute('#anim-time', 'max')) + 1;
  assert.ok(frames >= 5, `only ${frames} frames of the noise-to-data animation`);
  const last = await page.evaluate(() => document.getElementById('anim').toDataURL());
  await page.focus('#anim-time');
  await page.keyboard.press('Home');
  assert.match(await page.textContent('#anim-label'), /t = 1\.000 \(frame 1 of/);
  assert.notEqual(await page.evaluate(() => document.getElementById('anim').toDataURL()), last, 'scrubbing changes the frame');
  await page.waitForFunction(() => /learned score at t/.test(document.getElementById('field-label').textContent), null, { timeout: 60_000 });
  await page.evaluate(() => {
    const el = document.getElementById('field-t');
    el.value = '100';
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => /at t = 1\.000/.test(document.getElementById('field-label').textContent), null, { timeout: 60_000 });
  const inward = await page.evaluate(() => {
    const { s } = window.scoredyn;
    const v = s.field.values;
    const [a, b] = s.field.slice.axes;
    const mean = [a, b].map((k) => { let m = 0; for (let i = k; i < s.data.length; i += s.dim) m += s.data[i]; return m / (s.data.length / s.dim); });
    let ok = 0;
    for (let i = 0; i < v.length; i += 4) if ((mean[0] - v[i]) * v[i + 2] + (mean[1] - v[i + 1]) * v[i + 3] > 0) ok++;
    return ok / (v.length / 4);
  });
  assert.ok(inward > 0.9, `at t = 1 only ${(100 * inward).toFixed(0)}% of the arrows point at the data's mean`);
  const shots = [];
  for (const id of ['loss', 'data-view', 'sample-view', 'hist', 'anim', 'field']) {
    const file = path.join(artifacts, `e2e-${name}-view-${id}.png`);
    await page.locator(`#${id}`).screenshot({ path: file });
    shots.push(path.relative(root, file));
  }
  console.log(`${name}: ${frames} animation frames; ${(100 * inward).toFixed(0)}% of the t = 1 arrows point inward; views: ${shots.join(', ')}`);
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

// Polls an async predicate in the page (page.evaluate awaits it; waitForFunction would
// take the returned promise itself as truthy).
async function until(page, predicate, arg, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${predicate}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const previewText = (page) => page.textContent('#preview-status');

test('the system picker finds a system, and the attractor follows its parameters', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu', webgpu: false }, async (page) => {
    // The catalog arrives from the worker and Lorenz is simulated at once.
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    assert.ok(await page.locator('#system option').count() >= 135, 'the whole catalog is listed');
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
    // Every control has a label, and Train is reachable and pressable from the keyboard.
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#app input, #app select, #app button')]
      .filter((el) => !el.closest('label') && !el.getAttribute('aria-label') && !el.textContent.trim()).map((el) => el.id));
    assert.deepEqual(unlabelled, []);
    await page.focus('#sample-again');
    await page.keyboard.press('Shift+Tab'); // past the disabled Train more, Stop and Pause
    assert.equal(await page.evaluate(() => document.activeElement.id), 'train');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.getElementById('stop').disabled, null, { timeout: 30_000 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // Pause
    await page.waitForFunction(() => /paused/.test(document.getElementById('progress-text').textContent), null, { timeout: 60_000 });
    console.log(`picker: ${await previewText(page)}; screenshot ${await shoot(page, 'picker')}`);
  }));

test('one click trains Lorenz-63 on the CPU and draws samples', { timeout: 600_000 }, () =>
  runPage({ name: 'cpu', hash: 'backend=cpu&steps=600&n=1500&ode_steps=20&sampler=ode-heun&sde=subvp', webgpu: false,
    expectBackend: /Backend: cpu/, timeoutMs: 540_000, checkCanvas: true }));

test('with --enable-unsafe-webgpu the page trains on WebGPU and draws samples', { timeout: 900_000 }, () =>
  runPage({ name: 'webgpu', hash: 'backend=webgpu&steps=8&batch=64&width=32&depth=2&n=400&ode_steps=4',
    webgpu: true, expectBackend: /Backend: webgpu/, timeoutMs: 840_000, checkCanvas: false }));

// "auto" must not pick a software WebGPU adapter (Chromium's SwiftShader here): the CPU
// trains about a thousand times faster. Choosing WebGPU still uses it (the tests above).
test('auto prefers the CPU to a software WebGPU adapter and says why', { timeout: 120_000 }, () =>
  withPage({ hash: 'backend=auto', webgpu: true }, async (page) => {
    const line = await page.textContent('#backend');
    assert.match(line, /Backend: cpu/, line);
    assert.match(line, /software/, line);
    console.log(`auto with a software adapter: ${line}`);
  }));

// A Rust panic kills the wasm instance. The page must say so, start a new worker (on
// the CPU when WebGPU was in use), and keep the settings, the results on screen and
// the model, so that "Sample again" works at once.
async function crashAndRecover(page, expectBackend) {
  const before = await page.evaluate(() => document.getElementById('sample-view').toDataURL());
  const steps = await page.inputValue('#steps');
  await page.evaluate(() => window.scoredyn.client.worker.postMessage({ type: 'crash-test' }));
  await page.waitForFunction(() => document.getElementById('app').dataset.restarts === '1'
    && !document.getElementById('train').disabled, null, { timeout: 120_000 });
  assert.match(await page.textContent('#backend'), expectBackend);
  assert.match(await page.textContent('#share-status'), /restarted.*settings and results are kept/);
  assert.equal(await page.inputValue('#steps'), steps, 'settings kept');
  assert.equal(await page.evaluate(() => document.getElementById('sample-view').toDataURL()), before, 'results kept');
  await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
  await page.click('#sample-again');
  await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
    null, { timeout: 300_000 });
  assert.equal(await page.evaluate(() => document.getElementById('error').hidden), true,
    await page.textContent('#error'));
}

const PANIC = /deliberate panic|unreachable|RuntimeError/;

test('a dead worker is replaced on the CPU with the settings, results and model kept', { timeout: 600_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=77', allowConsole: PANIC }, async (page) => {
    assert.equal(await page.getAttribute('#app', 'data-pretrained'), 'shown');
    await crashAndRecover(page, /Backend: cpu/);
    console.log(`restart (cpu): ${await page.textContent('#share-status')} ${await shoot(page, 'restart')}`);
  }));

test('when WebGPU fails the new worker runs on the CPU', { timeout: 900_000 }, () =>
  withPage({ hash: 'backend=webgpu&n=300&ode_steps=4', webgpu: true, allowConsole: PANIC }, async (page) => {
    assert.match(await page.textContent('#backend'), /Backend: webgpu/);
    // The pretrained model's frames and score slice came from WebGPU (asynchronous reads).
    await page.waitForFunction(() => /learned score at t/.test(document.getElementById('field-label').textContent),
      null, { timeout: 300_000 });
    assert.ok(Number(await page.getAttribute('#anim-time', 'max')) >= 5, 'frames of the WebGPU sampling run');
    await crashAndRecover(page, /Backend: cpu.*WebGPU failed/);
    console.log(`restart (webgpu): ${await page.textContent('#backend')}`);
  }));

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
    // More than three coordinates (a delay embedding): choose which three are drawn;
    // the choice goes into the link too.
    await page.fill('#embed', '0,5,4');
    await page.waitForFunction(() => /5 coordinates/.test(document.getElementById('data-count').textContent), null, { timeout: 60_000 });
    assert.ok(await page.isVisible('#axes-row'));
    const drawn = await page.evaluate(() => document.getElementById('data-view').toDataURL());
    await page.selectOption('#axis-2', '4');
    assert.notEqual(await page.evaluate(() => document.getElementById('data-view').toDataURL()), drawn);
    const after = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.equal(after.get('axis-2'), '4');
    assert.equal(after.get('embed'), '0,5,4');
  }));

// The study page: the committed study's table (every cell of its cells.json), its
// figures, sorting, filters, the pilot, and a cell opened in the trainer with its settings.
test('the study page sorts and filters the committed cells and opens one in the trainer', { timeout: 300_000 }, () =>
  withPage({ path: '/study.html', settle: false }, async (page) => {
    const read = (dir) => JSON.parse(fs.readFileSync(path.join(dist, dir, 'cells.json'), 'utf8'));
    const study = read('robustness');
    const col = (t, k) => t.columns.indexOf(k);
    await page.waitForFunction(() => document.body.dataset.loaded === 'robustness', null, { timeout: 60_000 });
    assert.match(await page.textContent('#study-count'), new RegExp(`^${study.rows.length} of ${study.rows.length} cells match`));
    // The figures are the report's SVGs, loaded.
    await page.waitForFunction(() => [...document.querySelectorAll('#study-figures img')]
      .filter((i) => i.complete && i.naturalWidth > 0).length >= 2, null, { timeout: 30_000 });
    // Sorted by quality, worst first; a click on the heading turns it to best first.
    const ratios = study.rows.map((r) => r[col(study, 'swd_ratio')]).filter(Number.isFinite);
    const firstRatio = async () => Number((await page.textContent('#study-body tr:first-child td[data-column="swd_ratio"]')).split(' ± ')[0]);
    const near = (a, b) => Math.abs(a - b) <= 0.006 * Math.abs(b);
    assert.ok(near(await firstRatio(), Math.max(...ratios)), `first ${await firstRatio()}, max ${Math.max(...ratios)}`);
    await page.click('th button[data-sort="swd_ratio"]');
    assert.ok(near(await firstRatio(), Math.min(...ratios)), `first ${await firstRatio()}, min ${Math.min(...ratios)}`);
    assert.equal(await page.getAttribute('th:has(button[data-sort="swd_ratio"])', 'aria-sort'), 'ascending');
    // Filters: part of a name, then an objective / SDE.
    await page.fill('#filter-system', 'lorenz');
    const lorenz = study.rows.filter((r) => r[col(study, 'system')].toLowerCase().includes('lorenz'));
    await page.waitForFunction((n) => document.getElementById('study-count').textContent.startsWith(`${n} of`), lorenz.length);
    await page.selectOption('#filter-method', 'flow-matching / vp');
    const fm = lorenz.filter((r) => r[col(study, 'objective')] === 'flow-matching');
    await page.waitForFunction((n) => document.getElementById('study-count').textContent.startsWith(`${n} of`), fm.length);
    const shown = await page.$$eval('#study-body tr', (trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[7].textContent]));
    assert.ok(shown.length > 0 && shown.every(([sys, m]) => /lorenz/i.test(sys) && m === 'flow-matching / vp'), JSON.stringify(shown));
    const shot = await shoot(page, 'study');
    console.log(`study page: ${study.rows.length} cells, ${lorenz.length} Lorenz-like, ${fm.length} of them flow matching; screenshot ${shot}`);
    // The pilot, from the study menu.
    const pilot = read('robustness/pilot');
    await page.selectOption('#study-source', '1');
    await page.waitForFunction(() => document.body.dataset.loaded === 'robustness/pilot', null, { timeout: 30_000 });
    await page.fill('#filter-system', '');
    await page.selectOption('#filter-method', '');
    await page.waitForFunction((n) => document.getElementById('study-count').textContent.startsWith(`${n} of ${n}`), pilot.rows.length);
    // A noisy Lorenz-63 cell opens in the trainer with its settings, its noise per coordinate.
    await page.selectOption('#study-source', '0');
    await page.waitForFunction(() => document.body.dataset.loaded === 'robustness', null, { timeout: 30_000 });
    await page.fill('#filter-system', 'Lorenz');
    await page.selectOption('#filter-noise', '0.1');
    await page.selectOption('#filter-method', 'dsm / vp');
    const rowOf = '#study-body tr:has(td[data-column="system"]:text-is("Lorenz"))';
    const index = Number(await page.getAttribute(rowOf, 'data-index'));
    const cell = Object.fromEntries(study.columns.map((k, i) => [k, study.rows.find((r) => r[col(study, 'index')] === index)[i]]));
    assert.equal(cell.system, 'Lorenz');
    assert.equal(cell.noise, 0.1);
    await page.click(`${rowOf} >> nth=0 >> a.open-cell`);
    await page.waitForFunction(() => /\d+ points/.test(document.getElementById('preview-status')?.textContent || ''), null, { timeout: 120_000 });
    assert.equal(await page.inputValue('#system'), cell.system);
    assert.equal(await page.inputValue('#noise'), cell.noise_sigma.join(','));
    for (const [id, v] of [['t_end', cell.t_end], ['steps', cell.steps], ['width', cell.width], ['seed', cell.seed],
      ['n', cell.samples], ['ode_steps', cell.sampler_steps]]) {
      assert.equal(Number(await page.inputValue(`#${id}`)), v, id);
    }
    assert.equal(await page.inputValue('#sampler'), cell.sampler);
    assert.equal(await page.inputValue('#sde'), 'vp');
    const status = await page.textContent('#preview-status');
    assert.match(status, new RegExp(`^${cell.system}: ${cell.rows} points`), status);
    console.log(`opened cell ${index} in the trainer: ${status}`);
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

test('a file chosen while the worker is busy is loaded when the job ends, and the page says so', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=300&n=500&ode_steps=10&width=32', webgpu: false }, async (page) => {
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    const before = await page.textContent('#data-count');
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('progress').value) > 5, null, { timeout: 60_000 });
    const rows = ['a,b,c'];
    for (let i = 0; i < 500; i++) rows.push(`${Math.cos(i)},${Math.sin(i) * 2},${i % 7}`);
    await page.setInputFiles('#csv-file', { name: 'late.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 10_000 });
    const note = await page.textContent('#error');
    assert.match(note, /Busy \(training\): late\.csv will load when it is done/, note);
    assert.equal(await page.textContent('#data-count'), before, 'the data changed during training');
    await page.waitForFunction(() => /500 points/.test(document.getElementById('data-count').textContent),
      null, { timeout: 180_000 });
    assert.equal(await page.isHidden('#error'), true, 'the note is gone once the file is loaded');
    console.log(`busy file: "${note}", then ${await page.textContent('#data-count')}`);
  }));

test('a diverging run stops with its message and keeps its last good weights as the model', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=3000&n=500&ode_steps=10&width=32', webgpu: false }, async (page) => {
    await page.waitForFunction(() => /Lorenz: \d+ points/.test(document.getElementById('preview-status').textContent),
      null, { timeout: 60_000 });
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('progress').value) > 10, null, { timeout: 60_000 });
    // Test-only: the next chunk's loss reads as NaN, as a diverging run's does.
    await page.evaluate(() => window.scoredyn.client.worker.postMessage({ type: 'diverge-test' }));
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30_000 });
    const message = await page.textContent('#error');
    assert.match(message, /training diverged \(loss NaN\) by step \d+; kept the weights of step \d+/, message);
    await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 30_000 });
    // The last good weights are the model: it samples and downloads.
    assert.equal(await page.isDisabled('#sample-again'), false, 'the model was lost');
    await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
    await page.click('#sample-again');
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 120_000 });
    const [model] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const json = JSON.parse(fs.readFileSync(await model.path(), 'utf8'));
    const kept = Number(message.match(/kept the weights of step (\d+)/)[1]);
    const reached = Number(message.match(/by step (\d+)/)[1]);
    assert.ok(reached > kept, `reached ${reached}, kept ${kept}`);
    assert.equal(json.summary.steps, kept, 'the model is the last good step');
    assert.ok(kept > 0 && kept < 3000, `kept ${kept}`);
    console.log(`diverged: "${message}"; sampled from step ${kept}`);
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
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#progress-text'), /done: 400 steps/);
    await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
    await page.click('#more');
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#progress-text'), /done: 800 steps/, 'train more continues the step count');
    // Sample again without training: only the sampler runs.
    await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
    await page.selectOption('#sampler', 'em');
    await page.click('#sample-again');
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 120_000 });
    assert.match(await page.textContent('#metrics'), /^em: /);
    // The model file downloads, and loads back.
    const [model] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const json = JSON.parse(fs.readFileSync(await model.path(), 'utf8'));
    assert.equal(json.format, 'scoredyn-model');
    assert.equal(json.train.steps, 800);
    await page.setInputFiles('#model-file', { name: 'mine.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(json)) });
    await page.waitForFunction(() => /Loaded model mine\.json/.test(document.getElementById('share-status').textContent),
      null, { timeout: 30_000 });
    // A file of the wrong shape gets a message and the model stays.
    json.net.width = 7;
    await page.setInputFiles('#model-file', { name: 'bad.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(json)) });
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30_000 });
    console.log(`bad model: ${await page.textContent('#error')}`);
    assert.equal(await page.isDisabled('#sample-again'), false);
    // Stop during sampling cancels it; the samples on screen stay.
    await page.evaluate(() => { document.getElementById('error').hidden = true; });
    const shown = await page.textContent('#sample-count');
    await page.fill('#ode_steps', '10000');
    await page.click('#sample-again');
    await page.waitForFunction(() => /sampling: /.test(document.getElementById('progress-text').textContent), null, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => /sampling stopped/.test(document.getElementById('progress-text').textContent)
      && !document.getElementById('train').disabled, null, { timeout: 60_000 });
    assert.equal(await page.textContent('#sample-count'), shown);
    console.log(`flow: ${await page.textContent('#progress-text')}; screenshot ${await shoot(page, 'flow')}`);
  }));

test('a newcomer sees Lorenz-63 samples within 10 s on the CPU fallback', { timeout: 120_000 }, () =>
  withPage({ hash: 'backend=cpu', webgpu: false }, async (page, _, server) => {
    await page.waitForFunction(() => document.getElementById('app').dataset.firstSamples, null, { timeout: 60_000 });
    const ms = Number(await page.evaluate(() => document.getElementById('app').dataset.firstSamples));
    const dataMs = Number(await page.evaluate(() => document.getElementById('app').dataset.firstData));
    console.log(`time to the first attractor drawn (the data): ${(dataMs / 1000).toFixed(2)} s from navigation`);
    assert.ok(await litPixels(page, 'sample-view') > 100, 'no samples drawn');
    console.log(`time to first samples: ${(ms / 1000).toFixed(2)} s from navigation; ${await page.textContent('#share-status')}`);
    // What the browser downloaded (the server's precompressed copies where it accepted them).
    const wasm = server.sent['scoredyn_bg.wasm'];
    const total = Object.values(server.sent).reduce((a, s) => a + s.bytes, 0);
    assert.ok(wasm, 'the wasm was fetched');
    console.log(`downloaded: scoredyn_bg.wasm ${(wasm.bytes / 1e6).toFixed(2)} MB (${wasm.encoding}), `
      + `${(total / 1e6).toFixed(2)} MB in ${Object.keys(server.sent).length} files (offline copy included)`);
    assert.ok(ms < 10_000, `first samples after ${ms} ms`);
    await shoot(page, 'first-visit');
  }));

test('the lecture page: two demos, each with its own worker, the second starting when scrolled to', { timeout: 900_000 }, () =>
  withPage({ path: '/lecture.html', settle: false }, async (page) => {
    const ds = (id) => page.evaluate((id) => ({ ...document.getElementById(id).dataset }), id);
    await page.waitForFunction(() => document.getElementById('thomas').dataset.samples, null, { timeout: 400_000, polling: 500 });
    assert.match(await page.textContent('#thomas-backend'), /Backend: cpu/);
    assert.ok(await page.isHidden('#thomas-controls'), 'controls="hidden"');
    // The second demo is below the fold: it has not started.
    const second = await ds('lorenz');
    assert.equal(second.visible, 'false');
    assert.equal(second.samples, undefined);
    assert.equal(await page.textContent('#lorenz-progress-text'), 'idle');
    await page.locator('#lorenz').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => Number(document.getElementById('lorenz-progress').value) > 50, null, { timeout: 120_000 });
    // Off-screen again: training holds.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => /paused .*off-screen/.test(document.getElementById('lorenz-progress-text').textContent),
      null, { timeout: 60_000 });
    const held = await page.evaluate(() => Number(document.getElementById('lorenz-progress').value));
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => Number(document.getElementById('lorenz-progress').value)), held);
    await page.locator('#lorenz').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById('lorenz').dataset.samples, null, { timeout: 400_000, polling: 500 });
    assert.match(await page.textContent('#lorenz-metrics'), /SWD/);
    assert.match(await page.textContent('#thomas-metrics'), /SWD/);
    const workers = await page.evaluate(() => new Set([document.getElementById('thomas').demo.client.worker,
      document.getElementById('lorenz').demo.client.worker]).size);
    assert.equal(workers, 2);
    console.log(`lecture: thomas ${await page.textContent('#thomas-metrics')}; lorenz ${await page.textContent('#lorenz-metrics')}; `
      + `held at step ${held} while off-screen; ${await shoot(page, 'lecture')}`);
  }));

test('embed.html with hidden controls autostarts, and fits 360 px and a 1920 px projector', { timeout: 600_000 }, () =>
  withPage({ path: '/embed.html', hash: 'backend=cpu&controls=hidden&autostart=1&steps=300&n=500&ode_steps=10&width=64',
    settle: false, viewport: { width: 360, height: 740 } }, async (page) => {
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 300_000, polling: 500 });
    assert.ok(await page.isHidden('#controls'));
    assert.match(await page.textContent('#progress-text'), /done: 300 steps/);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await overflow() <= 0, `wider than 360 px by ${await overflow()} px`);
    const narrow = await shoot(page, 'embed-360');
    // The full page at 360 px: the controls stack above the views, nothing scrolls sideways.
    await page.goto(page.url().replace('/embed.html', '/').replace(/#.*/, '#backend=cpu'));
    await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 120_000 });
    assert.ok(await overflow() <= 0, `the page is wider than 360 px by ${await overflow()} px`);
    const page360 = await shoot(page, 'page-360');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    assert.ok(await overflow() <= 0);
    console.log(`layout: ${narrow}, ${page360}, ${await shoot(page, 'page-1920')}`);
  }));

test('after the first visit the page works without a network', { timeout: 300_000 }, () =>
  withPage({ hash: 'backend=cpu' }, async (page, context) => {
    await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 120_000 });
    // Let the service worker finish filling its cache (this build's, named in dist/sw.js):
    // every file of the build, the wasm among them.
    const { cache: name, files } = readPrecache(fs.readFileSync(path.join(dist, 'sw.js'), 'utf8'));
    await until(page, async ({ name, files }) => {
      const cache = await caches.open(name);
      const urls = new Set((await cache.keys()).map((r) => r.url));
      return urls.has(new URL('scoredyn_bg.wasm', location.href).href)
        && files.every((f) => urls.has(new URL(f, location.href).href));
    }, { name, files });
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.getElementById('app').dataset.pretrained === 'shown'
      && document.getElementById('app').dataset.samples, null, { timeout: 120_000, polling: 500 });
    assert.match(await page.textContent('#backend'), /Backend: cpu/);
    console.log(`offline: reloaded without a network, ${await page.getAttribute('#app', 'data-samples')} samples drawn`);
  }));

// Two deployments in turn: build A is visited (its service worker caches it), then the
// server switches to build B (A's files with one marker changed, so every cached copy
// can be told apart). Online, B is shown at once; B's worker replaces A's cache; offline,
// B is served whole. No cached file is ever A's once B has taken over, so the page never
// runs A's JS against B's wasm or the reverse.
test('a new deployment replaces the offline copy whole, never mixing two builds', { timeout: 300_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoredyn-builds-'));
  const build = (name) => {
    const dir = path.join(tmp, name);
    fs.cpSync(dist, dir, { recursive: true });
    const marked = (f, text) => fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8').replace(/<\/head>/, `${text}</head>`));
    marked('index.html', `<meta name="scoredyn-build" content="${name}">`);
    fs.appendFileSync(path.join(dir, 'app.js'), `\ndocument.documentElement.dataset.build = '${name}';\n`);
    writePrecache(dir);
    precompress(dir);
    return { dir, ...readPrecache(fs.readFileSync(path.join(dir, 'sw.js'), 'utf8')) };
  };
  const a = build('A');
  const b = build('B');
  assert.notEqual(a.cache, b.cache);
  console.log(`builds: A ${a.cache}, B ${b.cache}`);
  let current = a.dir;
  // While closed, B's service worker script is held back, so that B's page runs under A's
  // worker for a while: the window in which a runtime cache write would mix the builds.
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  const hold = (pathname) => (pathname === '/sw.js' && current === b.dir ? gate : null);
  // The cache's entries, as {path: body} for the files that differ between the builds.
  const differing = ['index.html', 'app.js'];
  const cached = (page, name) => page.evaluate(async ({ name, differing }) => {
    const out = { names: await caches.keys(), files: {} };
    const cache = await caches.open(name);
    for (const f of differing) {
      const hit = await cache.match(new URL(f === 'index.html' ? './' : f, location.href).href);
      out.files[f] = hit ? await hit.text() : null;
    }
    return out;
  }, { name, differing });
  const filled = (page, { cache, files }) => until(page, async ({ cache, files }) => {
    if (!(await caches.keys()).includes(cache)) return false;
    const urls = new Set((await (await caches.open(cache)).keys()).map((r) => r.url));
    return files.every((f) => urls.has(new URL(f, location.href).href));
  }, { cache, files });
  try {
    await withPage({ hash: 'backend=cpu', dir: () => current, hold }, async (page, context) => {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.build), 'A');
      await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 120_000 });
      await filled(page, a);
      // Deploy B; the page, still controlled by A's worker, reloads from the network.
      current = b.dir;
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.build === 'B', null, { timeout: 60_000 });
      await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 120_000 });
      const during = await cached(page, a.cache);
      for (const f of differing) {
        assert.equal(during.files[f], fs.readFileSync(path.join(a.dir, f), 'utf8'), `${f} in A's cache is still A's while B's page runs`);
      }
      open();
      await filled(page, b);
      await until(page, async (old) => !(await caches.keys()).includes(old), a.cache);
      const seen = await cached(page, b.cache);
      assert.deepEqual(seen.names.filter((n) => n.startsWith('scoredyn-')), [b.cache], 'only B\'s cache is left');
      for (const f of differing) {
        assert.equal(seen.files[f], fs.readFileSync(path.join(b.dir, f), 'utf8'), `${f} in the cache is B's`);
      }
      // Offline, B is served whole: its page, its modules, its wasm; samples are drawn.
      await context.setOffline(true);
      await page.reload();
      await page.waitForFunction(() => document.getElementById('app').dataset.pretrained === 'shown'
        && document.getElementById('app').dataset.samples, null, { timeout: 120_000, polling: 500 });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.build), 'B');
      assert.equal(await page.getAttribute('meta[name="scoredyn-build"]', 'content'), 'B');
      console.log(`two builds: A (${a.cache}) then B (${b.cache}); offline after B: B's page and samples, one cache`);
    });
  } finally {
    open();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The worker's wasm memory (it only grows, in 64 KiB pages: its size is the allocator's
// high-water mark) and the page's JS heap after a garbage collection.
async function memory(page, cdp) {
  const wasm = await page.evaluate(() => new Promise((resolve) => {
    const w = window.scoredyn.client.worker;
    const on = (ev) => {
      if (ev.data.type !== 'memory') return;
      w.removeEventListener('message', on);
      resolve(ev.data.wasmBytes);
    };
    w.addEventListener('message', on);
    w.postMessage({ type: 'memory' });
  }));
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { wasm, heap: usedSize };
}

const mb = (b) => (b / 2 ** 20).toFixed(1);

// Unbounded growth fails: the second half's growth must be a small part of the first's
// (which holds the warm-up), plus one allocator step.
function assertLevels(what, first, mid, last) {
  const grewFirst = mid - first;
  const grewSecond = last - mid;
  assert.ok(grewSecond <= 0.25 * Math.max(grewFirst, 0) + 2 ** 20,
    `${what} keeps growing: +${mb(grewFirst)} MB in the first half, +${mb(grewSecond)} MB in the second`);
}

test('a 20,000-step training run in the page: the wasm memory levels off', { timeout: 900_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=20000&n=500&ode_steps=10' }, async (page, context) => {
    const cdp = await context.newCDPSession(page);
    const start = await memory(page, cdp);
    await page.click('#train');
    const seen = [];
    const t0 = Date.now();
    while (!(await page.evaluate(() => document.getElementById('app').dataset.samples))) {
      const step = Number(await page.evaluate(() => document.getElementById('progress').value));
      const total = Number(await page.evaluate(() => document.getElementById('progress').max));
      const error = await page.evaluate(() => document.getElementById('error').hidden ? '' : document.getElementById('error').textContent);
      assert.equal(error, '', error);
      if (total === 20000 && step > 0) seen.push({ step, ...(await memory(page, cdp)) });
      await new Promise((r) => setTimeout(r, 5000));
      assert.ok(Date.now() - t0 < 850_000, 'training did not finish');
    }
    const end = await memory(page, cdp);
    assert.ok(seen.length >= 4, `only ${seen.length} readings during training`);
    const total = 20000;
    const at = (s) => seen.reduce((best, x) => (Math.abs(x.step - s) < Math.abs(best.step - s) ? x : best));
    const [q1, q2, q3] = [at(total * 0.1), at(total * 0.55), seen[seen.length - 1]];
    assertLevels('wasm memory over training', q1.wasm, q2.wasm, q3.wasm);
    assertLevels('the page\'s JS heap over training', q1.heap, q2.heap, q3.heap);
    console.log(`20,000 steps in ${((Date.now() - t0) / 1000).toFixed(0)} s: wasm ${mb(start.wasm)} MB at start, `
      + `${mb(q1.wasm)} at step ${q1.step}, ${mb(q2.wasm)} at ${q2.step}, ${mb(q3.wasm)} at ${q3.step}, ${mb(end.wasm)} at the end; `
      + `JS heap ${mb(start.heap)} MB at start, ${mb(end.heap)} at the end`);
  }));

test('50 train/sample cycles in the page: the wasm memory stops growing after the first', { timeout: 900_000 }, () =>
  withPage({ hash: 'backend=cpu&steps=100&n=500&ode_steps=10&width=32' }, async (page, context) => {
    const cdp = await context.newCDPSession(page);
    const readings = [await memory(page, cdp)];
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) {
      await page.click('#train');
      await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
        null, { timeout: 120_000, polling: 200 });
      const error = await page.evaluate(() => document.getElementById('error').hidden ? '' : document.getElementById('error').textContent);
      assert.equal(error, '', `cycle ${i + 1}: ${error}`);
      await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 60_000 });
      await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
      readings.push(await memory(page, cdp));
    }
    const [r0, r5, r25, r50] = [readings[0], readings[5], readings[25], readings[50]];
    assertLevels('wasm memory over cycles 5–50', r5.wasm, r25.wasm, r50.wasm);
    assertLevels('the page\'s JS heap over cycles 5–50', r5.heap, r25.heap, r50.heap);
    console.log(`50 cycles in ${((Date.now() - t0) / 1000).toFixed(0)} s: wasm ${mb(r0.wasm)} MB at start, ${mb(r5.wasm)} after 5, `
      + `${mb(r25.wasm)} after 25, ${mb(r50.wasm)} after 50; JS heap ${mb(r0.heap)} MB, ${mb(r5.heap)}, ${mb(r25.heap)}, ${mb(r50.heap)}`);
  }));

// The native command line, built by `cargo test --release` before these tests run.
function nativeBinary() {
  const dir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
  const bin = path.join(dir, 'release', 'scoredyn');
  assert.ok(fs.existsSync(bin), `${bin} is missing: run cargo build --release first`);
  return bin;
}

// The same seed, settings and CSV in the page (wasm, CPU) and natively: the page's model
// file and the command line's are compared weight by weight after 1000 steps.
test('browser CPU and native CPU train the same weights from the same seed', { timeout: 600_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  const bin = nativeBinary();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoredyn-det-'));
  try {
    const data = path.join(tmp, 'data.csv');
    execFileSync(bin, ['simulate', '--system', 'Lorenz', '--t-end', '100', '--out', data]);
    const rows = fs.readFileSync(data, 'utf8').trim().split('\n').length - 1;
    let pageModel;
    await withPage({ hash: 'backend=cpu&steps=1000&seed=7&width=64&n=200&ode_steps=10' }, async (page) => {
      await page.setInputFiles('#csv-file', data);
      await page.waitForFunction((rows) => document.getElementById('data-count').textContent === `(${rows} points)`
        && !document.getElementById('train').disabled, rows, { timeout: 60_000 });
      await page.click('#train');
      await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
        null, { timeout: 300_000, polling: 500 });
      assert.equal(await page.isHidden('#error'), true, await page.textContent('#error'));
      // The page worker's own training rate (width 64), for the README's browser/native figure.
      const done = /done: (\d+) steps in ([\d.]+) s/.exec(await page.textContent('#progress-text'));
      if (done) console.log(`page worker (CPU, width 64): ${(Number(done[1]) / Number(done[2])).toFixed(0)} steps/s`);
      const [model] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      pageModel = JSON.parse(fs.readFileSync(await model.path(), 'utf8'));
    });
    assert.equal(pageModel.summary.data_rows, rows, 'the page trained on the CSV');
    const { train: t, net } = pageModel;
    const out = path.join(tmp, 'native.json');
    execFileSync(bin, ['train', '--data', data, '--steps', String(t.steps), '--batch', String(t.batch),
      '--width', String(net.width), '--depth', String(net.depth), '--lr', String(t.lr), '--ema', String(t.ema_decay),
      '--seed', String(t.seed), '--sde', pageModel.sde.kind, '--objective', t.objective, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    const nativeModel = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.deepEqual(nativeModel.net, net);
    assert.deepEqual(nativeModel.train, t);
    let maxAbs = 0;
    let maxRel = 0;
    let count = 0;
    let identical = 0;
    for (const [i, p] of pageModel.params.entries()) {
      const q = nativeModel.params[i];
      assert.equal(q.name, p.name);
      assert.deepEqual(q.shape, p.shape);
      const scale = Math.max(...p.values.map(Math.abs));
      for (let k = 0; k < p.values.length; k++) {
        const d = Math.abs(p.values[k] - q.values[k]);
        maxAbs = Math.max(maxAbs, d);
        maxRel = Math.max(maxRel, d / scale);
        count++;
        if (d === 0) identical++;
      }
    }
    console.log(`browser vs native after ${t.steps} steps (width ${net.width}, seed ${t.seed}): ${count} weights, `
      + `${identical} identical, largest difference ${maxAbs.toExponential(2)} (${maxRel.toExponential(2)} of its tensor's largest weight); `
      + `final loss page ${pageModel.summary.final_loss}, native ${nativeModel.summary.final_loss}`);
    // The same run, up to float rounding (the wasm build's SIMD kernels sum in another
    // order; measured: 8e-7 of a tensor's largest weight). A different seed, data set or
    // schedule differs by the weights' own size.
    assert.ok(maxRel < 1e-4, `the page and the command line trained different weights (largest relative difference ${maxRel})`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The Response view computes, waits for its answer (results or a message in its status
// line) and returns that line.
async function computeResponse(page, timeoutMs = 300_000) {
  const before = await page.evaluate(() => Number(document.getElementById('app').dataset.responseAnswers || 0));
  await page.click('#response-run');
  await page.waitForFunction((n) => Number(document.getElementById('app').dataset.responseAnswers || 0) > n,
    before, { timeout: timeoutMs, polling: 250 });
  return page.textContent('#response-status');
}

// One estimator's relative L2 error as the status line states it.
function stated(status, label) {
  const m = status.match(new RegExp(`${label.replace(/[()]/g, '\\$&')} ([0-9.]+)`));
  assert.ok(m, `no error for ${label} in: ${status}`);
  return Number(m[1]);
}

test('a CNF trains in the page, samples, and reports its held-out likelihood', { timeout: 600_000 }, () =>
  withPage({ hash: 'backend=cpu&autostart=1&system=DoubleWell2D&objective=cnf&steps=150&width=32&depth=2&n=500&ode_steps=10',
    settle: false }, async (page) => {
    await page.waitForFunction(() => document.getElementById('app').dataset.samples, null, { timeout: 400_000, polling: 500 });
    assert.match(await page.textContent('#progress-text'), /done: 150 steps/);
    assert.equal(await page.textContent('#likelihood'), '');
    await page.click('#likelihood-run');
    // Running: the button and Train wait, and the line says what is being done.
    assert.match(await page.textContent('#likelihood'), /computing over 500 held-out rows/);
    await page.waitForFunction(() => /held-out likelihood/.test(document.getElementById('likelihood').textContent),
      null, { timeout: 300_000, polling: 250 });
    const text = await page.textContent('#likelihood');
    const nats = Number(text.match(/: (-?[0-9.]+) nats\/dim/)[1]);
    assert.match(text, /\(cnf\)/);
    assert.match(text, /of a held-out simulation/);
    assert.ok(Number.isFinite(nats) && nats > -20 && nats < 5, text);
    assert.ok(!(await page.isDisabled('#likelihood-run')), 'Likelihood usable again');
    console.log(`page likelihood: ${text}`);
  }));

test('choosing RealNVP sets its objective and sampler; it trains, samples exactly and its likelihood rises', { timeout: 600_000 }, () =>
  withPage({ hash: 'backend=cpu&system=DoubleWell2D&steps=1&width=32&depth=2&n=500' }, async (page) => {
    assert.equal(await page.isDisabled('#layers'), true, 'coupling layers are a RealNVP setting');
    await page.selectOption('#arch', 'realnvp');
    assert.equal(await page.inputValue('#objective'), 'maximum-likelihood');
    assert.equal(await page.inputValue('#sampler'), 'inverse');
    assert.equal(await page.isDisabled('#layers'), false);
    assert.match(await page.textContent('#share-status'), /RealNVP: trained by maximum likelihood, sampled by its exact inverse/);
    await page.fill('#layers', '4');
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.deepEqual([hash.get('arch'), hash.get('objective'), hash.get('sampler'), hash.get('layers')],
      ['realnvp', 'maximum-likelihood', 'inverse', '4']);
    const samples = async () => {
      await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
        null, { timeout: 300_000, polling: 250 });
      assert.equal(await page.evaluate(() => document.getElementById('error').hidden), true, await page.textContent('#error'));
      await page.evaluate(() => { delete document.getElementById('app').dataset.samples; });
    };
    const likelihood = async () => {
      await page.click('#likelihood-run');
      await page.waitForFunction(() => /held-out likelihood/.test(document.getElementById('likelihood').textContent),
        null, { timeout: 120_000, polling: 250 });
      const text = await page.textContent('#likelihood');
      assert.match(text, /\(maximum-likelihood\).*exact, one pass/);
      return [Number(text.match(/: (-?[0-9.]+) nats\/dim/)[1]), text];
    };
    // The density view (2-D data): log p in a well (x = +-1, y = 0) minus on the barrier
    // (x = 0), read from the grid the page drew; the double well's truth is 2 nats.
    const wellOverBarrier = () => page.evaluate(() => {
      const d = window.scoredyn.s.density;
      const { grid, lo, hi } = d.grid;
      const at = (x, y) => d.values[Math.round((y - lo[1]) / (hi[1] - lo[1]) * (grid - 1)) * grid
        + Math.round((x - lo[0]) / (hi[0] - lo[0]) * (grid - 1))];
      return Math.min(at(-1, 0), at(1, 0)) - at(0, 0);
    });
    // One step: the identity flow (N(0, I) of the standardized data).
    await page.click('#train');
    await samples();
    assert.match(await page.textContent('#sample-count'), /500 points, exact inverse, one pass/);
    // The coordinate menus keep showing the data's coordinates (2-D: the slice is x0, x1).
    assert.deepEqual([await page.inputValue('#field-x'), await page.inputValue('#field-y')], ['0', '1']);
    const [start] = await likelihood();
    assert.equal(await page.isHidden('#density-figure'), false);
    assert.match(await page.textContent('#density-label'), /log-density/);
    const flat = await wellOverBarrier();
    assert.ok(flat < 0, `untrained: a Gaussian bump, peak on the barrier (${flat})`);
    // A flow has no score to draw: the slice says why.
    await page.waitForFunction(() => /normalizing flow/.test(document.getElementById('field-label').textContent),
      null, { timeout: 60_000 });
    // 2000 more steps (Train more): the flow learns the wells, its likelihood rises.
    await page.fill('#steps', '2000');
    await page.click('#more');
    await samples();
    assert.match(await page.textContent('#progress-text'), /done: 2001 steps/);
    const [learned, text] = await likelihood();
    assert.ok(learned > start + 0.1, `${start} -> ${learned}`);
    // The double well's density is known: the line states the truth on the same rows.
    const exact = Number(text.match(/the exact density: (-?[0-9.]+)\)/)?.[1]);
    assert.ok(Number.isFinite(exact), text);
    assert.ok(start < exact - 0.1 && Math.abs(learned - exact) < 0.05, `untrained ${start}, learned ${learned}, exact ${exact}`);
    const wells = await wellOverBarrier();
    assert.ok(wells > 1, `trained: the wells ${wells} nats above the barrier (truth 2)`);
    // Back to an MLP: the objective and the sampler follow, the layers field is off.
    await page.selectOption('#arch', 'mlp');
    assert.deepEqual([await page.inputValue('#objective'), await page.inputValue('#sampler')], ['dsm', 'ode-rk4']);
    assert.equal(await page.isDisabled('#layers'), true);
    // The trained flow is still the model: Sample again with a score sampler is refused, with the reason.
    await page.click('#sample-again');
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 60_000 });
    assert.match(await page.textContent('#error'), /samples exactly by its inverse/);
    await page.locator('#density-figure').scrollIntoViewIfNeeded();
    const shot = await shoot(page, 'realnvp-density');
    console.log(`page RealNVP (${shot}): untrained ${start} (well - barrier ${flat.toFixed(2)}), after 2001 steps ${text} (well - barrier ${wells.toFixed(2)} nats, truth 2)`);
  }));

// Every family on WebGPU (software SwiftShader here: a few steps each, which checks that
// training, sampling and the likelihood run on the device, not how well they learn).
test('every model family trains and samples on WebGPU, and the exact and ODE likelihoods run there', { timeout: 1_500_000 }, async () => {
  // One ODE likelihood takes ~100 s on this software adapter, so it runs for one family:
  // a CNF's and a score model's integrate the same ODE code as flow matching's (the
  // score model's velocity is the probability flow's drift, the CPU tests run theirs);
  // the RealNVP's exact likelihood is its own code and runs too.
  const families = [
    ['RealNVP', 'arch=realnvp&objective=maximum-likelihood&sampler=inverse&layers=2', true],
    ['CNF', 'objective=cnf', false],
    ['flow matching', 'objective=flow-matching', true],
    ['DSM', 'objective=dsm', false],
  ];
  for (const [name, settings, likelihood] of families) {
    await withPage({ hash: `backend=webgpu&autostart=1&system=DoubleWell2D&steps=3&batch=32&width=16&depth=1&n=200&ode_steps=2&${settings}`,
      webgpu: true, settle: false }, async (page) => {
      const t0 = Date.now();
      await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
        null, { timeout: 600_000, polling: 500 });
      assert.equal(await page.evaluate(() => document.getElementById('error').hidden), true, `${name}: ${await page.textContent('#error')}`);
      assert.match(await page.textContent('#backend'), /Backend: webgpu/);
      assert.match(await page.textContent('#progress-text'), /done: 3 steps/);
      if (!likelihood) {
        console.log(`webgpu ${name}: ${await page.textContent('#sample-count')} (${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
        return;
      }
      await page.click('#likelihood-run');
      await page.waitForFunction(() => /held-out likelihood|likelihood: /.test(document.getElementById('likelihood').textContent)
        && !/computing/.test(document.getElementById('likelihood').textContent), null, { timeout: 600_000, polling: 500 });
      const text = await page.textContent('#likelihood');
      assert.match(text, /held-out likelihood/, `${name}: ${text}`);
      assert.ok(Number.isFinite(Number(text.match(/: (-?[0-9.]+) nats\/dim/)[1])), text);
      console.log(`webgpu ${name}: ${await page.textContent('#sample-count')} ${text} (${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
    });
  }
});

test('the Response view: the estimators against the perturbation truth on the OU ring, the learned score once trained, and refusals', { timeout: 600_000 }, () =>
  withPage({ hash: 'backend=cpu&system=OrnsteinUhlenbeck&steps=800&width=64&n=300&ode_steps=10'
    + '&response-perturb=1&response-members=16&response-tau=3' }, async (page) => {
    // Before any model: gaussian, exp(Aτ) and the perturbation truth; the score says why not.
    let status = await computeResponse(page);
    assert.match(status, /OrnsteinUhlenbeck: R\(x0 ← kick on x0\) over 31 lags/);
    assert.match(status, /score: no model yet/);
    // The perturbation experiment (common random numbers) of a linear system is exp(Aτ)
    // up to the Euler-Maruyama step; the Gaussian estimator is exact up to its sampling
    // error on T = 1000.
    const analytic = stated(status, 'exp(Aτ)');
    const gauss = stated(status, 'gaussian');
    console.log(`response view, OU ring: exp(Aτ) ${analytic}, gaussian ${gauss} against the perturbation truth`);
    assert.ok(analytic < 0.02, status);
    assert.ok(gauss < 0.5, status);
    await page.selectOption('#response-obs', '1');
    assert.match(await page.textContent('#response-status'), /R\(x1 ← kick on x0\)/);
    // A request the data cannot answer: refused with the reason, the curves stay.
    await page.fill('#response-tau', '900');
    status = await computeResponse(page);
    assert.match(status, /too few for 9000 lags/);
    assert.equal(await page.getAttribute('#app', 'data-response'), '3');
    await page.fill('#response-tau', '3');
    // Trained: the learned score joins, with its own error and its R(0) diagnostic.
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('app').dataset.samples || !document.getElementById('error').hidden,
      null, { timeout: 300_000, polling: 500 });
    status = await computeResponse(page);
    const score = stated(status, 'learned score');
    console.log(`response view, OU ring after 800 steps: learned score ${score} (${status})`);
    assert.ok(score < 1, `the learned score predicts no response at all: ${status}`);
    assert.match(status, /learned score read at noise [0-9.]+ \(\|R\(0\) − I\| = [0-9.]+\)/);
    // Normalized, R(τ) R(0)⁻¹: for a Gaussian this removes the bias of the smoothed score.
    await page.check('#response-normalize');
    status = await computeResponse(page);
    const normalized = stated(status, 'learned score');
    console.log(`response view, OU ring: learned score normalized ${normalized}`);
    assert.match(status, /before normalizing/);
    assert.ok(normalized < score, status);
    // Lorenz-63 without noise has no smooth density: refused with the reason.
    await page.fill('#system-search', 'lorenz');
    await page.selectOption('#system', 'Lorenz');
    await page.waitForFunction(() => /Lorenz: /.test(document.getElementById('preview-status').textContent), null, { timeout: 60_000 });
    status = await computeResponse(page);
    assert.match(status, /Lorenz is deterministic.*add noise/);
    console.log(`response view screenshot: ${await shoot(page, 'response-cpu')}`);
  }));

test('the Response view on WebGPU: a loaded double-well model predicts the response better than the Gaussian fit', { timeout: 900_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoredyn-resp-'));
  try {
    const model = path.join(tmp, 'dw.json');
    execFileSync(nativeBinary(), ['train', '--system', 'DoubleWell', '--dt', '0.01', '--t-end', '20000', '--seed', '1',
      '--out', model], { stdio: ['ignore', 'ignore', 'pipe'] });
    await withPage({ hash: 'backend=webgpu&system=DoubleWell&dt=0.01&t_end=5000'
      + '&response-perturb=1&response-members=2000&response-tau=3', webgpu: true }, async (page) => {
      assert.match(await page.textContent('#backend'), /Backend: webgpu/);
      await page.setInputFiles('#model-file', model);
      await page.waitForFunction(() => /Loaded model/.test(document.getElementById('share-status').textContent), null, { timeout: 120_000 });
      const status = await computeResponse(page, 600_000);
      const score = stated(status, 'learned score');
      const exact = stated(status, 'exact score');
      const gauss = stated(status, 'gaussian');
      console.log(`response view, double well on WebGPU, against the perturbation truth: learned score ${score}, exact score ${exact}, gaussian ${gauss}`);
      assert.ok(score <= 0.5 * gauss, status);
      assert.ok(exact <= 0.5 * gauss, status);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
