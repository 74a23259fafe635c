/**
 * Static shape inference for the common CNN/transformer ops, with symbolic dims fixed to a value
 * (1 by default). Good enough for MAC counts and cut sizes on exported models; values it cannot
 * infer are left out (callers fall back to a runner measurement or report "unknown").
 */
import type { AttributeProto, GraphProto, NodeProto, TypeProto } from '../onnx/types';
import { tensorToArray } from '../onnx/tensor';
import { indexGraph, topologicalOrder } from './graph';

export type Shape = number[];

export function attrInt(n: NodeProto, name: string, dflt: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a?.i !== undefined ? Number(a.i) : dflt;
}
export function attrInts(n: NodeProto, name: string): number[] | undefined {
  const a = n.attribute.find((x) => x.name === name);
  return a && a.ints.length ? a.ints.map(Number) : undefined;
}
export function attrString(n: NodeProto, name: string): string | undefined {
  const a: AttributeProto | undefined = n.attribute.find((x) => x.name === name);
  return a?.s ? new TextDecoder().decode(a.s) : undefined;
}
export function attrFloat(n: NodeProto, name: string, dflt: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a?.f !== undefined ? a.f : dflt;
}

export function shapeOfType(t: TypeProto | undefined, symbolic = 1): Shape | undefined {
  const dims = t?.tensor_type?.shape?.dim;
  if (!t?.tensor_type?.shape || !dims) return undefined;
  // some exporters (Paddle) write -1 for an unknown dim: read it as symbolic, never as a size
  return dims.map((d) => (d.dim_value !== undefined && d.dim_value >= 0n ? Number(d.dim_value) : symbolic));
}

/** The declared shape when every dim has a size; undefined when any is symbolic or unknown. */
function fixedShapeOfType(t: TypeProto | undefined): Shape | undefined {
  const s = shapeOfType(t, -1);
  return s && s.every((d) => d >= 0) ? s : undefined;
}

function broadcast(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);

const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Erf', 'Clip', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'BatchNormalization',
  'Identity', 'Dropout', 'Cast', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'HardSigmoid', 'HardSwish', 'Gelu',
  'QuantizeLinear', 'DequantizeLinear', 'InstanceNormalization', 'Elu', 'Selu', 'Softplus', 'PRelu', 'Floor', 'Ceil', 'Round',
  'Not', 'Sin', 'Cos', 'Mish', 'CumSum',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Less', 'Greater', 'And', 'Or', 'Max', 'Min', 'Mod', 'Where', 'Expand_']);

/** Infers shapes of every value it can; graph inputs/value_info seed it. */
export function inferShapes(graph: GraphProto, symbolic = 1): Map<string, Shape> {
  const idx = indexGraph(graph);
  const shapes = new Map<string, Shape>();
  const consts = new Map<string, number[]>();
  for (const v of [...graph.input, ...graph.value_info]) {
    const s = shapeOfType(v.type, symbolic);
    if (s && v.name) shapes.set(v.name, s);
  }
  for (const t of graph.initializer) {
    shapes.set(t.name ?? '', t.dims.map(Number));
    if ((t.data_type === 7 || t.data_type === 6) && t.dims.length <= 1) {
      try { consts.set(t.name ?? '', Array.from(tensorToArray(t) as BigInt64Array | Int32Array, Number)); } catch { /* external or malformed: not needed */ }
    }
  }
  let order: number[];
  try { order = topologicalOrder(idx); } catch { return shapes; }
  for (const i of order) {
    const n = graph.node[i]!;
    try {
      const out = inferNode(n, shapes, consts);
      if (out) out.forEach((s, k) => { const o = n.output[k]; if (o && s && s.every((d) => Number.isFinite(d) && d >= 0)) shapes.set(o, s); });
    } catch { /* leave unknown */ }
    try {
      const v = foldInts(n, consts);
      if (v && n.output[0] && v.every(Number.isFinite)) consts.set(n.output[0], v);
    } catch { /* not foldable */ }
  }
  return shapes;
}

/**
 * Conv/MatMul and their integer (dynamic quantization) and QLinear (QOperator) forms: the float op
 * whose shape rule and MAC count they share, and the input holding the second operand (QLinear ops
 * put scale and zero point between the operands).
 */
export function linearForm(opType: string | undefined): { op: 'Conv' | 'ConvTranspose' | 'MatMul' | 'Gemm'; weight: number } | undefined {
  switch (opType) {
    case 'Conv': case 'ConvTranspose': case 'MatMul': case 'Gemm': return { op: opType, weight: 1 };
    case 'ConvInteger': return { op: 'Conv', weight: 1 };
    case 'QLinearConv': return { op: 'Conv', weight: 3 };
    case 'MatMulInteger': return { op: 'MatMul', weight: 1 };
    case 'QLinearMatMul': return { op: 'MatMul', weight: 3 };
    default: return undefined;
  }
}

function inferNode(n: NodeProto, shapes: Map<string, Shape>, consts: Map<string, number[]>): (Shape | undefined)[] | undefined {
  const s = (k: number) => (n.input[k] ? shapes.get(n.input[k]!) : undefined);
  const x = s(0);
  const linear = linearForm(n.op_type);
  const op = linear?.op ?? n.op_type ?? '';
  const weight = () => s(linear?.weight ?? 1);
  if (op === 'Constant') {
    const t = n.attribute.find((a) => a.name === 'value')?.t;
    if (!t) return undefined;
    if ((t.data_type === 7 || t.data_type === 6) && t.dims.length <= 1) consts.set(n.output[0]!, Array.from(tensorToArray(t) as BigInt64Array, Number));
    return [t.dims.map(Number)];
  }
  if (op === 'Shape' && x) { consts.set(n.output[0]!, x); return [[x.length]]; }
  if (SAME_SHAPE.has(op)) return x ? [x] : undefined;
  if (BROADCAST.has(op)) {
    const ins = n.input.map((v) => shapes.get(v));
    if (ins.some((v) => !v)) return undefined;
    return [ins.reduce((a, b) => broadcast(a!, b!))];
  }
  if (!x) return undefined;
  switch (op) {
    case 'DynamicQuantizeLinear': return [x, [], []];
    case 'Conv': case 'MaxPool': case 'AveragePool': case 'ConvTranspose': {
      const w = weight();
      const k = op === 'Conv' || op === 'ConvTranspose' ? w!.slice(2) : attrInts(n, 'kernel_shape')!;
      const sp = x.length - 2;
      const strides = attrInts(n, 'strides') ?? new Array(sp).fill(1);
      const dil = attrInts(n, 'dilations') ?? new Array(sp).fill(1);
      const pads = attrInts(n, 'pads') ?? new Array(sp * 2).fill(0);
      const autoPad = attrString(n, 'auto_pad') ?? 'NOTSET';
      const ceil = attrInt(n, 'ceil_mode', 0) === 1;
      const outSp = x.slice(2).map((d, i) => {
        if (op === 'ConvTranspose') return (d - 1) * strides[i]! - pads[i]! - pads[i + sp]! + dil[i]! * (k[i]! - 1) + 1;
        if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / strides[i]!);
        const eff = dil[i]! * (k[i]! - 1) + 1;
        const v = (d + pads[i]! + pads[i + sp]! - eff) / strides[i]! + 1;
        return autoPad === 'VALID' ? Math.floor((d - eff) / strides[i]!) + 1 : ceil ? Math.ceil(v) : Math.floor(v);
      });
      const c = op === 'Conv' ? w![0]! : op === 'ConvTranspose' ? w![1]! * attrInt(n, 'group', 1) : x[1]!;
      return [[x[0]!, c, ...outSp]];
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': return [[x[0]!, x[1]!, ...x.slice(2).map(() => 1)]];
    case 'Flatten': {
      const ax = normAxis(attrInt(n, 'axis', 1), x.length);
      return [[x.slice(0, ax).reduce((a, b) => a * b, 1), x.slice(ax).reduce((a, b) => a * b, 1)]];
    }
    case 'Gemm': {
      const b = s(1)!;
      const m = attrInt(n, 'transA', 0) ? x[1]! : x[0]!;
      const nn = attrInt(n, 'transB', 0) ? b[0]! : b[1]!;
      return [[m, nn]];
    }
    case 'MatMul': {
      const b = weight()!;
      const a2 = x.length === 1 ? [1, x[0]!] : x;
      const b2 = b.length === 1 ? [b[0]!, 1] : b;
      const batch = broadcast(a2.slice(0, -2), b2.slice(0, -2));
      const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
      if (x.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.pop();
      return [out];
    }
    case 'Reshape': {
      const target = consts.get(n.input[1]!);
      if (!target) return undefined;
      const total = x.reduce((a, b) => a * b, 1);
      const out = target.map((d, i) => (d === 0 && attrInt(n, 'allowzero', 0) === 0 ? x[i]! : d));
      const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return [out.map((d) => (d === -1 ? total / known : d))];
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return [perm.map((p) => x[p]!)];
    }
    case 'Concat': {
      const ins = n.input.map((v) => shapes.get(v));
      if (ins.some((v) => !v)) return undefined;
      const ax = normAxis(attrInt(n, 'axis', 0), x.length);
      const out = [...x];
      out[ax] = ins.reduce((a, b) => a + b![ax]!, 0);
      return [out];
    }
    case 'Gather': {
      const ind = s(1);
      if (!ind) return undefined;
      const ax = normAxis(attrInt(n, 'axis', 0), x.length);
      return [[...x.slice(0, ax), ...ind, ...x.slice(ax + 1)]];
    }
    case 'Unsqueeze': case 'Squeeze': {
      const axes = attrInts(n, 'axes') ?? (n.input[1] ? consts.get(n.input[1]) : undefined);
      if (op === 'Squeeze') {
        if (!axes) return [x.filter((d) => d !== 1)];
        const ax = axes.map((a) => normAxis(a, x.length));
        return [x.filter((_, i) => !ax.includes(i))];
      }
      if (!axes) return undefined;
      const rank = x.length + axes.length;
      const ax = axes.map((a) => normAxis(a, rank));
      const out: Shape = [];
      let j = 0;
      for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : x[j++]!);
      return [out];
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': {
      const axes = attrInts(n, 'axes') ?? (n.input[1] ? consts.get(n.input[1]) : undefined) ?? x.map((_, i) => i);
      const keep = attrInt(n, 'keepdims', 1) === 1;
      const ax = axes.map((a) => normAxis(a, x.length));
      return [keep ? x.map((d, i) => (ax.includes(i) ? 1 : d)) : x.filter((_, i) => !ax.includes(i))];
    }
    case 'Pad': {
      // pads as an attribute (before opset 11) or a constant input; all axes (no `axes` input)
      const pads = attrInts(n, 'pads') ?? consts.get(n.input[1] ?? '');
      if (!pads || pads.length !== 2 * x.length || n.input[3]) return undefined;
      return [x.map((d, i) => d + pads[i]! + pads[i + x.length]!)];
    }
    case 'Slice': {
      const starts = consts.get(n.input[1] ?? '');
      const ends = consts.get(n.input[2] ?? '');
      if (!starts || !ends) return undefined;
      const axes = n.input[3] ? consts.get(n.input[3]) : starts.map((_, i) => i);
      const steps = n.input[4] ? consts.get(n.input[4]) : starts.map(() => 1);
      if (!axes || !steps) return undefined;
      const out = [...x];
      axes.forEach((a, i) => {
        const ax = normAxis(a, x.length);
        out[ax] = sliceLength(x[ax]!, starts[i]!, ends[i]!, steps[i]!);
      });
      return [out];
    }
    case 'If': {
      // a branch's declared output is a size only where every dim is fixed: its symbolic dims depend on
      // the branch taken and its data, not on the model's inputs (Silero VAD's state is [?, ?, ?], really [2, 1, 128])
      const g = n.attribute.find((a) => a.name === 'then_branch')?.g;
      return g ? n.output.map((_, k) => fixedShapeOfType(g.output[k]?.type)) : undefined;
    }
    case 'Expand': {
      const target = consts.get(n.input[1] ?? '');
      return target ? [broadcast(x, target)] : undefined;
    }
    case 'ConstantOfShape': {
      const target = consts.get(n.input[0] ?? '');
      return target ? [target] : undefined;
    }
    default:
      return undefined;
  }
}

/** Length of x[start:end:step] along an axis of size `dim` (ONNX Slice clamping rules). */
function sliceLength(dim: number, start: number, end: number, step: number): number {
  const clampIdx = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
  if (step > 0) {
    const s = clampIdx(start, 0, dim);
    const e = clampIdx(end, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = clampIdx(start, -1, dim - 1);
  const e = clampIdx(end, -1, dim - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

/**
 * Values of small integer tensors computed from constants and shapes: the Shape→Gather→Add→…
 * chains exported transformers use to size their Slices and Reshapes. Scalars are 1-element arrays.
 */
function foldInts(n: NodeProto, consts: Map<string, number[]>): number[] | undefined {
  const c = (k: number) => (n.input[k] ? consts.get(n.input[k]!) : undefined);
  const a = c(0);
  const op = n.op_type ?? '';
  const elementwise = (f: (x: number, y: number) => number) => {
    const b = c(1);
    if (!a || !b) return undefined;
    const len = Math.max(a.length, b.length);
    if ((a.length !== len && a.length !== 1) || (b.length !== len && b.length !== 1)) return undefined;
    return Array.from({ length: len }, (_, i) => f(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!));
  };
  switch (op) {
    case 'Identity': case 'Unsqueeze': case 'Squeeze': case 'Cast': case 'Reshape': return a;
    case 'Add': return elementwise((x, y) => x + y);
    case 'Sub': return elementwise((x, y) => x - y);
    case 'Mul': return elementwise((x, y) => x * y);
    case 'Div': return elementwise((x, y) => Math.trunc(x / y));
    case 'Equal': return elementwise((x, y) => (x === y ? 1 : 0));
    case 'Gather': {
      const ind = c(1);
      if (!a || !ind || attrInt(n, 'axis', 0) !== 0) return undefined;
      return ind.map((i) => a[i < 0 ? i + a.length : i]!);
    }
    case 'Concat': {
      const parts = n.input.map((v) => consts.get(v));
      return parts.every((p) => p) ? parts.flat() as number[] : undefined;
    }
    case 'Where': {
      const cond = a;
      const x = c(1);
      const y = c(2);
      if (!cond || !x || !y) return undefined;
      const len = Math.max(cond.length, x.length, y.length);
      const at = (v: number[], i: number) => v[v.length === 1 ? 0 : i]!;
      return Array.from({ length: len }, (_, i) => (at(cond, i) ? at(x, i) : at(y, i)));
    }
    case 'ConstantOfShape': {
      if (!a || a.length !== 1) return undefined;
      const t = n.attribute.find((x) => x.name === 'value')?.t;
      const v = t && (t.data_type === 7 || t.data_type === 6) ? Number((tensorToArray(t) as BigInt64Array | Int32Array)[0] ?? 0) : 0;
      return a[0]! <= 64 ? new Array<number>(a[0]!).fill(v) : undefined;
    }
    default:
      return undefined;
  }
}
