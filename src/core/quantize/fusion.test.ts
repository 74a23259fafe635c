/** The fusion check on graphs shaped like the ones onnxruntime writes after optimising a QDQ model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import type { GraphProto } from '../onnx/types';
import { fusionReport } from './fusion';

const F = DataType.FLOAT;

/** The float model the counts refer to: two Convs. */
function floatModel(): GraphProto {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', F, [1, 3, 8, 8]);
  b.output(b.node('Conv', [b.node('Conv', [x, b.weight('w1', [4, 3, 3, 3])]), b.weight('w2', [4, 4, 1, 1])]), F);
  return b.build().graph!;
}

test('a float region between DequantizeLinear and QuantizeLinear is one island, layout Transposes included', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', F, [1, 3, 8, 8]);
  // float stem whose output leaves the blocked layout and is quantized: no DQ before it, not an island
  const q0 = b.node('QuantizeLinear', [b.node('ReorderOutput', [b.node('Conv', [x, b.weight('w1', [4, 3, 3, 3])])])]);
  const c1 = b.node('QLinearConv', [q0]);
  // HardSwish as onnxruntime rewrites it, in NCHW between NHWC integer kernels
  const t = b.node('Transpose', [b.node('DequantizeLinear', [c1])]);
  const hs = b.node('Mul', [t, b.node('HardSigmoid', [t])]);
  const q1 = b.node('QuantizeLinear', [b.node('Transpose', [hs])]);
  // a float tail after the last DQ that is never quantized again: not an island
  b.output(b.node('Softmax', [b.node('DequantizeLinear', [q1])]), F);
  const r = fusionReport(floatModel(), b.build().graph!);
  assert.deepEqual(r.qdqAroundFloat, { Mul: 1, HardSigmoid: 1 });
  assert.deepEqual(r.kernels, { QLinearConv: 1 });
  assert.deepEqual([r.integerKernels, r.total, r.share, r.floatHeavy], [1, 2, 0.5, 1]);
});

test('integer kernels end to end leave no island', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', F, [1, 3, 8, 8]);
  const q = b.node('QLinearConv', [b.node('QLinearConv', [b.node('QuantizeLinear', [x])])]);
  b.output(b.node('DequantizeLinear', [q]), F);
  const r = fusionReport(floatModel(), b.build().graph!);
  assert.deepEqual(r.qdqAroundFloat, {});
  assert.equal(r.share, 1);
});
