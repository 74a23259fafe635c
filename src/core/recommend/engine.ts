/**
 * The recommendation engine: measured rows + an accuracy budget (+ an optional latency target) →
 * Pareto front, a pick with its statistical ties, plain-language rationale, the study findings it
 * agrees or disagrees with, and the bandwidths at which the pick would change. Pure: no I/O, so the
 * CLI, the extension's job and the results panel (live bandwidth slider) all call the same code.
 */
import type { AdvisorReport, Metric, Modality, OperatorId, Recommendation, ResultRow } from '../results';
import { DEFAULT_MAX_ACCURACY_DROP } from '../study/accuracyClasses';
import { formatVerdict, judgeFindings } from '../study/findings';
import { studyHint } from '../study/ranges';
import { paretoRows } from './pareto';
import { pickConfiguration, type PickResult } from './pick';
import { rationale, speedupSentence } from './rationale';
import { bandwidthSensitivity, type LinkSettings } from './sensitivity';

export interface EngineInput {
  rows: readonly ResultRow[];
  /** Accuracy of the unmodified model, %; defaults to the Identity row's accuracy (Mobile first). */
  baselineAccuracy?: number;
  modality: Modality;
  metric: Metric;
  /** Points; default DEFAULT_MAX_ACCURACY_DROP (the study's "small"). */
  maxAccuracyDrop?: number;
  latencyTargetMs?: number;
  /** Link bandwidths the rows' transfers were priced at; needed for the sensitivity analysis. */
  links?: LinkSettings;
  /** Significance level for latency ties (default 0.05). */
  alpha?: number;
}

export type EngineOutput = Pick<AdvisorReport,
  'recommendation' | 'noRecommendationReason' | 'results' | 'pareto' | 'sensitivity' | 'sensitivityNote' | 'missing' | 'excluded' | 'maxAccuracyDrop' | 'baselineAccuracy'> & {
  /** The raw pick, for callers that want indexes (tests, the panel's highlighting). */
  pick: PickResult;
};

const WHITE_BOX: readonly OperatorId[] = ['distilled', 'pruned', 'qat', 'dsptq'];

/** The accuracy every drop is measured from: given, else Identity's (Mobile, then any tier). */
export function baselineAccuracyOf(rows: readonly ResultRow[], given?: number): number | undefined {
  if (given !== undefined) return given;
  const ids = rows.filter((r) => r.operator === 'identity' && r.accuracy !== undefined);
  return (ids.find((r) => r.placement === 'mobile') ?? ids[0])?.accuracy;
}

/** Rows with `accuracyDrop` (points) filled in where an accuracy and a baseline are known. */
export function withAccuracyDrops(rows: readonly ResultRow[], baseline: number | undefined): ResultRow[] {
  return rows.map((r) => (r.accuracyDrop !== undefined || r.accuracy === undefined || baseline === undefined
    ? r : { ...r, accuracyDrop: baseline - r.accuracy }));
}

export function runEngine(input: EngineInput): EngineOutput {
  const maxAccuracyDrop = input.maxAccuracyDrop ?? DEFAULT_MAX_ACCURACY_DROP;
  const baselineAccuracy = baselineAccuracyOf(input.rows, input.baselineAccuracy);
  const rows = withAccuracyDrops(input.rows, baselineAccuracy);
  const opts = { maxAccuracyDrop, latencyTargetMs: input.latencyTargetMs, alpha: input.alpha };
  const pick = pickConfiguration(rows, opts);
  const sens = bandwidthSensitivity(rows, input.links, opts);
  const missing = WHITE_BOX
    .filter((op) => !rows.some((r) => r.operator === op && !r.flags.includes('notProvided')))
    .map((operator) => ({ operator, hint: studyHint(operator)! }));
  const excluded = pick.excluded.map((e) => ({ operator: rows[e.index]!.operator, placement: rows[e.index]!.placement, reason: e.reason }));

  let recommendation: Recommendation | null = null;
  if (pick.index !== null) {
    const row = rows[pick.index]!;
    const verdicts = judgeFindings({ rows, modality: input.modality, pick: row, maxAccuracyDrop });
    const sp = speedupSentence(rows, row).speedup;
    recommendation = {
      operator: row.operator,
      placement: row.placement,
      latencyMs: row.latencyMs,
      accuracyDrop: row.accuracyDrop!,
      rationale: rationale(rows, pick, { metric: input.metric, baselineAccuracy, maxAccuracyDrop, latencyTargetMs: input.latencyTargetMs }),
      studyFindings: verdicts.map(formatVerdict),
      tiedWith: pick.tiedWith.map((i) => ({ operator: rows[i]!.operator, placement: rows[i]!.placement })),
      ...(sp ? { speedup: { vs: { operator: sp.baseline.operator, placement: sp.baseline.placement }, ratio: sp.ratio, ciLow: sp.ciLow, ciHigh: sp.ciHigh } } : {}),
      ...(row.accuracyDropCi ? { accuracyDropCi: row.accuracyDropCi } : {}),
      findings: verdicts.map((v) => ({ id: v.id, arxiv: [...v.arxiv], verdict: v.verdict, finding: v.finding, evidence: v.evidence })),
    };
  }
  return {
    recommendation,
    ...(pick.reason ? { noRecommendationReason: pick.reason } : {}),
    results: rows,
    pareto: paretoRows(rows),
    sensitivity: sens.points,
    ...(sens.note ? { sensitivityNote: sens.note } : {}),
    missing,
    excluded,
    maxAccuracyDrop,
    ...(baselineAccuracy !== undefined ? { baselineAccuracy } : {}),
    pick,
  };
}
