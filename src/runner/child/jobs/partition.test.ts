/**
 * Partitions run for real: every cut of every fixture model, and a sample of the cuts of the
 * shared models, is extracted, written, loaded by onnxruntime and run head → tail; the result must
 * match the full model (≤ 1e-5 on float models, bit-identical on 8-bit cuts of QDQ models).
 * Also the profile job, whose per-node times must name the model's own nodes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../../../core/onnx/io';
import type { ModelProto } from '../../../core/onnx/types';
import { enumerateCuts, extractPartition, listCutsMeasured, nodeCosts, unsizedTensors, verifyCuts, type Cut } from '../../../core/partition';
import { PARTITION_FIXTURES } from '../../../core/partition/fixtures';
import type { Feeds, TensorData } from '../../../core/protocol/tensor';
import { cnn, mlp, transformer, twoInput, writeExternalDataModel } from '../../../../test/fixtures/models';
import { SAMPLE_DIR, sharedModel, skipWithoutShared, tempDir } from '../../../../test/support/shared';
import { runSptq } from '../../../core/quantize/sptq';
import { syntheticSamples } from '../../../core/data/synthetic';
import { modelInputSpecs } from '../../../core/data/inputs';
import { RunnerClient } from '../../host/client';
import { attributeKernel } from './profile';
import { compareTensors } from './verifyPartition';
import { ort } from '../ort';

const client = new RunnerClient();
after(() => client.dispose());
const dir = tempDir('edge-advisor-partition-');

/** Deterministic inputs for every graph input (symbolic dims = 1; ids in [0, 50)). */
function samples(model: ModelProto, count: number): Feeds[] {
  let s = 12345;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
  const init = new Set(model.graph!.initializer.map((t) => t.name));
  return Array.from({ length: count }, () => {
    const f: Feeds = {};
    for (const v of model.graph!.input.filter((x) => !init.has(x.name))) {
      const dims = (v.type!.tensor_type!.shape!.dim).map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : 1));
      const n = dims.reduce((a, b) => a * b, 1);
      const t: TensorData = v.type!.tensor_type!.elem_type === 7
        ? { type: 'int64', dims, data: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 50))) }
        : { type: 'float32', dims, data: Float32Array.from({ length: n }, () => rnd() * 2 - 1) };
      f[v.name!] = t;
    }
    return f;
  });
}

/** Extracts `cut`, writes head/tail beside each other and runs the check job. */
async function check(name: string, modelPath: string, model: ModelProto, cut: Cut, feeds: Feeds[], sourceDir?: string) {
  const out = path.join(dir, name, cut.id);
  const p = extractPartition(model, cut);
  const opts = sourceDir ? { sourceDir } : {};
  writeModel(p.head, path.join(out, 'head.onnx'), opts);
  writeModel(p.tail, path.join(out, 'tail.onnx'), opts);
  const r = await client.run('verifyPartition', { model: modelPath, head: path.join(out, 'head.onnx'), tail: path.join(out, 'tail.onnx'), samples: feeds });
  const what = `${name} ${cut.id} (${cut.tensors.map((t) => t.name).join(', ')})`;
  assert.equal(r.samples, feeds.length);
  assert.ok(r.outputs.length > 0, what);
  if (cut.quantized) assert.ok(r.identical, `${what}: 8-bit cut differs by ${r.maxAbsDiff}`);
  else assert.ok(r.withinTolerance, `${what}: max abs diff ${r.maxAbsDiff} on outputs up to ${Math.max(...r.outputs.map((o) => o.maxAbs))}`);
  return r;
}

const fixtures: Record<string, () => ModelProto> = { ...PARTITION_FIXTURES, cnn, mlp, transformer, twoInput };

test('outputs are compared element by element; integer outputs must be identical', () => {
  const a = new ort.Tensor('float32', Float32Array.from([1, 200, -3]), [3]);
  assert.deepEqual(compareTensors(a, new ort.Tensor('float32', Float32Array.from([1, 200.0000152587890625, -3]), [3])), { maxAbsDiff: 2 ** -16, maxAbs: 200, identical: false });
  assert.deepEqual(compareTensors(a, a), { maxAbsDiff: 0, maxAbs: 200, identical: true });
  assert.equal(compareTensors(a, new ort.Tensor('float32', Float32Array.from([1, 200]), [2])).maxAbsDiff, Infinity);
  const i = new ort.Tensor('int64', BigInt64Array.from([1n, 2n]), [2]);
  assert.deepEqual(compareTensors(i, new ort.Tensor('int64', BigInt64Array.from([1n, 3n]), [2])), { maxAbsDiff: 1, maxAbs: 2, identical: false });
});

test('every cut of every fixture model: tail(head(x)) equals the full model', async () => {
  let total = 0;
  for (const [name, make] of Object.entries(fixtures)) {
    const model = make();
    const file = path.join(dir, `${name}.onnx`);
    writeModel(model, file);
    const { cuts } = enumerateCuts(model);
    assert.ok(cuts.length >= 3, `${name} has cuts`);
    const feeds = samples(model, 2);
    for (const cut of cuts) await check(name, file, model, cut, feeds);
    total += cuts.length;
  }
  assert.ok(total > 60);
});

test('a model with external data: both parts carry their own weights file', async () => {
  const file = writeExternalDataModel(path.join(dir, 'external'));
  const loaded = readModel(file);
  const { cuts } = enumerateCuts(loaded.model);
  const cut = cuts[Math.floor(cuts.length / 2)]!;
  await check('external', file, loaded.model, cut, samples(loaded.model, 1), loaded.dir);
  for (const part of ['head', 'tail']) assert.ok(fs.existsSync(path.join(dir, 'external', cut.id, `${part}.onnx.data`)), part);
});

test('a sample of the shared models\' cuts (all of the small ones), and the study\'s BERT cut', { skip: skipWithoutShared }, async () => {
  for (const name of ['mobilenet_v2.onnx', 'tinybert_text.onnx', 'digits_teacher.onnx', 'digits_distilled.onnx', 'digits_qat.onnx']) {
    const file = sharedModel(name);
    const { model } = readModel(file);
    const { cuts } = enumerateCuts(model);
    // small models: every cut; large ones: first, middle and last
    const pick = new Set(cuts.length <= 20 ? cuts : [cuts[0]!, cuts[Math.floor(cuts.length / 2)]!, cuts[cuts.length - 1]!]);
    // the embeddings cut: hidden state + attention mask
    const emb = cuts.find((c) => c.tensors.some((t) => t.name === '/norm/Add_1_output_0') && c.tensors.length === 2);
    if (name.startsWith('tinybert')) { assert.ok(emb); pick.add(emb); }
    const q = cuts.find((c) => c.quantized);
    if (name === 'digits_qat.onnx') { assert.ok(q); pick.add(q); }
    const feeds = samples(model, 1);
    for (const cut of pick) await check(name, file, model, cut, feeds);
  }
});

test('SPTQ-Partition: the quantizer\'s model has 8-bit cuts a quarter the size, bit-identical, with a head that still fuses', async () => {
  const teacher = path.join(SAMPLE_DIR, 'digits_teacher.onnx');
  const quantPath = path.join(dir, 'digits_sptq.onnx');
  const calib = syntheticSamples(modelInputSpecs(readModel(teacher).model), 'image', 8, 5);
  await runSptq(client, teacher, quantPath, calib, { perLayer: false });
  const { model } = readModel(quantPath);
  const { cuts } = enumerateCuts(model);
  const q = cuts.filter((c) => c.quantized && c.floatTwin);
  assert.ok(q.length >= 6, `${q.length} 8-bit cuts`);
  for (const c of q) assert.equal(c.bytes! * 4, cuts.find((x) => x.id === c.floatTwin)!.bytes, c.id);
  const mid = q[Math.floor(q.length / 2)]!;
  const r = await check('digits_sptq', quantPath, model, mid, samples(model, 2));
  assert.equal(r.identical, true);
  // onnxruntime still fuses the head's last layer: the uint8 tensor it sends comes straight from a quantized kernel
  const optimized = path.join(dir, 'head_optimized.onnx');
  await client.run('optimize', { modelPath: path.join(dir, 'digits_sptq', mid.id, 'head.onnx'), outPath: optimized, level: 'extended' });
  const nodes = readModel(optimized).model.graph!.node;
  const last = nodes.find((n) => n.output.includes(mid.tensors[0]!.name))!;
  assert.match(last.op_type!, /^QLinear|^MaxPool$/, nodes.map((n) => n.op_type).join(' '));
  assert.ok(nodes.some((n) => n.op_type === 'QLinearConv'));
});

test('the profile job times every node under its own name and the whole run', async () => {
  const model = PARTITION_FIXTURES.chainCnn();
  const file = path.join(dir, 'profiled.onnx');
  writeModel(model, file);
  const r = await client.run('profile', { stage: { modelPath: file, threads: 1 }, samples: samples(model, 1), runs: 5, warmupRuns: 1 });
  assert.equal(r.runs, 5);
  assert.ok(r.totalMs > 0);
  for (const n of model.graph!.node.filter((x) => x.op_type === 'Conv' || x.op_type === 'Gemm')) {
    assert.ok((r.nodeMs[n.name!] ?? 0) > 0, `${n.name} timed`);
  }
  // nothing but the model's own nodes is reported
  assert.ok(Object.keys(r.nodeMs).every((k) => model.graph!.node.some((n) => n.name === k)));
  // what pricing does with it: per-node costs that add up to the measured run time
  const costs = nodeCosts(model.graph!, r, enumerateCuts(model).computeNodes);
  assert.ok(Math.abs(costs.reduce((a, b) => a + b, 0) - r.totalMs) < 1e-6);
});

test('profiling a QDQ model keeps the fused int8 kernels under their Conv\'s name', async () => {
  const model = PARTITION_FIXTURES.qdqCnn();
  const file = path.join(dir, 'qdq-profiled.onnx');
  writeModel(model, file);
  const r = await client.run('profile', { stage: { modelPath: file, threads: 1 }, samples: samples(model, 1), runs: 3, warmupRuns: 1 });
  assert.equal(r.level, 'extended');
  assert.ok(r.nodeMs['conv_0']! > 0 && r.nodeMs['conv_1']! > 0, JSON.stringify(r.nodeMs));
  // fused into QLinearConv: the activations' Q/DQ pairs around the Convs run no kernel of their own
  assert.ok(Object.keys(r.nodeMs).length < model.graph!.node.length / 2);
  assert.equal(r.unattributedMs, 0);
});

test('kernel names of fused and duplicated nodes map back to the model\'s nodes', () => {
  const nodes = new Set(['/enc/layers.0/self_attn/MatMul', '/f/Add', 'dq']);
  const producer = new Map([['/f/Clip_output_0', '/f/Clip']]);
  assert.equal(attributeKernel('/enc/layers.0/self_attn/MatMul/MatMulAddFusion', nodes, producer), '/enc/layers.0/self_attn/MatMul');
  assert.equal(attributeKernel('dq/duplicated', nodes, producer), 'dq');
  assert.equal(attributeKernel('/f/Add_token_7', nodes, producer), '/f/Add');
  assert.equal(attributeKernel('/f/Clip_output_0_nchwc', nodes, producer), '/f/Clip');
  assert.equal(attributeKernel('SkipLayerNormalization', nodes, producer), undefined);
});

test('tensors static inference cannot size are measured in the runner', async () => {
  const model = PARTITION_FIXTURES.tiledCnn();
  const file = path.join(dir, 'tiled.onnx');
  writeModel(model, file);
  assert.ok(unsizedTensors(enumerateCuts(model)).length > 0);
  const { listing, measured } = await listCutsMeasured(client, file, model, samples(model, 1));
  assert.deepEqual(measured.sort(), ['act', 'conv_1_out', 'tiled']);
  assert.deepEqual(unsizedTensors(listing), []);
  assert.deepEqual(listing.cuts.find((c) => c.tensors[0]!.name === 'tiled')!.tensors[0]!.shape, [1, 4, 8, 8]);
});

test('a model whose value_info lies: measured listing names each wrong shape, and every cut passes in onnxruntime', async () => {
  for (const make of [PARTITION_FIXTURES.misannotatedCnn, PARTITION_FIXTURES.computedReshape, PARTITION_FIXTURES.ifSymbolicBranches]) {
    const model = make();
    const file = path.join(dir, `${make.name}.onnx`);
    writeModel(model, file);
    const feeds = samples(model, 2);
    const { listing, shapes } = await listCutsMeasured(client, file, model, feeds.slice(0, 1));
    assert.deepEqual(unsizedTensors(listing), [], make.name);
    const checks = await verifyCuts(client, file, model, listing.cuts, feeds, { measured: shapes });
    assert.equal(checks.length, listing.cuts.length);
    for (const c of checks) assert.ok(c.ok, `${make.name} ${c.id}: ${c.error ?? c.maxAbsDiff}`);
    if (make === PARTITION_FIXTURES.misannotatedCnn) {
      assert.deepEqual(listing.wrongAnnotations.map((w) => `${w.name} ${w.from} ${w.actual.join('x')}`), [
        'conv1 measured 1x4x6x8', 'relu1 measured 1x4x6x8', 'pool1 measured 1x4x3x4', 'tiled measured 1x8x3x8',
      ]);
    } else {
      assert.deepEqual(listing.wrongAnnotations, []);
    }
  }
});

test('a cut that cannot be checked fails with the reason, and the next cut is still checked', async () => {
  const model = PARTITION_FIXTURES.chainCnn();
  const file = path.join(dir, 'unchecked.onnx');
  writeModel(model, file);
  const { cuts } = enumerateCuts(model);
  const stale = { ...cuts[0]!, tensors: [{ ...cuts[0]!.tensors[0]!, name: 'no_such_value' }] };
  const checks = await verifyCuts(client, file, model, [stale, cuts[1]!], samples(model, 1));
  assert.deepEqual(checks.map((c) => c.ok), [false, true]);
  assert.match(checks[0]!.error!, /no value "no_such_value"/);
});
