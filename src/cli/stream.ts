/**
 * `--json-stream`: the run as NDJSON on stdout, one event a line, so a CI log shows it as it
 * happens and a tool can follow it: `progress` (the advisor's AdvisorProgress, with the plan),
 * `report` (a provisional report: rows so far, a provisional pick; raw samples left out to keep
 * lines short) and, last, `final` (the full report document, as `--json` prints it).
 */
import { toReportDocument } from '../core/report/document';
import type { AdvisorProgress } from '../core/pipeline/types';
import type { AdvisorReport } from '../core/results';

export type StreamEvent =
  | { event: 'progress'; progress: AdvisorProgress }
  | { event: 'report'; report: AdvisorReport }
  | { event: 'final'; report: ReturnType<typeof toReportDocument> };

/** One NDJSON line; numbers JSON cannot hold (NaN, ±Infinity) become null, as in every report. */
export function streamLine(e: StreamEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

export function provisionalEvent(report: AdvisorReport): StreamEvent {
  return { event: 'report', report: { ...report, results: report.results.map(({ samplesMs: _s, ...row }) => row) } };
}
