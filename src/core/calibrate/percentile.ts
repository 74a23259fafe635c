/**
 * Percentile ranges from a histogram. onnxruntime's percentile calibrator is symmetric by default,
 * which halves the resolution of one-sided (post-ReLU) tensors and is known to fail on BERT
 * (ORT #10571); here a tensor that never goes negative only has its upper tail cut, and a
 * two-sided one loses (100 - p)/2 % on each side.
 */
import { binEdge, type Histogram } from './histogram';

export const DEFAULT_PERCENTILE = 99.999;

export function percentileRange(h: Histogram, percentile = DEFAULT_PERCENTILE): [number, number] {
  if (h.total === 0) return [0, 0];
  const n = h.counts.length;
  const oneSided = h.min >= 0;
  const cutHigh = oneSided ? (100 - percentile) / 100 : (100 - percentile) / 200;
  const cutLow = oneSided ? 0 : (100 - percentile) / 200;
  let lo = h.min;
  if (cutLow > 0) {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      acc += h.counts[k]!;
      if (acc / h.total > cutLow) { lo = binEdge(h, k); break; }
    }
  }
  let hi = h.max;
  let acc = 0;
  for (let k = n - 1; k >= 0; k--) {
    acc += h.counts[k]!;
    if (acc / h.total > cutHigh) { hi = binEdge(h, k + 1); break; }
  }
  return [Math.max(lo, h.min), Math.min(hi, h.max)];
}
