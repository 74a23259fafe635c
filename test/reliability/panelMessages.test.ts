/**
 * Hostile input from the results panel: thousands of mutated messages (missing, extra and mistyped
 * fields, non-finite numbers, huge strings, prototype tricks, paths that climb out of the workspace
 * directly or through symlinks) go through the host's real dispatcher. Nothing throws, everything
 * accepted is well-formed, and no revealed path lies outside the allowed roots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dispatchPanelMessage, type PanelActions } from '../../src/extension/panelMessages';
import { parseFromWebview } from '../../src/core/protocol/panel';
import { Rng } from '../fuzz/rng';
import { tempRoot } from './support';

const root = tempRoot('edge-advisor-panel-');
test.after(() => {
  root.cleanup();
  assert.equal(fs.existsSync(root.dir), false, 'temp root removed');
});

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

test('5000 mutated panel messages: no throw, only well-formed actions, no path outside the roots', () => {
  const ws = path.join(root.dir, 'workspace');
  const outside = path.join(root.dir, 'outside');
  fs.mkdirSync(path.join(ws, '.edge-advisor'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(ws, '.edge-advisor', 'm.sptq.onnx'), 'x');
  fs.writeFileSync(path.join(outside, 'secret'), 'x');
  fs.symlinkSync(path.join(outside, 'secret'), path.join(ws, 'link-out'));
  fs.symlinkSync(outside, path.join(ws, 'dir-out'));
  const roots = [ws];
  const realWs = fs.realpathSync(ws);

  const paths = [path.join(ws, '.edge-advisor', 'm.sptq.onnx'), '.edge-advisor/m.sptq.onnx', '../outside/secret', path.join(outside, 'secret'),
    'link-out', 'dir-out/secret', `${ws}/../outside/secret`, '/etc/passwd', '..', '.', '', 'a\0b', '%2e%2e/outside/secret', '\\..\\outside\\secret',
    'x'.repeat(5000), path.join(ws, 'missing.onnx'), `${ws}outside`];
  const values: unknown[] = [0, -0, 1, 1.5, -1, 101, 1e308, NaN, Infinity, -Infinity, '2', '', 'md', 'png', 'scatter', null, true, [], {}, [1],
    { 'mobile-edge': 50 }, { 'mobile-edge': 0 }, { 'edge-cloud': 1e9 }, { nope: 1 }, PNG, PNG.replace('iVBOR', 'AAAA'), 'data:text/html;base64,PHNjcmlwdD4=',
    Object.create(null) as unknown, JSON.parse('{"__proto__": {"polluted": true}}') as unknown, ...paths];
  const seeds: Array<Record<string, unknown>> = [
    { type: 'ready', protocol: 1 }, { type: 'rerun' }, { type: 'cancel' }, { type: 'openLog' }, { type: 'rememberBudget', maxAccuracyDrop: 2 },
    { type: 'revealFile', path: paths[0] }, { type: 'export', format: 'md' }, { type: 'export', format: 'csv', settings: { maxAccuracyDrop: 1, mbps: { 'edge-cloud': 10 } } },
    { type: 'export', format: 'png', chart: 'latency', dataUrl: PNG },
  ];
  const keys = ['type', 'protocol', 'maxAccuracyDrop', 'path', 'format', 'settings', 'mbps', 'chart', 'dataUrl', 'constructor', 'extra'];
  const rng = new Rng(2026);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 5000; i++) {
    const m: Record<string, unknown> = { ...rng.pick(seeds) };
    for (let k = rng.int(1, 3); k > 0; k--) {
      const key = rng.pick(keys);
      const op = rng.int(0, 2);
      if (op === 0) delete m[key];
      else if (op === 1) m[key] = rng.pick(values);
      else if (m['type'] === 'revealFile') m['path'] = rng.pick(paths);
    }
    const raw: unknown = rng.chance(0.05) ? rng.pick(values) : m;
    const seen: string[] = [];
    const record = (what: string) => (...args: unknown[]) => { seen.push(what); if (what === 'reveal') checkInside(args[0] as string); };
    const checkInside = (file: string) => {
      const rel = path.relative(realWs, fs.realpathSync(file));
      assert.ok(!rel.startsWith('..') && !path.isAbsolute(rel), `revealed ${file} outside the workspace`);
    };
    const actions = Object.fromEntries(['ready', 'rerun', 'cancel', 'rememberBudget', 'exportReport', 'exportChart', 'reveal', 'openLog', 'rejected'].map((a) => [a, record(a)])) as unknown as PanelActions;
    const result = dispatchPanelMessage(raw, () => roots, actions);
    assert.equal(seen.length, 1, `exactly one action per message: ${seen.join(',')}`);
    counts[result] = (counts[result] ?? 0) + 1;
    const parsed = parseFromWebview(raw);
    if (parsed) assert.deepEqual(parseFromWebview(JSON.parse(JSON.stringify(parsed))), parsed, 'accepted messages survive a JSON round trip unchanged');
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  // both sides exercised: plenty refused, every kind of message accepted at least once
  assert.ok((counts['rejected'] ?? 0) > 1000, JSON.stringify(counts));
  for (const t of ['ready', 'rerun', 'cancel', 'openLog', 'rememberBudget', 'revealFile', 'export']) assert.ok((counts[t] ?? 0) > 0, `${t}: ${JSON.stringify(counts)}`);
});
