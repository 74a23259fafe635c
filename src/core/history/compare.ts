/**
 * Two runs of a model side by side: what changed between them — the pick, each configuration's
 * latency (ratio of medians with a conservative CI from the two rows' CIs), its accuracy — so a
 * user sees whether a new export, new data or a new machine moved the answer.
 */
import { configLabel, formatMs, formatPoints } from '../labels';
import type { AdvisorReport, OperatorId, PlacementId, ResultRow } from '../results';

export interface RowChange {
  operator: OperatorId;
  placement: PlacementId;
  beforeMs?: number;
  afterMs?: number;
  /** after / before median latency. */
  ratio?: number;
  /** Bounds of the ratio from the two 95% CIs (after.low / before.high … after.high / before.low), when both have one. */
  ratioCi?: [number, number];
  /** The CIs do not overlap: the change is not noise. */
  significant: boolean;
  beforeAccuracy?: number;
  afterAccuracy?: number;
}

export interface RunComparison {
  before: { date: string; pick: string | null; tiers: string; host: string };
  after: { date: string; pick: string | null; tiers: string; host: string };
  pickChanged: boolean;
  rows: RowChange[];
  /** Configurations measured in only one of the runs. */
  onlyBefore: string[];
  onlyAfter: string[];
}

const key = (r: { operator: OperatorId; placement: PlacementId }) => `${r.operator}@${r.placement}`;
const pickOf = (r: AdvisorReport) => (r.recommendation ? configLabel(r.recommendation) : null);

function rowChange(a: ResultRow | undefined, b: ResultRow | undefined, op: OperatorId, pl: PlacementId): RowChange {
  const out: RowChange = { operator: op, placement: pl, significant: false };
  if (a) { out.beforeMs = a.latencyMs.median; if (a.accuracy !== undefined) out.beforeAccuracy = a.accuracy; }
  if (b) { out.afterMs = b.latencyMs.median; if (b.accuracy !== undefined) out.afterAccuracy = b.accuracy; }
  if (a && b && a.latencyMs.median > 0) {
    out.ratio = b.latencyMs.median / a.latencyMs.median;
    const al = a.latencyMs.ciLow;
    const ah = a.latencyMs.ciHigh;
    const bl = b.latencyMs.ciLow;
    const bh = b.latencyMs.ciHigh;
    if (al !== undefined && ah !== undefined && bl !== undefined && bh !== undefined && al > 0 && ah > 0) {
      out.ratioCi = [bl / ah, bh / al];
      out.significant = bh < al || bl > ah;
    }
  }
  return out;
}

export function compareRuns(before: AdvisorReport, after: AdvisorReport): RunComparison {
  const a = new Map(before.results.map((r) => [key(r), r]));
  const b = new Map(after.results.map((r) => [key(r), r]));
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const rows = keys.filter((k) => a.has(k) && b.has(k)).map((k) => {
    const r = (a.get(k) ?? b.get(k))!;
    return rowChange(a.get(k), b.get(k), r.operator, r.placement);
  });
  const side = (r: AdvisorReport) => ({ date: r.environment.date, pick: pickOf(r), tiers: r.tiers.name, host: r.environment.host });
  return {
    before: side(before), after: side(after), pickChanged: pickOf(before) !== pickOf(after), rows,
    onlyBefore: keys.filter((k) => !b.has(k)), onlyAfter: keys.filter((k) => !a.has(k)),
  };
}

/** The comparison as Markdown: the pick, then every configuration both runs measured. */
export function renderComparison(c: RunComparison, model: string): string {
  const pct = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs((x - 1) * 100).toFixed(1)}%`;
  const acc = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)}%`);
  const lines = [
    `# ${model}: run of ${c.before.date} vs ${c.after.date}`,
    '',
    `| | before | after |`,
    `|---|---|---|`,
    `| recommendation | ${c.before.pick ?? 'none'} | ${c.after.pick ?? 'none'}${c.pickChanged ? ' **(changed)**' : ''} |`,
    `| tiers | ${c.before.tiers} | ${c.after.tiers} |`,
    `| measured on | ${c.before.host} | ${c.after.host} |`,
    '',
    '| configuration | before | after | after / before (95% CI) | | accuracy before → after |',
    '|---|---|---|---|---|---|',
    ...c.rows.map((r) => `| ${configLabel(r)} | ${r.beforeMs !== undefined ? formatMs(r.beforeMs) : '—'} | ${r.afterMs !== undefined ? formatMs(r.afterMs) : '—'} | ${r.ratio !== undefined ? `${r.ratio.toFixed(3)}× ${r.ratioCi ? `(${r.ratioCi[0].toFixed(3)}–${r.ratioCi[1].toFixed(3)})` : '(no CI)'}` : '—'} | ${r.ratio === undefined ? '' : r.significant ? `**${pct(r.ratio)}**` : 'within noise'} | ${acc(r.beforeAccuracy)} → ${acc(r.afterAccuracy)}${r.beforeAccuracy !== undefined && r.afterAccuracy !== undefined && r.beforeAccuracy !== r.afterAccuracy ? ` (${formatPoints(r.afterAccuracy - r.beforeAccuracy)})` : ''} |`),
  ];
  if (c.onlyBefore.length) lines.push('', `Only in the earlier run: ${c.onlyBefore.join(', ')}.`);
  if (c.onlyAfter.length) lines.push('', `Only in the later run: ${c.onlyAfter.join(', ')}.`);
  lines.push('', 'A change is marked when the two 95% confidence intervals of the medians do not overlap; otherwise it is within the noise of the two measurements.');
  return lines.join('\n') + '\n';
}
