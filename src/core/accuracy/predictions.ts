/** Turning raw model outputs (one batch-1 tensor per sample) into class predictions. */
import { AdvisorError } from '../errors';
import type { TensorData } from '../protocol/tensor';

/** One sample's output as the runner's tensors and TensorData both look. */
export interface OutputValues { type: string; dims: readonly number[]; data: ArrayLike<number> | BigInt64Array }

/** The values as numbers (int64 outputs arrive as BigInt64Array). */
export function asNumbers(t: OutputValues): ArrayLike<number> {
  return t.data instanceof BigInt64Array ? Float64Array.from(t.data, Number) : t.data;
}

/**
 * The top class of one sample's output: argmax over its one non-unit axis ([1, C], [1, C, 1, 1]).
 * An integer output with one value already is the class; a single float score is a binary
 * classifier, class 1 above 0.5 for probabilities (`probabilities`; by default a score in [0, 1]
 * counts as one) and above 0 for logits. Undefined when the output is not one row of scores.
 */
export function topClass(o: OutputValues, probabilities?: boolean): number | undefined {
  const v = asNumbers(o);
  if (v.length === 1) {
    const x = Number(v[0]);
    if (o.type !== 'float32' && o.type !== 'float64') return x;
    const probs = probabilities ?? (x >= 0 && x <= 1);
    return x > (probs ? 0.5 : 0) ? 1 : 0;
  }
  if (o.dims.filter((d) => d !== 1).length > 1) return undefined;
  return argmax(v, 0, v.length);
}

/**
 * Top-1 class per sample (see topClass). Single float scores are read as probabilities when every
 * sample's is within [0, 1], as logits otherwise.
 */
export function classPredictions(outputs: TensorData[]): Int32Array {
  const probs = outputs.every((o) => o.data.length === 1 && Number(o.data[0]) >= 0 && Number(o.data[0]) <= 1);
  return Int32Array.from(outputs, (o) => {
    const c = topClass(o, probs);
    if (c === undefined) throw new AdvisorError('unsupported', `classification output has shape [${o.dims.join(',')}]; expected one row of class scores per sample`);
    return c;
  });
}

/** Per-pixel class of a [1, C, H, W] segmentation output (argmax over C), flattened H·W. */
export function maskPrediction(o: TensorData): Int32Array {
  if (o.dims.length !== 4 || o.dims[0] !== 1) throw new AdvisorError('unsupported', `segmentation output has shape [${o.dims.join(',')}]; expected [1, classes, H, W]`);
  const [, c, h, w] = o.dims as [number, number, number, number];
  const v = asNumbers(o);
  const hw = h * w;
  const out = new Int32Array(hw);
  for (let p = 0; p < hw; p++) {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < c; k++) {
      const x = v[k * hw + p]!;
      if (x > bestV) { bestV = x; best = k; }
    }
    out[p] = best;
  }
  return out;
}

export function argmax(v: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  let bestV = -Infinity;
  for (let k = 0; k < length; k++) {
    const x = v[offset + k]!;
    if (x > bestV) { bestV = x; best = k; }
  }
  return best;
}

/** All outputs' values as one Float64Array (for SQNR). */
export function flattenOutputs(outputs: TensorData[]): Float64Array {
  const n = outputs.reduce((s, o) => s + o.data.length, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const o of outputs) { const v = asNumbers(o); for (let i = 0; i < v.length; i++) out[k++] = v[i]!; }
  return out;
}
