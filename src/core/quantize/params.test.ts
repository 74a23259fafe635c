import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationParams, computeScaleZp, qRange, quantizeBias, quantizeValues, quantizeWeight, roundHalfEven } from './params';

test('halves round to the even neighbour, as numpy and QuantizeLinear do', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 0, -2, -2, 2, 3]);
});

test('qmin/qmax tables match onnxruntime (reduce_range wins over symmetric)', () => {
  assert.deepEqual(qRange('uint8'), [0, 255]);
  assert.deepEqual(qRange('uint8', true), [0, 254]);
  assert.deepEqual(qRange('int8'), [-128, 127]);
  assert.deepEqual(qRange('int8', true), [-127, 127]);
  assert.deepEqual(qRange('int8', true, true), [-64, 64]);
});

test('uint8 activation range [-1, 1]: scale 2/255 stored as float32, zero point 127.5 → 128', () => {
  const p = activationParams(-1, 1, 'uint8');
  assert.equal(p.scale, Math.fround(2 / 255));
  assert.equal(p.zeroPoint, 128);
  // int8: -128 + 127.5 = -0.5 → 0 (even)
  assert.equal(activationParams(-1, 1, 'int8').zeroPoint, 0);
  // [0, 2.55] shifted: 127.5 → 128 where Math.round agrees, but 0.5 → 0 where it does not
  assert.equal(roundHalfEven(0.5), 0);
});

test('an all-positive range is widened to include 0 (zero point 0), an all-negative one to 0 at the top', () => {
  const pos = activationParams(0.5, 2.55, 'uint8');
  assert.equal(pos.zeroPoint, 0);
  assert.equal(pos.scale, Math.fround(Math.fround(2.55) / 255));
  const neg = activationParams(-2, -1, 'uint8');
  assert.equal(neg.zeroPoint, 255);
  assert.equal(neg.scale, Math.fround(2 / 255));
});

test('symmetric int8 weights: scale = max|w| / 127, zero point exactly 0', () => {
  const p = computeScaleZp(-0.5, 0.25, -127, 127, true);
  assert.equal(p.scale, Math.fround(1 / 254));
  assert.equal(p.zeroPoint, 0);
  assert.equal(computeScaleZp(-3, 1, 0, 254, true).zeroPoint, 127);
});

test('a range too small for a normal float32 scale falls back to scale 1, zero point 0', () => {
  assert.deepEqual(activationParams(0, 0), { scale: 1, zeroPoint: 0 });
  assert.deepEqual(activationParams(0, 1e-37), { scale: 1, zeroPoint: 0 });
  assert.throws(() => activationParams(NaN, 1), /not finite/);
});

test('quantizing rounds x/scale half to even, adds the zero point and saturates', () => {
  assert.deepEqual([...quantizeValues([0.25, 0.75, 1.25, -1, 1000], 0.5, 0, 'uint8')], [0, 2, 2, 0, 255]);
  assert.deepEqual([...quantizeValues([0.25, -0.25, -1000], 0.5, 10, 'int8')], [10, 10, -128]);
});

test('per-channel weights get one scale per slice of the axis', () => {
  // W[2,3]: channel 0 has max |w| 127 → scale 1; channel 1 max 0.5 → scale 1/254
  const w = Float32Array.from([127, -63.5, 2.5, 0.5, -0.5, 0]);
  const q0 = quantizeWeight(w, [2, 3], 0);
  assert.deepEqual([...q0.scales], [1, Math.fround(1 / 254)]);
  assert.deepEqual([...q0.zeroPoints], [0, 0]);
  assert.deepEqual([...q0.data], [127, -64, 2, 127, -127, 0]);
  // the same numbers laid out [3,2] with the channel on axis 1
  const t = Float32Array.from([127, 0.5, -63.5, -0.5, 2.5, 0]);
  const q1 = quantizeWeight(t, [3, 2], 1);
  assert.deepEqual([...q1.scales], [...q0.scales]);
  assert.deepEqual([...q1.data], [127, 127, -64, -127, 2, 0]);
  const pt = quantizeWeight(w, [2, 3]);
  assert.deepEqual([...pt.scales], [1]);
  assert.deepEqual([...pt.data], [127, -64, 2, 0, 0, 0]);
});

test('bias: int32 with scale = input scale × weight scale, halves to even, clipped values counted', () => {
  const q = quantizeBias(Float32Array.from([0.1875, -0.09375]), 0.5, Float32Array.from([0.25, 0.125]));
  assert.deepEqual([...q.scales], [0.125, 0.0625]);
  assert.deepEqual([...q.data], [2, -2]);
  assert.equal(q.clipped, 0);
  const big = quantizeBias(Float32Array.from([1e10]), 1e-6, Float32Array.from([1e-6]));
  assert.equal(big.data[0], 2147483647);
  assert.equal(big.clipped, 1);
});
