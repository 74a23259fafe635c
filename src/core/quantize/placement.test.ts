import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode } from '../onnx/builder';
import type { GraphProto, NodeProto } from '../onnx/types';
import type { KernelProfileResult } from './jobs';
import { kernelCovers, neighbours, regionTimes, slowerRegions } from './placement';

const graph = (nodes: NodeProto[], inputs = ['x']): GraphProto => ({ name: 'g', node: nodes, initializer: [], sparse_initializer: [], input: inputs.map((name) => ({ name })), output: [], value_info: [] });

// the source: stem conv → relu → maxpool → conv_1 (+ relu_1 folded into it) → conv_2
const source = graph([
  makeNode('Conv', ['x', 'w0'], ['c0'], {}, 'conv_0'),
  makeNode('Relu', ['c0'], ['r0'], {}, 'relu_0'),
  makeNode('MaxPool', ['r0'], ['p0'], {}, 'maxpool_0'),
  makeNode('Conv', ['p0', 'w1'], ['c1'], {}, 'conv_1'),
  makeNode('Relu', ['c1'], ['r1'], {}, 'relu_1'),
  makeNode('Conv', ['r1', 'w2'], ['c2'], {}, 'conv_2'),
]);
const groups = new Map([['relu_1', 'conv_1']]);

// what onnxruntime runs in float: NCHWc convs fused with their Relu, named after the value they write
const floatOpt = graph([
  makeNode('ReorderInput', ['x'], ['t0'], {}, 'ReorderInput'),
  makeNode('Conv', ['t0'], ['t1'], {}, 'r0_nchwc'),
  makeNode('MaxPool', ['t1'], ['t2'], {}, 'p0_nchwc'),
  makeNode('Conv', ['t2'], ['t3'], {}, 'r1_nchwc'),
  makeNode('Conv', ['t3'], ['t4'], {}, 'c2_nchwc'),
]);
// and in int8: the float stem, a QuantizeLinear that onnxruntime moved above the MaxPool, a uint8 MaxPool
const int8Opt = graph([
  makeNode('Conv', ['x'], ['u0'], {}, 'r0_nchwc'),
  makeNode('ReorderOutput', ['u0'], ['u1'], {}, 'ReorderOutput'),
  makeNode('QuantizeLinear', ['u1'], ['u2'], {}, 'r0_q'),
  makeNode('MaxPool', ['u2'], ['u3'], {}, 'maxpool_0'),
  makeNode('Transpose', ['u3'], ['u4'], {}, 'Transpose'),
  makeNode('QLinearConv', ['u4'], ['u5'], {}, 'conv_1_token_5'),
  makeNode('QLinearConv', ['u5'], ['u6'], {}, 'conv_2_token_9'),
  makeNode('DequantizeLinear', ['u6'], ['y'], {}, 'c2_dq'),
]);

/** `runs` runs, kernel k taking ms[k] (+ a little run-to-run jitter). */
function profile(kernels: Array<[string, string, number]>, runs = 12): KernelProfileResult {
  return {
    kernels: kernels.map(([name, op]) => ({ name, op })),
    ms: Array.from({ length: runs }, (_, r) => kernels.map(([, , ms]) => ms * (1 + 0.01 * ((r * 7) % 5)))),
    runMs: Array.from({ length: runs }, () => kernels.reduce((a, k) => a + k[2], 0)),
  };
}

test('fused kernels map back to the source nodes they compute; layout and Q/DQ kernels compute none', () => {
  const f = kernelCovers(floatOpt, source, groups);
  assert.deepEqual(f.get('r0_nchwc')!.sort(), ['conv_0', 'relu_0']);
  assert.deepEqual(f.get('p0_nchwc'), ['maxpool_0']);
  assert.deepEqual(f.get('r1_nchwc'), ['conv_1']);
  assert.deepEqual(f.get('ReorderInput'), []);
  const q = kernelCovers(int8Opt, source, groups);
  assert.deepEqual(q.get('maxpool_0'), ['maxpool_0']);
  assert.deepEqual(q.get('conv_1_token_5'), ['conv_1']);
  assert.deepEqual(q.get('r0_q'), []);
});

test('a float region onnxruntime slowed down (a uint8 MaxPool after a moved QuantizeLinear) returns the quantized Conv that reads it to float', () => {
  const fp = profile([['ReorderInput', 'ReorderInput', 0.02], ['r0_nchwc', 'Conv', 0.3], ['p0_nchwc', 'MaxPool', 0.1], ['r1_nchwc', 'Conv', 0.2], ['c2_nchwc', 'Conv', 0.3]]);
  const qp = profile([['r0_nchwc', 'Conv', 0.3], ['ReorderOutput', 'ReorderOutput', 1.4], ['r0_q', 'QuantizeLinear', 0.3], ['maxpool_0', 'MaxPool', 6.3],
    ['Transpose', 'Transpose', 0.03], ['conv_1_token_5', 'QLinearConv', 0.08], ['conv_2_token_9', 'QLinearConv', 0.1], ['c2_dq', 'DequantizeLinear', 0.01]]);
  const regions = regionTimes(fp, kernelCovers(floatOpt, source, groups), qp, kernelCovers(int8Opt, source, groups));
  const quantized = new Map([['conv_1', 'Conv'], ['conv_2', 'Conv']]);
  const d = slowerRegions(regions, quantized, neighbours(source, groups));
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.nodes, ['conv_1']);
  assert.ok(d[0]!.region.includes('maxpool_0'));
  assert.ok(d[0]!.int8Ms > 8 && d[0]!.floatMs < 0.5, JSON.stringify(d[0]));
  // the int8 convs themselves are faster: no decision for them
  assert.ok(!d.some((x) => x.nodes.includes('conv_2')));
});

test('a region whose difference is within the noise or below the thresholds stays int8', () => {
  const fp = profile([['r0_nchwc', 'Conv', 0.3], ['p0_nchwc', 'MaxPool', 0.1], ['r1_nchwc', 'Conv', 0.2], ['c2_nchwc', 'Conv', 0.3]]);
  const qp = profile([['r0_nchwc', 'Conv', 0.3], ['maxpool_0', 'MaxPool', 0.1], ['conv_1_token_5', 'QLinearConv', 0.205], ['conv_2_token_9', 'QLinearConv', 0.1]]);
  const regions = regionTimes(fp, kernelCovers(floatOpt, source, groups), qp, kernelCovers(int8Opt, source, groups));
  assert.deepEqual(slowerRegions(regions, new Map([['conv_1', 'Conv'], ['conv_2', 'Conv']]), neighbours(source, groups)), []);
});
