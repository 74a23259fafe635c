/**
 * SPTQ through the real runner: fixture models are calibrated and quantized, onnxruntime fuses
 * them into integer kernels, and the int8 outputs stay close to float. Also checks our
 * QuantizeLinear arithmetic against onnxruntime's own kernel (an independent oracle).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../src/core/onnx/codec';
import { ModelBuilder } from '../src/core/onnx/builder';
import { DataType } from '../src/core/onnx/dtypes';
import { readModel, writeModel } from '../src/core/onnx/io';
import type { Feeds } from '../src/core/protocol/tensor';
import { quantizeValues } from '../src/core/quantize/params';
import { calibrate, runSptq } from '../src/core/quantize/sptq';
import { calibrationPlan } from '../src/core/quantize/quantize';
import { cnnModel, transformerModel } from '../src/core/quantize/testdata/fixtures';
import { AdvisorError } from '../src/core/errors';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('sptq-test-');

function samples(n: number, name: string, dims: number[], seed: number): Feeds[] {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
  const size = dims.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => ({ [name]: { type: 'float32' as const, dims, data: Float32Array.from({ length: size }, () => rnd() * 2 - 1) } }));
}

test('a quantized CNN runs as integer kernels in onnxruntime and stays close to float', async () => {
  const file = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), file);
  const out = path.join(dir, 'cnn.sptq.onnx');
  const r = await runSptq(runner, file, out, samples(16, 'image', [1, 5, 16, 16], 1), { fidelitySamples: samples(8, 'image', [1, 5, 16, 16], 2) });
  assert.equal(r.calibrationSamples, 16);
  assert.deepEqual(r.fusion.kernels, { QLinearConv: 2, QLinearAdd: 1, QLinearGlobalAveragePool: 1, QGemm: 1 });
  assert.equal(r.fusion.share, 1);
  assert.deepEqual(r.fusion.qdqAroundFloat, {});
  assert.ok(r.fidelity!.sqnrDb > 25, `output SQNR ${r.fidelity!.sqnrDb} dB`);
  assert.ok(r.fidelity!.top1Agreement >= 0.75);
  assert.equal(r.fidelity!.layers.length, r.report.tensors.length);
  assert.ok(r.fidelity!.layers.every((l) => l.sqnrDb > 20), JSON.stringify(r.fidelity!.layers));
  assert.equal(readModel(out).model.metadata_props.find((p) => p.key === 'edge-advisor.sptq')?.value?.includes('minmax'), true);
});

test('per-layer SQNR can be taken over the first few fidelity samples: same layers, the output still compared on all', async () => {
  const file = path.join(dir, 'cnn-layers.onnx');
  writeModel(cnnModel(), file);
  const calib = samples(16, 'image', [1, 5, 16, 16], 1);
  const held = samples(8, 'image', [1, 5, 16, 16], 2);
  const all = await runSptq(runner, file, path.join(dir, 'all.sptq.onnx'), calib, { fidelitySamples: held, accuracy: false });
  const few = await runSptq(runner, file, path.join(dir, 'few.sptq.onnx'), calib, { fidelitySamples: held, accuracy: false, layerSamples: 2 });
  assert.equal(few.fidelity!.samples, 8);
  assert.equal(few.fidelity!.layerSamples, 2);
  assert.equal(all.fidelity!.layerSamples, undefined);
  assert.equal(few.fidelity!.sqnrDb, all.fidelity!.sqnrDb, 'the same model, the output over the same 8 samples');
  assert.deepEqual(few.fidelity!.layers.map((l) => l.tensor), all.fidelity!.layers.map((l) => l.tensor));
  // over 2 samples instead of 8: close, not equal
  for (const [i, l] of few.fidelity!.layers.entries()) assert.ok(Math.abs(l.sqnrDb - all.fidelity!.layers[i]!.sqnrDb) < 3, `${l.tensor}: ${l.sqnrDb} vs ${all.fidelity!.layers[i]!.sqnrDb} dB`);
  assert.notDeepEqual(few.fidelity!.layers, all.fidelity!.layers);
});

test('minmax calibration (reduced in the graph) finds exactly the extremes the histogram path sees in the raw tensors', async () => {
  const file = path.join(dir, 'cnn-calib.onnx');
  writeModel(cnnModel(), file);
  const plan = calibrationPlan(readModel(file).model);
  const data = samples(4, 'image', [1, 5, 16, 16], 9);
  const reduced = await calibrate(runner, file, plan.model, plan.tensors, data, { method: 'minmax' }, dir);
  const raw = await calibrate(runner, file, plan.model, plan.tensors, data, { method: 'entropy' }, dir);
  for (const t of plan.tensors) {
    const [lo, hi] = raw.state.minmax[t]!;
    const [rlo, rhi] = reduced.state.minmax[t]!;
    assert.equal(rhi, hi, `max of ${t}`);
    // a tensor that cannot go negative reports min 0: the quantization range includes 0 anyway
    assert.equal(Math.min(rlo, 0), Math.min(lo, 0), `min of ${t}`);
  }
});

test('batched calibration (samples stacked along axis 0) finds exactly the ranges of one sample at a time', async () => {
  const file = path.join(dir, 'cnn-batch.onnx');
  writeModel(cnnModel(), file);
  const plan = calibrationPlan(readModel(file).model);
  const data = samples(11, 'image', [1, 5, 16, 16], 21); // 11: the last batch is a partial one
  const one = await calibrate(runner, file, plan.model, plan.tensors, data, { calibrationBatch: 1 }, dir);
  const auto = await calibrate(runner, file, plan.model, plan.tensors, data, { chunkSize: 6 }, dir);
  assert.equal(one.batch.batch, 1);
  assert.ok(auto.batch.batch > 1, `batch ${JSON.stringify(auto.batch)}`);
  assert.equal(auto.state.samples, 11);
  assert.deepEqual(auto.state.minmax, one.state.minmax);
});

test('a model that cannot take a batch is calibrated one sample at a time, decided up front or after a failed run', async () => {
  // declares a symbolic batch but reshapes to a fixed [1, 20]
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, ['N', 4, 5]);
  const r = b.node('Reshape', [b.node('Relu', [x]), b.initializer('shape', DataType.INT64, [2], BigInt64Array.from([1n, 20n]))]);
  b.output(b.node('MatMul', [r, b.initializer('w', DataType.FLOAT, [20, 3], new Float32Array(60).fill(0.1))]), DataType.FLOAT, ['N', 3]);
  const file = path.join(dir, 'fixed-reshape.onnx');
  writeModel(b.build(), file);
  const plan = calibrationPlan(readModel(file).model);
  const data = samples(5, 'x', [1, 4, 5], 4);
  const decided = await calibrate(runner, file, plan.model, plan.tensors, data, {}, dir);
  assert.equal(decided.batch.batch, 1);
  assert.match(decided.batch.reason ?? '', /does not reach/);
  const forced = await calibrate(runner, file, plan.model, plan.tensors, data, { calibrationBatch: 4 }, dir);
  assert.equal(forced.batch.batch, 1);
  assert.match(forced.batch.reason ?? '', /a batch of 4 failed .*one sample at a time/);
  assert.equal(forced.state.samples, 5);
  assert.deepEqual(forced.state.minmax, decided.state.minmax);
});

test('a symbolic leading axis that is not a batch is caught on the first stacked run, and nothing is lost', async () => {
  // y = x − mean(x over axis 0): stacking samples along axis 0 changes every value of y
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, ['S', 4]);
  const y = b.node('Sub', [x, b.node('ReduceMean', [x], { axes: [0], keepdims: 1 })]);
  b.output(b.node('MatMul', [y, b.initializer('w', DataType.FLOAT, [4, 3], new Float32Array(12).fill(0.5))]), DataType.FLOAT, ['S', 3]);
  const file = path.join(dir, 'sequence-axis.onnx');
  writeModel(b.build(), file);
  const plan = calibrationPlan(readModel(file).model);
  const data = samples(9, 'x', [1, 4], 5);
  const one = await calibrate(runner, file, plan.model, plan.tensors, data, { calibrationBatch: 1 }, dir);
  const forced = await calibrate(runner, file, plan.model, plan.tensors, data, { calibrationBatch: 3, chunkSize: 3 }, dir);
  assert.equal(forced.batch.batch, 1);
  assert.match(forced.batch.reason ?? '', /stacking 3 samples changed the measured values of .*one sample at a time/);
  assert.equal(forced.state.samples, 9);
  assert.deepEqual(forced.state.minmax, one.state.minmax);
});

test('a transformer block quantizes its linear layers to QGemm and keeps attention float', async () => {
  const file = path.join(dir, 'block.onnx');
  writeModel(transformerModel(), file);
  const out = path.join(dir, 'block.sptq.onnx');
  const r = await runSptq(runner, file, out, samples(8, 'x', [1, 8, 16], 3), { method: 'percentile', fidelitySamples: samples(4, 'x', [1, 8, 16], 4), perLayer: false });
  assert.equal(r.fusion.kernels.QGemm, 6);
  assert.equal(r.fusion.integerKernels, 6);
  assert.equal(r.fusion.total, 8, 'two attention MatMuls stay float');
  assert.ok(r.fidelity!.sqnrDb > 15, `output SQNR ${r.fidelity!.sqnrDb} dB`);
});

test('calibration samples that do not fit the model fail with a runtime error naming the sample', async () => {
  const file = path.join(dir, 'cnn-bad.onnx');
  writeModel(cnnModel(), file);
  await assert.rejects(
    runSptq(runner, file, path.join(dir, 'bad.sptq.onnx'), samples(2, 'image', [1, 5, 8, 8], 5)),
    (e: unknown) => e instanceof AdvisorError && e.category === 'runtime' && /calibration sample 1/.test(e.message),
  );
  await assert.rejects(runSptq(runner, file, path.join(dir, 'none.sptq.onnx'), []), /no calibration samples/);
  await assert.rejects(
    runSptq(runner, file, file, samples(2, 'image', [1, 5, 16, 16], 5)),
    (e: unknown) => e instanceof AdvisorError && /refusing to overwrite the input model/.test(e.message),
  );
});

test('our quantization matches onnxruntime QuantizeLinear bit for bit, halves included', async () => {
  const scale = Math.fround(0.0625);
  const n = 4096;
  const x = new Float32Array(n);
  // every fourth value an exact half step (k + 0.5) × scale, the rest arbitrary
  for (let i = 0; i < n; i++) x[i] = i % 4 === 0 ? (i / 4 - 512 + 0.5) * scale : Math.fround(Math.sin(i) * 6);
  const b = new ModelBuilder({ opset: 13 });
  b.input('x', DataType.FLOAT, [n]);
  b.initializer('s', DataType.FLOAT, [], Float32Array.of(scale));
  b.initializer('z', DataType.UINT8, [], Uint8Array.of(131));
  b.node('QuantizeLinear', ['x', 's', 'z'], {}, 'q');
  b.output('q', DataType.UINT8, [n]);
  const session = await ort.InferenceSession.create(encodeModel(b.build()));
  try {
    const r = await session.run({ x: new ort.Tensor('float32', x, [n]) });
    assert.deepEqual([...quantizeValues(x, scale, 131, 'uint8')], [...(r.q!.data as Uint8Array)]);
  } finally {
    await session.release();
  }
});
