/** Turning raw model outputs (one batch-1 tensor per sample) into class predictions. */
import { AdvisorError } from '../errors';
import type { TensorData } from '../protocol/runner';

function asNumbers(t: TensorData): ArrayLike<number> {
  if (t.type === 'int64') return Array.from(t.data as BigInt64Array, Number);
  return t.data as ArrayLike<number>;
}

/**
 * Top-1 class per sample: argmax over the one non-unit axis of the output ([1, C], [1, C, 1, 1]).
 * An integer output with one value per sample already is the class. A single float score per
 * sample ([1] or [1, 1]) is a binary classifier: class 1 when above 0.5 if the scores look like
 * probabilities (all within [0, 1]), above 0 if they look like logits.
 */
export function classPredictions(outputs: TensorData[]): Int32Array {
  const pred = new Int32Array(outputs.length);
  const single = outputs.every((o) => o.data.length === 1);
  const ids = single && outputs.every((o) => o.type === 'int64' || o.type === 'int32');
  const probs = single && outputs.every((o) => { const v = Number(o.data[0]); return v >= 0 && v <= 1; });
  outputs.forEach((o, i) => {
    const v = asNumbers(o);
    if (ids) { pred[i] = Number(v[0]); return; }
    if (single) { pred[i] = Number(v[0]) > (probs ? 0.5 : 0) ? 1 : 0; return; }
    if (o.dims.filter((d) => d !== 1).length > 1) throw new AdvisorError('unsupported', `classification output has shape [${o.dims.join(',')}]; expected one row of class scores per sample`);
    pred[i] = argmax(v, 0, v.length);
  });
  return pred;
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
