/**
 * Bias correction (src/core/quantize/biasCorrection.ts) through the real runner. The fixture is a
 * Conv whose per-tensor int8 weight scale is set by one wide channel: the other channels' weights
 * (all 0.003, below half a step of ~0.008) round to 0, so on positive inputs their int8 output is
 * off by a constant 0.003·Σx per channel — the systematic shift the correction removes. Measured
 * on calibration samples, the correction is kept only where the held-out fidelity is not worse.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType } from '../src/core/onnx/dtypes';
import { ModelBuilder } from '../src/core/onnx/builder';
import { encodeModel } from '../src/core/onnx/codec';
import { readModel, writeModel } from '../src/core/onnx/io';
import { tensorToArray } from '../src/core/onnx/tensor';
import type { ModelProto } from '../src/core/onnx/types';
import type { Feeds } from '../src/core/protocol/tensor';
import { describeBiasCorrection, notWorse } from '../src/core/quantize/biasCorrection';
import type { Fidelity } from '../src/core/quantize/measurements';
import { runSptq } from '../src/core/quantize/sptq';
import { transformerModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('bias-correction-');
const DIMS = [1, 4, 8, 8];

function skewedConv(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 11 });
  const x = b.input('x', DataType.FLOAT, DIMS);
  const per = 4 * 3 * 3;
  const w = new Float32Array(4 * per);
  w.set(b.random(per, 1), 0); // channel 0: weights up to ±1 set the per-tensor scale
  w.fill(0.003, per); // channels 1–3: a constant that rounds to 0
  const y = b.node('Conv', [x, b.initializer('w', DataType.FLOAT, [4, 4, 3, 3], w), b.initializer('b', DataType.FLOAT, [4], new Float32Array(4))], { pads: [1, 1, 1, 1] }, 'y');
  b.output(y, DataType.FLOAT, DIMS);
  return b.build();
}

/** Samples uniform in [lo, hi). */
function samples(n: number, lo: number, hi: number, seed: number): Feeds[] {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
  const size = DIMS.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => ({ x: { type: 'float32' as const, dims: DIMS, data: Float32Array.from({ length: size }, () => lo + rnd() * (hi - lo)) } }));
}

/** Per-channel mean of (int8 − float) output over `data`. */
async function channelMeanError(floatModel: ModelProto, int8Path: string, data: Feeds[]): Promise<number[]> {
  const f = await ort.InferenceSession.create(encodeModel(floatModel));
  const q = await ort.InferenceSession.create(int8Path);
  const err = new Float64Array(4);
  let count = 0;
  for (const d of data) {
    const feeds = { x: new ort.Tensor('float32', d.x!.data as Float32Array, DIMS) };
    const [a, b] = [(await f.run(feeds)).y!.data as Float32Array, (await q.run(feeds)).y!.data as Float32Array];
    const hw = a.length / 4;
    for (let i = 0; i < a.length; i++) err[Math.floor(i / hw)]! += b[i]! - a[i]!;
    count += hw;
  }
  await f.release(); await q.release();
  return Array.from(err, (v) => v / count);
}

const int32Bias = (file: string) => Array.from(tensorToArray(readModel(file).model.graph!.initializer.find((t) => t.name === 'b_' + readModel(file).model.graph!.node.find((n) => n.op_type === 'Conv')!.name + '_quantized')!) as Int32Array);

test('bias correction removes the per-channel mean error that per-tensor weight rounding leaves', async () => {
  const file = path.join(dir, 'skewed.onnx');
  writeModel(skewedConv(), file);
  const opts = { perChannel: false, accuracy: false as const, fidelitySamples: samples(8, 0, 1, 2), perLayer: false, biasCorrection: true };
  const off = await runSptq(runner, file, path.join(dir, 'off.onnx'), samples(16, 0, 1, 1), { ...opts, biasCorrection: false });
  const on = await runSptq(runner, file, path.join(dir, 'on.onnx'), samples(16, 0, 1, 1), opts);
  assert.equal(off.biasCorrection, undefined);
  const bc = on.biasCorrection!;
  assert.equal(bc.applied, true, JSON.stringify(bc));
  assert.equal(bc.layers, 1);
  assert.ok(bc.after.sqnrDb > bc.before.sqnrDb, JSON.stringify(bc));
  assert.ok(on.report.notes.some((n) => /^bias correction on 1 layer/.test(n)), on.report.notes.join('\n'));

  // on fresh samples: channels 1–3 were 0.003 · 36 · 0.5 ≈ 0.054 low; the correction takes most of it away
  const fresh = samples(8, 0, 1, 3);
  const before = await channelMeanError(readModel(file).model, path.join(dir, 'off.onnx'), fresh);
  const afterErr = await channelMeanError(readModel(file).model, path.join(dir, 'on.onnx'), fresh);
  for (const c of [1, 2, 3]) {
    assert.ok(before[c]! < -0.04, `channel ${c} before: ${before[c]}`);
    assert.ok(Math.abs(afterErr[c]!) < Math.abs(before[c]!) / 5, `channel ${c}: ${before[c]} → ${afterErr[c]}`);
  }
  // the correction lives in the int32 bias (scale s_x·s_w), not in a float side path
  const [b0, b1] = [int32Bias(path.join(dir, 'off.onnx')), int32Bias(path.join(dir, 'on.onnx'))];
  assert.deepEqual(b0, [0, 0, 0, 0]);
  assert.ok(b1.slice(1).every((v) => v > 0), `int32 bias ${b1}`);
});

test('a correction that measures worse on the held-out samples is not kept', async () => {
  // calibrated on positive inputs, judged on negative ones: the shift learned points the wrong way there
  const file = path.join(dir, 'skewed-shifted.onnx');
  writeModel(skewedConv(), file);
  const opts = { perChannel: false, accuracy: false as const, fidelitySamples: samples(8, -1, 0, 2), perLayer: false, biasCorrection: true };
  const on = await runSptq(runner, file, path.join(dir, 'shifted-on.onnx'), samples(16, 0, 1, 1), opts);
  const off = await runSptq(runner, file, path.join(dir, 'shifted-off.onnx'), samples(16, 0, 1, 1), { ...opts, biasCorrection: false });
  const bc = on.biasCorrection!;
  assert.equal(bc.applied, false, JSON.stringify(bc));
  assert.ok(bc.after.sqnrDb < bc.before.sqnrDb, 'the corrected model did measure worse');
  assert.ok(on.report.notes.some((n) => /measured no gain, not applied/.test(n)), on.report.notes.join('\n'));
  assert.deepEqual(int32Bias(path.join(dir, 'shifted-on.onnx')), int32Bias(path.join(dir, 'shifted-off.onnx')));
  assert.equal(on.fidelity!.sqnrDb, off.fidelity!.sqnrDb);
});

test('MatMul biases are corrected in the float Add after the quantized MatMul', async () => {
  // a symbolic batch: prepare leaves MatMul + Add as they are (with static shapes they become Gemms)
  const file = path.join(dir, 'block.onnx');
  const m = transformerModel();
  m.graph!.input[0]!.type!.tensor_type!.shape!.dim[0] = { dim_param: 'N' };
  writeModel(m, file);
  const x = (n: number, seed: number) => {
    let s = seed;
    const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
    return Array.from({ length: n }, () => ({ x: { type: 'float32' as const, dims: [1, 8, 16], data: Float32Array.from({ length: 128 }, () => rnd() * 2 - 1) } }));
  };
  const r = await runSptq(runner, file, path.join(dir, 'block.sptq.onnx'), x(16, 1), { accuracy: false, fidelitySamples: x(8, 2), perLayer: false, biasCorrection: true });
  const bc = r.biasCorrection!;
  assert.equal(bc.layers, 6, 'q, k, v, output projection and both feed-forward MatMuls');
  assert.ok(bc.meanShift.after < bc.meanShift.before, JSON.stringify(bc));
  const inits = readModel(path.join(dir, 'block.sptq.onnx')).model.graph!.initializer.map((t) => t.name!);
  assert.equal(inits.filter((n) => n.endsWith('_corrected')).length, bc.applied ? 6 : 0, inits.join(', '));
});

test('"not worse" is judged by the target\'s measure: agreement first, SQNR on a tie or where it is the measure', () => {
  const f = (top1Agreement: number, sqnrDb: number): Fidelity => ({ samples: 10, outputName: 'y', top1Agreement, sqnrDb, layers: [] });
  const agreement = { kind: 'agreement' as const, min: 0.99 };
  assert.equal(notWorse(agreement, f(0.9, 10), f(0.8, 30)), true);
  assert.equal(notWorse(agreement, f(0.8, 30), f(0.9, 10)), false);
  assert.equal(notWorse(agreement, f(0.9, 20), f(0.9, 21)), false);
  assert.equal(notWorse(agreement, f(0.9, 21), f(0.9, 21)), true);
  assert.equal(notWorse({ kind: 'sqnr', minDb: 20 }, f(0.5, 25), f(1, 24)), true);
  assert.equal(notWorse(agreement, f(NaN, 19), f(NaN, 20)), false);
});

test('by default it runs only where the int8 model misses the accuracy target', async () => {
  const file = path.join(dir, 'skewed-auto.onnx');
  writeModel(skewedConv(), file);
  const base = { perChannel: false, fidelitySamples: samples(8, 0, 1, 2), perLayer: false };
  // an SQNR of 0 dB is met by any int8 model: nothing to remedy, no per-layer builds
  const met = await runSptq(runner, file, path.join(dir, 'auto-met.onnx'), samples(16, 0, 1, 1), { ...base, accuracy: { kind: 'sqnr', minDb: 0 } });
  assert.equal(met.biasCorrection, undefined);
  assert.ok(met.report.notes.some((n) => /bias correction not run/.test(n)), met.report.notes.join(' | '));
  // 200 dB is missed by every int8 model: the correction is the first remedy
  const missed = await runSptq(runner, file, path.join(dir, 'auto-missed.onnx'), samples(16, 0, 1, 1), { ...base, accuracy: { kind: 'sqnr', minDb: 200 }, gate: false });
  assert.ok(missed.biasCorrection, 'bias correction ran');
  assert.ok(missed.biasCorrection.after.sqnrDb! >= missed.biasCorrection.before.sqnrDb!);
});

test('the note names SQNR alone where the output is not class scores', () => {
  const note = describeBiasCorrection({
    applied: true, layers: 47, samples: 16, comparedOn: 'held-out',
    before: { sqnrDb: 9.94, top1Agreement: NaN }, after: { sqnrDb: 15.41, top1Agreement: NaN }, meanShift: { before: 0.0779, after: 0.0053 },
  });
  assert.match(note, /SQNR 9\.94 dB → 15\.41 dB; per-channel/);
  assert.doesNotMatch(note, /NaN/);
});
