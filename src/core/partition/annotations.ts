/**
 * The model's own shape declarations (value_info), checked against static inference and runner
 * measurements. Exporters sometimes declare shapes that are wrong at run time (PaddleOCR:
 * `[-1,32,1,-1]` for a `[1,32,3,96]` tensor); copied onto an extracted tail's input, onnxruntime
 * refuses the tail. So declarations never size a cut or shape a part: only those that agree with
 * what the model computes are kept, and those that disagree are reported.
 */
import type { GraphProto, TensorShapeDimension } from '../onnx/types';
import type { WrongAnnotation } from './types';

export interface AnnotationCheck {
  /** value_info names whose declared shape agrees with the shape the model computes. */
  agree: Set<string>;
  /** Declarations that disagree, with the computed shape. */
  wrong: WrongAnnotation[];
}

/** A declared dim as written: its size, its symbolic name, or '?' (absent, or a Paddle-style -1). */
function declaredDim(d: TensorShapeDimension): number | string {
  if (d.dim_value !== undefined && d.dim_value >= 0n) return Number(d.dim_value);
  return d.dim_param || '?';
}

/** Same rank, and every static declared dim equal to the computed one (symbolic dims match anything). */
export function shapeAgrees(declared: readonly (number | string)[], actual: readonly number[]): boolean {
  return declared.length === actual.length && declared.every((d, i) => typeof d === 'string' || d === actual[i]);
}

/**
 * Checks every value_info shape against `actual` (inferred from the inputs, or measured; declared
 * shapes are not in it). Values with no computed shape are neither agreed nor wrong: unchecked.
 */
export function checkAnnotations(graph: GraphProto, actual: ReadonlyMap<string, readonly number[]>, measured: ReadonlySet<string>): AnnotationCheck {
  const agree = new Set<string>();
  const wrong: WrongAnnotation[] = [];
  for (const v of graph.value_info) {
    const dims = v.type?.tensor_type?.shape?.dim;
    const name = v.name ?? '';
    const shape = actual.get(name);
    if (!dims || !shape) continue;
    const declared = dims.map(declaredDim);
    if (shapeAgrees(declared, shape)) agree.add(name);
    else wrong.push({ name, declared, actual: [...shape], from: measured.has(name) ? 'measured' : 'inferred' });
  }
  return { agree, wrong };
}

/** One line per wrong declaration, for warnings: `value_info of "conv1" declares [?,4,1,?]; measured [1,4,6,8]`. */
export function describeWrongAnnotation(w: WrongAnnotation): string {
  return `value_info of "${w.name}" declares [${w.declared.join(',')}], ${w.from} [${w.actual.join(',')}]; the declaration is ignored`;
}
