/**
 * A model's value_info is checked, never trusted: cut sizes come from inference (or measurement),
 * wrong declarations are reported, and neither part of a cut carries a wrong shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel, encodeModel } from '../onnx/codec';
import type { ModelProto, ValueInfoProto } from '../onnx/types';
import { describeWrongAnnotation, enumerateCuts, extractPartition, unsizedTensors } from './index';
import { shapeAgrees } from './annotations';
import { misannotatedCnn } from './fixtures';

const dims = (v: ValueInfoProto | undefined) => v?.type?.tensor_type?.shape?.dim.map((d) => (d.dim_value === undefined ? '?' : Number(d.dim_value)));
const tailInput = (m: ModelProto, name: string) => m.graph!.input.find((v) => v.name === name);

test('declared shapes are compared dim by dim; symbolic and -1 dims match anything, rank must match', () => {
  assert.ok(shapeAgrees(['N', 4, '?'], [2, 4, 9]));
  assert.ok(!shapeAgrees(['?', 4, 1, '?'], [1, 4, 6, 8]));
  assert.ok(!shapeAgrees([1, 4, 12], [1, 4, 3, 4]));
});

test('cut sizes come from inference, and every declaration inference contradicts is named with both shapes', () => {
  const listing = enumerateCuts(misannotatedCnn());
  const shape = (name: string) => listing.cuts.find((c) => c.tensors[0]!.name === name)!.tensors[0]!.shape;
  assert.deepEqual(shape('conv1'), [1, 4, 6, 8]);
  assert.deepEqual(shape('relu1'), [1, 4, 6, 8]);
  assert.deepEqual(shape('pool1'), [1, 4, 3, 4]);
  assert.deepEqual(listing.wrongAnnotations.map(describeWrongAnnotation), [
    'value_info of "conv1" declares [?,4,1,?], inferred [1,4,6,8]; the declaration is ignored',
    'value_info of "relu1" declares [1,4,8,6], inferred [1,4,6,8]; the declaration is ignored',
    'value_info of "pool1" declares [1,4,12], inferred [1,4,3,4]; the declaration is ignored',
  ]);
  // inference stops at Tile: its (wrong) declaration sizes nothing, so the runner measures it
  assert.equal(shape('tiled'), null);
  assert.deepEqual(unsizedTensors(listing), ['tiled', 'relu2', 'gap', 'flat']);
});

test('measured shapes check the declarations inference could not', () => {
  const listing = enumerateCuts(misannotatedCnn(), { measured: { tiled: { dims: [1, 8, 3, 8], type: 'float32' } } });
  assert.deepEqual(listing.wrongAnnotations.at(-1), { name: 'tiled', declared: [1, 8, 3, 4], actual: [1, 8, 3, 8], from: 'measured' });
  assert.equal(listing.cuts.find((c) => c.tensors[0]!.name === 'relu2')!.bytes, 8 * 3 * 8 * 4);
});

test('the parts of a cut never carry a wrong declared shape', () => {
  const model = decodeModel(encodeModel(misannotatedCnn()));
  // the tail's input is typed from inference, not from the declared [?,4,1,?]
  const c1 = extractPartition(model, 'conv1');
  assert.deepEqual(dims(tailInput(c1.tail, 'conv1')), [1, 4, 6, 8]);
  assert.deepEqual(dims(c1.head.graph!.output[0]), [1, 4, 6, 8]);
  assert.deepEqual(c1.info.wrongAnnotations!.map((w) => w.name), ['conv1', 'relu1', 'pool1']);
  // value_info that agrees (conv2) stays; wrong (pool1) and unchecked (tiled) declarations are left out
  const c3 = extractPartition(model, 'pool1');
  assert.deepEqual(c3.tail.graph!.value_info.map((v) => v.name), ['conv2']);
  assert.deepEqual(c3.head.graph!.value_info.map((v) => v.name), []);
  // behind the Tile nothing is known statically: the tail input has no shape; measured, it has the rank with unknown dims
  assert.equal(tailInput(extractPartition(model, 'tiled').tail, 'tiled')!.type!.tensor_type!.shape, undefined);
  const measured = extractPartition(model, 'tiled', { measured: { tiled: { dims: [1, 8, 3, 8], type: 'float32' } } });
  assert.deepEqual(dims(tailInput(measured.tail, 'tiled')), ['?', '?', '?', '?']);
});
