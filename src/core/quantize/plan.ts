/**
 * Which nodes become integer kernels and which tensors get a QuantizeLinear→DequantizeLinear pair,
 * decided from what onnxruntime 1.30's CPU provider actually fuses (design-facts §2.2):
 * - Conv, MatMul, Gemm ("heavy") are always worth it: DQ on every input (weights stored int8),
 *   Q on a Conv's output (QLinearConv); a MatMul/Gemm output is quantized only when something
 *   quantized reads it, otherwise it stays float (MatMulIntegerToFloat / QGemm with float output);
 * - Add, Mul, GlobalAveragePool, AveragePool, Sigmoid, LeakyRelu, Concat ("light") only when every
 *   input is already quantized — wrapping a float tensor in Q/DQ just for them costs more than it
 *   saves — and their output is not a graph output (a node writing a graph output never fuses);
 * - Reshape, Flatten, Transpose, Squeeze, Unsqueeze, MaxPool, Resize pass a quantized tensor
 *   through with the same scale/zero point (the op then runs on 8-bit data);
 * - Relu/Clip right after a quantized producer are removed and their range folded into the
 *   producer's output Q (QDQRemovableActivation); alone they are not fused, so they stay float;
 * - everything else (LayerNormalization, Erf/GELU, Softmax, Div, Pow, ReduceMean, ...) stays float.
 * Planning needs no ranges: it names the tensors calibration must measure.
 */
import { implicitInputs, indexGraph, type GraphIndex } from '../graph/graph';
import { attrInt } from '../graph/shapes';
import { DataType } from '../onnx/dtypes';
import { tensorToFloat32 } from '../onnx/tensor';
import type { GraphProto } from '../onnx/types';

export type NodeKind = 'conv' | 'gemm' | 'matmul' | 'binary' | 'unary' | 'concat' | 'passthrough';

export interface PlanOptions {
  excludeNodes?: readonly string[];
  excludeOpTypes?: readonly string[];
  /** Quantize only MatMuls with a constant operand (attention's activation×activation MatMuls stay float). */
  matmulConstBOnly?: boolean;
  /** QLinearSoftmax loses attention resolution; off by default. */
  quantizeSoftmax?: boolean;
  opset: number;
  /** Spatial Convs (group 1) with fewer multiply-adds per output than this stay float (a hand rule; off unless given). */
  minConvMacsPerOutput?: number;
}

export interface QuantPlan {
  /** Quantized nodes by index into graph.node. */
  nodes: Map<number, NodeKind>;
  /** Relu/Clip nodes removed, folded into their producer's output Q. */
  absorbed: Set<number>;
  /** Activation tensors that get Q→DQ → the tensor whose range (and scale/zero point) they use. */
  activations: Map<string, string>;
  /** Tensors calibration must measure (the distinct range sources). */
  calibrate: string[];
  /** Heavy nodes left float, with the reason. */
  skipped: Array<{ name: string; op: string; reason: string }>;
  /** Looks like a transformer (Softmax/Erf/LayerNormalization present). */
  transformer: boolean;
}

const LIGHT_BINARY = new Set(['Add', 'Mul']);
const LIGHT_UNARY = new Set(['GlobalAveragePool', 'AveragePool', 'Sigmoid', 'LeakyRelu']);
const PASS = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool', 'Resize']);

/** Element type of every value the graph defines (initializers, inputs, node outputs), best effort. */
export function valueTypes(g: GraphProto, idx: GraphIndex = indexGraph(g)): Map<string, number> {
  const types = new Map<string, number>();
  for (const v of [...g.input, ...g.value_info, ...g.output]) {
    const t = v.type?.tensor_type?.elem_type;
    if (v.name && t) types.set(v.name, t);
  }
  for (const t of g.initializer) types.set(t.name ?? '', t.data_type ?? 0);
  void idx;
  for (const n of g.node) {
    const op = n.op_type ?? '';
    const first = n.input.map((i) => types.get(i)).find((t) => t !== undefined);
    let out: number | undefined;
    if ((n.domain ?? '') !== '') out = undefined;
    else if (op === 'Shape' || op === 'Size' || op === 'NonZero' || op === 'ArgMax' || op === 'ArgMin') out = DataType.INT64;
    else if (op === 'Cast') out = attrInt(n, 'to', 0) || undefined;
    else if (['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf'].includes(op)) out = DataType.BOOL;
    else if (op === 'ConstantOfShape') out = n.attribute.find((a) => a.name === 'value')?.t?.data_type ?? DataType.FLOAT;
    else if (op === 'Where') out = types.get(n.input[1] ?? '') ?? types.get(n.input[2] ?? '');
    else if (op === 'QuantizeLinear') out = types.get(n.input[2] ?? '') ?? DataType.UINT8;
    else if (op === 'DequantizeLinear') out = DataType.FLOAT;
    else out = first;
    for (const [k, o] of n.output.entries()) {
      if (!o || types.has(o)) continue;
      if (op === 'TopK' && k === 1) types.set(o, DataType.INT64);
      else if (out !== undefined) types.set(o, out);
    }
  }
  return types;
}

export function planQuantization(g: GraphProto, opts: PlanOptions): QuantPlan {
  const idx = indexGraph(g);
  const types = valueTypes(g, idx);
  const graphOutputs = new Set(g.output.map((o) => o.name ?? ''));
  const excludedNodes = new Set(opts.excludeNodes ?? []);
  const excludedOps = new Set(opts.excludeOpTypes ?? []);
  const transformer = g.node.some((n) => ['Softmax', 'Erf', 'LayerNormalization', 'Gelu'].includes(n.op_type ?? ''));

  const nodes = new Map<number, NodeKind>();
  const absorbed = new Set<number>();
  const confirmed = new Map<string, string>();
  /** Outputs quantized only if something quantized reads them; a pass-through's depends on its input. */
  const tentative = new Map<string, { source: string; dependsOn?: string }>();
  const skipped: QuantPlan['skipped'] = [];

  const isInit = (v: string) => idx.initializers.has(v);
  const isFloatAct = (v: string | undefined) => !!v && !isInit(v) && (types.get(v) ?? DataType.FLOAT) === DataType.FLOAT && types.has(v);
  const avail = (v: string) => confirmed.has(v) || tentative.has(v);
  const source = (v: string) => confirmed.get(v) ?? tentative.get(v)?.source ?? v;
  const confirm = (v: string): void => {
    if (confirmed.has(v)) return;
    const t = tentative.get(v);
    if (t?.dependsOn) confirm(t.dependsOn);
    confirmed.set(v, t?.source ?? v);
    tentative.delete(v);
  };
  const floatInit = (v: string | undefined) => !!v && idx.initializers.get(v)?.data_type === DataType.FLOAT;

  /** A Relu/Clip that is the only reader of `y` and may be folded into y's Q. */
  const removableAfter = (y: string): number | undefined => {
    if (graphOutputs.has(y)) return undefined;
    const cons = idx.consumers.get(y) ?? [];
    if (cons.length !== 1) return undefined;
    const c = cons[0]!;
    const n = g.node[c]!;
    if ((n.domain ?? '') !== '' || excludedNodes.has(n.name ?? '') || excludedOps.has(n.op_type ?? '')) return undefined;
    if (graphOutputs.has(n.output[0] ?? '')) return undefined;
    if (n.op_type === 'Relu') return c;
    if (n.op_type === 'Clip') {
      // folding is exact only when the clip's lower bound is ≤ 0 (the Q's range always contains 0)
      const lo = n.input[1] ? constScalar(n.input[1]) : n.attribute.find((a) => a.name === 'min')?.f;
      if (n.input[1] && lo === undefined) return undefined;
      if (n.input[2] && constScalar(n.input[2]) === undefined) return undefined;
      if (lo !== undefined && lo > 0) return undefined;
      return c;
    }
    return undefined;
  };
  const constScalar = (v: string): number | undefined => {
    const t = idx.initializers.get(v);
    if (!t) return undefined;
    try { const a = tensorToFloat32(t); return a.length === 1 ? a[0] : undefined; } catch { return undefined; }
  };

  /** Marks the output of a quantized node; returns nothing. `always`: the output must be quantized. */
  const markOutput = (i: number, always: boolean) => {
    const y = g.node[i]!.output[0]!;
    const relu = removableAfter(y);
    if (relu !== undefined) {
      absorbed.add(relu);
      const out = g.node[relu]!.output[0]!;
      confirmed.set(out, out);
      return;
    }
    if (always) confirmed.set(y, y);
    else if (!graphOutputs.has(y)) tentative.set(y, { source: y });
  };

  g.node.forEach((n, i) => {
    const op = n.op_type ?? '';
    if ((n.domain ?? '') !== '' || absorbed.has(i)) return;
    const heavy = op === 'Conv' || op === 'Gemm' || op === 'MatMul';
    if (excludedNodes.has(n.name ?? '') || excludedOps.has(op)) {
      if (heavy) skipped.push({ name: n.name ?? '', op, reason: 'excluded by option' });
      return;
    }
    const skip = (reason: string) => { skipped.push({ name: n.name ?? '', op, reason }); };
    const hasImplicit = implicitInputs(n).length > 0;
    if (hasImplicit) return;

    if (op === 'Conv') {
      const [x, w, b] = n.input;
      if (!isFloatAct(x)) return skip('input is not a float32 activation');
      if (!floatInit(w)) return skip('weight is not a float32 initializer');
      if (b && !floatInit(b)) return skip('bias is not a float32 initializer');
      const wd = idx.initializers.get(w!)!.dims.map(Number);
      const inChannels = wd[1] ?? 0;
      const macsPerOutput = inChannels * wd.slice(2).reduce((a, k) => a * k, 1);
      if (opts.minConvMacsPerOutput !== undefined && attrInt(n, 'group', 1) === 1 && wd.slice(2).some((k) => k > 1) && macsPerOutput < opts.minConvMacsPerOutput) {
        return skip(`a ${inChannels}-channel ${wd.slice(2).join('×')} Conv (${macsPerOutput} multiply-adds per output) is below --min-conv-macs`);
      }
      confirm(x!);
      nodes.set(i, 'conv');
      markOutput(i, true);
      return;
    }
    if (op === 'Gemm') {
      const [a, b, c] = n.input;
      if (!isFloatAct(a)) return skip('input A is not a float32 activation');
      if (!floatInit(b) || idx.initializers.get(b!)!.dims.length !== 2) return skip('B is not a 2-D float32 initializer');
      if (c) {
        const ct = idx.initializers.get(c);
        const nOut = Number(idx.initializers.get(b!)!.dims[attrInt(n, 'transB', 0) ? 0 : 1]);
        const size = ct ? ct.dims.reduce((p, d) => p * Number(d), 1) : -1;
        if (!ct || ct.data_type !== DataType.FLOAT || (size !== nOut && size !== 1) || (ct.dims.length === 2 && Number(ct.dims[0]) !== 1)) {
          return skip('C is not a constant per-column bias (QGemm needs an int32 bias)');
        }
      }
      confirm(a!);
      nodes.set(i, 'gemm');
      markOutput(i, false);
      return;
    }
    if (op === 'MatMul') {
      const [a, b] = n.input;
      const aw = floatInit(a);
      const bw = floatInit(b);
      if (aw && bw) return skip('both operands are constant');
      if ((!aw && !isFloatAct(a)) || (!bw && !isFloatAct(b))) return skip('an operand is not float32');
      if (!aw && !bw && opts.matmulConstBOnly) return skip('activation × activation MatMul kept float (attention scores keep their resolution)');
      if (!aw) confirm(a!);
      if (!bw) confirm(b!);
      nodes.set(i, 'matmul');
      markOutput(i, false);
      return;
    }
    const y = n.output[0];
    if (!y || graphOutputs.has(y) || n.output.filter(Boolean).length !== 1) return;
    if (LIGHT_BINARY.has(op) || LIGHT_UNARY.has(op) || op === 'Concat' || (op === 'Softmax' && opts.quantizeSoftmax)) {
      const ins = n.input.filter(Boolean);
      if (ins.length === 0 || !ins.every((v) => isFloatAct(v) && avail(v))) return;
      if (op === 'AveragePool' || op === 'GlobalAveragePool') {
        if (!isFloatAct(ins[0])) return;
      }
      ins.forEach(confirm);
      nodes.set(i, LIGHT_BINARY.has(op) ? 'binary' : op === 'Concat' ? 'concat' : 'unary');
      markOutput(i, true);
      return;
    }
    if (PASS.has(op)) {
      const x = n.input[0];
      if (!x || !isFloatAct(x) || !avail(x)) return;
      if (op === 'MaxPool' && (opts.opset < 12 || n.output.filter(Boolean).length !== 1)) return;
      nodes.set(i, 'passthrough');
      if (confirmed.has(x)) confirmed.set(y, source(x));
      else tentative.set(y, { source: source(x), dependsOn: x });
    }
  });
  // pass-through nodes whose output nobody quantized needs stay float
  for (const [i, kind] of nodes) if (kind === 'passthrough' && !confirmed.has(g.node[i]!.output[0]!)) nodes.delete(i);

  const activations = new Map(confirmed);
  const calibrate = [...new Set(activations.values())];
  return { nodes, absorbed, activations, calibrate, skipped, transformer };
}
