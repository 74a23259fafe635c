import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexGraph, topologicalOrder, validateGraph } from './graph';
import { cnn } from '../../../test/fixtures/models';
import { makeNode } from '../onnx/builder';

test('producers, consumers and a topological order of the CNN', () => {
  const g = cnn().graph!;
  const idx = validateGraph(g);
  const order = topologicalOrder(idx);
  assert.equal(order.length, g.node.length);
  const pos = new Map(order.map((n, i) => [n, i]));
  g.node.forEach((n, i) => {
    for (const v of n.input) {
      const p = idx.producer.get(v);
      if (p !== undefined) assert.ok(pos.get(p)! < pos.get(i)!, `${v} produced before use`);
    }
  });
  assert.deepEqual(idx.consumers.get('image'), [0]);
  assert.equal(idx.inputs.length, 1);
});

test('validation names the node and the value', () => {
  const dup = cnn().graph!;
  dup.node[1]!.output = [dup.node[0]!.output[0]!];
  assert.throws(() => validateGraph(dup, 'x.onnx'), /x\.onnx: value "conv_0_out" is defined twice \(again by node "batchnormalization_0"/);

  const missing = cnn().graph!;
  missing.node[2]!.input = ['nowhere'];
  assert.throws(() => validateGraph(missing), /node "relu_0" \(Relu\) reads "nowhere", which nothing defines/);

  const cyclic = cnn().graph!;
  cyclic.node[0]!.input[0] = cyclic.node[2]!.output[0]!;
  assert.throws(() => validateGraph(cyclic), /graph has a cycle/);

  const names = cnn().graph!;
  names.node[1]!.name = names.node[0]!.name!;
  assert.throws(() => validateGraph(names), /duplicate node name "conv_0"/);
});

test('values read inside subgraphs count as consumers of the If node', () => {
  const g = cnn().graph!;
  const then = { name: 't', node: [makeNode('Identity', ['logits'], ['t_out'])], initializer: [], sparse_initializer: [], input: [], output: [{ name: 't_out' }], value_info: [] };
  g.node.push(makeNode('If', ['cond'], ['if_out'], { then_branch: then, else_branch: then }, 'if0'));
  g.input.push({ name: 'cond' });
  const idx = indexGraph(g);
  assert.ok(idx.consumers.get('logits')!.includes(g.node.length - 1));
});

test('a wide graph sorts in file order where dependencies allow', () => {
  // 2000 independent nodes, all feeding a Sum listed first
  const g = cnn().graph!;
  const outs: string[] = [];
  for (let i = 0; i < 2000; i++) { g.node.push(makeNode('Identity', ['image'], [`w${i}`], {}, `w${i}`)); outs.push(`w${i}`); }
  g.node.unshift(makeNode('Sum', outs, ['total'], {}, 'sum'));
  const order = topologicalOrder(indexGraph(g));
  assert.equal(order.length, g.node.length);
  // the Sum (index 0) must wait for all 2000 inputs; everything else keeps its relative order
  assert.equal(order[order.length - 1], 0);
  const rest = order.slice(0, -1);
  assert.deepEqual(rest, [...rest].sort((a, b) => a - b));
});
