import test from 'node:test';
import assert from 'node:assert/strict';
import { AdvisorError } from '../errors';
import type { TensorData } from '../protocol/tensor';
import type { OperatorId } from '../results';
import { outputKind, scoreOutputs } from './score';

const f32 = (dims: number[], v: ArrayLike<number>): TensorData => ({ type: 'float32', dims, data: Float32Array.from(v) });
const outputs = (entries: Array<[OperatorId, TensorData[]]>) => new Map(entries);
/** n samples of one output shape, values from f(sample, index). */
const make = (n: number, dims: number[], f: (s: number, i: number) => number) =>
  Array.from({ length: n }, (_, s) => f32(dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(s, i))));

test('output kinds: class rows (also [1, C, 1, 1]), spatial maps, and the rest', () => {
  assert.equal(outputKind([1, 10]), 'classes');
  assert.equal(outputKind([1, 1000, 1, 1]), 'classes', 'SqueezeNet-style scores');
  assert.equal(outputKind([1], 'int64'), 'classes', 'a class id');
  assert.equal(outputKind([1, 21, 64, 64]), 'map', 'segmentation logits');
  assert.equal(outputKind([1, 85, 20, 20]), 'map', 'a detection grid has the same shape');
  assert.equal(outputKind([1, 128, 768]), 'other', 'token embeddings');
});

test('class scores with labels: top-1 of each operator and its drop against Identity', () => {
  // 4 samples, 3 classes; Identity predicts sample s as class s % 3, SPTQ gets sample 3 wrong
  const identity = make(4, [1, 3], (s, i) => (i === s % 3 ? 1 : 0));
  const sptq = make(4, [1, 3], (s, i) => (i === (s === 3 ? 2 : s % 3) ? 1 : 0));
  const r = scoreOutputs(outputs([['identity', identity], ['sptq', sptq]]), { shape: [4], data: Int32Array.of(0, 1, 2, 0) }, 4);
  assert.equal(r.metric, 'top1');
  assert.equal(r.baseline, 100);
  assert.equal(r.perOperator.get('sptq')!.accuracy, 75);
  assert.equal(r.perOperator.get('sptq')!.drop, 25);
  assert.equal(r.perOperator.get('sptq')!.fidelity.top1Agreement, 75);
});

test('[1, C, 1, 1] scores are scored as classes, not as 1×1 masks', () => {
  const identity = make(3, [1, 4, 1, 1], (s, i) => (i === s ? 5 : 0));
  const r = scoreOutputs(outputs([['identity', identity]]), { shape: [3], data: Int32Array.of(0, 1, 2) }, 3);
  assert.equal(r.metric, 'top1');
  assert.equal(r.baseline, 100);
});

test('a detection grid without labels is compared by output SQNR, sample by sample', () => {
  const identity = make(4, [1, 85, 4, 4], (s, i) => Math.sin(i + s));
  // sample 0 badly off (noise ≈ signal), the others within 1%
  const sptq = make(4, [1, 85, 4, 4], (s, i) => Math.sin(i + s) * (s === 0 ? 0.1 : 1.01));
  const r = scoreOutputs(outputs([['identity', identity], ['sptq', sptq]]), undefined, 4);
  assert.equal(r.metric, 'agreement');
  assert.equal(r.perOperator.get('identity')!.accuracy, 100);
  assert.equal(r.perOperator.get('sptq')!.accuracy, 75);
  assert.ok(r.perOperator.get('sptq')!.fidelity.sqnrDb < 20);
});

test('a segmentation map with per-pixel masks is scored by mIoU', () => {
  // 2 classes on a 1×2 image: pixel 0 is class 0, pixel 1 class 1
  const identity = make(2, [1, 2, 1, 2], (_s, i) => (i === 0 || i === 3 ? 1 : 0));
  const r = scoreOutputs(outputs([['identity', identity]]), { shape: [2, 1, 2], data: Int32Array.of(0, 1, 0, 1) }, 2);
  assert.equal(r.metric, 'miou');
  assert.equal(r.baseline, 100);
});

test('labels that cannot describe the output are an input error naming the labels file and both shapes', () => {
  const grid = make(2, [1, 85, 4, 4], (s, i) => i + s);
  assert.throws(() => scoreOutputs(outputs([['identity', grid]]), { shape: [2], data: Int32Array.of(0, 1) }, 2, 'labels.npy'), (e: unknown) => {
    assert.ok(e instanceof AdvisorError);
    assert.equal(e.category, 'input');
    assert.match(e.message, /one class per sample.*\[1, 85, 4, 4\]/);
    assert.match(String(e.file), /labels\.npy/);
    return true;
  });
  const scores = make(2, [1, 10], (s, i) => i + s);
  assert.throws(() => scoreOutputs(outputs([['identity', scores]]), { shape: [2, 4, 4], data: new Int32Array(32) }, 2), /per-pixel masks \[2, 4, 4\].*\[1, 10\]/);
});

test('variable-length outputs (a detector after NMS): a sample whose size changed disagrees, SQNR uses the rest', () => {
  const identity = [f32([2, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), f32([1, 6], [1, 2, 3, 4, 5, 6])];
  const sptq = [f32([1, 6], [1, 2, 3, 4, 5, 6]), f32([1, 6], [1, 2, 3, 4, 5, 6.01])];
  const r = scoreOutputs(outputs([['identity', identity], ['sptq', sptq]]), undefined, 2);
  assert.equal(r.perOperator.get('sptq')!.accuracy, 50);
  assert.ok(r.perOperator.get('sptq')!.fidelity.sqnrDb > 40, 'from the sample that kept its size');
});

test('SQNR-based agreement says so in a note; top-class agreement needs none', () => {
  const grid = make(2, [1, 85, 4, 4], (s, i) => i + s);
  assert.match(scoreOutputs(outputs([['identity', grid]]), undefined, 2).note ?? '', /\[1, 85, 4, 4\]\) is not class scores.*within 20 dB SQNR/);
  assert.equal(scoreOutputs(outputs([['identity', make(2, [1, 10], (s, i) => i + s)]]), undefined, 2).note, undefined);
});
