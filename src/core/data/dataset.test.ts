import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { ModelBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { loadDataset } from './dataset';
import { modelInputSpecs, type InputSpec } from './inputs';
import { loadLabels } from './labels';
import { encodeNpy } from './npy';
import { syntheticDims, syntheticSamples } from './synthetic';

const SAMPLES = path.resolve(__dirname, '../../../samples/digits');
const image: InputSpec = { name: 'image', type: 'float32', shape: ['batch', 1, 32, 32] };
const isInput = (re: RegExp) => (e: unknown) => e instanceof AdvisorError && e.category === 'input' && re.test(e.message);

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-'));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a .npy with a sample axis becomes batch-1 samples with their own buffers', () => {
  const ds = loadDataset(path.join(SAMPLES, 'digits_test_x.npy'), [image], { limit: 5 });
  assert.equal(ds.samples.length, 5);
  const s = ds.samples[1]!.image!;
  assert.deepEqual(s.dims, [1, 1, 32, 32]);
  assert.equal(s.data.length, 1024);
  // each sample owns its buffer, so sending it to the runner copies 4 KB, not the whole file
  assert.equal(s.data.buffer.byteLength, 4096);
  assert.deepEqual(ds.payloadBytes, [4096, 4096, 4096, 4096, 4096]);
});

test('a folder of per-sample files uses the file sizes as payload', () => {
  const d = tmp();
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(d, `s${i + 8}.npy`), encodeNpy({ type: 'float64', shape: [1, 32, 32], data: new Float64Array(1024).fill(i) }));
  }
  const ds = loadDataset(d, [image]);
  assert.equal(ds.samples.length, 3);
  // natural order: s8, s9, s10; float64 converted to the model's float32
  assert.deepEqual(ds.samples.map((s) => s.image!.data[0]), [0, 1, 2]);
  assert.equal(ds.samples[0]!.image!.type, 'float32');
  assert.deepEqual(ds.samples[0]!.image!.dims, [1, 1, 32, 32]);
  assert.equal(ds.payloadBytes[0], fs.statSync(path.join(d, 's8.npy')).size);
});

test('multi-input models take one file per input name', () => {
  const d = tmp();
  const inputs: InputSpec[] = [
    { name: 'input_ids', type: 'int64', shape: [1, 4] },
    { name: 'attention_mask', type: 'int64', shape: [1, 4] },
  ];
  fs.writeFileSync(path.join(d, 'input_ids.npy'), encodeNpy({ type: 'int32', shape: [2, 4], data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }));
  fs.writeFileSync(path.join(d, 'attention_mask.npy'), encodeNpy({ type: 'int64', shape: [2, 4], data: new BigInt64Array(8).fill(1n) }));
  const ds = loadDataset(d, inputs);
  assert.equal(ds.samples.length, 2);
  assert.deepEqual(Array.from(ds.samples[1]!.input_ids!.data as BigInt64Array), [5n, 6n, 7n, 8n]);
  assert.equal(ds.payloadBytes[0], 64);
  fs.rmSync(path.join(d, 'attention_mask.npy'));
  assert.throws(() => loadDataset(d, inputs), isInput(/no data for model input "attention_mask"/));
  assert.throws(() => loadDataset(path.join(d, 'input_ids.npy'), inputs), isInput(/has 2 inputs/));
});

test('shape and type mismatches name the file and the input', () => {
  const d = tmp();
  const f = path.join(d, 'wrong.npy');
  fs.writeFileSync(f, encodeNpy({ type: 'float32', shape: [2, 1, 28, 28], data: new Float32Array(2 * 784) }));
  assert.throws(() => loadDataset(f, [image]), isInput(/wrong\.npy: input "image" needs \[batch, 1, 32, 32\].*dimension 2 is 28, expected 32/));
  fs.writeFileSync(f, encodeNpy({ type: 'uint8', shape: [2, 1, 32, 32], data: new Uint8Array(2048) }));
  assert.throws(() => loadDataset(f, [image]), isInput(/wrong\.npy: input "image" takes float32, the file holds uint8/));
  fs.writeFileSync(f, encodeNpy({ type: 'float32', shape: [1024], data: new Float32Array(1024) }));
  assert.throws(() => loadDataset(f, [image]), isInput(/does not fit input "image"/));
  assert.throws(() => loadDataset(path.join(d, 'none.npy'), [image]), isInput(/none\.npy: data file or folder not found/));
});

test('labels load from .npy and .json, and their count must match', () => {
  const y = loadLabels(path.join(SAMPLES, 'digits_test_y.npy'), 450);
  assert.deepEqual(y.shape, [450]);
  assert.ok(y.data.every((v) => v >= 0 && v <= 9));
  const d = tmp();
  const j = path.join(d, 'labels.json');
  fs.writeFileSync(j, JSON.stringify([[[0, 1], [1, 1]], [[2, 2], [0, 0]]]));
  const masks = loadLabels(j, 2);
  assert.deepEqual(masks.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(masks.data), [0, 1, 1, 1, 2, 2, 0, 0]);
  assert.throws(() => loadLabels(j, 3), isInput(/labels\.json: has 2 labels for 3 samples/));
  fs.writeFileSync(j, JSON.stringify([0, 'cat']));
  assert.throws(() => loadLabels(j), isInput(/label 1 is "cat"/));
});

test('synthetic inputs follow the model\'s inputs: batch 1, token ids, all-ones masks', () => {
  const b = new ModelBuilder();
  b.input('input_ids', DataType.INT64, ['batch', 'seq']);
  b.input('attention_mask', DataType.INT64, ['batch', 'seq']);
  b.input('pixels', DataType.FLOAT, [1, 3, 'h', 'w']);
  const w = b.initializer('w', DataType.FLOAT, [1], new Float32Array(1));
  b.graph.input.push({ name: w });
  b.output(b.node('Identity', ['pixels']), DataType.FLOAT);
  const inputs = modelInputSpecs(b.build());
  assert.deepEqual(inputs.map((i) => i.name), ['input_ids', 'attention_mask', 'pixels'], 'initializers listed as inputs are not inputs');
  const [s] = syntheticSamples(inputs, 'image', 1);
  assert.deepEqual(s!.input_ids!.dims, [1, 128]);
  assert.ok((s!.attention_mask!.data as BigInt64Array).every((v) => v === 1n));
  assert.ok((s!.input_ids!.data as BigInt64Array).every((v) => v >= 1n && v < 1000n));
  assert.deepEqual(s!.pixels!.dims, [1, 3, 224, 224]);
  assert.deepEqual(syntheticSamples(inputs, 'image', 1)[0]!.pixels!.data.slice(0, 4), s!.pixels!.data.slice(0, 4), 'deterministic');
});

test('synthetic images keep the layout: symbolic N×H×W×3 (a TensorFlow export) gets 224×224, not H = 3', () => {
  const nhwc: InputSpec = { name: 'input_1', type: 'float32', shape: ['unk__0', 'unk__1', 'unk__2', 3] };
  assert.deepEqual(syntheticDims(nhwc, 'image'), [1, 224, 224, 3]);
  assert.deepEqual(syntheticDims({ ...image, shape: ['N', 3, 'H', 'W'] }, 'image'), [1, 3, 224, 224]);
});

test('an input with no declared shape: real samples are taken as they are, synthetic ones are refused with the way out', () => {
  const b = new ModelBuilder();
  b.output(b.node('Relu', [b.input('x', DataType.FLOAT, [1, 3, 4, 4])]), DataType.FLOAT);
  const m = b.build();
  delete m.graph!.input[0]!.type!.tensor_type!.shape;
  const [spec] = modelInputSpecs(m);
  assert.equal(spec!.unknownRank, true);
  assert.throws(() => syntheticSamples([spec!], 'image', 1), isInput(/input "x" declares no shape .* give real samples \(--data/));
  const d = tmp();
  const file = path.join(d, 'x.npy');
  fs.writeFileSync(file, encodeNpy({ type: 'float32', shape: [5, 3, 4, 4], data: new Float32Array(240) }));
  const ds = loadDataset(file, [spec!]);
  assert.equal(ds.samples.length, 5);
  assert.deepEqual(ds.samples[0]!.x!.dims, [1, 3, 4, 4], 'the leading axis counts samples; each gets batch 1');
});

test('synthetic token ids stay inside the embedding table the model gathers from, even through a Cast', () => {
  const b = new ModelBuilder();
  const ids = b.input('input_ids', DataType.INT64, ['batch', 16]);
  const table = b.weight('emb', [50, 8]);
  b.output(b.node('Gather', [table, b.node('Cast', [ids], { to: DataType.INT32 })]), DataType.FLOAT);
  const [spec] = modelInputSpecs(b.build());
  assert.equal(spec!.idBound, 50);
  const data = syntheticSamples([spec!], 'text', 4).flatMap((s) => Array.from(s.input_ids!.data as BigInt64Array));
  assert.ok(data.every((v) => v >= 1n && v < 50n), 'every id indexes a row');
  assert.ok(new Set(data).size > 20, 'ids still spread over the table');
});
