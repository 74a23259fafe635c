// Settings sanitizing and remembered per-model options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobRequest, DEFAULT_SETTINGS, defaultRunOptions, outputFolderFor, reviveRunOptions, sanitizeSettings } from './runOptions';

test('settings out of range or of the wrong type fall back to defaults', () => {
  const raw: Record<string, unknown> = { tierPreset: 'moon', maxAccuracyDrop: -3, budgetSeconds: Number.POSITIVE_INFINITY, threads: 4.7, outputFolder: ' out ', customTiersFile: 7 };
  const s = sanitizeSettings((k) => raw[k]);
  assert.deepEqual(s, { ...DEFAULT_SETTINGS, threads: 4, outputFolder: 'out' });
});

test('remembered options keep only files that still exist', () => {
  const fallback = defaultRunOptions(DEFAULT_SETTINGS, { variants: {} });
  const exists = (f: string) => f.startsWith('/ok/');
  const o = reviveRunOptions({ dataPath: '/gone/x.npy', labelsPath: '/ok/y.npy', variants: { distilled: '/ok/d.onnx', qat: '/gone/q.onnx' }, tierPreset: 'local', maxAccuracyDrop: 0.5, budgetSeconds: 1 }, exists, fallback);
  assert.deepEqual(o, { variants: { distilled: '/ok/d.onnx' }, labelsPath: '/ok/y.npy', tierPreset: 'local', maxAccuracyDrop: 0.5, budgetSeconds: fallback.budgetSeconds });
  assert.equal(reviveRunOptions('junk', exists, fallback), fallback);
});

test('the job request carries the options and the output folder', () => {
  const s = { ...DEFAULT_SETTINGS, outputFolder: 'results' };
  const out = outputFolderFor('/ws/models/a.onnx', s, '/ws');
  assert.equal(out, '/ws/results');
  assert.equal(outputFolderFor('/ws/models/a.onnx', DEFAULT_SETTINGS, '/ws'), '/ws/models/.edge-advisor');
  const r = buildJobRequest('/ws/models/a.onnx', defaultRunOptions(s, { variants: { pruned: '/ws/models/a_pruned.onnx' } }), s, out);
  assert.deepEqual(r, {
    advisor: { modelPath: '/ws/models/a.onnx', variants: { pruned: '/ws/models/a_pruned.onnx' }, maxAccuracyDrop: 2, budgetSeconds: 60, outDir: '/ws/results' },
    tiers: { preset: 'study' },
    threads: 0,
  });
});

test('edgeAdvisor.devices travels with the job request as written, with the folder a relative sshConfig is read from', () => {
  const devices = { edge: { ssh: 'pi@raspberrypi', sshConfig: 'lab/ssh_config' } };
  const s = sanitizeSettings((k) => (k === 'devices' ? devices : undefined));
  assert.deepEqual(s.devices, devices);
  assert.notEqual(s.devices, devices, 'a copy: settings objects are read-only proxies in VS Code');
  const r = buildJobRequest('/ws/a.onnx', defaultRunOptions(s, { variants: {} }), s, '/ws/out', '/ws');
  assert.deepEqual(r.tiers, { preset: 'study', devices, devicesBase: '/ws' });
  // nothing set, or an empty object: no devices in the request
  for (const v of [undefined, null, {}]) assert.equal(sanitizeSettings((k) => (k === 'devices' ? v : undefined)).devices, undefined);
  // a wrong type is kept, so the run fails naming the setting (see advisorJob.test.ts)
  assert.equal(sanitizeSettings((k) => (k === 'devices' ? 'pi' : undefined)).devices, 'pi');
});
