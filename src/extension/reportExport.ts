/**
 * Report exports (Markdown, CSV, JSON) written by the host when the panel asks. When the panel's
 * bandwidth sliders moved, transfers are re-priced at those bandwidths so the file matches what
 * the user sees (the same analytic network model the engine uses).
 */
import { totalTransferMs } from '../core/tiers/network';
import type { LinkId } from '../core/tiers/types';
import type { AdvisorReport, ResultRow } from '../core/results';

export type Bandwidths = Partial<Record<LinkId, number>>;

/** The report with every row's transfer re-priced at `bandwidths` (end-to-end latency shifted by the difference). */
export function repriced(report: AdvisorReport, bandwidths: Bandwidths | undefined): AdvisorReport {
  if (!bandwidths || Object.keys(bandwidths).length === 0) return report;
  const links = { ...report.tiers.links };
  for (const [k, mbps] of Object.entries(bandwidths) as Array<[LinkId, number]>) links[k] = { ...links[k], mbps };
  const results = report.results.map((r): ResultRow => {
    if (!r.transfers || r.transferMs === undefined) return r;
    const t = totalTransferMs(r.transfers, links);
    const shift = t - r.transferMs;
    const l = r.latencyMs;
    return {
      ...r,
      transferMs: t,
      latencyMs: {
        ...l,
        median: l.median + shift,
        ...(l.p95 !== undefined ? { p95: l.p95 + shift } : {}),
        ...(l.ciLow !== undefined ? { ciLow: l.ciLow + shift } : {}),
        ...(l.ciHigh !== undefined ? { ciHigh: l.ciHigh + shift } : {}),
      },
    };
  });
  return { ...report, results, tiers: { ...report.tiers, links } };
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS: Array<[string, (r: ResultRow) => unknown]> = [
  ['operator', (r) => r.operator],
  ['placement', (r) => r.placement],
  ['median_ms', (r) => r.latencyMs.median],
  ['p95_ms', (r) => r.latencyMs.p95],
  ['ci_low_ms', (r) => r.latencyMs.ciLow],
  ['ci_high_ms', (r) => r.latencyMs.ciHigh],
  ['compute_ms', (r) => r.computeMs?.median],
  ['transfer_ms', (r) => r.transferMs],
  ['cold_start_ms', (r) => r.coldStartMs],
  ['peak_rss_mb', (r) => r.peakRssMB],
  ['accuracy', (r) => r.accuracy],
  ['accuracy_drop', (r) => r.accuracyDrop],
  ['drop_ci_low', (r) => r.accuracyDropCi?.[0]],
  ['drop_ci_high', (r) => r.accuracyDropCi?.[1]],
  ['samples', (r) => r.latencyMs.n],
  ['flags', (r) => r.flags.join(' ')],
];

export function reportToCsv(report: AdvisorReport): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const r of report.results) lines.push(CSV_COLUMNS.map(([, f]) => csvCell(f(r))).join(','));
  return lines.join('\n') + '\n';
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function reportToMarkdown(report: AdvisorReport): string {
  const out: string[] = [`# Deployment advice: ${md(report.model.name)}`, ''];
  out.push(`Model \`${md(report.model.path)}\` (${report.model.modality}); accuracy metric ${report.metric}; budget: at most ${report.maxAccuracyDrop} points of accuracy drop.`, '');
  out.push(`Tiers: ${md(report.tiers.name)}. ${md(report.tiers.description)}`, '');
  const r = report.recommendation;
  if (r) {
    out.push(`## Recommendation: ${r.operator} on ${r.placement}`, '');
    for (const s of r.rationale) out.push(`- ${md(s)}`);
    for (const s of r.studyFindings) out.push(`- ${md(s)}`);
    if (r.tiedWith.length) out.push(`- Tied with: ${r.tiedWith.map((t) => `${t.operator} on ${t.placement}`).join(', ')}`);
  } else {
    out.push('## No recommendation', '', md(report.noRecommendationReason ?? 'No configuration met the budget.'));
  }
  out.push('', '## All configurations', '', '| operator | placement | median ms | 95% CI ms | p95 ms | compute ms | transfer ms | accuracy | drop | flags |', '|---|---|---:|---|---:|---:|---:|---:|---:|---|');
  for (const row of report.results) {
    const l = row.latencyMs;
    const ci = l.ciLow !== undefined && l.ciHigh !== undefined ? `${ms(l.ciLow)}–${ms(l.ciHigh)}` : '';
    out.push(`| ${row.operator} | ${row.placement} | ${ms(l.median)} | ${ci} | ${ms(l.p95)} | ${ms(row.computeMs?.median)} | ${ms(row.transferMs)} | ${row.accuracy?.toFixed(2) ?? ''} | ${row.accuracyDrop?.toFixed(2) ?? ''} | ${row.flags.join(', ')} |`);
  }
  if (report.missing?.length) {
    out.push('', '## Not provided', '');
    for (const m of report.missing) out.push(`- ${m.operator}: ${md(m.hint)}`);
  }
  const e = report.environment;
  out.push('', `Measured on ${md(e.host)} (${e.cpus} CPUs${e.cpuModel ? `, ${md(e.cpuModel)}` : ''}), Node ${e.node}${e.onnxruntime ? `, onnxruntime ${e.onnxruntime}` : ''}, advisor ${e.advisor}, ${e.date}.`, '');
  return out.join('\n');
}

export function reportToJson(report: AdvisorReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
