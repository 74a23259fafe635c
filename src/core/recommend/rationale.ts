/** Plain sentences with the numbers behind a pick: speed-up with CI, drop, why the others lost. */
import type { Metric, ResultRow } from '../results';
import { dropClass } from '../study/accuracyClasses';
import { configLabel, formatMs, formatP, formatPoints, METRIC_LABELS, PLACEMENT_LABELS, sig3 } from '../labels';
import { medianCi, speedup, type Comparison } from '../stats/rowLatency';
import type { PickResult } from './pick';

/** The Identity row a configuration's speed-up is measured against: same tier, or a partition's head tier. */
export function baselineFor(rows: readonly ResultRow[], row: ResultRow): ResultRow | undefined {
  const tier = row.placement === 'mobile-edge' ? 'mobile' : row.placement === 'edge-cloud' ? 'edge' : row.placement;
  return rows.find((r) => r.operator === 'identity' && r.placement === tier && !r.flags.includes('notProvided') && r.latencyMs.median > 0);
}

/** −0.57 with a real minus sign, as papers print it. */
function signed(x: number): string {
  return (x < 0 ? '−' : '') + Math.abs(x).toFixed(2);
}

/** "Mann–Whitney p < 0.001, Cliff's δ = −0.57 (large)" and the like. */
export function describeComparison(c: Comparison): string {
  switch (c.method) {
    case 'mann-whitney': return `Mann–Whitney ${formatP(c.p!)}, Cliff's δ = ${signed(c.delta!)}, ${c.magnitude}`;
    case 'welch': return `Welch ${formatP(c.p!)} on mean/sd/n, Cliff's δ ≈ ${signed(c.delta!)}, ${c.magnitude}, estimated under normality`;
    case 'ci-overlap': return c.tied ? '95% CIs of the median overlap' : '95% CIs of the median do not overlap';
    case 'none': return 'only medians known, so significance was not tested';
  }
}

export function speedupSentence(rows: readonly ResultRow[], row: ResultRow): { text: string; speedup?: ReturnType<typeof speedup> & { baseline: ResultRow } } {
  const base = baselineFor(rows, row);
  if (!base || base === row) return { text: '' };
  const s = speedup(base, row);
  const ci = s.ciLow !== undefined ? ` (95% CI ${sig3(s.ciLow)}–${sig3(s.ciHigh!)}×)` : '';
  const word = s.ratio >= 1 ? `${sig3(s.ratio)}× faster than` : `${sig3(1 / s.ratio)}× slower than`;
  return { text: `${word} Identity on ${PLACEMENT_LABELS[base.placement]}${ci}`, speedup: { ...s, baseline: base } };
}

export function rationale(rows: readonly ResultRow[], pick: PickResult, ctx: { metric: Metric; baselineAccuracy?: number; maxAccuracyDrop: number; latencyTargetMs?: number }): string[] {
  if (pick.index === null) return [];
  const row = rows[pick.index]!;
  const out: string[] = [];

  const ci = medianCi(row);
  const ciText = ci ? ` (95% CI ${formatMs(ci.low)}–${formatMs(ci.high)}${ci.approximate ? ', approximated from sd and n' : ''})` : '';
  const sp = speedupSentence(rows, row).text;
  const metric = METRIC_LABELS[ctx.metric];
  const drop = row.accuracyDrop!;
  const accText = row.accuracy !== undefined && ctx.baselineAccuracy !== undefined
    ? ` (${row.accuracy.toFixed(2)}% vs ${ctx.baselineAccuracy.toFixed(2)}%)` : '';
  const dropText = (row.operator === 'identity' || row.operator === 'partition') && Math.abs(drop) < 0.005
    ? `the unmodified model's accuracy${accText}`
    : drop < 0 ? `a ${formatPoints(-drop)}-point ${metric} gain${accText}` : `a ${formatPoints(drop)}-point ${metric} drop (${dropClass(drop)})${accText}`;
  out.push(`${configLabel(row)}: median ${formatMs(row.latencyMs.median)}${ciText}${sp ? `, ${sp}` : ''}, at ${dropText}.`);

  const leader = pick.leader!;
  if (pick.mode === 'target') {
    out.push(`It is the most accurate configuration whose median meets the ${formatMs(ctx.latencyTargetMs!)} target within the ${ctx.maxAccuracyDrop}-point budget.`);
  }
  if (leader !== pick.index) {
    const c = pick.comparisons.get(pick.index)!;
    const l = rows[leader]!;
    const why = Math.abs(l.accuracyDrop! - drop) > 1e-6 ? 'the smaller accuracy drop decided' : 'the simpler deployment decided';
    out.push(`${configLabel(l)} is faster by median (${formatMs(l.latencyMs.median)}) but not significantly (${describeComparison(c)}), so ${why}.`);
  } else {
    const scope = pick.mode === 'target' ? 'among those' : `within the ${ctx.maxAccuracyDrop}-point budget`;
    const runnerUp = [...pick.comparisons.entries()].sort((a, b) => rows[a[0]]!.latencyMs.median - rows[b[0]]!.latencyMs.median)[0];
    if (pick.tiedWith.length > 0) {
      out.push(`Fastest by median ${scope}, but not significantly faster than ${pick.tiedWith.length} other configuration(s); ` +
        'it also wins the tie rule (smaller accuracy drop, then the simpler deployment).');
    } else if (runnerUp) {
      const r = rows[runnerUp[0]]!;
      const verb = runnerUp[1].significant ? 'is significantly slower' : 'is slower';
      out.push(`Fastest ${scope}: the next, ${configLabel(r)} (${formatMs(r.latencyMs.median)}), ${verb} (${describeComparison(runnerUp[1])}).`);
    } else {
      out.push(`The only configuration ${scope}.`);
    }
  }
  const tied = pick.tiedWith.filter((i) => i !== leader);
  if (tied.length > 0) {
    out.push(`Statistically tied with it: ${tied.map((i) => `${configLabel(rows[i]!)} (${formatMs(rows[i]!.latencyMs.median)}, ${formatPoints(rows[i]!.accuracyDrop!)} points)`).join(', ')}.`);
  }

  // What a larger budget would buy: the fastest row left out only by the accuracy budget.
  const beyond = pick.excluded
    .filter((e) => e.kind === 'budget' && rows[e.index]!.latencyMs.median < row.latencyMs.median)
    .map((e) => rows[e.index]!)
    .sort((a, b) => a.latencyMs.median - b.latencyMs.median)[0];
  if (beyond) {
    out.push(`${configLabel(beyond)} would be ${sig3(row.latencyMs.median / beyond.latencyMs.median)}× faster (${formatMs(beyond.latencyMs.median)}) ` +
      `at a ${formatPoints(beyond.accuracyDrop!)}-point drop (${dropClass(beyond.accuracyDrop!)}); a budget of ${Math.ceil(beyond.accuracyDrop! * 100) / 100} points would allow it.`);
  }
  const notDeployable = pick.excluded.filter((e) => e.kind === 'doesNotFit' || e.kind === 'noLatency' || e.kind === 'noAccuracy');
  if (notDeployable.length > 0) out.push(`Not considered: ${notDeployable.map((e) => e.reason).join('; ')}.`);
  return out;
}
