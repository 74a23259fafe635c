/** The `inspect` command end to end: real files, exit codes, one-line errors, JSON agreeing with an independent reading. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeBrokenFixtures, writeFixtures } from './fixtures/models';
import { REPO_ROOT, sharedModel, sharedOnnxFiles, skipWithoutShared, tempDir, runCli } from './support/shared';
import { wireSummary } from './support/wire';
import { ModelBuilder } from '../src/core/onnx/builder';
import { DataType } from '../src/core/onnx/dtypes';
import { writeModel } from '../src/core/onnx/io';


const cli = (...args: string[]) => runCli(args, { timeoutMs: 60_000 });

test('inspect prints a summary table of the bundled sample', () => {
  const r = cli('inspect', path.join(REPO_ROOT, 'samples/digits/digits_teacher.onnx'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /inputs\s+image: float32\[batch, 1, 32, 32\]/);
  assert.match(r.stdout, /modality\s+image/);
});

test('every broken file gets its specific one-line error and exit code 1', () => {
  for (const { file, expect } of writeBrokenFixtures(tempDir())) {
    const r = cli('inspect', file);
    assert.equal(r.code, 1, `${file}: ${r.stderr}`);
    assert.match(r.stderr, expect, file);
    assert.ok(r.stderr.includes(path.basename(file)), `names the file: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack: ${r.stderr}`);
  }
});

test('usage errors exit 2; --verbose adds the stack', () => {
  assert.equal(cli('inspect').code, 2);
  assert.equal(cli('inspect', 'a.onnx', '--bogus').code, 2);
  assert.equal(cli('frobnicate').code, 2);
  const missing = cli('inspect', '/nonexistent/model.onnx', '--verbose');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\/nonexistent\/model\.onnx: file not found/);
  assert.match(missing.stderr, /at /);
});

test('inspect --json on the fixtures reports modality and MACs', () => {
  const files = writeFixtures(tempDir());
  const get = (f: string) => JSON.parse(cli('inspect', f, '--json').stdout);
  assert.equal(get(files.cnn).modality, 'image');
  assert.equal(get(files.transformer).modality, 'text');
  assert.equal(get(files.mlp).modality, 'tabular');
  const c = get(files.cnn);
  // conv1: 32·32·16·(3·9) + conv2: 16·16·32·(16·9) + fc: 32·10
  assert.equal(c.macs, 32 * 32 * 16 * 27 + 16 * 16 * 32 * 144 + 320);
  assert.deepEqual(Object.keys(c), ['path', 'fileBytes', 'irVersion', 'producer', 'opsets', 'inputs', 'outputs', 'nodeCount',
    'opHistogram', 'initializerCount', 'parameterCount', 'weightBytes', 'macs', 'modality', 'modalityReason', 'quantization',
    'sparsity', 'externalData']);
  assert.equal(get(files.external).externalData, true);
});

test('MACs of a model with symbolic image sides are counted at 224×224 and say so', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('img', DataType.FLOAT, ['N', 3, 'H', 'W']);
  b.output(b.node('Conv', [x, b.weight('w', [8, 3, 3, 3])], { pads: [1, 1, 1, 1] }), DataType.FLOAT);
  const file = path.join(tempDir(), 'symbolic.onnx');
  writeModel(b.build(), file);
  const info = JSON.parse(cli('inspect', file, '--json').stdout);
  assert.equal(info.macs, 224 * 224 * 8 * 27);
  assert.deepEqual(info.macsInputs, { img: [1, 3, 224, 224] });
  assert.match(cli('inspect', file).stdout, /MACs\s+10\.84 M per sample at img \[1, 3, 224, 224\] \(the model's sizes are symbolic\)/);
});

test('MACs count the integer and QLinear forms of Conv and MatMul as their float op (a dynamically quantized export is not 0)', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const U8 = DataType.UINT8;
  const x = b.input('x', DataType.FLOAT, [1, 3, 32, 32]);
  const zp = b.initializer('zp', U8, [], new Uint8Array([128]));
  const sc = b.initializer('sc', DataType.FLOAT, [], new Float32Array([0.05]));
  // onnxruntime's dynamic quantization: DynamicQuantizeLinear → ConvInteger → Cast → Mul
  const [q, qs, qz] = b.nodeMulti('DynamicQuantizeLinear', [x], 3);
  const w1 = b.initializer('w1', U8, [8, 3, 3, 3], new Uint8Array(8 * 27).fill(130));
  const conv = b.node('Mul', [b.node('Cast', [b.node('ConvInteger', [q!, w1, qz!, zp], { pads: [1, 1, 1, 1] })], { to: DataType.FLOAT }), b.node('Mul', [qs!, sc])]);
  // QOperator: QLinearConv (weight at input 3), then a QLinearMatMul over the flattened result
  const cq = b.node('QuantizeLinear', [conv, sc, zp]);
  const w2 = b.initializer('w2', U8, [4, 8, 3, 3], new Uint8Array(4 * 72).fill(129));
  const c2 = b.node('QLinearConv', [cq, sc, zp, w2, sc, zp, sc, zp], { pads: [1, 1, 1, 1], strides: [2, 2] });
  const flat = b.node('Reshape', [c2, b.initializer('to', DataType.INT64, [2], BigInt64Array.of(1n, 4n * 16n * 16n))]);
  const w3 = b.initializer('w3', U8, [1024, 10], new Uint8Array(10240).fill(127));
  b.output(b.node('DequantizeLinear', [b.node('QLinearMatMul', [flat, sc, zp, w3, sc, zp, sc, zp]), sc, zp]), DataType.FLOAT);
  const file = path.join(tempDir(), 'integer.onnx');
  writeModel(b.build(), file);
  const session = await ort.InferenceSession.create(file); // a model onnxruntime runs, not just one we can read
  await session.release();
  const info = JSON.parse(cli('inspect', file, '--json').stdout);
  assert.equal(info.macs, 32 * 32 * 8 * 27 + 16 * 16 * 4 * 72 + 1024 * 10);
});

test('inspect --json agrees with an independent reading of every shared model', { skip: skipWithoutShared }, async () => {
  for (const file of sharedOnnxFiles()) {
    const info = JSON.parse(cli('inspect', file, '--json').stdout);
    const wire = wireSummary(fs.readFileSync(file));
    assert.equal(info.nodeCount, wire.nodes, file);
    assert.deepEqual(info.opHistogram, wire.ops, file);
    assert.equal(info.initializerCount, wire.initializers, file);
    assert.equal(info.parameterCount, wire.parameterElements, file);
    const s = await ort.InferenceSession.create(file);
    assert.deepEqual(info.inputs.map((i: { name: string }) => i.name), s.inputNames, file);
    assert.deepEqual(info.outputs.map((i: { name: string }) => i.name), s.outputNames, file);
    await s.release();
  }
  const modality = (f: string) => JSON.parse(cli('inspect', sharedModel(f), '--json').stdout).modality;
  assert.equal(modality('mobilenet_v2.onnx'), 'image');
  assert.equal(modality('digits_teacher.onnx'), 'image');
  assert.equal(modality('tinybert_text.onnx'), 'text');
  const qat = JSON.parse(cli('inspect', sharedModel('digits_qat.onnx'), '--json').stdout);
  assert.equal(qat.quantization.state, 'qdq');
  const pruned = JSON.parse(cli('inspect', sharedModel('digits_pruned.onnx'), '--json').stdout);
  assert.ok(pruned.sparsity > 0.55 && pruned.sparsity < 0.65, `pruned sparsity ${pruned.sparsity}`);
});
