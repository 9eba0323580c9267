// The settings schema (www/state.js) without a browser: every key round-trips through
// the URL hash, the keys README.md documents (and old DOM-id keys) still decode, and the
// field checks give the page's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEMA, ENTRY, OLD_KEYS, PARAM, defaults, decode, encode, check, coord, parseEmbed, parseSigmas, tableName } from '../../www/state.js';

// A value other than the default for every setting in the schema.
const SAMPLE = {
  controls: 'hidden', autostart: true, system: 'Rossler', [PARAM]: { c: '9', a: '0.3' }, noise: '0.05', method: 'dopri5',
  t_end: '250', dt: '0.005', burn_in: '10', every: '3', obs_noise: '0.1', embed: '0,5,4', sde: 've',
  objective: 'flow-matching', steps: '123', batch: '64', width: '32', depth: '2', lr: '0.0005', ema: '0.99', seed: '7',
  arch: 'realnvp', layers: '4',
  sampler: 'em', n: '1500', ode_steps: '20', backend: 'cpu', overlay: true, 'axis-0': '3', 'axis-1': '4', 'axis-2': '1',
  'field-x': '1', 'field-y': '4', 'field-t': '80',
  'response-kick': '2', 'response-obs': '4', 'response-tau': '3', 'response-normalize': true, 'response-perturb': true,
  'response-members': '200',
};

const roundTrip = (state, opts) => decode(new URLSearchParams(encode(state, opts).toString()));

test('the sample covers every key of the schema, each with a non-default value', () => {
  assert.deepEqual(Object.keys(SAMPLE).sort(), SCHEMA.map((e) => e.key).sort());
  const d = defaults();
  for (const key of Object.keys(SAMPLE)) assert.notDeepEqual(SAMPLE[key], d[key], key);
});

test('every key round-trips through the URL hash: state → hash → state', () => {
  assert.deepEqual(roundTrip(SAMPLE), SAMPLE);
  assert.deepEqual(roundTrip(SAMPLE, { dim: 5 }), SAMPLE);
  // And one key at a time, the rest at their defaults (which the hash leaves out).
  for (const e of SCHEMA) {
    const state = { ...defaults(), [e.key]: SAMPLE[e.key] };
    const hash = encode(state);
    assert.deepEqual([...hash.keys()].map((k) => (k.startsWith(PARAM) ? PARAM : k)).filter((k, i, a) => a.indexOf(k) === i), [e.key], e.key);
    assert.deepEqual(roundTrip(state), state, e.key);
  }
});

test('defaults give an empty hash', () => {
  assert.equal(encode(defaults()).toString(), '');
  assert.equal(encode(defaults(), { dim: 2 }).toString(), '');
});

// Every hash key README.md documents, spelled the way the old page wrote them.
const OLD_LINK = 'system=Rossler&p.c=9&p.a=0.3&backend=cpu&noise=0.05&method=dopri5&t_end=250&dt=0.005&burn_in=10&every=3'
  + '&obs_noise=0.1&embed=0%2C5%2C4&sde=ve&objective=flow-matching&steps=123&batch=64&width=32&depth=2&lr=0.0005&ema=0.99'
  + '&seed=7&sampler=em&n=1500&ode_steps=20&overlay=1&axis-0=3&axis-1=4&axis-2=1&field-x=1&field-y=4&field-t=80'
  + '&controls=hidden&autostart=1';

test('the documented keys of old links decode to the same settings', () => {
  // (The Response view's keys and the network family are newer than the old page: they
  // decode to their defaults.)
  const d = defaults();
  const newer = Object.fromEntries(Object.keys(SAMPLE).filter((k) => k.startsWith('response-') || ['arch', 'layers'].includes(k))
    .map((k) => [k, d[k]]));
  assert.deepEqual(decode(new URLSearchParams(OLD_LINK)), { ...SAMPLE, ...newer });
  // The old page took any field's DOM id as a key: the device menu's was `prefer`.
  for (const [old, key] of Object.entries(OLD_KEYS)) {
    assert.ok(ENTRY.has(key), key);
    assert.deepEqual(decode(new URLSearchParams(`${old}=cpu`)), decode(new URLSearchParams(`${key}=cpu`)));
  }
  assert.equal(decode(new URLSearchParams('prefer=webgpu')).backend, 'webgpu');
  // The old page also read autostart=true/yes and overlay=on.
  assert.equal(decode(new URLSearchParams('autostart=true')).autostart, true);
  assert.equal(decode(new URLSearchParams('autostart=yes')).autostart, true);
  assert.equal(decode(new URLSearchParams('overlay=on')).overlay, true);
  // <scoredyn-demo> attributes, as lecture.html has them.
  const attrs = [['system', 'Thomas'], ['steps', '800'], ['n', '1000'], ['ode_steps', '20'], ['controls', 'hidden'],
    ['autostart', '1'], ['backend', 'cpu'], ['objective', 'flow-matching']];
  const s = decode(attrs);
  assert.deepEqual([s.system, s.steps, s.n, s.ode_steps, s.controls, s.autostart, s.backend, s.objective],
    ['Thomas', '800', '1000', '20', 'hidden', true, 'cpu', 'flow-matching']);
});

test('values a field cannot hold are ignored, as the old page\'s fields ignored them', () => {
  const s = decode(new URLSearchParams('sde=nope&backend=gpu&steps=abc&axis-0=-1&field-t=250&method=rk45&unknown=1'));
  const d = defaults();
  assert.equal(s.sde, d.sde);
  assert.equal(s.backend, d.backend);
  assert.equal(s.steps, d.steps);
  assert.equal(s['axis-0'], d['axis-0']);
  assert.equal(s['field-t'], '100', 'a range input clamps');
  assert.equal(s.method, d.method);
  assert.equal('unknown' in s, false);
});

test('coordinates: defaults follow the data\'s dimension, and the hash drops the ones the data lack', () => {
  const s = { ...defaults(), 'axis-2': '4', 'field-y': '1' };
  assert.equal(coord(s, 'axis-2', 5), 4);
  assert.equal(coord(s, 'axis-2', 3), 2);
  assert.equal(coord(defaults(), 'field-y', 2), 1);
  assert.equal(encode(s, { dim: 5 }).get('axis-2'), '4');
  assert.equal(encode(s, { dim: 3 }).has('axis-2'), false);
  assert.equal(encode(s, { dim: 2 }).has('field-y'), false, 'field-y=1 is the default in 2D');
});

test('field checks give the page\'s messages', () => {
  assert.equal(check('steps', '3000'), '');
  assert.equal(check('steps', '0'), 'enter a whole number ≥ 1 and ≤ 10000000');
  assert.equal(check('steps', '1.5'), 'enter a whole number ≥ 1 and ≤ 10000000');
  assert.equal(check('steps', ''), 'enter a whole number ≥ 1 and ≤ 10000000');
  assert.equal(check('t_end', ''), '');
  assert.equal(check('t_end', '0'), 'enter a number > 0');
  assert.equal(check('t_end', '1e-12'), '');
  assert.equal(check('lr', '2'), 'enter a number ≥ 1e-8 and ≤ 1');
  assert.equal(check('ema', '1'), 'enter a number ≥ 0 and ≤ 0.99999');
  assert.equal(check('noise', '-1'), 'enter a number ≥ 0, or one per coordinate separated by commas');
  assert.equal(check('noise', '0.1, 0.2,0.3'), '');
  assert.deepEqual(parseSigmas('0.1, 0.2,3e-1'), [0.1, 0.2, 0.3]);
  assert.equal(parseSigmas('0.1,,0.2'), null);
  assert.equal(parseSigmas('0.1,-2'), null);
  // A per-coordinate list round-trips through the URL; a bad one is not taken.
  assert.equal(decode(new URLSearchParams('noise=0.5,1.5,2')).noise, '0.5,1.5,2');
  assert.equal(decode(new URLSearchParams('noise=0.5,x')).noise, '0');
  assert.equal(check('every', '0'), 'enter a whole number ≥ 1 and ≤ 1000000');
  assert.deepEqual(parseEmbed('0, 3, 5'), [0, 3, 5]);
  assert.equal(parseEmbed(''), undefined);
  assert.equal(parseEmbed('0,0,5'), null);
});

test('sampler and objective names and aliases resolve against the worker\'s tables', () => {
  const table = [{ name: 'ode-rk4', aliases: ['ode', 'rk4'] }, { name: 'em', aliases: [] }];
  assert.equal(tableName(table, 'em', 'sampler'), 'em');
  assert.equal(tableName(table, 'rk4', 'sampler'), 'ode-rk4');
  assert.equal(tableName(table, 'nope', 'sampler'), ENTRY.get('sampler').default);
  const objectives = [{ name: 'dsm', aliases: [] }, { name: 'flow-matching', aliases: ['fm'] }];
  assert.equal(tableName(objectives, 'fm', 'objective'), 'flow-matching');
  assert.equal(tableName(objectives, 'nope', 'objective'), ENTRY.get('objective').default);
});

test('every schema entry is declared in full', () => {
  const types = ['bool', 'choice', 'number', 'int', 'slider', 'coord', 'text', 'sigmas', 'system', 'params'];
  for (const e of SCHEMA) {
    assert.ok(e.key && e.group && types.includes(e.type) && 'default' in e, JSON.stringify(e));
    if (['number', 'int', 'slider'].includes(e.type)) assert.ok(e.range, `${e.key} has a range`);
    if (!['page', 'system', 'params'].includes(e.group) && e.type !== 'params') assert.ok(e.label || e.aria, `${e.key} has a label`);
  }
});
