/**
 * Every result row of a report as CSV (RFC 4180 quoting), one row per operator × placement, with
 * whether it is on the Pareto front and whether it is the recommendation. For spreadsheets.
 */
import type { AdvisorReport, ResultRow } from '../results';

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Column = [string, (r: ResultRow, i: number, report: AdvisorReport) => unknown];

const COLUMNS: readonly Column[] = [
  ['operator', (r) => r.operator],
  ['placement', (r) => r.placement],
  ['median_ms', (r) => r.latencyMs.median],
  ['ci_low_ms', (r) => r.latencyMs.ciLow],
  ['ci_high_ms', (r) => r.latencyMs.ciHigh],
  ['mean_ms', (r) => r.latencyMs.mean],
  ['sd_ms', (r) => r.latencyMs.sd],
  ['p95_ms', (r) => r.latencyMs.p95],
  ['n', (r) => r.latencyMs.n ?? r.samplesMs?.length],
  ['compute_ms', (r) => r.computeMs?.median],
  ['transfer_ms', (r) => r.transferMs],
  ['preprocess_ms', (r) => r.preprocessMs],
  ['payload_bytes', (r) => r.payloadBytes],
  ['cold_start_ms', (r) => r.coldStartMs],
  ['peak_rss_mb', (r) => r.peakRssMB],
  ['accuracy', (r) => r.accuracy],
  ['accuracy_drop', (r) => r.accuracyDrop],
  ['drop_ci_low', (r) => r.accuracyDropCi?.[0]],
  ['drop_ci_high', (r) => r.accuracyDropCi?.[1]],
  ['pareto', (_r, i, rep) => (rep.pareto.includes(i) ? 'yes' : 'no')],
  ['recommended', (r, _i, rep) => (rep.recommendation?.operator === r.operator && rep.recommendation.placement === r.placement ? 'yes' : 'no')],
  ['flags', (r) => r.flags.join(' ')],
  ['excluded_because', (r, _i, rep) => rep.excluded?.find((e) => e.operator === r.operator && e.placement === r.placement)?.reason],
  ['note', (r) => r.note],
];

export function renderCsv(report: AdvisorReport): string {
  const lines = [COLUMNS.map(([h]) => h).join(',')];
  report.results.forEach((r, i) => lines.push(COLUMNS.map(([, f]) => cell(f(r, i, report))).join(',')));
  return lines.join('\r\n') + '\r\n';
}
