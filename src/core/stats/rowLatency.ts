/**
 * Latency summaries the engine needs from whatever a row carries: raw samples, a CI of the median,
 * or only mean/sd/n. Also the two-configuration comparison the tie rule is built on.
 */
import type { LatencyStats, ResultRow } from '../results';
import { medianCi as medianCiOf, summarize } from './describe';
import { mannWhitney, welch, type Magnitude } from './significance';

/** Significance level for "significantly different" (two-sided), as in the study. */
export const ALPHA = 0.05;

/** Median, mean, sd, quantiles, n and the 95% CI of the median of raw samples. */
export function summarizeSamples(samples: readonly number[]): LatencyStats {
  const s = summarize(samples);
  return {
    median: s.median, mean: s.mean, sd: s.sd, p90: s.p90, p95: s.p95, min: s.min, max: s.max, mad: s.mad, n: s.n,
    ...(s.ciValid ? { ciLow: s.ciLow, ciHigh: s.ciHigh } : {}),
  };
}

/**
 * The 95% CI of a row's median: as given, else from its samples, else approximated from sd and n
 * (asymptotic SE of a normal sample's median, 1.2533·sd/√n). `approximate` says which.
 */
export function medianCi(row: Pick<ResultRow, 'latencyMs' | 'samplesMs'>): { low: number; high: number; approximate: boolean } | undefined {
  const l = row.latencyMs;
  if (l.ciLow !== undefined && l.ciHigh !== undefined) return { low: l.ciLow, high: l.ciHigh, approximate: false };
  if (row.samplesMs && row.samplesMs.length > 0) {
    const ci = medianCiOf(row.samplesMs);
    if (ci.valid) return { low: ci.low, high: ci.high, approximate: false };
  }
  if (l.sd !== undefined && l.n !== undefined && l.n >= 2) {
    const half = (1.96 * 1.2533 * l.sd) / Math.sqrt(l.n);
    return { low: l.median - half, high: l.median + half, approximate: true };
  }
  return undefined;
}

/** Which evidence a comparison used, best first. */
export type ComparisonMethod = 'mann-whitney' | 'ci-overlap' | 'welch' | 'none';

export interface Comparison {
  method: ComparisonMethod;
  p?: number;
  /** Cliff's δ (estimated under normality for 'welch'); positive = first row slower. */
  delta?: number;
  magnitude?: Magnitude;
  /** Undefined when there was nothing to test ('none'). */
  significant?: boolean;
  /** Not significantly different, or different by a negligible effect: treat as equally fast. */
  tied: boolean;
}

/**
 * Is `a` really faster or slower than `b`? Raw samples on both sides → Mann–Whitney U and Cliff's δ;
 * else 95% CIs of the median on both sides (given, or from samples) → tied when they overlap
 * (conservative); else mean/sd/n
 * on both → Welch. With only medians nothing can be tested, and the medians decide.
 */
export function compareLatency(a: ResultRow, b: ResultRow, alpha = ALPHA): Comparison {
  if (a.samplesMs && b.samplesMs && a.samplesMs.length > 0 && b.samplesMs.length > 0) {
    const r = mannWhitney(a.samplesMs, b.samplesMs);
    const significant = r.p < alpha;
    return { method: 'mann-whitney', p: r.p, delta: r.delta, magnitude: r.magnitude, significant, tied: !significant || r.magnitude === 'negligible' };
  }
  const la = a.latencyMs;
  const lb = b.latencyMs;
  // Measured CIs only (given, or from samples on one side): sd-based ones are left to Welch below.
  const ca = medianCi(a);
  const cb = medianCi(b);
  if (ca && cb && !ca.approximate && !cb.approximate) {
    const overlap = ca.low <= cb.high && cb.low <= ca.high;
    return { method: 'ci-overlap', significant: !overlap, tied: overlap };
  }
  if (la.mean !== undefined && la.sd !== undefined && la.n !== undefined && la.n >= 2 &&
      lb.mean !== undefined && lb.sd !== undefined && lb.n !== undefined && lb.n >= 2) {
    const r = welch({ mean: la.mean, sd: la.sd, n: la.n }, { mean: lb.mean, sd: lb.sd, n: lb.n });
    const significant = r.p < alpha;
    return { method: 'welch', p: r.p, delta: r.delta, magnitude: r.magnitude, significant, tied: !significant || r.magnitude === 'negligible' };
  }
  return { method: 'none', tied: false };
}

/** Speed-up of `fast` over `slow` (ratio of medians) with a 95% CI by the delta method on log scale. */
export function speedup(slow: ResultRow, fast: ResultRow): { ratio: number; ciLow?: number; ciHigh?: number } {
  const ratio = slow.latencyMs.median / fast.latencyMs.median;
  const cs = medianCi(slow);
  const cf = medianCi(fast);
  if (!cs || !cf || slow.latencyMs.median <= 0 || fast.latencyMs.median <= 0) return { ratio };
  // Relative standard errors from the CI half-widths (a 95% CI spans ±1.96 SE).
  const rs = (cs.high - cs.low) / (2 * 1.96 * slow.latencyMs.median);
  const rf = (cf.high - cf.low) / (2 * 1.96 * fast.latencyMs.median);
  const half = 1.96 * Math.sqrt(rs * rs + rf * rf);
  return { ratio, ciLow: ratio * Math.exp(-half), ciHigh: ratio * Math.exp(half) };
}
