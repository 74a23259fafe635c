/**
 * The adaptive-sampling stopping rule: keep measuring until the 95% CI of the median is within
 * ±target of it (default 2%), with at least `minSamples` runs, or until the budget is spent.
 */
import { medianCiSorted, quantileSorted, sortedCopy } from './describe';

export interface StoppingRule {
  /** Half-width of the CI relative to the median (0.02 = ±2%). */
  targetRelHalfWidth: number;
  minSamples: number;
  level?: number;
}

export const DEFAULT_STOPPING: StoppingRule = { targetRelHalfWidth: 0.02, minSamples: 20, level: 0.95 };

/** True when the samples already meet the rule. */
export function ciReached(samples: readonly number[], rule: StoppingRule = DEFAULT_STOPPING): boolean {
  if (samples.length < rule.minSamples) return false;
  const s = sortedCopy(samples);
  const med = quantileSorted(s, 0.5);
  const ci = medianCiSorted(s, rule.level ?? 0.95);
  if (!ci.valid || !(med > 0)) return false;
  return Math.max(med - ci.low, ci.high - med) <= rule.targetRelHalfWidth * med;
}

/**
 * How many rounds to run before checking the rule again: checks cost a sort, so they thin out as
 * samples grow (about every 10% more samples), but never wait more than `maxGap` rounds.
 */
export function nextCheckAfter(n: number, maxGap = 200): number {
  return Math.max(1, Math.min(maxGap, Math.ceil(n / 10)));
}
