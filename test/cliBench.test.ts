/**
 * `bench` end to end through the built CLI (dist/cli.js forking dist/runner.js, as users run it):
 * real runner, real model, the JSON contract, the cache and exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import { encodeNpy } from '../src/core/data/npy';
import { cnn } from './fixtures/models';
import { assertMatchesSchema } from './support/schemas';
import { tempDir, runCli } from './support/shared';


const dir = tempDir('bench-cli-');
const model = path.join(dir, 'cnn.onnx');
writeModel(cnn(), model);

const cli = (...args: string[]) => runCli(['bench', ...args], { timeoutMs: 120_000 });

test('bench --json prints identity rows per placement, tiers and environment; a second run uses the cache', () => {
  const data = path.join(dir, 'x.npy');
  fs.writeFileSync(data, encodeNpy({ type: 'float32', shape: [4, 3, 32, 32], data: new Float32Array(4 * 3 * 32 * 32).fill(0.25) }));
  const labels = path.join(dir, 'y.json');
  fs.writeFileSync(labels, JSON.stringify([0, 1, 2, 3]));
  const args = [model, '--json', '--placements', 'mobile,cloud', '--budget-seconds', '1', '--data', data, '--labels', labels];
  const r = cli(...args);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    results: Array<{ operator: string; placement: string; latencyMs: Record<string, number>; computeMs: { median: number }; transferMs: number; coldStartMs: number; peakRssMB: number; accuracy: number; flags: string[] }>;
    tiers: { name: string }; environment: { onnxruntime: string; cached: boolean };
  };
  assertMatchesSchema('bench', out);
  assert.deepEqual(out.results.map((x) => `${x.operator}@${x.placement}`), ['identity@mobile', 'identity@cloud']);
  for (const row of out.results) {
    for (const k of ['median', 'p90', 'p95', 'min', 'max', 'ciLow', 'ciHigh', 'n']) assert.equal(typeof row.latencyMs[k], 'number', k);
    assert.ok(row.latencyMs.ciLow! <= row.latencyMs.median! && row.latencyMs.median! <= row.latencyMs.ciHigh!);
    assert.ok(row.coldStartMs > 0 && row.peakRssMB > 0);
    // four samples, one per label: the score is whatever the untrained CNN gets, in percent
    assert.ok([0, 25, 50, 75, 100].includes(row.accuracy), String(row.accuracy));
  }
  const [mobile, cloud] = out.results;
  assert.equal(mobile!.transferMs, 0, 'a request that starts and ends on Mobile crosses no link');
  // Cloud: 12 288 input bytes up Mobile→Edge→Cloud at 200 and 1 Mbit/s, 40 output bytes back
  const expected = (12288 * 8) / 200e3 + (12288 * 8) / 1e3 + (40 * 8) / 1e3 + (40 * 8) / 200e3;
  assert.ok(Math.abs(cloud!.transferMs - expected) < 1e-9, `${cloud!.transferMs} vs ${expected}`);
  assert.ok(cloud!.flags.includes('acceleratorNotEmulated'));
  assert.ok(cloud!.flags.includes('extrapolated'), 'the study\'s 16-core Cloud is extrapolated on a smaller host');
  assert.equal(out.tiers.name, 'study');
  assert.equal(out.environment.cached, false);

  const again = cli(...args);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as typeof out;
  assert.equal(second.environment.cached, true);
  assert.deepEqual(second.results, out.results);
  assert.ok(fs.readdirSync(path.join(dir, '.edge-advisor', 'cache')).length === 1);
});

test('bench exit codes: 2 for usage, 1 for bad input', () => {
  assert.equal(cli().code, 2);
  assert.equal(cli(model, '--placements', 'mobile-edge').code, 2);
  assert.equal(cli(model, '--budget-seconds', '0').code, 2);
  assert.equal(cli(model, '--labels', path.join(dir, 'y.json')).code, 2);
  const missing = cli(path.join(dir, 'missing.onnx'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing\.onnx: file not found/);
  const bad = path.join(dir, 'bad.npy');
  fs.writeFileSync(bad, encodeNpy({ type: 'float32', shape: [2, 3, 16, 16], data: new Float32Array(2 * 3 * 256) }));
  const mismatch = cli(model, '--data', bad);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /bad\.npy: input "image" needs/);
});
