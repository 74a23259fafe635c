/**
 * `inspect`: a model's identity card, from the file alone (no onnxruntime). The JSON field set is
 * fixed by the CLI contract (`inspect --json`); keep it in sync with the README.
 */
import { DataType, dtypeName, isFloatDtype, byteLength } from '../onnx/dtypes';
import { allTensors, hasExternalData, type LoadedModel } from '../onnx/io';
import { elementCount, forEachExternalChunk, isExternal, tensorToArray, type TypedArray } from '../onnx/tensor';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/types';
import { indexGraph } from '../graph/graph';
import { attrInt, inferShapes, linearForm } from '../graph/shapes';
import type { Modality } from '../results';
import { modelInputSpecs } from '../data/inputs';
import { syntheticDims } from '../data/synthetic';
import { detectModality, type IoInfo } from './modality';

export type QuantizationState = 'float' | 'qdq' | 'qoperator' | 'dynamic';

export interface Inspection {
  path: string;
  fileBytes: number;
  irVersion: number;
  producer: { name: string; version: string };
  opsets: Array<{ domain: string; version: number }>;
  inputs: IoInfo[];
  outputs: IoInfo[];
  nodeCount: number;
  opHistogram: Record<string, number>;
  initializerCount: number;
  parameterCount: number;
  weightBytes: number;
  macs: number | null;
  /** The input sizes `macs` was counted at, when the model leaves some symbolic (as synthetic samples size them). */
  macsInputs?: Record<string, number[]>;
  modality: Modality;
  modalityReason: string;
  quantization: { state: QuantizationState; qdqNodes: number; integerOps: number };
  sparsity: number;
  externalData: boolean;
}

export function ioInfo(v: ValueInfoProto): IoInfo {
  const tt = v.type?.tensor_type;
  return {
    name: v.name ?? '',
    dtype: dtypeName(tt?.elem_type),
    shape: tt?.shape ? tt.shape.dim.map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : d.dim_param || '?')) : null,
  };
}

export function opKey(n: NodeProto): string {
  const d = n.domain ?? '';
  return d === '' || d === 'ai.onnx' ? (n.op_type ?? '') : `${d}.${n.op_type}`;
}

const QOPERATOR_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm', 'QLinearAdd', 'QLinearMul', 'QLinearConcat', 'QLinearAveragePool', 'QLinearGlobalAveragePool', 'QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearSoftmax', 'QLinearWhere']);
const DYNAMIC_OPS = new Set(['DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat']);

export function quantizationOf(g: GraphProto): Inspection['quantization'] {
  let qdq = 0;
  let integer = 0;
  let dynamic = 0;
  let qop = 0;
  for (const n of g.node) {
    const op = n.op_type ?? '';
    if (op === 'QuantizeLinear' || op === 'DequantizeLinear') qdq++;
    if (QOPERATOR_OPS.has(op)) { integer++; qop++; }
    if (DYNAMIC_OPS.has(op)) { integer++; dynamic++; }
  }
  const state: QuantizationState = qop ? 'qoperator' : dynamic ? 'dynamic' : qdq ? 'qdq' : 'float';
  return { state, qdqNodes: qdq, integerOps: integer };
}

/** int8, uint8, int4, uint4: a quantized model's weights (and zero points) are parameters too; int64/int32 are shapes and indices. */
const QUANTIZED_WEIGHT_DTYPES = new Set<number>([DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4]);

/** Weight tensors of Conv/ConvTranspose/MatMul/Gemm (directly or behind a DequantizeLinear). */
function weightTensors(g: GraphProto): TensorProto[] {
  const idx = indexGraph(g);
  const out = new Map<string, TensorProto>();
  const constNodes = new Map<string, TensorProto>();
  for (const n of g.node) if (n.op_type === 'Constant') { const t = n.attribute.find((a) => a.name === 'value')?.t; if (t) constNodes.set(n.output[0]!, t); }
  const lookup = (name: string): TensorProto | undefined => {
    const direct = idx.initializers.get(name) ?? constNodes.get(name);
    if (direct) return direct;
    const p = idx.producer.get(name);
    const pn = p !== undefined ? g.node[p] : undefined;
    if (pn?.op_type === 'DequantizeLinear') return idx.initializers.get(pn.input[0]!) ?? constNodes.get(pn.input[0]!);
    return undefined;
  };
  for (const n of g.node) {
    if (!['Conv', 'ConvTranspose', 'MatMul', 'Gemm'].includes(n.op_type ?? '')) continue;
    for (const k of n.op_type === 'MatMul' ? [0, 1] : [1]) {
      const t = n.input[k] ? lookup(n.input[k]!) : undefined;
      if (t && t.name !== undefined) out.set(t.name, t);
    }
  }
  return [...out.values()];
}

type ArrayCtor = { new (buf: ArrayBufferLike, off: number, len: number): TypedArray; BYTES_PER_ELEMENT: number };
const VIEWS: Record<number, ArrayCtor> = {
  1: Float32Array, 11: Float64Array, 7: BigInt64Array, 13: BigUint64Array, 6: Int32Array, 12: Uint32Array,
  5: Int16Array, 4: Uint16Array, 10: Uint16Array, 16: Uint16Array, 3: Int8Array,
};

/** A chunk of raw little-endian bytes (aligned, whole elements) viewed as the tensor's element type, as tensorToArray does. */
function arrayView(t: TensorProto, b: Uint8Array): TypedArray {
  const C = VIEWS[t.data_type ?? 0];
  return C ? new C(b.buffer, b.byteOffset, Math.floor(b.length / C.BYTES_PER_ELEMENT)) : b;
}

/**
 * Input sizes with every symbolic dimension given the value synthetic samples use (batch 1, image
 * side 224, sequence 128), or undefined when all are fixed already.
 */
function concreteInputs(model: LoadedModel['model'], modality: Modality): Record<string, number[]> | undefined {
  let specs;
  try { specs = modelInputSpecs(model); } catch { return undefined; }
  if (specs.some((s) => s.unknownRank) || specs.every((s) => s.shape.every((d, i) => i === 0 || (typeof d === 'number' && d > 0)))) return undefined;
  return Object.fromEntries(specs.map((s) => [s.name, syntheticDims(s, modality)]));
}

function countMacs(g: GraphProto, at?: Record<string, number[]>): number | null {
  // the graph as if its inputs had the sizes `at`: only the input list is replaced
  const sized = at ? { ...g, input: g.input.map((v) => (at[v.name ?? ''] ? fixedInput(v, at[v.name ?? '']!) : v)) } : g;
  const shapes = inferShapes(sized, 1);
  let macs = 0;
  for (const n of g.node) {
    const linear = linearForm(n.op_type);
    if (!linear) continue;
    const op = linear.op;
    const a = shapes.get(n.input[0]!);
    const b = shapes.get(n.input[linear.weight]!);
    const y = shapes.get(n.output[0]!);
    if (!a || !b || !y) return null;
    if (op === 'Conv') macs += y.reduce((p, d) => p * d, 1) * b.slice(1).reduce((p, d) => p * d, 1);
    else if (op === 'ConvTranspose') macs += a.reduce((p, d) => p * d, 1) * b.slice(1).reduce((p, d) => p * d, 1);
    else if (op === 'Gemm') macs += y[0]! * y[1]! * (attrInt(n, 'transA', 0) ? a[0]! : a[1]!);
    else macs += y.reduce((p, d) => p * d, 1) * a[a.length - 1]!;
  }
  // absurd declared dims overflow to Infinity (or NaN from a malformed shape): unknown, not a number JSON turns into null
  return Number.isFinite(macs) ? macs : null;
}

function fixedInput(v: ValueInfoProto, dims: number[]): ValueInfoProto {
  const tt = v.type?.tensor_type;
  return { ...v, type: { ...v.type, tensor_type: { ...tt, shape: { dim: dims.map((d) => ({ dim_value: BigInt(d) })) } } } };
}

export function inspectModel(m: LoadedModel): Inspection {
  const model = m.model;
  const g = model.graph!;
  const idx = indexGraph(g);
  const histogram: Record<string, number> = {};
  for (const n of g.node) { const k = opKey(n); histogram[k] = (histogram[k] ?? 0) + 1; }

  let params = 0;
  let weightBytes = 0;
  const counted = new Set<TensorProto>();
  for (const t of allTensors(g)) {
    if (counted.has(t)) continue;
    counted.add(t);
    const n = elementCount(t.dims);
    weightBytes += byteLength(t.data_type, n);
    if (isFloatDtype(t.data_type) || QUANTIZED_WEIGHT_DTYPES.has(t.data_type ?? 0)) params += n;
  }

  let zeros = 0;
  let total = 0;
  for (const t of weightTensors(g)) {
    try {
      const src = { modelDir: m.dir, modelFile: m.path };
      if (isExternal(t)) {
        // streamed: inspecting a model with GBs of external weights must not hold a weight whole
        let n = 0;
        let z = 0;
        forEachExternalChunk(t, src, 16 << 20, (bytes) => {
          const a = arrayView(t, bytes);
          n += a.length;
          for (let i = 0; i < a.length; i++) if (a[i] === 0 || a[i] === 0n) z++;
        });
        total += n;
        zeros += z;
        continue;
      }
      const a = tensorToArray(t, src);
      total += a.length;
      for (let i = 0; i < a.length; i++) if (a[i] === 0 || a[i] === 0n) zeros++;
    } catch { /* unreadable weight: sparsity over the rest */ }
  }

  const inputs = idx.inputs.map(ioInfo);
  const { modality, reason } = detectModality(inputs);
  const macsInputs = concreteInputs(model, modality);
  return {
    path: m.path,
    fileBytes: m.fileBytes,
    irVersion: Number(model.ir_version ?? 0n),
    producer: { name: model.producer_name ?? '', version: model.producer_version ?? '' },
    opsets: model.opset_import.map((o) => ({ domain: o.domain || 'ai.onnx', version: Number(o.version ?? 0n) })),
    inputs,
    outputs: g.output.map(ioInfo),
    nodeCount: g.node.length,
    opHistogram: histogram,
    initializerCount: g.initializer.length,
    parameterCount: params,
    weightBytes,
    macs: countMacs(g, macsInputs),
    ...(macsInputs ? { macsInputs } : {}),
    modality,
    modalityReason: reason,
    quantization: quantizationOf(g),
    sparsity: total ? zeros / total : 0,
    externalData: hasExternalData(model),
  };
}
