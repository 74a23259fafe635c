import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../onnx/dtypes';
import { emptyGraph, float, makeAttribute, makeNode, ModelBuilder, valueInfo } from '../onnx/builder';
import { tensorToArray } from '../onnx/tensor';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/types';
import { AdvisorError } from '../errors';
import { calibrationPlan, quantize, type QuantizeOptions } from './quantize';
import { cnnModel, mlpModel, transformerModel } from './testdata/fixtures';

/** Every tensor calibration asks for gets the range [-1, 2]. */
function fakeRanges(m: ModelProto, opts: QuantizeOptions = {}): Record<string, [number, number]> {
  return Object.fromEntries(calibrationPlan(m, opts).tensors.map((t) => [t, [-1, 2] as [number, number]]));
}

const ops = (g: GraphProto) => g.node.map((n) => n.op_type);
const producerOf = (g: GraphProto, v: string) => g.node.find((n) => n.output.includes(v));
const readers = (g: GraphProto, v: string) => g.node.filter((n) => n.input.includes(v));
/** The op a node's input i really comes from, looking through a DequantizeLinear. */
function fedByDq(g: GraphProto, n: NodeProto, i: number): boolean {
  return producerOf(g, n.input[i]!)?.op_type === 'DequantizeLinear';
}

test('CNN: BN folded, every Conv/Gemm/Add/GlobalAveragePool reads DQ inputs, Relu folded into the Q, MaxPool/Flatten pass through', () => {
  const m = cnnModel();
  const { model: q, report } = quantize(m, fakeRanges(m));
  const g = q.graph!;
  assert.ok(!ops(g).includes('BatchNormalization'), 'BatchNormalization folded into the Conv');
  assert.ok(!ops(g).includes('Relu'), 'Relu removed, its range folded into the Conv output Q');
  for (const n of g.node.filter((x) => ['Conv', 'Gemm', 'Add', 'GlobalAveragePool', 'MaxPool', 'Flatten'].includes(x.op_type ?? ''))) {
    n.input.forEach((_, i) => assert.ok(fedByDq(g, n, i), `${n.op_type} input ${i} comes from a DequantizeLinear`));
  }
  // every quantized op but the last Gemm writes straight into one QuantizeLinear (so ORT fuses it)
  for (const n of g.node.filter((x) => ['Conv', 'Add', 'GlobalAveragePool', 'MaxPool', 'Flatten'].includes(x.op_type ?? ''))) {
    const r = readers(g, n.output[0]!);
    assert.deepEqual(r.map((x) => x.op_type), ['QuantizeLinear'], `${n.op_type} output feeds only a Q`);
  }
  // the Gemm writes the graph output in float (QGemm with float output): no Q after it
  assert.equal(producerOf(g, 'logits')!.op_type, 'Gemm');
  // pass-through ops reuse their input's scale and zero point
  const flatten = g.node.find((n) => n.op_type === 'Flatten')!;
  const qAfter = readers(g, flatten.output[0]!)[0]!;
  const dqBefore = producerOf(g, flatten.input[0]!)!;
  assert.deepEqual(qAfter.input.slice(1), dqBefore.input.slice(1));
  // weights are int8 per channel (axis 0 for Conv and for Gemm with transB=1), biases int32
  const convW = producerOf(g, g.node.find((n) => n.op_type === 'Conv')!.input[1]!)!;
  assert.equal(convW.attribute.find((a) => a.name === 'axis')?.i, 0n);
  const init = (name: string) => g.initializer.find((t) => t.name === name)!;
  assert.equal(init(convW.input[0]!).data_type, DataType.INT8);
  assert.deepEqual(init(convW.input[1]!).dims, [8n]);
  const gemm = g.node.find((n) => n.op_type === 'Gemm')!;
  const biasDq = producerOf(g, gemm.input[2]!)!;
  assert.equal(init(biasDq.input[0]!).data_type, DataType.INT32);
  assert.ok([...(tensorToArray(init(biasDq.input[2]!)) as Int32Array)].every((z) => z === 0));
  assert.equal(report.perChannel, true);
  assert.equal(report.byKind.conv, 2);
  assert.equal(report.removedActivations, 2);
  assert.deepEqual(report.skipped, []);
  assert.ok(report.notes.some((n) => /folded 1 BatchNormalization/.test(n)));
  // activations are uint8 with zero point round(1/(3/255)) = 85
  const act = report.tensors.find((t) => t.name === 'image')!;
  assert.deepEqual([act.scale, act.zeroPoint], [Math.fround(3 / 255), 85]);
});

test('MLP: MatMul + bias becomes Gemm (QGemm with int32 bias); per-channel axis 1 for B without transB', () => {
  const m = mlpModel();
  const { model: q, report } = quantize(m, fakeRanges(m));
  const g = q.graph!;
  assert.deepEqual(ops(g).filter((o) => !/QuantizeLinear$/i.test(o ?? '')), ['Gemm', 'Gemm']);
  assert.ok(report.notes.some((n) => /rewrote 2 MatMul/.test(n)));
  const first = g.node.find((n) => n.op_type === 'Gemm')!;
  const w = producerOf(g, first.input[1]!)!;
  assert.equal(w.attribute.find((a) => a.name === 'axis')?.i, 1n);
  // the first Gemm feeds the Relu's range into its Q (Relu removed), the second writes y in float
  assert.equal(readers(g, first.output[0]!)[0]!.op_type, 'QuantizeLinear');
  assert.equal(producerOf(g, 'y')!.op_type, 'Gemm');
});

test('transformer block: only weight MatMuls are quantized; Softmax, LayerNorm and GELU stay float', () => {
  const m = transformerModel();
  const { model: q, report } = quantize(m, fakeRanges(m));
  const g = q.graph!;
  for (const op of ['Softmax', 'Erf', 'ReduceMean', 'Sqrt', 'Pow', 'Sub', 'Div']) {
    for (const n of g.node.filter((x) => x.op_type === op)) {
      n.input.forEach((_, i) => assert.ok(!fedByDq(g, n, i), `${op} reads float`));
    }
  }
  assert.equal(g.node.filter((n) => n.op_type === 'Gemm').length, 6, 'six linear layers as Gemm');
  assert.equal(g.node.filter((n) => n.op_type === 'MatMul').length, 2, 'the two attention MatMuls stay');
  assert.equal(report.skipped.filter((s) => /activation × activation/.test(s.reason)).length, 2);
  // residual/LayerNorm Adds and Muls are untouched
  for (const n of g.node.filter((x) => x.op_type === 'Add' || x.op_type === 'Mul')) {
    n.input.forEach((_, i) => assert.ok(!fedByDq(g, n, i), `${n.name} reads float`));
  }
});

test('a thin 3-channel 3×3 stem Conv is quantized by default (measurement decides); the hand rule keeps it float only on request', () => {
  const m = cnnModel(3);
  assert.equal(quantize(m, fakeRanges(m)).report.byKind.conv, 2);
  const opts = { minConvMacsPerOutput: 32 };
  const { model: q, report } = quantize(m, fakeRanges(m, opts), opts);
  assert.equal(report.skipped.length, 1);
  assert.match(report.skipped[0]!.reason, /3-channel 3×3 Conv \(27 multiply-adds per output\)/);
  assert.equal(report.byKind.conv, 1);
  const stem = q.graph!.node.find((n) => n.op_type === 'Conv')!;
  assert.ok(!fedByDq(q.graph!, stem, 0), 'the stem reads the float image');
  assert.ok(ops(q.graph!).includes('Relu'));
});

test('exclusions leave nodes float and say why; per-tensor on request', () => {
  const m = cnnModel();
  const convName = calibrationPlan(m).model.graph!.node.find((n) => n.op_type === 'Conv')!.name!;
  const opts: QuantizeOptions = { excludeNodes: [convName], excludeOpTypes: ['Gemm'], perChannel: false };
  const { model: q, report } = quantize(m, fakeRanges(m, opts), opts);
  assert.deepEqual(report.skipped.map((s) => s.op).sort(), ['Conv', 'Gemm']);
  assert.equal(report.byKind.conv, 1);
  const dqs = q.graph!.node.filter((n) => n.op_type === 'DequantizeLinear');
  assert.ok(dqs.every((n) => !n.attribute.some((a) => a.name === 'axis')), 'per-tensor: no axis');
});

test('an already-quantized (QDQ) model is refused with an explanation', () => {
  const m = cnnModel();
  const { model: q } = quantize(m, fakeRanges(m));
  assert.throws(() => quantize(q, {}), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported' && /already quantized.*QuantizeLinear\/DequantizeLinear/.test(e.message));
  assert.throws(() => calibrationPlan(q), /already quantized/);
});

test('a model where nothing would become int8 is refused, saying why, instead of writing a float copy', () => {
  const m = cnnModel();
  const every = { excludeOpTypes: ['Conv', 'Gemm'] };
  assert.throws(() => calibrationPlan(m, every), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported'
    && /nothing to quantize: every Conv\/MatMul\/Gemm stays float \(2 × Conv: excluded by option; 1 × Gemm: excluded by option\)/.test(e.message));
  const noHeavy = structuredClone(m);
  noHeavy.graph!.node = noHeavy.graph!.node.filter((n) => n.op_type === 'Relu').slice(0, 1);
  noHeavy.graph!.output = [{ name: noHeavy.graph!.node[0]!.output[0]! }];
  noHeavy.graph!.node[0]!.input[0] = noHeavy.graph!.input[0]!.name!;
  assert.throws(() => calibrationPlan(noHeavy), /nothing to quantize: the model has no float32 Conv, MatMul or Gemm/);
});

test('a model whose every MatMul sits in an If branch (as Silero VAD does) is refused saying so', () => {
  const b = new ModelBuilder({ opset: 13, seed: 3 });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  const w = b.weight('w', [4, 4]);
  const cond = b.node('Greater', [b.node('ReduceSum', [x], { keepdims: 0 }), b.initializer('zero', DataType.FLOAT, [], new Float32Array([0]))]);
  const branch = (name: string) => {
    const g = emptyGraph(name);
    g.node.push(makeNode('MatMul', [x, w], [`${name}_out`], {}, `${name}_mm`));
    g.output.push(valueInfo(`${name}_out`, DataType.FLOAT, [1, 4]));
    return g;
  };
  b.output(b.node('If', [cond], { then_branch: branch('then'), else_branch: branch('else') }), DataType.FLOAT, [1, 4]);
  assert.throws(() => calibrationPlan(b.build()), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported' &&
    /nothing to quantize: all 2 of the model's Conv\/MatMul\/Gemm sit inside If\/Loop\/Scan branches \(control flow\), which SPTQ does not quantize/.test(e.message));
});

test('ranges that do not belong to the model are an input error', () => {
  assert.throws(() => quantize(cnnModel(), { other: [0, 1] }), (e: unknown) => e instanceof AdvisorError && e.category === 'input' && /no calibration range/.test(e.message));
});

test('a NaN or infinite calibration range names the tensor', () => {
  const m = cnnModel();
  const ranges = fakeRanges(m);
  ranges.image = [NaN, 1];
  assert.throws(() => quantize(m, ranges), (e: unknown) => e instanceof AdvisorError && e.category === 'input' && /"image" is not finite/.test(e.message));
});

test('opset 11 models move to 13 for per-channel when their ops allow it', () => {
  const m = cnnModel();
  m.opset_import[0]!.version = 11n;
  const { model: q, report } = quantize(m, fakeRanges(m));
  assert.equal(q.opset_import.find((o) => !o.domain)!.version, 13n);
  assert.ok(report.notes.some((n) => /upgraded opset 11 → 13/.test(n)));
});

test('a pre-13 Softmax over the last axis (a classifier head) allows the move to 13 and gets axis -1 written out', () => {
  const withSoftmax = (axis?: number) => {
    const m = cnnModel();
    m.opset_import[0]!.version = 11n;
    const g = m.graph!;
    const logits = g.output[0]!.name!;
    g.node.push({ ...g.node[0]!, op_type: 'Softmax', name: 'softmax', input: [logits], output: ['probs'], domain: '', attribute: axis === undefined ? [] : [makeAttribute('axis', axis)] });
    g.output = [{ ...g.output[0]!, name: 'probs' }];
    return m;
  };
  const m = withSoftmax(); // default axis 1 = the last axis of [N, classes]
  const { model: q, report } = quantize(m, fakeRanges(m));
  assert.ok(report.notes.some((n) => /upgraded opset 11 → 13/.test(n)), report.notes.join('; '));
  const sm = q.graph!.node.find((n) => n.op_type === 'Softmax')!;
  assert.deepEqual(sm.attribute.map((a) => [a.name, Number(a.i)]), [['axis', -1]]);
  const axis0 = withSoftmax(0); // over the whole [N, classes] tensor: the old 2-D coercion is written out at 13
  const r0 = quantize(axis0, fakeRanges(axis0));
  assert.ok(r0.report.notes.some((n) => /upgraded opset 11 → 13/.test(n)), r0.report.notes.join('; '));
  assert.deepEqual(r0.model.graph!.node.filter((n) => ['Flatten', 'Softmax', 'Shape', 'Reshape'].includes(n.op_type!)).map((n) => n.op_type).sort(), ['Flatten', 'Flatten', 'Reshape', 'Shape', 'Softmax']);
});

test('an opset 8 model moves to 13: Clip bounds and Unsqueeze axes become inputs; an op with no opset 13 twin refuses it', () => {
  const m = cnnModel();
  m.opset_import[0]!.version = 8n;
  const g = m.graph!;
  const conv = g.node.find((n) => n.op_type === 'Conv')!;
  const y = conv.output[0]!;
  // Conv → Clip-6 (attributes) → Unsqueeze-1 (axes attribute) → Squeeze → the Conv's old readers
  for (const n of g.node) n.input = n.input.map((v) => (v === y ? 'squeezed' : v));
  const at = g.node.indexOf(conv) + 1;
  g.node.splice(at, 0,
    { ...conv, op_type: 'Clip', name: 'clip', input: [y], output: ['clipped'], attribute: [makeAttribute('min', float(0)), makeAttribute('max', float(6))] },
    { ...conv, op_type: 'Unsqueeze', name: 'unsq', input: ['clipped'], output: ['unsq'], attribute: [makeAttribute('axes', [4])] },
    { ...conv, op_type: 'Squeeze', name: 'sq', input: ['unsq'], output: ['squeezed'], attribute: [makeAttribute('axes', [4])] });
  const { report } = quantize(m, fakeRanges(m));
  assert.ok(report.notes.some((n) => /upgraded opset 8 → 13 for QuantizeLinear/.test(n)), report.notes.join('; '));
  // the pre-processed graph, before the quantizer folds the Clip into the Conv's output range
  const p = calibrationPlan(m).model.graph!;
  const init = (name: string) => tensorToArray(p.initializer.find((t) => t.name === name)!);
  const clip = p.node.find((n) => n.op_type === 'Clip')!;
  assert.deepEqual(clip.attribute, []);
  assert.deepEqual(clip.input.slice(1).map((v) => (init(v) as Float32Array)[0]), [0, 6]);
  const unsq = p.node.find((n) => n.op_type === 'Unsqueeze')!;
  assert.deepEqual(unsq.attribute, []);
  assert.deepEqual(Array.from(init(unsq.input[1]!) as BigInt64Array), [4n]);

  const old = cnnModel();
  old.opset_import[0]!.version = 8n;
  // an op no move table knows (MaxRoiPool): neither 13 nor 10 is safe, and opset 8 has no QuantizeLinear
  old.graph!.node.unshift({ ...old.graph!.node[0]!, op_type: 'MaxRoiPool', name: 'roi', input: [old.graph!.input[0]!.name!, 'rois'], output: ['pooled'], attribute: [] });
  old.graph!.node[1]!.input[0] = 'pooled';
  old.graph!.input.push({ name: 'rois', type: old.graph!.input[0]!.type });
  assert.throws(() => calibrationPlan(old), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported'
    && /opset 8 predates QuantizeLinear \(opset 10\), and MaxRoiPool cannot be moved to opset 10 or 13/.test(e.message));
});

test('an opset 11 transformer moves to 13: comparison/mask ops qualify, ReduceSum axes become an input, keepdims stays', () => {
  const m = transformerModel();
  m.opset_import[0]!.version = 11n;
  const g = m.graph!;
  const out = g.output[0]!;
  // logits → Equal/Where (a mask-style select) → ReduceSum over axes [1] without keepdims
  g.node.push(
    { ...g.node[0]!, op_type: 'Equal', name: 'eq', input: [out.name!, out.name!], output: ['same'], attribute: [] },
    { ...g.node[0]!, op_type: 'Where', name: 'where', input: ['same', out.name!, out.name!], output: ['kept'], attribute: [] },
    { ...g.node[0]!, op_type: 'ReduceSum', name: 'rsum', input: ['kept'], output: ['summed'], attribute: [makeAttribute('axes', [1]), makeAttribute('keepdims', 0)] });
  g.output = [{ name: 'summed' }];
  const { report } = quantize(m, fakeRanges(m));
  assert.ok(report.notes.some((n) => /upgraded opset 11 → 13/.test(n)), report.notes.join('; '));
  const p = calibrationPlan(m).model.graph!;
  const rsum = p.node.find((n) => n.op_type === 'ReduceSum')!;
  assert.deepEqual(rsum.attribute.map((a) => a.name), ['keepdims']);
  assert.deepEqual(Array.from(tensorToArray(p.initializer.find((t) => t.name === rsum.input[1])!) as BigInt64Array), [1n]);
});

test('an opset 10 Pad (pads and value as attributes) gets them as inputs when the model moves to 13', () => {
  const m = cnnModel();
  m.opset_import[0]!.version = 10n;
  const g = m.graph!;
  const first = g.node[0]!;
  g.node.unshift({ ...first, op_type: 'Pad', name: 'pad', input: [first.input[0]!], output: ['padded'], domain: '',
    attribute: [makeAttribute('pads', [0, 0, 1, 1, 0, 0, 1, 1]), makeAttribute('value', float(0.5)), makeAttribute('mode', 'constant')] });
  first.input[0] = 'padded';
  const { model: q } = quantize(m, fakeRanges(m));
  const pad = q.graph!.node.find((n) => n.op_type === 'Pad')!;
  assert.deepEqual(pad.attribute.map((a) => a.name), ['mode']);
  const init = (name: string) => q.graph!.initializer.find((t) => t.name === name)!;
  assert.deepEqual(Array.from(tensorToArray(init(pad.input[1]!)) as BigInt64Array), [0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n]);
  assert.deepEqual(Array.from(tensorToArray(init(pad.input[2]!)) as Float32Array), [0.5]);
});

test('initializers listed as graph inputs are removed from the inputs', () => {
  const m = cnnModel();
  const g = m.graph!;
  g.input.push({ name: g.initializer[0]!.name! });
  const { model: q, report } = quantize(m, fakeRanges(m));
  assert.deepEqual(q.graph!.input.map((v) => v.name), ['image']);
  assert.ok(report.notes.some((n) => /removed 1 initializers from the graph inputs/.test(n)));
});
