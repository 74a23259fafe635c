/**
 * The choice itself: which rows may be recommended, which is fastest, which are statistically tied
 * with it, and how a tie is broken (smaller accuracy drop, then the simpler deployment).
 */
import type { OperatorId, PlacementId, ResultRow } from '../results';
import { dropClass } from '../study/accuracyClasses';
import { configLabel, formatMs, formatPoints } from '../labels';
import { ALPHA, compareLatency, type Comparison } from '../stats/rowLatency';

export interface PickOptions {
  /** Largest acceptable accuracy drop, points. */
  maxAccuracyDrop: number;
  /**
   * With a latency target the question changes from "fastest within the budget" to "most accurate
   * that meets the target (median ≤ target)"; ties on accuracy go to the faster, then the simpler.
   */
  latencyTargetMs?: number;
  alpha?: number;
}

export type ExclusionKind = 'doesNotFit' | 'notProvided' | 'noAccuracy' | 'noLatency' | 'budget' | 'target';

export interface Exclusion {
  index: number;
  kind: ExclusionKind;
  reason: string;
}

export interface PickResult {
  /** Index of the recommended row, or null with `reason`. */
  index: number | null;
  reason?: string;
  mode: 'fastest' | 'target';
  /** Rows not significantly different in latency from the leader, excluding the pick itself. */
  tiedWith: number[];
  /** The fastest row of the group the pick was made from (the pick itself unless a tie moved it). */
  leader: number | null;
  /** Leader compared with every other candidate of its group, by index. */
  comparisons: Map<number, Comparison>;
  candidates: number[];
  excluded: Exclusion[];
}

/** Tie-break order: the fewer artefacts, training steps and network hops a deployment needs, the simpler. */
export const SIMPLICITY_ORDER: readonly OperatorId[] = ['identity', 'sptq', 'distilled', 'pruned', 'qat', 'dsptq', 'partition', 'sptq-partition'];
const PLACEMENT_ORDER: readonly PlacementId[] = ['mobile', 'edge', 'cloud', 'mobile-edge', 'edge-cloud'];

export function isPartitionPlacement(p: PlacementId): boolean {
  return p === 'mobile-edge' || p === 'edge-cloud';
}

/** Negative when `a` is the simpler deployment: single tier before partition, then operator, then tier. */
export function compareSimplicity(a: Pick<ResultRow, 'operator' | 'placement'>, b: Pick<ResultRow, 'operator' | 'placement'>): number {
  return (Number(isPartitionPlacement(a.placement)) - Number(isPartitionPlacement(b.placement))) ||
    (SIMPLICITY_ORDER.indexOf(a.operator) - SIMPLICITY_ORDER.indexOf(b.operator)) ||
    (PLACEMENT_ORDER.indexOf(a.placement) - PLACEMENT_ORDER.indexOf(b.placement));
}

/** Accuracy drops closer than this are the same drop (float noise from subtracting percentages). */
const DROP_EPSILON = 1e-6;

function exclusionOf(row: ResultRow, index: number, opts: PickOptions): Exclusion | undefined {
  if (row.flags.includes('notProvided')) return { index, kind: 'notProvided', reason: `${configLabel(row)}: variant not provided, nothing measured` };
  if (row.flags.includes('doesNotFit')) {
    const peak = row.peakRssMB !== undefined ? ` (peak ${Math.round(row.peakRssMB)} MB)` : '';
    return { index, kind: 'doesNotFit', reason: `${configLabel(row)}: does not fit in the tier's memory${peak}` };
  }
  if (!(row.latencyMs.median > 0) || !Number.isFinite(row.latencyMs.median)) return { index, kind: 'noLatency', reason: `${configLabel(row)}: no latency measured` };
  if (row.accuracyDrop === undefined || !Number.isFinite(row.accuracyDrop)) return { index, kind: 'noAccuracy', reason: `${configLabel(row)}: no accuracy measured` };
  if (row.accuracyDrop > opts.maxAccuracyDrop + DROP_EPSILON) {
    return { index, kind: 'budget', reason: `${configLabel(row)}: ${formatPoints(row.accuracyDrop)}-point drop (${dropClass(row.accuracyDrop)}) exceeds the ${opts.maxAccuracyDrop}-point budget` };
  }
  if (opts.latencyTargetMs !== undefined && row.latencyMs.median > opts.latencyTargetMs) {
    return { index, kind: 'target', reason: `${configLabel(row)}: median ${formatMs(row.latencyMs.median)} misses the ${formatMs(opts.latencyTargetMs)} target` };
  }
  return undefined;
}

/**
 * Among `group`, the fastest by median, the rows tied with it, and the tie's winner (smaller drop,
 * then simpler deployment, then the faster median).
 */
function pickFastest(rows: readonly ResultRow[], group: number[], alpha: number): Pick<PickResult, 'index' | 'leader' | 'tiedWith' | 'comparisons'> {
  const byLatency = [...group].sort((a, b) => rows[a]!.latencyMs.median - rows[b]!.latencyMs.median || compareSimplicity(rows[a]!, rows[b]!));
  const leader = byLatency[0]!;
  const comparisons = new Map<number, Comparison>();
  const tie = [leader];
  for (const i of byLatency.slice(1)) {
    const c = compareLatency(rows[leader]!, rows[i]!, alpha);
    comparisons.set(i, c);
    if (c.tied) tie.push(i);
  }
  const winner = [...tie].sort((a, b) => {
    const ra = rows[a]!;
    const rb = rows[b]!;
    const dd = ra.accuracyDrop! - rb.accuracyDrop!;
    return (Math.abs(dd) > DROP_EPSILON ? dd : 0) || compareSimplicity(ra, rb) || ra.latencyMs.median - rb.latencyMs.median;
  })[0]!;
  return { index: winner, leader, tiedWith: tie.filter((i) => i !== winner), comparisons };
}

/** Picks the configuration to recommend from result rows whose `accuracyDrop` is filled in. */
export function pickConfiguration(rows: readonly ResultRow[], opts: PickOptions): PickResult {
  const alpha = opts.alpha ?? ALPHA;
  const mode = opts.latencyTargetMs === undefined ? 'fastest' : 'target';
  const excluded: Exclusion[] = [];
  const candidates: number[] = [];
  rows.forEach((r, i) => {
    const e = exclusionOf(r, i, opts);
    if (e) excluded.push(e); else candidates.push(i);
  });
  if (candidates.length === 0) {
    return { index: null, reason: noPickReason(rows, excluded, opts), mode, tiedWith: [], leader: null, comparisons: new Map(), candidates, excluded };
  }
  let group = candidates;
  if (mode === 'target') {
    const best = Math.min(...candidates.map((i) => rows[i]!.accuracyDrop!));
    group = candidates.filter((i) => rows[i]!.accuracyDrop! <= best + DROP_EPSILON);
  }
  return { ...pickFastest(rows, group, alpha), mode, candidates, excluded };
}

function noPickReason(rows: readonly ResultRow[], excluded: readonly Exclusion[], opts: PickOptions): string {
  const of = (k: ExclusionKind) => excluded.filter((e) => e.kind === k).map((e) => e.index);
  const target = of('target');
  if (target.length > 0) {
    const fastest = target.sort((a, b) => rows[a]!.latencyMs.median - rows[b]!.latencyMs.median)[0]!;
    return `No configuration within the ${opts.maxAccuracyDrop}-point accuracy budget meets the ${formatMs(opts.latencyTargetMs!)} latency target; ` +
      `the fastest within the budget is ${configLabel(rows[fastest]!)} at ${formatMs(rows[fastest]!.latencyMs.median)}.`;
  }
  const budget = of('budget');
  if (budget.length > 0) {
    const closest = budget.sort((a, b) => rows[a]!.accuracyDrop! - rows[b]!.accuracyDrop!)[0]!;
    return `No configuration is within the ${opts.maxAccuracyDrop}-point accuracy budget; the smallest drop is ` +
      `${configLabel(rows[closest]!)} at ${formatPoints(rows[closest]!.accuracyDrop!)} points.`;
  }
  if (rows.length === 0) return 'No results to recommend from.';
  return `No configuration can be recommended: ${excluded.map((e) => e.reason).join('; ')}.`;
}
