/**
 * Descriptive statistics for latency samples: quantiles, MAD, a distribution-free 95% CI of the
 * median, and outlier flags. Outliers are only flagged, never removed (hyperfine/pyperf practice).
 */

/** Ascending numeric copy (typed-array sort is numeric, unlike Array#sort). */
export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Quantile by linear interpolation between order statistics (numpy's default, Hyndman–Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function quantile(xs: readonly number[], p: number): number {
  return quantileSorted(sortedCopy(xs), p);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

/** Sample standard deviation (n − 1). */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Median absolute deviation from the median, unscaled. */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

export interface MedianCi {
  low: number;
  high: number;
  /** 1-based ranks of the order statistics used. */
  ranks: [number, number];
  /** Actual coverage of the interval (≥ the level when `valid`). */
  coverage: number;
  /** False when n is too small for any pair of order statistics to reach the level (n < 6 at 95%). */
  valid: boolean;
}

/**
 * Distribution-free CI of the median from order statistics: the number of samples below the true
 * median is Binomial(n, ½), so [x_(j), x_(n−j+1)] covers it with probability 1 − 2·P(B ≤ j−1).
 * Picks the largest j (narrowest interval) whose coverage is still ≥ `level`. Exact for every n.
 */
export function medianCiSorted(sorted: ArrayLike<number>, level = 0.95): MedianCi {
  const n = sorted.length;
  if (n === 0) return { low: NaN, high: NaN, ranks: [0, 0], coverage: 0, valid: false };
  const alphaHalf = (1 - level) / 2;
  // cumulative P(B ≤ k) in log space so that large n does not underflow 2^-n
  const logHalfN = n * Math.log(0.5);
  let logC = 0; // log C(n, k)
  let cdf = 0;
  let j = 0; // largest j with P(B ≤ j − 1) ≤ alphaHalf; 0 = none
  let tailAtJ = 0;
  for (let k = 0; k < Math.ceil(n / 2); k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    const next = cdf + Math.exp(logC + logHalfN);
    if (next > alphaHalf) break;
    cdf = next;
    j = k + 1;
    tailAtJ = cdf;
  }
  if (j === 0) {
    return { low: sorted[0]!, high: sorted[n - 1]!, ranks: [1, n], coverage: 1 - 2 * Math.exp(logHalfN), valid: false };
  }
  return { low: sorted[j - 1]!, high: sorted[n - j]!, ranks: [j, n - j + 1], coverage: 1 - 2 * tailAtJ, valid: true };
}

export function medianCi(xs: readonly number[], level = 0.95): MedianCi {
  return medianCiSorted(sortedCopy(xs), level);
}

/**
 * Indexes of outliers by the modified z-score 0.6745·(x − median)/MAD, |z| > 3.5 (Iglewicz &
 * Hoaglin). When MAD is 0 (many identical values) the mean absolute deviation × 1.2533 stands in.
 */
export function outlierIndexes(xs: readonly number[], threshold = 3.5): number[] {
  if (xs.length < 3) return [];
  const m = median(xs);
  let scale = mad(xs) / 0.6745;
  if (scale === 0) scale = mean(xs.map((x) => Math.abs(x - m))) * 1.2533;
  if (scale === 0) return [];
  const out: number[] = [];
  xs.forEach((x, i) => { if (Math.abs(x - m) / scale > threshold) out.push(i); });
  return out;
}

export interface Summary {
  n: number;
  median: number;
  mean: number;
  sd: number;
  p90: number;
  p95: number;
  min: number;
  max: number;
  mad: number;
  ciLow: number;
  ciHigh: number;
  /** Half-width of the median's CI relative to the median (max of the two sides). */
  relHalfWidth: number;
  ciValid: boolean;
  outliers: number[];
}

export function summarize(xs: readonly number[], level = 0.95): Summary {
  const s = sortedCopy(xs);
  const n = s.length;
  const med = quantileSorted(s, 0.5);
  const ci = medianCiSorted(s, level);
  return {
    n,
    median: med,
    mean: mean(xs),
    sd: sd(xs),
    p90: quantileSorted(s, 0.9),
    p95: quantileSorted(s, 0.95),
    min: n ? s[0]! : NaN,
    max: n ? s[n - 1]! : NaN,
    mad: mad(xs),
    ciLow: ci.low,
    ciHigh: ci.high,
    relHalfWidth: relHalfWidth(med, ci),
    ciValid: ci.valid,
    outliers: outlierIndexes(xs),
  };
}

function relHalfWidth(med: number, ci: MedianCi): number {
  if (!ci.valid || !(med > 0)) return Infinity;
  return Math.max(med - ci.low, ci.high - med) / med;
}
