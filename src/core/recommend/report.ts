/** Turns the engine's output plus run metadata into the `AdvisorReport` everyone consumes. */
import type { AdvisorReport } from '../results';
import type { EngineOutput } from './engine';

export type ReportMeta = Pick<AdvisorReport, 'model' | 'metric' | 'tiers' | 'environment'> &
  Partial<Pick<AdvisorReport, 'latencyTargetMs' | 'quantization' | 'timings'>>;

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
  };
}
