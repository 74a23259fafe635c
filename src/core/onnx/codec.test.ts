import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel, encodeModel } from './codec';
import { cnn, transformer } from '../../../test/fixtures/models';
import { tensorToArray } from './tensor';

test('decode → encode → decode gives an equal model', () => {
  for (const make of [cnn, transformer]) {
    const bytes = encodeModel(make());
    const once = decodeModel(bytes);
    const again = decodeModel(encodeModel(once));
    assert.deepEqual(again, once);
    assert.deepEqual(encodeModel(again), bytes);
  }
});

test('int64 fields come back as bigint, including values past 2^53 and negatives', () => {
  const m = cnn();
  m.graph!.initializer.push({
    name: 'big', data_type: 7, dims: [3n], int64_data: [2n ** 60n + 1n, -5n, 0n],
    float_data: [], int32_data: [], string_data: [], double_data: [], uint64_data: [], external_data: [],
  });
  const back = decodeModel(encodeModel(m));
  assert.equal(typeof back.ir_version, 'bigint');
  const t = back.graph!.initializer.find((x) => x.name === 'big')!;
  assert.deepEqual(t.int64_data, [2n ** 60n + 1n, -5n, 0n]);
  assert.deepEqual([...tensorToArray(t) as BigInt64Array], [2n ** 60n + 1n, -5n, 0n]);
});

test('raw tensor data is an aligned copy, usable as a Float32Array', () => {
  const back = decodeModel(encodeModel(cnn()));
  for (const t of back.graph!.initializer) {
    assert.equal(t.raw_data!.byteOffset, 0);
    const a = tensorToArray(t);
    assert.ok(a instanceof Float32Array);
  }
});

test('errors name the cause: empty, truncated, not protobuf, no graph', () => {
  const good = encodeModel(cnn());
  assert.throws(() => decodeModel(new Uint8Array(0), 'm.onnx'), /m\.onnx: not an ONNX model \(empty file\)/);
  assert.throws(() => decodeModel(good.slice(0, 100), 'm.onnx'), /m\.onnx: truncated at byte 100/);
  assert.throws(() => decodeModel(Uint8Array.from([0x7f, 0x00, 0x00]), "m.onnx"), /not an ONNX model \(starts with bytes 7f 00 00\)/);
  assert.throws(() => decodeModel(Uint8Array.from([0x08, 0x07]), 'm.onnx'), /not an ONNX model \(no graph\)/);
});
