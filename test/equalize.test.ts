/**
 * Cross-layer equalization (src/core/quantize/equalize.ts) is exact in float: onnxruntime gives
 * the same outputs (1e-5 relative) before and after, on hand-made chains and on the digits
 * teacher with a 100–500× channel imbalance built into it; Relu6 stops a chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { float, ModelBuilder } from '../src/core/onnx/builder';
import { encodeModel } from '../src/core/onnx/codec';
import { DataType } from '../src/core/onnx/dtypes';
import { readModel } from '../src/core/onnx/io';
import type { ModelProto } from '../src/core/onnx/types';
import { prepareModel } from '../src/core/quantize/prepare';
import { rescaleChannels } from './fixtures/imbalanced';
import { SAMPLE_DIR } from './support/shared';
import * as path from 'node:path';

async function outputs(m: ModelProto, name: string, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m), { graphOptimizationLevel: 'disabled' });
  try { return (await s.run({ [name]: new ort.Tensor('float32', x, dims) }))[s.outputNames[0]!]!.data as Float32Array; } finally { await s.release(); }
}

async function assertSameFunction(m: ModelProto, input: string, dims: number[], x: Float32Array): Promise<string[]> {
  const off = prepareModel(m, { equalize: false });
  const on = prepareModel(m, { equalize: true });
  const [a, b] = [await outputs(off.model, input, x, dims), await outputs(on.model, input, x, dims)];
  const scale = Math.max(...Array.from(a, Math.abs));
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-5 * Math.max(scale, 1e-6), `output ${i}: ${v} vs ${b[i]}`));
  return on.notes;
}

test('Conv → Relu → Conv, Conv → MaxPool → depthwise Conv and Conv → LeakyRelu → zero Pad → Conv are equalized and compute the same', async () => {
  const b = new ModelBuilder({ opset: 13, seed: 9 });
  const x = b.input('x', DataType.FLOAT, [1, 4, 12, 12]);
  // channel ranges 1000× apart in the first Conv's output
  const w1 = b.initializer('w1', DataType.FLOAT, [8, 4, 3, 3], b.random(288, 1).map((v, j) => v * (Math.floor(j / 36) % 2 ? 100 : 0.1)));
  const c1 = b.node('Conv', [x, w1, b.weight('b', [8], 0.1)], { pads: [1, 1, 1, 1] });
  const c2 = b.node('Conv', [b.node('Relu', [c1]), b.weight('w', [8, 8, 1, 1], 0.5), b.weight('b', [8], 0.1)]);
  const dw = b.node('Conv', [b.node('MaxPool', [c2], { kernel_shape: [2, 2], strides: [2, 2] }), b.weight('w', [8, 1, 3, 3], 0.5)], { group: 8, pads: [1, 1, 1, 1] });
  const padded = b.node('Pad', [b.node('LeakyRelu', [dw], { alpha: float(0.1) }), b.initializer('pads', DataType.INT64, [8], BigInt64Array.of(0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n))]);
  b.node('Conv', [padded, b.weight('w', [3, 8, 3, 3], 0.3)], {}, 'y');
  b.output('y', DataType.FLOAT, [1, 3, 6, 6]);
  const notes = await assertSameFunction(b.build(), 'x', [1, 4, 12, 12], b.random(576, 2));
  assert.ok(notes.some((n) => /cross-layer equalization on 3 Conv pair/.test(n)), notes.join('; '));
});

test('Relu6 (Clip 0..6) is not positively homogeneous: no pair across it', () => {
  const b = new ModelBuilder({ opset: 13, seed: 2 });
  const x = b.input('x', DataType.FLOAT, [1, 4, 8, 8]);
  const c1 = b.node('Conv', [x, b.weight('w', [8, 4, 1, 1], 1)]);
  const six = b.node('Clip', [c1, b.initializer('lo', DataType.FLOAT, [], Float32Array.of(0)), b.initializer('hi', DataType.FLOAT, [], Float32Array.of(6))]);
  b.node('Conv', [six, b.weight('w', [4, 8, 1, 1], 1)], {}, 'y');
  b.output('y', DataType.FLOAT);
  assert.ok(!prepareModel(b.build()).notes.some((n) => /equalization/.test(n)));
});

test('the digits teacher with 100–500× channel imbalance built in computes the same before and after equalization', async () => {
  const m = rescaleChannels(readModel(path.join(SAMPLE_DIR, 'digits_teacher.onnx')).model);
  const b = new ModelBuilder({ seed: 5 });
  const notes = await assertSameFunction(m, 'image', [2, 1, 32, 32], b.random(2048, 1));
  assert.ok(notes.some((n) => /largest channel rescale (\d+)/.test(n) && Number(/rescale ([\d.]+)/.exec(n)![1]) > 10), notes.join('; '));
});
