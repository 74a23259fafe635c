/**
 * Moving a model from opset 7–12 to 13, where QuantizeLinear/DequantizeLinear exist (from 10) and
 * take a per-channel axis (from 13). Only ops whose meaning is the same at 13 are allowed; the
 * ones that only moved attributes into inputs are rewritten (Pad, Clip, Squeeze, Unsqueeze,
 * ReduceSum), and
 * Softmax-like ops qualify when they normalise over the last axis. Anything else blocks the move
 * and is named, so the caller can fall back (per-tensor weights at opset 10–12) or refuse.
 */
import { attrFloat, attrInt, attrInts, inferShapes } from '../graph/shapes';
import { makeAttribute } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { makeTensor } from '../onnx/tensor';
import type { GraphProto, NodeProto } from '../onnx/types';

/** Ops whose definition at their opset 7–12 versions means the same at opset 13. */
const SAME_AT_13 = new Set([
  'Conv', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Gemm', 'MatMul', 'Add',
  'Sub', 'Mul', 'Div', 'Reshape', 'Transpose', 'Concat', 'Identity', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Shape',
  'Gather', 'Cast', 'Sqrt', 'Pow', 'Exp', 'Erf', 'Neg', 'Abs', 'Sum', 'Max', 'Min', 'HardSigmoid', 'PRelu',
  'ReduceMean', 'ReduceMax', 'ReduceMin', 'LRN', 'InstanceNormalization', 'Elu', 'Selu', 'Softplus', 'Floor', 'Ceil',
  // what transformer exports add (their later versions only add element types or defaulted attributes)
  'Equal', 'Less', 'Greater', 'Where', 'Expand', 'ConstantOfShape', 'Range', 'Not', 'And', 'Or', 'Tile', 'Mod',
  'Round', 'Sign', 'ArgMax', 'ArgMin',
  // attributes that became inputs: rewritten below
  'Pad', 'Clip', 'Squeeze', 'Unsqueeze', 'ReduceSum',
]);

/** Ops whose pre-10 versions took as attributes what they take as inputs from 10 on. */
const SAME_FROM_10 = new Set(['Slice', 'TopK']);

const SOFTMAX_LIKE = new Set(['Softmax', 'LogSoftmax', 'Hardmax']);

/** Op types that keep `g` (at `opset`) from meaning the same at 13; empty when it can move. */
export function blockersOf13(g: GraphProto, opset: number): string[] {
  const shapes = inferShapes(g, 1);
  const blocked = g.node.filter((n) => (n.domain ?? '') === '' && !sameAt13(n, opset, shapes));
  return [...new Set(blocked.map((n) => n.op_type ?? ''))];
}

function sameAt13(n: NodeProto, opset: number, shapes: Map<string, number[]>): boolean {
  const op = n.op_type ?? '';
  // before 13 these normalise over all axes from `axis` (default 1) on, from 13 over `axis` alone
  // (default -1): the same when `axis` is the last one, e.g. a classifier's [N, classes] scores
  if (SOFTMAX_LIKE.has(op)) {
    const rank = shapes.get(n.input[0] ?? '')?.length;
    const axis = attrInt(n, 'axis', 1);
    return rank !== undefined && (axis === rank - 1 || axis === -1);
  }
  // Dropout-10 has a ratio attribute, an input from 12 (a mask-less one is bypassed before this)
  if (op === 'Dropout') return opset >= 12 || n.attribute.length === 0;
  // BatchNormalization-7 has `spatial` (1: per channel, what 9+ always does)
  if (op === 'BatchNormalization') return attrInt(n, 'spatial', 1) === 1;
  if (SAME_FROM_10.has(op)) return opset >= 10;
  return SAME_AT_13.has(op);
}

/** Rewrites `g` (at `opset`, with no blockers) so it means the same at opset 13. */
export function rewriteFor13(g: GraphProto, opset: number): void {
  const name = (n: NodeProto, what: string) => `${n.name || n.output[0]}_${what}`;
  for (const n of g.node) {
    if ((n.domain ?? '') !== '') continue;
    const op = n.op_type ?? '';
    if (op === 'Pad' && opset < 11) {
      // Pad-2: pads and value as attributes; inputs from 11
      const pads = attrInts(n, 'pads') ?? [];
      const value = attrFloat(n, 'value', 0);
      g.initializer.push(makeTensor(name(n, 'pads'), DataType.INT64, [pads.length], BigInt64Array.from(pads, BigInt)));
      n.input = [n.input[0]!, name(n, 'pads')];
      if (value !== 0) {
        g.initializer.push(makeTensor(name(n, 'value'), DataType.FLOAT, [], Float32Array.of(value)));
        n.input.push(name(n, 'value'));
      }
      n.attribute = n.attribute.filter((a) => a.name === 'mode');
    } else if (op === 'Clip' && opset < 11) {
      // Clip-6: min/max attributes; optional inputs from 11 (absent = unbounded)
      const bound = (a: 'min' | 'max') => {
        if (!n.attribute.some((x) => x.name === a)) return '';
        g.initializer.push(makeTensor(name(n, a), DataType.FLOAT, [], Float32Array.of(attrFloat(n, a, 0))));
        return name(n, a);
      };
      n.input = [n.input[0]!, bound('min'), bound('max')];
      while (n.input.length > 1 && n.input[n.input.length - 1] === '') n.input.pop();
      n.attribute = [];
    } else if ((op === 'Squeeze' || op === 'Unsqueeze' || op === 'ReduceSum') && attrInts(n, 'axes')) {
      // axes attribute → input at 13 (ReduceSum keeps its keepdims)
      const axes = attrInts(n, 'axes')!;
      g.initializer.push(makeTensor(name(n, 'axes'), DataType.INT64, [axes.length], BigInt64Array.from(axes, BigInt)));
      n.input = [n.input[0]!, name(n, 'axes')];
      n.attribute = n.attribute.filter((a) => a.name !== 'axes');
    } else if (op === 'BatchNormalization') {
      n.attribute = n.attribute.filter((a) => a.name !== 'spatial');
    } else if (SOFTMAX_LIKE.has(op)) {
      // the default axis changes from 1 to -1: write it out
      n.attribute = [...n.attribute.filter((a) => a.name !== 'axis'), makeAttribute('axis', -1)];
    }
  }
}
