import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TensorData } from '../protocol/tensor';
import { accuracyDrop, binaryF1, classPredictions, topClass, maskPrediction, meanIoU, sqnrDb, top1Accuracy, top1Agreement } from '.';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);
const f32 = (dims: number[], v: number[]): TensorData => ({ type: 'float32', dims, data: Float32Array.from(v) });

test('top-1 accuracy and agreement count equal classes', () => {
  close(top1Accuracy([0, 1, 2, 3], [0, 1, 1, 3]), 75);
  close(top1Agreement([5, 5, 5, 5], [5, 5, 5, 5]), 100);
  // on a subset of indexes (what the bootstrap passes)
  close(top1Accuracy([0, 1, 2, 3], [0, 1, 1, 3], [2, 2, 3]), 100 / 3);
});

test('binary F1 of the positive class', () => {
  // tp 2, fp 1, fn 1 → 2·2 / (2·2 + 1 + 1) = 2/3
  close(binaryF1([1, 1, 0, 0, 1], [1, 0, 0, 1, 1]), 200 / 3);
  close(binaryF1([0, 0], [1, 1]), 0);
});

test('mean IoU over the classes present', () => {
  // class 0: ∩ 1, ∪ 2; class 1: ∩ 2, ∪ 3 → (1/2 + 2/3) / 2
  close(meanIoU([[0, 0, 1, 1]], [[0, 1, 1, 1]], 2), (100 * (0.5 + 2 / 3)) / 2);
  // class 2 absent everywhere is left out; ignored pixels are skipped
  close(meanIoU([[0, 1, 9]], [[0, 1, 255]], 3, { ignoreIndex: 255 }), 100);
});

test('SQNR is signal power over error power in dB', () => {
  close(sqnrDb([1, 1, 1, 1], [1, 1, 1, 0]), 10 * Math.log10(4));
  assert.equal(sqnrDb([1, 2], [1, 2]), Infinity);
});

test('predictions: argmax of score rows, thresholds for single scores, per-pixel masks', () => {
  assert.deepEqual(Array.from(classPredictions([f32([1, 3], [0.1, 0.7, 0.2]), f32([1, 3], [3, -1, 2])])), [1, 0]);
  assert.deepEqual(Array.from(classPredictions([f32([1, 1], [0.7]), f32([1, 1], [0.2])])), [1, 0], 'probabilities: > 0.5');
  assert.deepEqual(Array.from(classPredictions([f32([1], [2.5]), f32([1], [-0.3])])), [1, 0], 'logits: > 0');
  // SqueezeNet-style [1, C, 1, 1] scores: the class axis is the one that is not 1
  assert.deepEqual(Array.from(classPredictions([f32([1, 3, 1, 1], [0.1, 0.2, 0.7])])), [2]);
  // an integer output with one value per sample is the class id itself (e.g. an ArgMax head)
  const id = (v: number): TensorData => ({ type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(v)) });
  assert.deepEqual(Array.from(classPredictions([id(7), id(0)])), [7, 0]);
  // one sample at a time (what the runner's SPTQ fidelity job streams): no class for a detection grid
  assert.equal(topClass(f32([1, 3, 1, 1], [0.1, 0.9, 0.2])), 1);
  assert.equal(topClass(f32([1, 2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7])), undefined);
  assert.equal(topClass(f32([1], [0.7])), 1, 'a score in [0, 1] reads as a probability');
  // [1, 2 classes, 1, 3 pixels]
  assert.deepEqual(Array.from(maskPrediction(f32([1, 2, 1, 3], [0.9, 0.1, 0.5, 0.1, 0.9, 0.6]))), [0, 1, 1]);
});

test('the accuracy drop comes with a paired bootstrap CI', () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 10);
  const base = labels.slice();
  const cand = labels.map((l, i) => (i % 10 === 0 ? (l + 1) % 10 : l)); // 5 of 50 wrong
  const d = accuracyDrop(50, (idx) => top1Accuracy(base, labels, idx), (idx) => top1Accuracy(cand, labels, idx), { seed: 1, resamples: 1000 });
  close(d.baseline, 100);
  close(d.candidate, 90);
  close(d.drop, 10);
  assert.ok(d.ci[0] > 0 && d.ci[0] <= 10 && d.ci[1] >= 10 && d.ci[1] < 25, `${d.ci}`);
  const same = accuracyDrop(50, (idx) => top1Accuracy(base, labels, idx), (idx) => top1Accuracy(base, labels, idx));
  assert.deepEqual(same.ci, [0, 0]);
});
