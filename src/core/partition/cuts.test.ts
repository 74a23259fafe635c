/** Cut enumeration on hand-built models whose cuts can be worked out by reading the graph. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumerateCuts, unsizedTensors, type Cut } from './index';
import { bertLike, chainCnn, qdqCnn, qdqResidual, residualCnn, tiledCnn, withIf } from './fixtures';
import { readModel } from '../onnx/io';
import { hasSharedModels, sharedModel, skipWithoutShared } from '../../../test/support/shared';

const names = (c: Cut) => c.tensors.map((t) => t.name).sort();

test('a chain has one single-tensor cut after every compute node, sized by shape × dtype', () => {
  const { cuts, inputBytes, outputBytes, symbolicFixed } = enumerateCuts(chainCnn());
  // 8 compute nodes (the Clip bounds are Constants) → 7 boundaries
  assert.deepEqual(cuts.map((c) => c.id), ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
  assert.ok(cuts.every((c) => c.tensors.length === 1 && c.headNodes + c.tailNodes === 8));
  assert.deepEqual(cuts.map((c) => c.headNodes), [1, 2, 3, 4, 5, 6, 7]);
  const pool = cuts[2]!;
  assert.deepEqual(pool.tensors, [{ name: 'maxpool_0_out', dtype: 'float32', elemType: 1, shape: [1, 8, 8, 8], bytes: 8 * 8 * 8 * 4 }]);
  assert.equal(inputBytes, 3 * 16 * 16 * 4);
  assert.equal(outputBytes, 10 * 4);
  assert.equal(symbolicFixed, true, 'batch N was counted as 1');
  // the shared Clip bounds are constants: never transferred
  assert.ok(cuts.every((c) => !c.tensors.some((t) => t.name === 'clip_lo' || t.name === 'clip_hi')));
});

test('symbolic dims are resolved from sample input shapes', () => {
  const { cuts, symbolicFixed, inputBytes } = enumerateCuts(chainCnn(), { inputShapes: { x: [4, 3, 16, 16] } });
  assert.equal(symbolicFixed, false);
  assert.equal(inputBytes, 4 * 3 * 16 * 16 * 4);
  assert.equal(cuts[2]!.bytes, 4 * 8 * 8 * 8 * 4);
});

test('inside a residual block a cut carries the skip tensor too; the Add output is a single-tensor cut', () => {
  const { cuts } = enumerateCuts(residualCnn());
  const single = cuts.filter((c) => c.tensors.length === 1).map((c) => names(c)[0]);
  assert.deepEqual(single, ['conv_0_out', 'a', 'sum', 'conv_3_out']);
  const inside = cuts.filter((c) => c.tensors.length === 2);
  assert.equal(inside.length, 3);
  assert.ok(inside.every((c) => names(c).includes('a')));
  assert.equal(enumerateCuts(residualCnn(), { maxTensors: 1 }).cuts.length, 4);
});

test('a BERT-like model has the study\'s cut: hidden state plus mask bias after the embeddings', () => {
  const { cuts } = enumerateCuts(bertLike());
  const study = cuts.find((c) => names(c).join() === 'embeddings,mask_bias');
  assert.ok(study, cuts.map((c) => names(c).join('+')).join(' '));
  assert.equal(study.bytes, 8 * 16 * 4 + 8 * 4);
  // the static Shape→Gather→Unsqueeze→Concat chain is a constant: it never crosses a cut
  assert.ok(cuts.every((c) => c.tensors.every((t) => t.dtype === 'float32' || t.name === 'mask')));
  // after both layers the mask is dead and the hidden state alone crosses
  assert.ok(cuts.some((c) => names(c).join() === 'layer1'));
  assert.ok(cuts.every((c) => c.tensors.length <= 3));
});

test('on a QDQ model every Q→DQ pair gives an 8-bit cut a quarter the size of its float twin', () => {
  const { cuts } = enumerateCuts(qdqCnn());
  const q = cuts.filter((c) => c.quantized);
  assert.deepEqual(q.map((c) => names(c)[0]), ['in_q', 'act1_q', 'act2_q']);
  for (const c of q) {
    assert.equal(c.tensors[0]!.dtype, 'uint8');
    const twin = cuts.find((x) => x.id === c.floatTwin);
    assert.ok(twin, `${c.id} names its float twin`);
    assert.equal(names(twin)[0], names(c)[0]!.replace(/_q$/, '_dq'));
    assert.equal(c.bytes! * 4, twin.bytes);
    // topological order: the 8-bit cut sits right before its float twin
    assert.equal(Number(twin.id.slice(1)), Number(c.id.slice(1)) + 1);
  }
});

test('inside a QDQ residual block the skip and the branch both cross as uint8; the skip\'s DQ runs on both sides', () => {
  const { cuts } = enumerateCuts(qdqResidual());
  const both = cuts.find((c) => names(c).join() === 'a_q,c_q')!;
  assert.ok(both, cuts.map((c) => names(c).join('+')).join(' '));
  assert.equal(both.quantized, true);
  assert.equal(both.bytes, 2 * 4 * 8 * 8);
  const twin = cuts.find((c) => c.id === both.floatTwin)!;
  assert.deepEqual(names(twin), ['a_dq', 'c_dq']);
  assert.equal(twin.bytes, 4 * both.bytes!);
  // the DQ of the skip tensor is counted on both sides
  const total = cuts.find((c) => names(c).join() === 'sum_q')!;
  assert.equal(both.headNodes + both.tailNodes, total.headNodes + total.tailNodes + 1);
});

test('sizes static inference cannot tell are unknown until measured; a measurement also sizes what follows', () => {
  const before = enumerateCuts(tiledCnn());
  assert.deepEqual(unsizedTensors(before), ['tiled', 'act', 'conv_1_out']);
  assert.equal(before.cuts.find((c) => names(c)[0] === 'tiled')!.bytes, null);
  const after = enumerateCuts(tiledCnn(), { measured: { tiled: { dims: [1, 4, 8, 8], type: 'float32' } } });
  assert.deepEqual(unsizedTensors(after), []);
  assert.equal(after.cuts.find((c) => names(c)[0] === 'act')!.bytes, 4 * 8 * 8 * 4);
  assert.equal(after.cuts.find((c) => names(c)[0] === 'conv_1_out')!.bytes, 3 * 8 * 8 * 4);
});

test('values an If node reads inside its branches stay live up to it; its subgraph is never cut', () => {
  const { cuts } = enumerateCuts(withIf());
  assert.deepEqual(cuts.map((c) => names(c).join('+')), ['a', 'a+c', 'a+c+reducesum_0_out', 'a+c+cond', 'r']);
  assert.equal(enumerateCuts(withIf(), { maxTensors: 1 }).cuts.length, 2);
});

test('mobilenet_v2 has a single-tensor cut at every inverted residual block boundary', { skip: skipWithoutShared }, () => {
  if (!hasSharedModels) return;
  const { cuts } = enumerateCuts(readModel(sharedModel('mobilenet_v2.onnx')).model);
  const single = new Set(cuts.filter((c) => c.tensors.length === 1).map((c) => c.tensors[0]!.name));
  // features.1 … features.17 are the inverted residual blocks; each ends in a Conv (or an Add with the skip)
  for (let b = 1; b <= 17; b++) {
    const end = [`/features/features.${b}/Add_output_0`, `/features/features.${b}/conv/conv.2/Conv_output_0`, `/features/features.${b}/conv/conv.1/Conv_output_0`];
    assert.ok(end.some((t) => single.has(t)), `block ${b} boundary`);
  }
  const add = cuts.find((c) => c.tensors.length === 1 && c.tensors[0]!.name === '/features/features.3/Add_output_0')!;
  assert.equal(add.bytes, 24 * 56 * 56 * 4);
});

test('tinybert: the embeddings cut transfers the hidden state and the attention mask, nothing else', { skip: skipWithoutShared }, () => {
  if (!hasSharedModels) return;
  const { cuts } = enumerateCuts(readModel(sharedModel('tinybert_text.onnx')).model);
  assert.ok(cuts.length > 100);
  assert.ok(cuts.every((c) => c.bytes !== null), 'every cut size is known statically');
  const emb = cuts.find((c) => names(c).join() === '/norm/Add_1_output_0,attention_mask');
  assert.ok(emb);
  assert.equal(emb.bytes, 128 * 256 * 4 + 128 * 8);
});
