// The host's side of the results panel protocol: malformed or hostile messages never reach an
// action, and revealed paths stay inside the workspace/output folders (symlinks included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dispatchPanelMessage, type PanelActions } from './panelMessages';

function recorder() {
  const calls: Array<[string, ...unknown[]]> = [];
  const actions: PanelActions = {
    ready: (p) => calls.push(['ready', p]),
    rerun: () => calls.push(['rerun']),
    cancel: () => calls.push(['cancel']),
    rememberBudget: (n) => calls.push(['rememberBudget', n]),
    exportReport: (f, b) => calls.push(['exportReport', f, b]),
    exportChart: (c, png) => calls.push(['exportChart', c, png]),
    reveal: (f) => calls.push(['reveal', f]),
    openLog: () => calls.push(['openLog']),
    rejected: (why) => calls.push(['rejected', why]),
  };
  return { calls, actions };
}

function tempTree() {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ea-panel-')));
  const ws = path.join(base, 'ws');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(ws, '.edge-advisor'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(ws, '.edge-advisor', 'model.sptq.onnx'), 'x');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'x');
  fs.symlinkSync(outside, path.join(ws, 'escape'));
  return { base, ws, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

test('well-formed messages call their action with checked values', () => {
  const { calls, actions } = recorder();
  const roots = () => [];
  assert.equal(dispatchPanelMessage({ type: 'ready', protocol: 1 }, roots, actions), 'ready');
  dispatchPanelMessage({ type: 'rerun' }, roots, actions);
  dispatchPanelMessage({ type: 'cancel' }, roots, actions);
  dispatchPanelMessage({ type: 'rememberBudget', maxAccuracyDrop: 1.5 }, roots, actions);
  dispatchPanelMessage({ type: 'export', format: 'csv', settings: { mbps: { 'mobile-edge': 50 } } }, roots, actions);
  assert.deepEqual(calls, [['ready', 1], ['rerun'], ['cancel'], ['rememberBudget', 1.5], ['exportReport', 'csv', { mbps: { 'mobile-edge': 50 } }]]);
});

test('a chart export arrives as decoded PNG bytes', () => {
  const { calls, actions } = recorder();
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
  assert.equal(dispatchPanelMessage({ type: 'export', format: 'png', chart: 'scatter', dataUrl }, () => [], actions), 'export');
  assert.equal(calls[0][0], 'exportChart');
  assert.equal(calls[0][1], 'scatter');
  assert.deepEqual(calls[0][2], png);
});

test('malformed and hostile messages are rejected without calling any action', () => {
  const hostile: unknown[] = [
    null, 42, 'rerun', [], { type: 'nope' }, { type: 'rerun', extra: 1 },
    { type: 'rememberBudget', maxAccuracyDrop: Number.NaN }, { type: 'rememberBudget', maxAccuracyDrop: -1 },
    { type: 'rememberBudget', maxAccuracyDrop: '2' }, { type: 'revealFile', path: '' },
    { type: 'revealFile', path: 'a\0b' }, { type: 'revealFile', path: 'x'.repeat(5000) },
    { type: 'export', format: 'exe' }, { type: 'export', format: 'png', chart: 'scatter', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' },
    { type: 'export', format: 'png', chart: '../../etc', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    { type: 'export', format: 'json', settings: { mbps: { 'mobile-edge': 1e9 } } },
    { type: 'ready', protocol: 1, __proto__: { polluted: true } }, Object.assign(Object.create({ type: 'rerun' })),
  ];
  for (const raw of hostile) {
    const { calls, actions } = recorder();
    assert.equal(dispatchPanelMessage(raw, () => [], actions), 'rejected', `should reject ${JSON.stringify(raw)?.slice(0, 80)}`);
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], 'rejected');
  }
});

test('revealFile resolves only inside the allowed roots, following symlinks', (t) => {
  const tree = tempTree();
  t.after(tree.cleanup);
  const roots = () => [tree.ws];
  const inside = path.join(tree.ws, '.edge-advisor', 'model.sptq.onnx');
  const cases: Array<[string, string]> = [
    [inside, 'reveal'],
    ['.edge-advisor/model.sptq.onnx', 'reveal'], // relative to the first root
    [path.join(tree.outside, 'secret.txt'), 'rejected'],
    [path.join(tree.ws, '..', 'outside', 'secret.txt'), 'rejected'],
    [path.join(tree.ws, 'escape', 'secret.txt'), 'rejected'], // symlink leaving the workspace
    [path.join(tree.ws, 'missing.onnx'), 'rejected'],
  ];
  for (const [p, expected] of cases) {
    const { calls, actions } = recorder();
    dispatchPanelMessage({ type: 'revealFile', path: p }, roots, actions);
    assert.equal(calls[0][0], expected, p);
    if (expected === 'reveal') assert.equal(calls[0][1], inside);
  }
});
