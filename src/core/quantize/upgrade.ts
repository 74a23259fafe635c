/**
 * Moving a model from opset 7–12 to 13 (QuantizeLinear exists from 10, its per-channel axis from
 * 13), or — when that is impossible — from 7–9 to 10 (per-tensor Q/DQ). Only what means the same
 * at the target moves:
 * - ops whose later versions only add types or defaulted attributes move as they are;
 * - ops whose attributes became inputs are rewritten (Pad, Clip at 11; Slice, TopK at 10; Squeeze,
 *   Unsqueeze, ReduceSum, Split at 13); Scatter becomes ScatterElements;
 * - Softmax/LogSoftmax/Hardmax before 13 coerce the input to 2-D at `axis`: on the last axis they
 *   equal the new per-axis op, elsewhere they become Flatten(axis) → op(axis 1) → Reshape(Shape(x)),
 *   which is the old definition written out;
 * - Upsample and Resize-10 (asymmetric coordinates; onnxruntime's nearest picks floor when
 *   enlarging) become Resize-13 with those modes written out, nearest only with constant scales
 *   ≥ 1; Resize-11 moves unless it uses tf_half_pixel_for_nn (gone at 13).
 * Anything else (subgraph ops, unknown ops) blocks the move and is named, so the caller can fall
 * back to per-tensor weights at the model's own opset. Each rewrite is checked against
 * onnxruntime's outputs in test/opsetMoves.test.ts.
 */
import { attrFloat, attrInt, attrInts, attrString, inferShapes } from '../graph/shapes';
import { hasSubgraph } from '../graph/graph';
import { makeAttribute, makeNode } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { makeTensor, tensorToFloat32 } from '../onnx/tensor';
import type { GraphProto, NodeProto } from '../onnx/types';

/** Ops whose definition at their opset 7–12 versions means the same at opset 13. */
const SAME_AT_13 = new Set([
  'Conv', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Gemm', 'MatMul', 'Add',
  'Sub', 'Mul', 'Div', 'Reshape', 'Transpose', 'Concat', 'Identity', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Shape',
  'Gather', 'Cast', 'Sqrt', 'Pow', 'Exp', 'Log', 'Erf', 'Neg', 'Abs', 'Reciprocal', 'Sum', 'Max', 'Min', 'Mean', 'HardSigmoid', 'PRelu',
  'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare',
  'LRN', 'InstanceNormalization', 'Elu', 'Selu', 'Softplus', 'Softsign', 'ThresholdedRelu', 'Floor', 'Ceil', 'Sin', 'Cos',
  'DepthToSpace', 'SpaceToDepth', 'GatherElements', 'GatherND', 'ScatterElements', 'ScatterND', 'OneHot', 'CumSum', 'NonZero',
  'Size', 'IsNaN', 'IsInf', 'Xor', 'Einsum', 'NonMaxSuppression', 'LpNormalization', 'GlobalLpPool', 'MeanVarianceNormalization',
  'LSTM', 'GRU', 'RNN', 'MatMulInteger', 'Det', 'Celu',
  // what transformer exports add (their later versions only add element types or defaulted attributes)
  'Equal', 'Less', 'Greater', 'Where', 'Expand', 'ConstantOfShape', 'Range', 'Not', 'And', 'Or', 'Tile', 'Mod',
  'Round', 'Sign', 'ArgMax', 'ArgMin',
  // attributes that became inputs, or renamed: rewritten below
  'Pad', 'Clip', 'Squeeze', 'Unsqueeze', 'ReduceSum', 'Split', 'Slice', 'TopK', 'Scatter',
]);

const SOFTMAX_LIKE = new Set(['Softmax', 'LogSoftmax', 'Hardmax']);

export type UpgradeTarget = 10 | 13;

/** Op types that keep `g` (at `opset`) from meaning the same at `target`; empty when it can move. */
export function blockersOf(g: GraphProto, opset: number, target: UpgradeTarget = 13): string[] {
  const consts = constFloats(g);
  const blocked = g.node.filter((n) => (n.domain ?? '') === '' && !sameAt(n, opset, target, consts));
  return [...new Set(blocked.map((n) => n.op_type ?? ''))];
}

function constFloats(g: GraphProto): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const t of g.initializer) {
    if (t.data_type !== DataType.FLOAT || t.dims.length > 1) continue;
    try { out.set(t.name ?? '', tensorToFloat32(t)); } catch { /* external: unknown */ }
  }
  return out;
}

/** Upsample / Resize-10 scales: the attribute (Upsample-7) or a constant input; undefined when computed. */
function upsampleScales(n: NodeProto, consts: Map<string, Float32Array>): number[] | undefined {
  const a = n.attribute.find((x) => x.name === 'scales');
  if (a) return a.floats;
  const s = n.input[1] ? consts.get(n.input[1]) : undefined;
  return s ? Array.from(s) : undefined;
}

function sameAt(n: NodeProto, opset: number, target: UpgradeTarget, consts: Map<string, Float32Array>): boolean {
  const op = n.op_type ?? '';
  if (hasSubgraph(n)) return false; // their bodies would have to move too
  // unchanged until 13, rewritten (Flatten → op → Reshape) where the 2-D coercion is not the last axis
  if (SOFTMAX_LIKE.has(op)) return true;
  if (op === 'Dropout') return opset >= 12 || n.attribute.length === 0 || target === 10;
  if (op === 'BatchNormalization') return attrInt(n, 'spatial', 1) === 1;
  if (op === 'ConvTranspose') return opset >= 11 || (!n.attribute.some((a) => a.name === 'output_shape') && !attrString(n, 'auto_pad'));
  if (op === 'Upsample' || (op === 'Resize' && opset < 11)) {
    const mode = attrString(n, 'mode') ?? 'nearest';
    if (mode !== 'nearest') return mode === 'linear' || mode === 'bilinear';
    if (target === 10) return true;
    const scales = upsampleScales(n, consts);
    return !!scales && scales.every((s) => s >= 1);
  }
  if (op === 'Resize') return target === 10 || attrString(n, 'coordinate_transformation_mode') !== 'tf_half_pixel_for_nn';
  return SAME_AT_13.has(op);
}

/** Rewrites `g` (at `opset`, with no blockers for `target`) so it means the same at `target`. */
export function rewriteTo(g: GraphProto, opset: number, target: UpgradeTarget = 13): void {
  const consts = constFloats(g);
  const ranks = inferShapes(g, 1);
  const out: NodeProto[] = [];
  const name = (n: NodeProto, what: string) => `${n.name || n.output[0]}_${what}`;
  const ints = (n: NodeProto, what: string, values: readonly number[]) => {
    g.initializer.push(makeTensor(name(n, what), DataType.INT64, [values.length], BigInt64Array.from(values, (v) => BigInt(v))));
    return name(n, what);
  };
  for (const n of g.node) {
    out.push(n);
    if ((n.domain ?? '') !== '') continue;
    const op = n.op_type ?? '';
    if (op === 'Pad' && opset < 11 && target >= 11) {
      // Pad-2: pads and value as attributes; inputs from 11
      const value = attrFloat(n, 'value', 0);
      n.input = [n.input[0]!, ints(n, 'pads', attrInts(n, 'pads') ?? [])];
      if (value !== 0) {
        g.initializer.push(makeTensor(name(n, 'value'), DataType.FLOAT, [], Float32Array.of(value)));
        n.input.push(name(n, 'value'));
      }
      n.attribute = n.attribute.filter((a) => a.name === 'mode');
    } else if (op === 'Clip' && opset < 11 && target >= 11) {
      // Clip-6: min/max attributes; optional inputs from 11 (absent = unbounded)
      const bound = (a: 'min' | 'max') => {
        if (!n.attribute.some((x) => x.name === a)) return '';
        g.initializer.push(makeTensor(name(n, a), DataType.FLOAT, [], Float32Array.of(attrFloat(n, a, 0))));
        return name(n, a);
      };
      n.input = [n.input[0]!, bound('min'), bound('max')];
      while (n.input.length > 1 && n.input[n.input.length - 1] === '') n.input.pop();
      n.attribute = [];
    } else if (op === 'Slice' && opset < 10) {
      // Slice-1: starts/ends/axes attributes; inputs from 10 (same clamping)
      const starts = attrInts(n, 'starts') ?? [];
      const axes = attrInts(n, 'axes');
      n.input = [n.input[0]!, ints(n, 'starts', starts), ints(n, 'ends', attrInts(n, 'ends') ?? []), ...(axes ? [ints(n, 'axes', axes)] : [])];
      n.attribute = [];
    } else if (op === 'TopK' && opset < 10) {
      n.input = [n.input[0]!, ints(n, 'k', [attrInt(n, 'k', 1)])];
      n.attribute = n.attribute.filter((a) => a.name === 'axis');
    } else if ((op === 'Squeeze' || op === 'Unsqueeze' || op === 'ReduceSum') && attrInts(n, 'axes') && target >= 13) {
      // axes attribute → input at 13 (ReduceSum keeps its keepdims)
      n.input = [n.input[0]!, ints(n, 'axes', attrInts(n, 'axes')!)];
      n.attribute = n.attribute.filter((a) => a.name !== 'axes');
    } else if (op === 'Split' && attrInts(n, 'split') && target >= 13) {
      n.input = [n.input[0]!, ints(n, 'split', attrInts(n, 'split')!)];
      n.attribute = n.attribute.filter((a) => a.name !== 'split');
    } else if (op === 'Scatter') {
      n.op_type = 'ScatterElements';
    } else if (op === 'BatchNormalization') {
      n.attribute = n.attribute.filter((a) => a.name !== 'spatial');
    } else if (SOFTMAX_LIKE.has(op) && target >= 13) {
      out.pop();
      out.push(...softmaxAt13(n, ranks.get(n.input[0] ?? '')?.length));
    } else if (op === 'Upsample' || (op === 'Resize' && opset < 11)) {
      out.pop();
      out.push(upsampleAsResize(n, target, g));
    } else if (op === 'Resize' && target >= 13) {
      // Resize-11 → 13: the same attributes; an empty constant scales next to sizes becomes an absent input
      const scales = n.input[2] ? consts.get(n.input[2]) : undefined;
      if (n.input[3] && scales && scales.length === 0) n.input[2] = '';
    }
  }
  g.node = out;
}

/** The pre-13 2-D coercion written out: the op itself on the last axis, Flatten → op → Reshape elsewhere. */
function softmaxAt13(n: NodeProto, rank: number | undefined): NodeProto[] {
  const axis = attrInt(n, 'axis', 1);
  const others = n.attribute.filter((a) => a.name !== 'axis');
  if (rank !== undefined && (axis === rank - 1 || axis === -1)) return [{ ...n, attribute: [...others, makeAttribute('axis', -1)] }];
  const base = n.name || n.output[0]!;
  const x = n.input[0]!;
  const y = n.output[0]!;
  return [
    makeNode('Flatten', [x], [`${base}_2d`], { axis }, `${base}_flatten`),
    { ...n, input: [`${base}_2d`], output: [`${base}_2d_out`], attribute: [...others, makeAttribute('axis', 1)] },
    makeNode('Shape', [x], [`${base}_shape`], {}, `${base}_shape`),
    makeNode('Reshape', [`${base}_2d_out`, `${base}_shape`], [y], {}, `${base}_reshape`),
  ];
}

/** Upsample (any version) or Resize-10 as a Resize at `target` with the old coordinate rules written out. */
function upsampleAsResize(n: NodeProto, target: UpgradeTarget, g: GraphProto): NodeProto {
  const mode = (attrString(n, 'mode') ?? 'nearest') === 'nearest' ? 'nearest' : 'linear';
  let scales = n.input[1] ?? '';
  const attr = n.attribute.find((a) => a.name === 'scales');
  if (attr) {
    scales = `${n.name || n.output[0]}_scales`;
    g.initializer.push(makeTensor(scales, DataType.FLOAT, [attr.floats.length], Float32Array.from(attr.floats)));
  }
  if (target === 10) return { ...n, op_type: 'Resize', input: [n.input[0]!, scales], attribute: [makeAttribute('mode', mode)] };
  return {
    ...n, op_type: 'Resize', input: [n.input[0]!, '', scales],
    attribute: [
      makeAttribute('mode', mode), makeAttribute('coordinate_transformation_mode', 'asymmetric'),
      ...(mode === 'nearest' ? [makeAttribute('nearest_mode', 'floor')] : []),
    ],
  };
}
