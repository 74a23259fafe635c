/**
 * Opset moves (src/core/quantize/upgrade.ts) checked against onnxruntime: each old-opset model is
 * run as it is and after prepareModel moved it, on the same input, and the outputs must match.
 * Old ops appear as PaddleOCR, YOLO, older torchvision and TF exports write them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { floats, float, ModelBuilder } from '../src/core/onnx/builder';
import { encodeModel } from '../src/core/onnx/codec';
import { DataType } from '../src/core/onnx/dtypes';
import type { ModelProto } from '../src/core/onnx/types';
import { aiOnnxOpset, prepareModel } from '../src/core/quantize/prepare';

const F = DataType.FLOAT;

async function run(m: ModelProto, x: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(encodeModel(m), { graphOptimizationLevel: 'disabled' });
  try {
    const r = await s.run({ x: new ort.Tensor('float32', x, dims) });
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
  } finally { await s.release(); }
}

/** The model runs the same before and after the move, which lands on `target`. */
async function sameAfterMove(build: (b: ModelBuilder) => void, opset: number, dims: number[], target = 13): Promise<ModelProto> {
  const b = new ModelBuilder({ opset, seed: 4 });
  b.input('x', F, dims);
  build(b);
  const before = b.build();
  const moved = prepareModel(before, { perChannel: true });
  assert.equal(aiOnnxOpset(moved.model), target, moved.notes.join('; '));
  const x = b.random(dims.reduce((a, c) => a * c, 1), 3);
  const [a, c] = [await run(before, x, dims), await run(moved.model, x, dims)];
  for (const k of Object.keys(a)) {
    assert.equal(c[k]!.length, a[k]!.length, k);
    a[k]!.forEach((v, i) => assert.ok(Math.abs(v - c[k]![i]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${k}[${i}]: ${v} vs ${c[k]![i]}`));
  }
  return moved.model;
}

test('Slice-1 (starts/ends/axes attributes) and TopK-1 (k attribute) get them as inputs', async () => {
  const m = await sameAfterMove((b) => {
    const s = b.node('Slice', ['x'], { starts: [1, 0], ends: [3, 1000], axes: [1, 2] }, 'sliced');
    b.output(s, F);
    const [v] = b.nodeMulti('TopK', ['x'], 2, { k: 3, axis: -1 }, ['top', 'idx']);
    b.output(v!, F);
  }, 9, [2, 4, 6]);
  assert.deepEqual(m.graph!.node.find((n) => n.op_type === 'Slice')!.attribute, []);
});

test('Softmax, LogSoftmax and Hardmax before 13: the last axis keeps the op, any other axis is the 2-D coercion written out', async () => {
  const m = await sameAfterMove((b) => {
    b.output(b.node('Softmax', ['x'], { axis: 2 }, 'last'), F);
    b.output(b.node('Softmax', ['x'], {}, 'default_axis'), F); // axis 1 of a rank-3 tensor: normalises over axes 1 and 2 together
    b.output(b.node('LogSoftmax', ['x'], { axis: 0 }, 'all'), F);
    b.output(b.node('Hardmax', ['x'], { axis: 1 }, 'hard'), F);
  }, 9, [2, 3, 5]);
  assert.equal(m.graph!.node.filter((n) => n.op_type === 'Flatten').length, 3);
});

test('Upsample (opset 7 attribute, opset 9 input) and Resize-10 become Resize-13 with asymmetric coordinates', async () => {
  await sameAfterMove((b) => {
    b.output(b.node('Upsample', ['x'], { scales: floats([1, 1, 2, 3]), mode: 'nearest' }, 'near'), F);
    b.output(b.node('Upsample', ['x'], { scales: floats([1, 1, 2, 2]), mode: 'linear' }, 'lin'), F);
  }, 7, [1, 2, 3, 4]);
  await sameAfterMove((b) => {
    const s = b.initializer('s', F, [4], Float32Array.of(1, 1, 2, 2));
    b.output(b.node('Upsample', ['x', s], { mode: 'nearest' }, 'near'), F);
  }, 9, [1, 2, 3, 4]);
  await sameAfterMove((b) => {
    const s = b.initializer('s', F, [4], Float32Array.of(1, 1, 1.5, 2));
    b.output(b.node('Resize', ['x', s], { mode: 'linear' }, 'lin'), F);
    b.output(b.node('Resize', ['x', s], { mode: 'nearest' }, 'near'), F);
  }, 10, [1, 2, 3, 4]);
});

test('Resize-11 moves to 13, with sizes instead of scales too', async () => {
  await sameAfterMove((b) => {
    const roi = b.initializer('roi', F, [0], new Float32Array(0));
    const s = b.initializer('s', F, [4], Float32Array.of(1, 1, 2, 2));
    const empty = b.initializer('empty', F, [0], new Float32Array(0));
    const sizes = b.initializer('sizes', DataType.INT64, [4], BigInt64Array.of(1n, 2n, 5n, 7n));
    b.output(b.node('Resize', ['x', roi, s], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, 'near'), F);
    b.output(b.node('Resize', ['x', roi, empty, sizes], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, 'sized'), F);
  }, 11, [1, 2, 3, 4]);
});

test('Split, Squeeze, Unsqueeze, ReduceSum (axes), Pad-2 and Clip-6 (attributes) move from opset 9', async () => {
  await sameAfterMove((b) => {
    const [p, q] = b.nodeMulti('Split', ['x'], 2, { axis: 1, split: [1, 3] });
    b.output(b.node('Squeeze', [b.node('Unsqueeze', [p!], { axes: [0] })], { axes: [0] }, 'sq'), F);
    b.output(b.node('ReduceSum', [q!], { axes: [2], keepdims: 0 }, 'rs'), F);
    b.output(b.node('Clip', [b.node('Pad', ['x'], { pads: [0, 1, 0, 2, 0, 0], value: float(0.5) })], { min: float(-1), max: float(2) }, 'pc'), F);
  }, 9, [2, 4, 3]);
});

test('an opset 9 model whose op cannot move to 13 moves to 10 (per-tensor) instead of being refused', async () => {
  const b = new ModelBuilder({ opset: 9, seed: 1 });
  b.input('x', F, [1, 2, 3, 4]);
  // nearest Upsample with a computed scale: its rounding at 13 depends on whether it shrinks
  const s = b.node('Concat', [b.initializer('one', F, [2], Float32Array.of(1, 1)), b.node('Abs', [b.initializer('two', F, [2], Float32Array.of(2, -2))])], { axis: 0 });
  b.output(b.node('Conv', [b.node('Upsample', ['x', s], { mode: 'nearest' }), b.weight('w', [2, 2, 1, 1], 0.5)], {}, 'y'), F);
  const p = prepareModel(b.build());
  assert.equal(p.opset, 10);
  assert.equal(p.perChannel, false);
  assert.ok(p.notes.some((n) => /upgraded opset 9 → 10 .*per-tensor.*Upsample/.test(n)), p.notes.join('; '));
  const x = b.random(24, 2);
  const [a, c] = [await run(b.build(), x, [1, 2, 3, 4]), await run(p.model, x, [1, 2, 3, 4])];
  assert.deepEqual(Array.from(c.y!), Array.from(a.y!));
});
