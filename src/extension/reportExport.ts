/**
 * What the host does with a finished report when the panel asks: re-rank it for a new accuracy
 * budget (no re-benchmarking: the engine is pure), re-price transfers at the panel's slider
 * bandwidths so an export matches what the user sees, and render the export formats (the same
 * Markdown/CSV renderers as the CLI).
 */
import { runEngine } from '../core/recommend/engine';
import { retimeRows } from '../core/recommend/sensitivity';
import { renderCsv } from '../core/report/csv';
import { renderMarkdown } from '../core/report/markdown';
import type { AdvisorReport } from '../core/results';
import type { LinkId } from '../core/tiers/types';

export type Bandwidths = Partial<Record<LinkId, number>>;

/** The report with every row's transfers re-priced at `bandwidths` (end-to-end latency shifted by the difference). */
export function repriced(report: AdvisorReport, bandwidths: Bandwidths | undefined): AdvisorReport {
  if (!bandwidths || Object.keys(bandwidths).length === 0) return report;
  const links = { ...report.tiers.links };
  for (const [k, mbps] of Object.entries(bandwidths) as Array<[LinkId, number]>) links[k] = { ...links[k], mbps };
  return { ...report, results: retimeRows(report.results, report.tiers.links, links), tiers: { ...report.tiers, links } };
}

/** The same measurements recommended again under a different accuracy budget. */
export function rebudgeted(report: AdvisorReport, maxAccuracyDrop: number): AdvisorReport {
  const { pick: _pick, ...engine } = runEngine({
    rows: report.results,
    ...(report.baselineAccuracy !== undefined ? { baselineAccuracy: report.baselineAccuracy } : {}),
    modality: report.model.modality,
    metric: report.metric,
    maxAccuracyDrop,
    ...(report.latencyTargetMs !== undefined ? { latencyTargetMs: report.latencyTargetMs } : {}),
    links: report.tiers.links,
  });
  const next: AdvisorReport = { ...report, ...engine };
  if (!engine.noRecommendationReason) delete next.noRecommendationReason;
  return next;
}

export function renderExport(report: AdvisorReport, format: 'md' | 'csv' | 'json'): string {
  return format === 'md' ? renderMarkdown(report) : format === 'csv' ? renderCsv(report) : JSON.stringify(report, null, 2) + '\n';
}
