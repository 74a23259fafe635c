/** Turns the engine's output plus run metadata into the `AdvisorReport` everyone consumes. */
import type { AdvisorReport } from '../results';
import type { LinkId } from '../tiers/types';
import { runEngine, type EngineOutput } from './engine';
import { retimeRows } from './sensitivity';

export type ReportMeta = Pick<AdvisorReport, 'model' | 'metric' | 'tiers' | 'environment'> &
  Partial<Pick<AdvisorReport, 'latencyTargetMs' | 'quantization' | 'timings' | 'data'>>;

export function toAdvisorReport(out: EngineOutput, meta: ReportMeta): AdvisorReport {
  const { pick: _pick, ...engine } = out;
  return {
    model: meta.model,
    metric: meta.metric,
    ...(out.baselineAccuracy !== undefined ? { baselineAccuracy: out.baselineAccuracy } : {}),
    maxAccuracyDrop: out.maxAccuracyDrop,
    ...(meta.latencyTargetMs !== undefined ? { latencyTargetMs: meta.latencyTargetMs } : {}),
    recommendation: engine.recommendation,
    ...(engine.noRecommendationReason ? { noRecommendationReason: engine.noRecommendationReason } : {}),
    results: engine.results,
    pareto: engine.pareto,
    sensitivity: engine.sensitivity,
    ...(engine.sensitivityNote ? { sensitivityNote: engine.sensitivityNote } : {}),
    tiers: meta.tiers,
    ...(meta.quantization ? { quantization: meta.quantization } : {}),
    ...(engine.missing && engine.missing.length > 0 ? { missing: engine.missing } : {}),
    ...(engine.excluded && engine.excluded.length > 0 ? { excluded: engine.excluded } : {}),
    environment: meta.environment,
    ...(meta.timings ? { timings: meta.timings } : {}),
    ...(meta.data ? { data: meta.data } : {}),
  };
}

/**
 * The report as it would read at other link bandwidths, without re-benchmarking: every row's
 * transfers re-priced, then the engine re-run (pick, ties, Pareto front, rationale, sensitivity).
 * For the results panel's bandwidth sliders and for exports made while they are moved.
 */
export function repriceReport(report: AdvisorReport, mbps: Partial<Record<LinkId, number>>): AdvisorReport {
  const current = report.tiers.links;
  const links = { ...current };
  for (const id of Object.keys(mbps) as LinkId[]) {
    const v = mbps[id];
    if (v !== undefined && v > 0) links[id] = { ...links[id], mbps: v };
  }
  const rows = retimeRows(report.results, current, links);
  const out = runEngine({
    rows, baselineAccuracy: report.baselineAccuracy, modality: report.model.modality, metric: report.metric,
    maxAccuracyDrop: report.maxAccuracyDrop, latencyTargetMs: report.latencyTargetMs, links,
  });
  return toAdvisorReport(out, { ...report, tiers: { ...report.tiers, links } });
}
