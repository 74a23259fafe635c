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

test('--json reports the output, calibration, fusion and fidelity; the model lands beside the input', { skip: built }, () => {
  const r = cli('quantize', model, '--calib', calib, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown> & { fusion: { integerKernels: number; total: number; share: number }; fidelity: { samples: number; top1Agreement: number } };
  assertMatchesSchema('quantize', out);
  assert.equal(out.out, path.join(dir, 'cnn.sptq.onnx'));
  assert.equal(out.calibrationSamples, 16, 'the last fifth (4 samples) is held out for fidelity');
  assert.equal(out.synthetic, false);
  assert.equal(out.method, 'minmax');
  assert.equal(out.quantizedNodes, 5);
  assert.deepEqual([out.fusion.integerKernels, out.fusion.total, out.fusion.share], [3, 3, 1]);
  assert.equal(out.fidelity.samples, 4);
  assert.equal(readModel(out.out as string).model.graph!.node.filter((x) => x.op_type === 'QuantizeLinear').length > 0, true);
  // float and int8 were timed side by side (which one wins is for the benchmarks to say, not a test)
  const speed = out.speed as { threads: number; floatMs: number; int8Ms: number; speedup: number; runs: number; p: number };
  assert.equal(speed.threads, 1);
  assert.ok(speed.floatMs > 0 && speed.int8Ms > 0 && speed.runs >= 20, JSON.stringify(speed));
  assert.ok(Math.abs(speed.speedup - speed.floatMs / speed.int8Ms) < 1e-9);
  assert.ok(speed.p >= 0 && speed.p <= 1);
  assert.equal(out.calibrationBatch, 8, 'the fixture declares a symbolic batch');
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
  const quantized = path.join(dir, 'cnn.sptq.onnx');
  if (!fs.existsSync(quantized)) assert.equal(cli('quantize', model, '--calib', calib).code, 0);
  const again = cli('quantize', quantized);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already quantized/);
  assert.equal(cli('quantize', model, '--method', 'kl').code, 2);
  assert.equal(cli('quantize', model, '--out', model).code, 2);
  const bad = cli('quantize', model, '--calib', path.join(dir, 'cnn.onnx'));
  assert.equal(bad.code, 1);
});
