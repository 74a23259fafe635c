/** The Pareto front of latency (median) against accuracy drop: what is worth considering at all. */
import type { ResultRow } from '../results';

export interface TradeoffPoint {
  latencyMs: number;
  accuracyDrop: number;
}

/**
 * Indexes of the points no other point beats on both axes (lower latency and lower drop, at least
 * one strictly). Equal points are all kept. Sorted by latency, so the front reads fast → accurate.
 */
export function paretoFront(points: ReadonlyArray<TradeoffPoint | undefined>): number[] {
  const idx = points.flatMap((p, i) => (p && Number.isFinite(p.latencyMs) && Number.isFinite(p.accuracyDrop) ? [i] : []));
  const front = idx.filter((i) => {
    const p = points[i]!;
    return !idx.some((j) => {
      const q = points[j]!;
      return q.latencyMs <= p.latencyMs && q.accuracyDrop <= p.accuracyDrop && (q.latencyMs < p.latencyMs || q.accuracyDrop < p.accuracyDrop);
    });
  });
  return front.sort((a, b) => points[a]!.latencyMs - points[b]!.latencyMs || points[a]!.accuracyDrop - points[b]!.accuracyDrop);
}

/** The front over result rows; rows that cannot be deployed (doesNotFit) or were not measured are left out. */
export function paretoRows(rows: readonly ResultRow[]): number[] {
  return paretoFront(rows.map((r) =>
    r.flags.includes('doesNotFit') || r.flags.includes('notProvided') || r.accuracyDrop === undefined
      ? undefined
      : { latencyMs: r.latencyMs.median, accuracyDrop: r.accuracyDrop }));
}
