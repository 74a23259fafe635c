/**
 * An export of the report the panel shows: ranked at the panel's budget and bandwidths by core's
 * `rank` (the same function the panel ran), then rendered by the CLI's Markdown/CSV renderers.
 */
import { rank, type RankSettings } from '../core/recommend/rank';
import { renderCsv } from '../core/report/csv';
import { renderMarkdown } from '../core/report/markdown';
import type { AdvisorReport } from '../core/results';

export function renderExport(recorded: AdvisorReport, format: 'md' | 'csv' | 'json', settings?: RankSettings): string {
  const report = settings ? rank(recorded, settings) : recorded;
  return format === 'md' ? renderMarkdown(report) : format === 'csv' ? renderCsv(report) : JSON.stringify(report, null, 2) + '\n';
}
