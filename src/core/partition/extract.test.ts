/** Head/tail extraction: what each part contains, checked by reading the protos back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel, encodeModel } from '../onnx/codec';
import { validateGraph } from '../graph/graph';
import { enumerateCuts, extractPartition } from './index';
import { bertLike, chainCnn, qdqCnn } from './fixtures';

const roundTrip = (m: ReturnType<typeof chainCnn>) => decodeModel(encodeModel(m));

test('head and tail keep only the nodes and initializers they use, and the original IR and opsets', () => {
  const model = chainCnn();
  const { head, tail, info } = extractPartition(roundTrip(model), 'maxpool_0_out', { source: 'chain.onnx' });
  for (const part of [head, tail]) {
    assert.equal(part.ir_version, model.ir_version);
    assert.deepEqual(part.opset_import, model.opset_import);
    validateGraph(roundTrip(part).graph!);
  }
  const ops = (m: typeof head) => m.graph!.node.map((n) => n.op_type);
  assert.deepEqual(ops(head), ['Constant', 'Constant', 'Conv', 'Clip', 'MaxPool']);
  // the Clip bounds are duplicated into the tail, not transferred
  assert.deepEqual(ops(tail), ['Constant', 'Constant', 'Conv', 'Clip', 'GlobalAveragePool', 'Flatten', 'Gemm']);
  assert.deepEqual(head.graph!.initializer.map((t) => t.name), ['w_0', 'b_0']);
  assert.deepEqual(tail.graph!.initializer.map((t) => t.name), ['w_1', 'b_1', 'fc_0', 'fcb_0']);
  assert.deepEqual(head.graph!.input.map((v) => v.name), ['x']);
  assert.deepEqual(head.graph!.output.map((v) => v.name), ['maxpool_0_out']);
  // the tail's new input is typed: element type always, shape with the batch dim left unknown
  const input = tail.graph!.input[0]!;
  assert.equal(input.name, 'maxpool_0_out');
  assert.equal(input.type?.tensor_type?.elem_type, 1);
  assert.deepEqual(input.type?.tensor_type?.shape?.dim.map((d) => d.dim_value), [undefined, 8n, 8n, 8n]);
  assert.deepEqual(tail.graph!.output.map((v) => v.name), ['y']);
  assert.deepEqual(info.head, { file: 'head.onnx', inputs: ['x'], outputs: ['maxpool_0_out'], nodes: 5 });
  assert.equal(info.cut.headNodes, 3);
  assert.equal(info.cut.tailNodes, 5);
  assert.equal(info.source, 'chain.onnx');
});

test('a cut can be named by its listed id; the id and the tensor names give the same parts', () => {
  const model = chainCnn();
  const c3 = enumerateCuts(model).cuts[2]!;
  const byId = extractPartition(model, 'c3');
  const byName = extractPartition(model, c3.tensors.map((t) => t.name));
  assert.equal(byId.info.cut.id, 'c3');
  assert.deepEqual(encodeModel(byId.head), encodeModel(byName.head));
  assert.deepEqual(encodeModel(byId.tail), encodeModel(byName.tail));
});

test('static Shape outputs become initializers, so the tail never needs the head\'s activations for them', () => {
  const { tail, info } = extractPartition(bertLike(), ['layer1']);
  assert.deepEqual(info.foldedShapes, ['shape_0_out']);
  const folded = tail.graph!.initializer.find((t) => t.name === 'shape_0_out')!;
  assert.deepEqual(folded.dims, [3n]);
  assert.ok(!tail.graph!.node.some((n) => n.op_type === 'Shape'));
  assert.deepEqual(tail.graph!.input.map((v) => v.name), ['layer1']);
});

test('the 8-bit cut of a QDQ model hands the tail a uint8 input that its DequantizeLinear reads', () => {
  const { head, tail, info } = extractPartition(qdqCnn(), 'act1_q');
  assert.equal(info.cut.quantized, true);
  assert.equal(head.graph!.node.at(-1)!.op_type, 'QuantizeLinear');
  assert.equal(tail.graph!.input[0]!.type?.tensor_type?.elem_type, 2);
  assert.equal(tail.graph!.node.find((n) => n.input[0] === 'act1_q')!.op_type, 'DequantizeLinear');
  // scale and zero point are needed on both sides: duplicated
  for (const part of [head, tail]) assert.ok(part.graph!.initializer.some((t) => t.name === 'act1_scale_0'));
});

test('tensor sets that are not cuts are refused with the reason', () => {
  assert.throws(() => extractPartition(chainCnn(), 'c99'), /no cut "c99"/);
  assert.throws(() => extractPartition(chainCnn(), 'nope'), /no value "nope"/);
  assert.throws(() => extractPartition(chainCnn(), 'w_0'), /constant/);
  // in the BERT-like model the hidden state alone is not enough: the layers also read the mask
  assert.throws(() => extractPartition(bertLike(), 'embeddings'), /tail would also need "mask"/);
});

test('an IR 3 model keeps its initializers declared as graph inputs in both parts', () => {
  const old = { ...chainCnn(), ir_version: 3n };
  const { head, tail } = extractPartition(old, 'maxpool_0_out');
  assert.deepEqual(head.graph!.input.map((v) => v.name), ['x', 'w_0', 'b_0']);
  assert.deepEqual(tail.graph!.input.map((v) => v.name), ['maxpool_0_out', 'w_1', 'b_1', 'fc_0', 'fcb_0']);
  assert.deepEqual(tail.graph!.input[1]!.type?.tensor_type?.shape?.dim.map((d) => d.dim_value), [16n, 8n, 3n, 3n]);
});
