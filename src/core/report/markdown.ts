/**
 * The Markdown report: recommendation and rationale first (what a reader came for), then the study
 * findings, the bandwidth sensitivity, every configuration as a table, and what was not provided.
 */
import { configLabel, formatMs, formatPoints, METRIC_LABELS, sig3 } from '../labels';
import type { AdvisorReport, ResultRow } from '../results';
import { dataLines } from './dataLines';

/** Escapes what would break a table cell or start Markdown syntax mid-sentence. */
function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : formatMs(v);
}

function ciCell(r: ResultRow): string {
  const l = r.latencyMs;
  return l.ciLow !== undefined && l.ciHigh !== undefined ? `${formatMs(l.ciLow)}–${formatMs(l.ciHigh)}` : '';
}

export function renderMarkdown(report: AdvisorReport): string {
  const out: string[] = [`# Deployment advice: ${md(report.model.name)}`, ''];
  const budget = `at most ${report.maxAccuracyDrop} points of ${METRIC_LABELS[report.metric]} drop` +
    (report.latencyTargetMs !== undefined ? ` and a ${formatMs(report.latencyTargetMs)} latency target` : '');
  out.push(`Model \`${md(report.model.path)}\` (${report.model.modality})` +
    (report.baselineAccuracy !== undefined ? `, baseline ${METRIC_LABELS[report.metric]} ${report.baselineAccuracy.toFixed(2)}%` : '') + `; budget: ${budget}.`, '');
  out.push(`Tiers: ${md(report.tiers.name)}. ${md(report.tiers.description)}`, '');
  out.push(...dataLines(report.data).map(md), '');

  const rec = report.recommendation;
  if (rec) {
    out.push(`## Recommendation: ${configLabel(rec)}`, '');
    const sp = rec.speedup
      ? `, ${sig3(rec.speedup.ratio)}× vs ${configLabel(rec.speedup.vs)}` +
        (rec.speedup.ciLow !== undefined && rec.speedup.ciHigh !== undefined ? ` (95% CI ${sig3(rec.speedup.ciLow)}–${sig3(rec.speedup.ciHigh)}×)` : '')
      : '';
    out.push(`**${formatMs(rec.latencyMs.median)}** median${sp}, accuracy drop **${formatPoints(rec.accuracyDrop)} points**.`, '');
    for (const s of rec.rationale) out.push(`- ${md(s)}`);
    if (rec.tiedWith.length > 0) out.push(`- Not significantly different in latency: ${rec.tiedWith.map(configLabel).join(', ')}.`);
    if (rec.studyFindings.length > 0) {
      out.push('', '### The study', '');
      for (const s of rec.studyFindings) out.push(`- ${md(s)}`);
    }
  } else {
    out.push('## No recommendation', '', md(report.noRecommendationReason ?? 'No configuration met the budget.'));
  }

  if (report.sensitivity.length > 0 || report.sensitivityNote) {
    out.push('', '## Bandwidth sensitivity', '');
    for (const p of report.sensitivity) out.push(`- ${md(p.summary)}`);
    if (report.sensitivityNote) out.push(`- ${md(report.sensitivityNote)}`);
  }

  // decode + preprocessing of sample files, when the run measured it (image data)
  const pre = report.results.some((r) => r.preprocessMs !== undefined);
  out.push('', '## All configurations', '',
    `| configuration | median | 95% CI | mean ± sd | compute | transfer |${pre ? ' preprocess |' : ''} accuracy | drop (points) | Pareto | flags |`,
    `|---|---:|---|---:|---:|---:|${pre ? '---:|' : ''}---:|---:|:-:|---|`);
  report.results.forEach((r, i) => {
    const l = r.latencyMs;
    const meanSd = l.mean !== undefined ? `${formatMs(l.mean)}${l.sd !== undefined ? ` ± ${formatMs(l.sd)}` : ''}` : '';
    const picked = rec && rec.operator === r.operator && rec.placement === r.placement ? ' **(recommended)**' : '';
    out.push(`| ${configLabel(r)}${picked} | ${ms(l.median)} | ${ciCell(r)} | ${meanSd} | ${ms(r.computeMs?.median)} | ${ms(r.transferMs)} | ${pre ? `${ms(r.preprocessMs)} | ` : ''}` +
      `${r.accuracy !== undefined ? `${r.accuracy.toFixed(2)}%` : ''} | ${r.accuracyDrop !== undefined ? formatPoints(r.accuracyDrop) : ''} | ` +
      `${report.pareto.includes(i) ? '●' : ''} | ${r.flags.join(', ')} |`);
  });

  if (report.excluded && report.excluded.length > 0) {
    out.push('', '## Not recommended', '');
    for (const e of report.excluded) out.push(`- ${md(e.reason)}`);
  }
  if (report.missing && report.missing.length > 0) {
    out.push('', '## Not provided', '');
    for (const m of report.missing) out.push(`- ${md(m.hint)}`);
  }
  const e = report.environment;
  out.push('', `Advisor ${md(e.advisor)} on ${md(e.host)} (${e.cpus} CPUs${e.cpuModel ? `, ${md(e.cpuModel)}` : ''}), Node ${md(e.node)}` +
    `${e.onnxruntime ? `, onnxruntime ${md(e.onnxruntime)}` : ''}, ${md(e.date)}.`, '');
  return out.join('\n');
}
