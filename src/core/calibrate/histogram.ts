/**
 * A streaming histogram over [-threshold, threshold] (onnxruntime's `collect_value` layout), merged
 * batch by batch so activations are never kept: when a batch exceeds the current threshold the
 * histogram grows by whole bins of the same width on both sides (counts stay exact), and when it
 * passes `maxBins` adjacent bins are merged pairwise (stride doubles), bounding memory.
 */

export interface Histogram {
  /** counts[k] covers [-threshold + k·stride, -threshold + (k+1)·stride). Even length, 0 at the middle edge. */
  counts: Float64Array;
  threshold: number;
  min: number;
  max: number;
  /** Total number of values seen (finite ones). */
  total: number;
}

export const DEFAULT_BINS = 2048;

export function emptyHistogram(): Histogram {
  return { counts: new Float64Array(0), threshold: 0, min: Infinity, max: -Infinity, total: 0 };
}

/** Adds a batch of values to `h` (mutated and returned). Non-finite values are ignored. */
export function addToHistogram(h: Histogram, data: ArrayLike<number>, bins = DEFAULT_BINS, maxBins = 4 * DEFAULT_BINS): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    // a batch with NaN/Inf: fall back to the finite values only
    lo = Infinity; hi = -Infinity;
    for (let i = 0; i < data.length; i++) { const v = data[i]!; if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
    if (lo > hi) return h;
  }
  h.min = Math.min(h.min, lo);
  h.max = Math.max(h.max, hi);
  const need = Math.max(Math.abs(lo), Math.abs(hi));
  if (h.counts.length === 0) {
    h.threshold = need > 0 ? need : 1e-12;
    h.counts = new Float64Array(bins % 2 === 0 ? bins : bins + 1);
  } else if (need > h.threshold) {
    growTo(h, need, maxBins);
  }
  const n = h.counts.length;
  const t = h.threshold;
  const k = n / (2 * t);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    let b = Math.floor((v + t) * k);
    if (b >= n) b = n - 1; else if (b < 0) b = 0;
    h.counts[b]! += 1;
    h.total++;
  }
  return h;
}

function growTo(h: Histogram, need: number, maxBins: number): void {
  let stride = (2 * h.threshold) / h.counts.length;
  const extra = Math.ceil((need - h.threshold) / stride);
  let counts = new Float64Array(h.counts.length + 2 * extra);
  counts.set(h.counts, extra);
  let threshold = h.threshold + extra * stride;
  while (counts.length > maxBins) {
    // halve resolution; keep an even bin count so 0 stays on an edge
    let len = Math.ceil(counts.length / 2);
    if (len % 2) len++;
    const pad = len * 2 - counts.length;
    const merged = new Float64Array(len);
    for (let i = 0; i < counts.length; i++) merged[(i + pad / 2) >> 1]! += counts[i]!;
    threshold += (pad / 2) * stride;
    stride *= 2;
    counts = merged;
  }
  h.counts = counts;
  h.threshold = threshold;
}

/** Left edge of bin k. */
export function binEdge(h: Histogram, k: number): number {
  return -h.threshold + (k * 2 * h.threshold) / h.counts.length;
}
