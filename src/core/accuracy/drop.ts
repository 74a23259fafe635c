/**
 * Accuracy drop of a candidate against the baseline on the same samples, in points, with a paired
 * percentile-bootstrap 95% CI (samples resampled together for both models).
 */
import { bootstrapCi, type BootstrapOptions } from '../stats/bootstrap';

/** Score of one model on the resampled sample indexes (a metric such as top1Accuracy bound to its predictions). */
export type IndexedScore = (idx: ArrayLike<number>) => number;

export interface DropEstimate {
  baseline: number;
  candidate: number;
  /** baseline − candidate, points (positive = worse). */
  drop: number;
  ci: [number, number];
}

export function accuracyDrop(n: number, baseline: IndexedScore, candidate: IndexedScore, opts: BootstrapOptions = {}): DropEstimate {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const b = baseline(all);
  const c = candidate(all);
  const ci = bootstrapCi(n, (idx) => baseline(idx) - candidate(idx), opts);
  return { baseline: b, candidate: c, drop: b - c, ci };
}
