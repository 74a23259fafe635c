import { test } from 'node:test';
import { seededRandom } from '../stats/bootstrap';
import assert from 'node:assert/strict';
import { buildCalibrationModel } from './augment';
import { addToHistogram, emptyHistogram } from './histogram';
import { entropyRange } from './entropy';
import { percentileRange } from './percentile';
import { addMinMax, addValues, computeRanges, emptyState } from './state';
import { cnnModel } from '../quantize/testdata/fixtures';

test('minmax merges batch extremes', () => {
  const s = emptyState('minmax');
  addMinMax(s, 't', -1, 2);
  addMinMax(s, 't', -0.5, 3);
  s.samples = 2;
  assert.deepEqual(computeRanges(s), { t: [-1, 3] });
  assert.throws(() => computeRanges(emptyState('minmax')), /no samples/);
});

test('the streaming histogram grows by whole bins and keeps every count', () => {
  const h = emptyHistogram();
  addToHistogram(h, [0.5, -1, 1], 8);
  assert.equal(h.threshold, 1);
  addToHistogram(h, [2.9, -0.1], 8);
  assert.equal(h.total, 5);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 5);
  assert.ok(h.threshold >= 2.9);
  // stride stays 0.25 (2/8) until maxBins forces a merge
  assert.equal((2 * h.threshold) / h.counts.length, 0.25);
  addToHistogram(h, [1000], 8, 16);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 6);
  assert.ok(h.counts.length <= 16 && h.counts.length % 2 === 0);
  assert.deepEqual([h.min, h.max], [-1, 1000]);
});

function spiky(n: number, oneSided: boolean): Float32Array {
  // a bulk in [-1, 1] (or [0, 1]) and one far outlier
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = oneSided ? (i % 1000) / 1000 : ((i % 2000) - 1000) / 1000;
  a[0] = 50;
  return a;
}

test('percentile cuts only the upper tail of a one-sided tensor and both tails of a two-sided one', () => {
  const s = emptyState('percentile');
  addValues(s, 'relu', spiky(200000, true));
  addValues(s, 'act', spiky(200000, false));
  s.samples = 1;
  const r = computeRanges(s, { percentile: 99.9 });
  assert.equal(r.relu![0], 0, 'lower end stays at the true minimum 0');
  assert.ok(r.relu![1] < 2 && r.relu![1] >= 0.99, `upper end ${r.relu![1]} drops the outlier`);
  assert.ok(r.act![0] <= -0.95 && r.act![0] > -1.1);
  assert.ok(r.act![1] < 2);
});

test('entropy picks a threshold below an isolated outlier, inside the observed range', () => {
  const h = emptyHistogram();
  addToHistogram(h, spiky(100000, true));
  const [lo, hi] = entropyRange(h);
  assert.equal(lo, 0);
  assert.ok(hi < 50 && hi >= 0.5, `threshold ${hi}`);
  const g = emptyHistogram();
  addToHistogram(g, spiky(100000, false));
  const [glo, ghi] = entropyRange(g);
  assert.ok(glo >= -50 && glo < 0 && ghi > 0 && ghi < 50);
  assert.deepEqual(percentileRange(emptyHistogram()), [0, 0]);
});

test('entropy on N(0, 1) clips where the MXNet/TensorRT reference does', () => {
  // reference: the KL search of MXNet's calibrator (numpy/scipy, offline) on this same 2048-bin
  // histogram picked ±4.342; smoothing the normalised distribution instead of the counts gave ±3.59
  const r = seededRandom(11);
  const h = emptyHistogram();
  addToHistogram(h, Float32Array.from({ length: 200000 }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())));
  const [lo, hi] = entropyRange(h);
  assert.ok(Math.abs(hi - 4.342) < 0.1, `upper threshold ${hi}`);
  assert.ok(lo <= -4.2 && lo >= h.min, `lower threshold ${lo}`);
});

test('the calibration model exposes two scalars per tensor for minmax, the tensor itself for histograms', () => {
  const m = cnnModel();
  const relu = m.graph!.node.find((n) => n.op_type === 'Relu')!.output[0]!;
  const { model, outputs } = buildCalibrationModel(m, ['image', relu], 'minmax');
  assert.deepEqual(outputs.reduced.image, ['image__calib_min', 'image__calib_max']);
  assert.deepEqual(outputs.reduced[relu], [null, `${relu}__calib_max`], 'a Relu output needs no min');
  // 4-D activations go through GlobalMaxPool (stays in onnxruntime's blocked layout); min = -max(-x);
  // the deepest tensor's nodes come first, so onnxruntime runs each right after its producer
  assert.deepEqual(model.graph!.node.slice(-8).map((n) => n.op_type), ['GlobalMaxPool', 'ReduceMax', 'GlobalMaxPool', 'ReduceMax', 'Conv', 'GlobalMaxPool', 'ReduceMax', 'Neg']);
  assert.deepEqual(model.graph!.node.slice(-8).map((n) => n.input[0]), [relu, `${relu}__calib_max_pool`, 'image', 'image__calib_max_pool', 'image', 'image__calib_min_neg', 'image__calib_min_pool', 'image__calib_min_negmax']);
  // a 2-D tensor is reduced directly (this one is ≥ 0 by construction: Flatten of pooled Relu outputs)
  const flat = buildCalibrationModel(m, [m.graph!.node.find((n) => n.op_type === 'Flatten')!.output[0]!], 'minmax');
  assert.deepEqual(flat.model.graph!.node.slice(-2).map((n) => n.op_type), ['Flatten', 'ReduceMax']);
  // what no measured tensor needs is gone: the classifier Gemm, its weights, the model's own output
  assert.ok(!flat.model.graph!.node.some((n) => n.op_type === 'Gemm'));
  assert.ok(flat.model.graph!.initializer.length < m.graph!.initializer.length);
  assert.deepEqual(flat.model.graph!.output.map((o) => o.name), [`${m.graph!.node.find((n) => n.op_type === 'Flatten')!.output[0]!}__calib_max`]);
  assert.equal(m.graph!.output.length, 1, 'the input model is not modified');
  assert.equal(m.graph!.node.filter((n) => n.op_type === 'Gemm').length, 1);
  const h = buildCalibrationModel(m, ['logits'], 'entropy');
  assert.equal(h.model.graph!.output.length, 1, 'a graph output is not exposed twice');
});
