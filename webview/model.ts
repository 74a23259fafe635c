/**
 * The panel's pure logic: what the results look like at the bandwidths and budget the user picks,
 * without re-benchmarking. Compute time is measured; transfer time is analytic
 * (`transferMs` = RTT + bytes·8/bandwidth per transfer), so moving a slider only re-prices the
 * transfers; the pick and its reasons come from core's `rank` (src/core/recommend/rank.ts), the
 * same as the CLI's and an export's. No DOM here: the root tsconfig checks this file without DOM
 * types, and the tests run it in Node.
 */
import { speedup as engineSpeedup } from '../src/core/stats/rowLatency';
import { linksAt } from '../src/core/recommend/rank';
import { baselineFor } from '../src/core/recommend/rationale';
import { OPERATORS, PLACEMENTS } from '../src/core/results';
import type { AdvisorReport, LatencyStats, OperatorId, PlacementId, ResultRow, SensitivityPoint } from '../src/core/results';
import { totalTransferMs } from '../src/core/tiers/network';
import type { LinkId, LinkProfile, TierId, TierSet } from '../src/core/tiers/types';
import { deviceDetails, deviceSummary } from '../src/core/devices/facts';
import { MAX_MBPS, MIN_MBPS } from '../src/core/protocol/panel';

/** What the sliders show: a bandwidth for every link (core's `Bandwidths` may set only some). */
export type SliderBandwidths = Record<LinkId, number>;

export interface Config {
  operator: OperatorId;
  placement: PlacementId;
}

/** A result row re-priced at the current bandwidths and judged against the current budget. */
export interface LiveRow {
  /** Index into `report.results`. */
  index: number;
  row: ResultRow;
  /** End-to-end latency with transfers re-priced (every statistic shifted by the same amount). */
  latency: LatencyStats;
  computeMs: number;
  transferMs: number;
  /** Accuracy drop in points; identity and plain partitions are 0 by definition when not measured. */
  drop: number | undefined;
  overBudget: boolean;
  doesNotFit: boolean;
  /** Eligible for the recommendation: measured, fits, accuracy known and within budget. */
  feasible: boolean;
}

export function sameConfig(a: Config, b: Config): boolean {
  return a.operator === b.operator && a.placement === b.placement;
}

export function reportBandwidths(report: AdvisorReport): SliderBandwidths {
  return { 'mobile-edge': report.tiers.links['mobile-edge'].mbps, 'edge-cloud': report.tiers.links['edge-cloud'].mbps };
}

function shift(s: LatencyStats, delta: number): LatencyStats {
  const out: LatencyStats = { ...s };
  for (const k of ['median', 'mean', 'p90', 'p95', 'min', 'max', 'ciLow', 'ciHigh'] as const) {
    const v = s[k];
    if (v !== undefined) out[k] = v + delta;
  }
  return out;
}

/** Operators whose accuracy equals the baseline's by construction (same weights, same arithmetic). */
const LOSSLESS: ReadonlySet<OperatorId> = new Set(['identity', 'partition']);

export function liveRows(report: AdvisorReport, bw: SliderBandwidths, maxAccuracyDrop: number): LiveRow[] {
  const recorded = report.tiers.links;
  const live = linksAt(recorded, bw);
  const out: LiveRow[] = [];
  report.results.forEach((row, index) => {
    if (row.flags.includes('notProvided')) return; // a hint, not a measurement
    let transferMs = row.transferMs ?? 0;
    let delta = 0;
    if (row.transfers && row.transfers.length > 0) {
      const base = row.transferMs ?? totalTransferMs(row.transfers, recorded);
      transferMs = totalTransferMs(row.transfers, live);
      delta = transferMs - base;
    }
    const latency = shift(row.latencyMs, delta);
    const computeMs = row.computeMs?.median ?? Math.max(0, latency.median - transferMs);
    const drop = row.accuracyDrop ?? (LOSSLESS.has(row.operator) ? 0 : undefined);
    const overBudget = drop !== undefined && drop > maxAccuracyDrop + 1e-9;
    const doesNotFit = row.flags.includes('doesNotFit');
    out.push({ index, row, latency, computeMs, transferMs, drop, overBudget, doesNotFit, feasible: drop !== undefined && !overBudget && !doesNotFit });
  });
  return out;
}

/** The recorded report's pick, found by configuration. */
export function recordedPick(report: AdvisorReport): number | undefined {
  const rec = report.recommendation;
  if (!rec) return undefined;
  const i = report.results.findIndex((r) => sameConfig(r, rec));
  return i >= 0 ? i : undefined;
}

export interface Speedup {
  vs: Config;
  ratio: number;
  ciLow?: number;
  ciHigh?: number;
}

/** The recommendation's speed-up: the engine's when the report has it, else computed the engine's way. */
export function recommendationSpeedup(report: AdvisorReport, pick: number | undefined): Speedup | undefined {
  const rec = report.recommendation;
  if (rec?.speedup) return rec.speedup;
  if (pick === undefined) return undefined;
  const row = report.results[pick] as ResultRow;
  const base = baselineFor(report.results, row);
  if (!base || base === row) return undefined;
  return { vs: { operator: base.operator, placement: base.placement }, ...engineSpeedup(base, row) };
}

/** Crossovers inside the slider's range (the engine searches 0.01–100 000 Mbit/s). */
export function crossoversOnSlider(report: AdvisorReport, link: LinkId): SensitivityPoint['crossovers'] {
  return (report.sensitivity.find((s) => s.link === link)?.crossovers ?? []).filter((c) => c.mbps >= MIN_MBPS && c.mbps <= MAX_MBPS);
}

// ---------------------------------------------------------------------------------------------
// The bandwidth slider: positions 0..SLIDER_STEPS map log-uniformly onto MIN_MBPS..MAX_MBPS.

export const SLIDER_STEPS = 1000;

export function sliderToMbps(pos: number): number {
  const lo = Math.log10(MIN_MBPS);
  const hi = Math.log10(MAX_MBPS);
  const p = Math.min(SLIDER_STEPS, Math.max(0, pos));
  return roundSig(10 ** (lo + ((hi - lo) * p) / SLIDER_STEPS), 3);
}

export function mbpsToSlider(mbps: number): number {
  const lo = Math.log10(MIN_MBPS);
  const hi = Math.log10(MAX_MBPS);
  const v = Math.min(MAX_MBPS, Math.max(MIN_MBPS, mbps));
  return Math.round(((Math.log10(v) - lo) / (hi - lo)) * SLIDER_STEPS);
}

export function roundSig(v: number, digits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const p = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(v))));
  return Math.round(v * p) / p;
}

// ---------------------------------------------------------------------------------------------
// The data grid's sorting.

export const SORT_KEYS = ['config', 'median', 'p95', 'ci', 'coldStart', 'accuracy', 'drop', 'flags'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface SortState {
  key: SortKey;
  dir: 'asc' | 'desc';
}

function configRank(r: LiveRow): number {
  return OPERATORS.indexOf(r.row.operator) * PLACEMENTS.length + PLACEMENTS.indexOf(r.row.placement);
}

function sortValue(r: LiveRow, key: SortKey): number | undefined {
  switch (key) {
    case 'config': return configRank(r);
    case 'median': return r.latency.median;
    case 'p95': return r.latency.p95;
    case 'ci': return r.latency.ciLow !== undefined && r.latency.ciHigh !== undefined ? r.latency.ciHigh - r.latency.ciLow : undefined;
    case 'coldStart': return r.row.coldStartMs;
    case 'accuracy': return r.row.accuracy;
    case 'drop': return r.drop;
    case 'flags': return r.row.flags.length;
  }
}

/** Stable sort; rows without the value go last in either direction. */
export function sortRows(rows: readonly LiveRow[], s: SortState): LiveRow[] {
  const sign = s.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: sortValue(r, s.key) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1;
      return (a.v - b.v) * sign || a.i - b.i;
    })
    .map((x) => x.r);
}

/** Clicking a header: a new column sorts ascending, the same column flips. */
export function nextSort(cur: SortState, key: SortKey): SortState {
  return cur.key === key ? { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

// ---------------------------------------------------------------------------------------------
// Labels and number formats shared by the card, charts, grid and exports.

const OPERATOR_LABELS: Record<OperatorId, string> = {
  identity: 'Identity', sptq: 'SPTQ', partition: 'Partition', 'sptq-partition': 'SPTQ-Partition',
  distilled: 'Distilled', pruned: 'Pruned', qat: 'QAT', dsptq: 'DSPTQ',
};
const PLACEMENT_LABELS: Record<PlacementId, string> = {
  mobile: 'Mobile', edge: 'Edge', cloud: 'Cloud', 'mobile-edge': 'Mobile→Edge', 'edge-cloud': 'Edge→Cloud',
};

export const operatorLabel = (o: OperatorId): string => OPERATOR_LABELS[o];
export const placementLabel = (p: PlacementId): string => PLACEMENT_LABELS[p];
export const configLabel = (c: Config): string => `${OPERATOR_LABELS[c.operator]} @ ${PLACEMENT_LABELS[c.placement]}`;

/** Milliseconds with 3 significant digits (0.105 ms, 1.42 ms, 53.2 ms, 1 230 ms). */
export function fmtMs(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const r = roundSig(v, 3);
  return `${Math.abs(r) >= 1000 ? Math.round(r).toLocaleString('en-US') : String(r)} ms`;
}

export function fmtPoints(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(2)} pts`;
}

export function fmtMbps(v: number): string {
  return `${roundSig(v, 3)} Mbit/s`;
}

export function fmtTimes(v: number): string {
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`;
}

// ---------------------------------------------------------------------------------------------
// Devices and measured links (issue 17): where a tier's rows ran, and what the link really did.

export interface DeviceBadge {
  tier: TierId;
  /** "Edge: raspberrypi" */
  label: string;
  /** "linux arm64 · Cortex-A72 · 4 cores · 3.7 GB · Node v20.11.1 · cpu" */
  line: string;
  /** Every fact and the SSH destination, one per line (the badge's tooltip). */
  title: string;
}

const TIER_LABELS: Record<TierId, string> = { mobile: 'Mobile', edge: 'Edge', cloud: 'Cloud' };

/** A badge for every tier measured on a device (one the probe reached: it has facts). */
export function deviceBadges(tiers: TierSet): DeviceBadge[] {
  const out: DeviceBadge[] = [];
  for (const id of ['mobile', 'edge', 'cloud'] as const) {
    const d = tiers.tiers[id]?.device;
    if (!d?.facts) continue;
    const f = d.facts;
    out.push({
      tier: id,
      label: `${TIER_LABELS[id]}: ${f.host}`,
      line: `${deviceSummary(f)} · ${f.executionProvider}`,
      title: `${TIER_LABELS[id]} ran on ${d.ssh}\n${deviceDetails(f)}`,
    });
  }
  return out;
}

function fmtRtt(ms: number): string {
  return `RTT ${roundSig(ms, 3)} ms`;
}

/**
 * "measured 18.7 Mbit/s, RTT 2.1 ms (assumed 200 Mbit/s, RTT 0 ms)" for a link measured between two
 * machines, with up/down for a tooltip; undefined for a link that is only assumed.
 */
export function measuredLinkText(link: LinkProfile): { text: string; title: string } | undefined {
  const m = link.measured;
  if (!m) return undefined;
  const assumed = link.assumed ? ` (assumed ${fmtMbps(link.assumed.mbps)}, ${fmtRtt(link.assumed.rttMs)})` : '';
  return {
    text: `measured ${fmtMbps(m.mbps)}, ${fmtRtt(m.rttMs)}${assumed}`,
    title: `Measured between the two machines: up (towards the device) ${fmtMbps(m.upMbps)}, down ${fmtMbps(m.downMbps)}. Transfers are priced with the measured figures.`,
  };
}
