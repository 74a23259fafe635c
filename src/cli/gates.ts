/**
 * Pipeline gates for `recommend`: the build fails (exit 3) when no configuration meets the accuracy
 * budget and the latency target, or when the pick is not the one `--require` names. The reason is
 * one line saying which target failed and by how much. Which rows passed which test comes from the
 * engine's own pick (`pickConfiguration`), so the gate and the recommendation never disagree.
 */
import { AdvisorError } from '../core/errors';
import { formatMs, formatPoints } from '../core/labels';
import { pickConfiguration } from '../core/recommend/pick';
import { OPERATORS, PLACEMENTS, type AdvisorReport, type OperatorId, type PlacementId, type ResultRow } from '../core/results';

export const EXIT_GATE_NOT_MET = 3;

export interface Configuration { operator: OperatorId; placement: PlacementId }

/** `sptq@edge` → {operator, placement}; anything else is a usage error. */
export function parseRequire(spec: string): Configuration {
  const m = /^([a-z-]+)@([a-z-]+)$/.exec(spec.trim().toLowerCase());
  const operator = m?.[1] as OperatorId | undefined;
  const placement = m?.[2] as PlacementId | undefined;
  if (!operator || !placement || !OPERATORS.includes(operator) || !PLACEMENTS.includes(placement)) {
    throw new AdvisorError('usage', `--require ${spec}: expected <operator>@<placement>, operator one of ${OPERATORS.join(', ')}; placement one of ${PLACEMENTS.join(', ')}`);
  }
  return { operator, placement };
}

const id = (c: Configuration) => `${c.operator}@${c.placement}`;
const pct = (over: number, of: number) => `${over >= 0 ? '+' : ''}${Math.round((over / of) * 100)}%`;

/** The one-line reason the report fails its gates, or undefined when it passes them. */
export function gateFailure(report: AdvisorReport, required: Configuration[] = []): string | undefined {
  const rec = report.recommendation;
  if (!rec) return noPickLine(report);
  if (required.length === 0 || required.some((r) => r.operator === rec.operator && r.placement === rec.placement)) return undefined;
  const want = required.map(id).join(' or ');
  const pick = `the pick is ${id(rec)} (${formatMs(rec.latencyMs.median)}, ${formatPoints(rec.accuracyDrop)}-point drop)`;
  const rows = required.map((r) => report.results.find((x) => x.operator === r.operator && x.placement === r.placement)).filter((x): x is ResultRow => !!x);
  if (rows.length === 0) return `required ${want}, which was not measured; ${pick}`;
  const r = rows[0]!;
  const excluded = report.excluded?.find((e) => e.operator === r.operator && e.placement === r.placement);
  const tied = rec.tiedWith.some((t) => t.operator === r.operator && t.placement === r.placement);
  const why = excluded ? excluded.reason
    : `${formatMs(r.latencyMs.median)} (${pct(r.latencyMs.median - rec.latencyMs.median, rec.latencyMs.median)} vs the pick)${r.accuracyDrop !== undefined ? `, ${formatPoints(r.accuracyDrop)}-point drop` : ''}${tied ? ', tied with the pick' : ''}`;
  return `required ${want}, but ${pick}; ${id(r)}: ${why}`;
}

function noPickLine(report: AdvisorReport): string {
  const budget = report.maxAccuracyDrop;
  const target = report.latencyTargetMs;
  const picked = pickConfiguration(report.results, { maxAccuracyDrop: budget, ...(target !== undefined ? { latencyTargetMs: target } : {}) });
  const rows = (kind: string) => picked.excluded.filter((e) => e.kind === kind).map((e) => report.results[e.index]!);
  const slow = rows('target').sort((a, b) => a.latencyMs.median - b.latencyMs.median)[0];
  if (slow && target !== undefined) {
    const over = slow.latencyMs.median - target;
    return `latency target ${formatMs(target)} not met: the fastest configuration within the ${budget}-point accuracy budget, ` +
      `${id(slow)}, has a ${formatMs(slow.latencyMs.median)} median (${formatMs(over)} over, ${pct(over, target)})`;
  }
  const inaccurate = rows('budget').sort((a, b) => a.accuracyDrop! - b.accuracyDrop!)[0];
  if (inaccurate) {
    const drop = inaccurate.accuracyDrop!;
    return `accuracy budget ${budget} points not met: the smallest drop, ${id(inaccurate)}, is ${formatPoints(drop)} points (${formatPoints(drop - budget)} over)`;
  }
  return `no recommendation: ${report.noRecommendationReason ?? 'nothing could be measured'}`;
}
