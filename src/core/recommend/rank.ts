/**
 * The one way a report is ranked: measured rows + settings (accuracy budget, latency target, link
 * bandwidths) → re-timed rows, recommendation, Pareto front and bandwidth sensitivity. Pure, so the
 * advisor (a fresh run or a cache hit), the CLI (`recommend --measurements`), an export and the
 * results panel's live what-if all compute the same answer from the same inputs.
 */
import type { AdvisorReport } from '../results';
import type { LinkId, LinkProfile } from '../tiers/types';
import { runEngine } from './engine';
import { retimeRows } from './sensitivity';

export type Bandwidths = Partial<Record<LinkId, number>>;

/** What a user can change without re-measuring. Absent fields keep the report's own values. */
export interface RankSettings {
  /** Points of accuracy the pick may lose. */
  maxAccuracyDrop?: number;
  /** null removes the report's target. */
  latencyTargetMs?: number | null;
  /** Mbit/s per link; transfers are re-priced from the report's recorded links. */
  mbps?: Bandwidths;
  /** The bandwidth-sensitivity search is the slow part: a live slider may skip it (default true). */
  sensitivity?: boolean;
}

/** A report to rank: its measured rows and run metadata; engine outputs, if present, are replaced. */
export type Rankable = Omit<AdvisorReport, 'recommendation' | 'pareto' | 'sensitivity' | 'maxAccuracyDrop'> & Partial<AdvisorReport>;

/** The engine's outputs a ranking replaces; anything else of the input report is kept as it is. */
const ENGINE_FIELDS = ['recommendation', 'noRecommendationReason', 'pareto', 'sensitivity', 'sensitivityNote', 'missing', 'excluded', 'baselineAccuracy'] as const;

export function rank(report: Rankable, settings: RankSettings = {}): AdvisorReport {
  const links = linksAt(report.tiers.links, settings.mbps);
  const moved = (Object.keys(links) as LinkId[]).some((id) => links[id].mbps !== report.tiers.links[id].mbps);
  const results = moved ? retimeRows(report.results, report.tiers.links, links) : report.results;
  const maxAccuracyDrop = settings.maxAccuracyDrop ?? report.maxAccuracyDrop;
  const latencyTargetMs = settings.latencyTargetMs === null ? undefined : settings.latencyTargetMs ?? report.latencyTargetMs;
  const withSensitivity = settings.sensitivity !== false;
  // a link of unknown bandwidth (0: measurements taken elsewhere without one): the engine says it cannot search
  const known = Object.values(links).every((l) => l.mbps > 0);
  const { pick: _pick, ...engine } = runEngine({
    rows: results, baselineAccuracy: report.baselineAccuracy, modality: report.model.modality, metric: report.metric,
    maxAccuracyDrop, latencyTargetMs, links: withSensitivity && known ? links : undefined,
  });
  const kept = { ...report } as Partial<AdvisorReport>;
  for (const k of ENGINE_FIELDS) delete kept[k];
  delete kept.latencyTargetMs;
  return {
    ...(kept as AdvisorReport),
    ...(latencyTargetMs !== undefined ? { latencyTargetMs } : {}),
    recommendation: engine.recommendation,
    ...(engine.noRecommendationReason ? { noRecommendationReason: engine.noRecommendationReason } : {}),
    results: engine.results,
    pareto: engine.pareto,
    sensitivity: withSensitivity ? engine.sensitivity : [],
    ...(withSensitivity && engine.sensitivityNote ? { sensitivityNote: engine.sensitivityNote } : {}),
    ...(engine.missing && engine.missing.length > 0 ? { missing: engine.missing } : {}),
    ...(engine.excluded && engine.excluded.length > 0 ? { excluded: engine.excluded } : {}),
    maxAccuracyDrop: engine.maxAccuracyDrop,
    ...(engine.baselineAccuracy !== undefined ? { baselineAccuracy: engine.baselineAccuracy } : {}),
    tiers: { ...report.tiers, links },
  };
}

/** The recorded links with the given bandwidths applied (non-positive values ignored). */
export function linksAt(recorded: Record<LinkId, LinkProfile>, mbps: Bandwidths = {}): Record<LinkId, LinkProfile> {
  const links = { ...recorded };
  for (const id of Object.keys(mbps) as LinkId[]) {
    const v = mbps[id];
    if (v !== undefined && v > 0) links[id] = { ...links[id], mbps: v };
  }
  return links;
}
