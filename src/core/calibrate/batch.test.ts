/** When calibration may stack samples into one run, and how many. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import type { Feeds } from '../protocol/tensor';
import { calibrationPlan } from '../quantize/quantize';
import { cnnModel, mlpModel } from '../quantize/testdata/fixtures';
import { CALIBRATION_BATCH_BYTES, MAX_CALIBRATION_BATCH, calibrationBatch } from './batch';

const feed = (name: string, dims: number[]): Feeds => ({ [name]: { type: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) } });

test('a CNN with a symbolic batch takes the largest batch the memory budget allows', () => {
  const plan = calibrationPlan(cnnModel());
  assert.deepEqual(calibrationBatch(plan.model, plan.tensors, feed('image', [1, 5, 16, 16])), { batch: MAX_CALIBRATION_BATCH });
});

test('large activations shrink the batch, down to one sample', () => {
  const conv = (side: number) => {
    const b = new ModelBuilder({ opset: 13 });
    const x = b.input('x', DataType.FLOAT, ['N', 8, side, side]);
    b.output(b.node('Relu', [x]), DataType.FLOAT, ['N', 8, side, side]);
    return b.build();
  };
  // the Relu input is the measured tensor: 8 × side² floats per sample
  const side = Math.round(Math.sqrt(CALIBRATION_BATCH_BYTES / 2.5 / 4 / 8)); // a batch of 2.5 fits
  assert.equal(calibrationBatch(conv(side), ['x'], feed('x', [1, 8, side, side])).batch, 2);
  const big = calibrationBatch(conv(2 * side), ['x'], feed('x', [1, 8, 2 * side, 2 * side]));
  assert.equal(big.batch, 1);
  assert.match(big.reason!, /fill the batch budget/);
});

test('a fixed leading dimension, or samples that already carry a batch, mean one sample per run', () => {
  const plan = calibrationPlan(mlpModel()); // input [1, 32]
  assert.match(calibrationBatch(plan.model, plan.tensors, feed('x', [1, 32])).reason!, /input "x" has a fixed leading dimension/);
  const cnn = calibrationPlan(cnnModel());
  assert.match(calibrationBatch(cnn.model, cnn.tensors, feed('image', [2, 5, 16, 16])).reason!, /do not have a leading dimension of 1/);
});
