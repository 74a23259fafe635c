/** The `quantize` command end to end through the built CLI: JSON contract, warnings, refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../../core/onnx/io';
import { encodeNpy } from '../../core/data/npy';
import { cnnModel } from '../../core/quantize/testdata/fixtures';
import { assertMatchesSchema } from '../../../test/support/schemas';
import { tempDir, runCli, skipWithoutCli } from '../../../test/support/shared';

const built = skipWithoutCli;

const cli = (...args: string[]) => runCli(args, { timeoutMs: 120_000 });

const dir = tempDir('edge-advisor-cli-quantize-');
const model = path.join(dir, 'cnn.onnx');
writeModel(cnnModel(), model);
const calib = path.join(dir, 'calib.npy');
const n = 20;
const data = new Float32Array(n * 5 * 16 * 16).map((_, i) => Math.sin(i * 0.37));
fs.writeFileSync(calib, encodeNpy({ type: 'float32', shape: [n, 5, 16, 16], data }));

test('--json reports the output, calibration, fusion, fidelity, accuracy target and placement; a model is written only when it is faster', { skip: built }, () => {
  const r = cli('quantize', model, '--calib', calib, '--json');
  const out = JSON.parse(r.stdout) as Record<string, unknown> & { fusion: { integerKernels: number; total: number; share: number }; fidelity: { samples: number; top1Agreement: number } };
  assertMatchesSchema('quantize', out);
  assert.equal(out.calibrationSamples, 16, 'the last fifth (4 samples) is held out for fidelity');
  assert.equal(out.synthetic, false);
  assert.equal(out.method, 'minmax');
  assert.ok((out.quantizedNodes as number) > 0);
  assert.equal(out.fusion.total, 3);
  assert.equal(out.fidelity.samples, 4);
  const acc = out.accuracy as { target: string; met: boolean };
  assert.match(acc.target, /top-1 agreement with float ≥ 99%/);
  const placement = out.placement as { threads: number; decisions: Array<{ nodes: string[]; floatMs: number; int8Ms: number; action: string }> };
  assert.equal(placement.threads, 1);
  for (const d of placement.decisions) assert.ok(d.nodes.length && d.floatMs >= 0 && d.int8Ms > d.floatMs, JSON.stringify(d));
  // float and int8 were timed side by side (which one wins is for the benchmarks to say, not a test) …
  const speed = out.speed as { threads: number; floatMs: number; int8Ms: number; speedup: number; runs: number; p: number };
  assert.equal(speed.threads, 1);
  assert.ok(speed.floatMs > 0 && speed.int8Ms > 0 && speed.runs >= 20, JSON.stringify(speed));
  assert.ok(Math.abs(speed.speedup - speed.floatMs / speed.int8Ms) < 1e-9);
  assert.ok(speed.p >= 0 && speed.p <= 1);
  assert.equal(out.calibrationBatch, 8, 'the fixture declares a symbolic batch');
  // … and a model lands beside the input exactly when it was measured faster
  const faster = speed.speedup > 1 && speed.p < 0.05;
  assert.equal(r.code, faster ? 0 : 1, r.stderr);
  assert.equal(out.out, faster ? path.join(dir, 'cnn.sptq.onnx') : null);
  assert.equal(fs.existsSync(path.join(dir, 'cnn.sptq.onnx')), faster);
  if (!faster) assert.match(String(out.notOffered), /no int8 model is faster than float/);
  else assert.equal(readModel(out.out as string).model.graph!.node.filter((x) => x.op_type === 'QuantizeLinear').length > 0, true);
});

test('without --calib it warns loudly and says so in the JSON', { skip: built }, () => {
  const r = cli('quantize', model, '--method', 'percentile', '--no-per-channel', '--no-speed-check', '--out', path.join(dir, 'syn.onnx'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { synthetic: boolean; perChannel: boolean; warnings: string[]; speed: unknown };
  assertMatchesSchema('quantize', out);
  assert.equal(out.speed, null, '--no-speed-check');
  assert.equal(out.synthetic, true);
  assert.equal(out.perChannel, false);
  assert.match(out.warnings.join(' '), /SYNTHETIC inputs.*unreliable/);
});

test('refusals: an already-quantized model (exit 1), a bad method and the input as output (exit 2)', { skip: built }, () => {
  const quantized = path.join(dir, 'unmeasured.sptq.onnx');
  assert.equal(cli('quantize', model, '--calib', calib, '--no-speed-check', '--out', quantized).code, 0);
  const again = cli('quantize', quantized);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already quantized/);
  assert.equal(cli('quantize', model, '--method', 'kl').code, 2);
  assert.equal(cli('quantize', model, '--out', model).code, 2);
  const bad = cli('quantize', model, '--calib', path.join(dir, 'cnn.onnx'));
  assert.equal(bad.code, 1);
});
