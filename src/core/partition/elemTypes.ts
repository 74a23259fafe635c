/**
 * Element types of every value in a graph: declared ones (inputs, outputs, value_info,
 * initializers) first, then forward propagation by op rules. A cut needs the dtype of each tensor
 * it transfers (bytes) and the tail must declare it on its new graph inputs.
 */
import { DataType } from '../onnx/dtypes';
import type { GraphProto, NodeProto } from '../onnx/types';
import { indexGraph, topologicalOrder } from '../graph/graph';

const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);
const INT32_OUT = new Set(['MatMulInteger', 'ConvInteger']);

function attr(n: NodeProto, name: string) {
  return n.attribute.find((a) => a.name === name);
}

/** Output element types of one node, given a lookup for its inputs' types. */
function nodeOutputTypes(n: NodeProto, typeOf: (v: string | undefined) => number | undefined): (number | undefined)[] {
  const op = n.op_type ?? '';
  const first = n.input.map((v) => typeOf(v)).find((t) => t !== undefined);
  const all = (t: number | undefined) => n.output.map(() => t);
  if (op === 'Constant') return [attr(n, 'value')?.t?.data_type ?? (attr(n, 'value_float') || attr(n, 'value_floats') ? DataType.FLOAT : DataType.INT64)];
  if (op === 'Cast') return [Number(attr(n, 'to')?.i ?? 0) || undefined];
  if (op === 'CastLike') return [typeOf(n.input[1])];
  if (BOOL_OUT.has(op)) return all(DataType.BOOL);
  if (INT64_OUT.has(op)) return all(DataType.INT64);
  if (INT32_OUT.has(op)) return all(DataType.INT32);
  if (op === 'TopK') return [typeOf(n.input[0]), DataType.INT64];
  if (op === 'QuantizeLinear') {
    const od = Number(attr(n, 'output_dtype')?.i ?? 0);
    return [typeOf(n.input[2]) ?? (od || DataType.UINT8)];
  }
  if (op === 'DequantizeLinear') return [typeOf(n.input[1]) ?? DataType.FLOAT];
  if (op === 'DynamicQuantizeLinear') return [DataType.UINT8, DataType.FLOAT, DataType.UINT8];
  if (op === 'QLinearConv' || op === 'QLinearMatMul') return [typeOf(n.input[7])];
  if (op === 'QLinearAdd' || op === 'QLinearMul') return [typeOf(n.input[7])];
  if (op === 'ConstantOfShape') return [attr(n, 'value')?.t?.data_type ?? DataType.FLOAT];
  if (op === 'Where') return [typeOf(n.input[1]) ?? typeOf(n.input[2])];
  if (op === 'EyeLike' || op === 'RandomNormalLike' || op === 'RandomUniformLike') {
    const d = Number(attr(n, 'dtype')?.i ?? 0);
    return [d || first];
  }
  if (op === 'Range') return [first];
  if (op === 'If') {
    const g = attr(n, 'then_branch')?.g;
    return n.output.map((_, k) => g?.output[k]?.type?.tensor_type?.elem_type);
  }
  if (op === 'Loop' || op === 'Scan') return n.output.map(() => undefined);
  return all(first);
}

/** Value name → TensorProto.DataType for every value whose type is declared or inferable. */
export function inferElemTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  for (const v of [...graph.input, ...graph.value_info, ...graph.output]) {
    const t = v.type?.tensor_type?.elem_type;
    if (v.name && t) types.set(v.name, t);
  }
  for (const t of graph.initializer) if (t.name && t.data_type) types.set(t.name, t.data_type);
  const idx = indexGraph(graph);
  let order: number[];
  try { order = topologicalOrder(idx); } catch { return types; }
  const typeOf = (v: string | undefined) => (v ? types.get(v) : undefined);
  for (const i of order) {
    const n = graph.node[i]!;
    const outs = nodeOutputTypes(n, typeOf);
    n.output.forEach((o, k) => {
      const t = outs[k];
      // declared types win: value_info from the exporter is more trustworthy than our rules
      if (o && t && !types.has(o)) types.set(o, t);
    });
  }
  return types;
}
