/** A model's real inputs (graph inputs that are not initializers) as the data loader needs them. */
import { AdvisorError } from '../errors';
import { DataType, dtypeName } from '../onnx/dtypes';
import { indexGraph, type GraphIndex } from '../graph/graph';
import type { ModelProto } from '../onnx/types';
import type { TensorType } from '../protocol/tensor';

export interface InputSpec {
  name: string;
  type: TensorType;
  /** Fixed sizes as numbers; symbolic or unknown dimensions as their name or null. */
  shape: Array<number | string | null>;
  /**
   * For integer inputs that index a constant table (Gather of an embedding with V rows): ids must
   * stay below V. Synthetic token ids respect it.
   */
  idBound?: number;
  /** The model declares no shape at all for this input (not even its rank). */
  unknownRank?: true;
}

/** Layout-only ops an id tensor may pass through on its way to the Gather. */
const ID_PASS = new Set(['Cast', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten', 'Identity']);

/** Rows of the smallest constant table `name` indexes through Gather (looking through layout ops). */
function gatherTableRows(idx: GraphIndex, name: string): number | undefined {
  let best: number | undefined;
  const visit = (v: string, depth: number) => {
    if (depth > 4) return;
    for (const i of idx.consumers.get(v) ?? []) {
      const n = idx.graph.node[i]!;
      if (n.op_type === 'Gather' && n.input[1] === v && (n.attribute.find((a) => a.name === 'axis')?.i ?? 0n) === 0n) {
        const rows = Number(idx.initializers.get(n.input[0] ?? '')?.dims[0] ?? 0);
        if (rows > 0) best = Math.min(best ?? rows, rows);
      } else if (ID_PASS.has(n.op_type ?? '') && n.input[0] === v) {
        visit(n.output[0]!, depth + 1);
      }
    }
  };
  visit(name, 0);
  return best;
}

const ONNX_TO_TENSOR: Partial<Record<number, TensorType>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.BOOL]: 'bool',
};

export function tensorTypeOf(onnxType: number | undefined): TensorType | undefined {
  return onnxType === undefined ? undefined : ONNX_TO_TENSOR[onnxType];
}

export function modelInputSpecs(model: ModelProto, file?: string): InputSpec[] {
  const g = model.graph;
  if (!g) throw new AdvisorError('input', 'the model has no graph', file);
  const inits = new Set(g.initializer.map((t) => t.name));
  let idx: GraphIndex | undefined; // built only for integer inputs (the id-bound search)
  return g.input.filter((v) => !inits.has(v.name)).map((v) => {
    const tt = v.type?.tensor_type;
    const type = tensorTypeOf(tt?.elem_type);
    if (!type) throw new AdvisorError('unsupported', `input "${v.name}" has type ${dtypeName(tt?.elem_type)}, which the advisor cannot feed`, file);
    const shape = tt?.shape?.dim.map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : d.dim_param || null)) ?? [];
    const idBound = type === 'int64' || type === 'int32' ? gatherTableRows(idx ??= indexGraph(g), v.name ?? '') : undefined;
    return { name: v.name ?? '', type, shape, ...(idBound ? { idBound } : {}), ...(tt?.shape ? {} : { unknownRank: true as const }) };
  });
}

export function bytesPerElement(t: TensorType): number {
  return t === 'float64' || t === 'int64' ? 8 : t === 'float32' || t === 'int32' ? 4 : 1;
}
