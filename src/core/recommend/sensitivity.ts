/**
 * Bandwidth sensitivity without re-benchmarking. Transfers are analytic (RTT + bytes·8/bandwidth per
 * hop), so a row's latency at another bandwidth is its measured latency shifted by the change in
 * transfer time. On one link, each row's latency is a + k/b: a straight line in 1/b. The picks can
 * only change where two lines cross (or a line crosses the latency target), so those points are
 * solved exactly, and the full pick (ties, budget, target) is re-run around them to confirm.
 */
import type { OperatorId, PlacementId, ResultRow, SensitivityPoint } from '../results';
import { transferMs } from '../tiers/network';
import type { LinkId, LinkProfile } from '../tiers/types';
import { configLabel, LINK_LABELS, sig3 } from '../labels';
import { pickConfiguration, type PickOptions } from './pick';

export type LinkSettings = Record<LinkId, Pick<LinkProfile, 'mbps' | 'rttMs'>>;

/** Bandwidths searched, Mbit/s: from a bad cellular link to a datacentre fabric. */
export const SEARCH_RANGE_MBPS: readonly [number, number] = [0.01, 100_000];

const LINKS: readonly LinkId[] = ['mobile-edge', 'edge-cloud'];

/** The rows as they would measure with the links at `next` instead of `current`. */
export function retimeRows(rows: readonly ResultRow[], current: LinkSettings, next: LinkSettings): ResultRow[] {
  return rows.map((r) => {
    if (!r.transfers || r.transfers.length === 0) return r;
    const before = r.transfers.reduce((s, t) => s + transferMs(t.bytes, current[t.link]), 0);
    const after = r.transfers.reduce((s, t) => s + transferMs(t.bytes, next[t.link]), 0);
    const d = after - before;
    if (d === 0) return r;
    const shift = (v: number | undefined) => (v === undefined ? undefined : v + d);
    const l = r.latencyMs;
    const latencyMs = Object.fromEntries(Object.entries({
      ...l, median: l.median + d, mean: shift(l.mean), p90: shift(l.p90), p95: shift(l.p95),
      min: shift(l.min), max: shift(l.max), ciLow: shift(l.ciLow), ciHigh: shift(l.ciHigh),
    }).filter(([, v]) => v !== undefined)) as unknown as ResultRow['latencyMs'];
    return {
      ...r, latencyMs, transferMs: after,
      ...(r.samplesMs ? { samplesMs: r.samplesMs.map((s) => s + d) } : {}),
    };
  });
}

type Config = { operator: OperatorId; placement: PlacementId };

function sameConfig(a: Config | null, b: Config | null): boolean {
  return a === b || (a !== null && b !== null && a.operator === b.operator && a.placement === b.placement);
}

/** Bytes·8 per Mbit/s, i.e. the k in `transfer ms = rtt + k / mbps`. */
function slope(row: ResultRow, link: LinkId): number {
  return (row.transfers ?? []).filter((t) => t.link === link).reduce((s, t) => s + t.bytes * 8e-3, 0);
}

/**
 * The bandwidths, within `SEARCH_RANGE_MBPS`, where some pair of rows swaps order on this link or
 * a row crosses the latency target: the only places the pick can change.
 */
export function candidateBandwidths(rows: readonly ResultRow[], current: LinkSettings, link: LinkId, latencyTargetMs?: number): number[] {
  const b0 = current[link].mbps;
  const lines = rows.map((r) => {
    const k = slope(r, link);
    return { a: r.latencyMs.median - k / b0, k };
  });
  const out: number[] = [];
  const keep = (b: number) => { if (Number.isFinite(b) && b > SEARCH_RANGE_MBPS[0] && b < SEARCH_RANGE_MBPS[1]) out.push(b); };
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const dk = lines[i]!.k - lines[j]!.k;
      if (dk === 0) continue;
      const x = (lines[j]!.a - lines[i]!.a) / dk; // x = 1/b where a_i + k_i x = a_j + k_j x
      if (x > 0) keep(1 / x);
    }
    if (latencyTargetMs !== undefined && lines[i]!.k > 0 && latencyTargetMs > lines[i]!.a) keep(lines[i]!.k / (latencyTargetMs - lines[i]!.a));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

export interface SensitivityAnalysis {
  points: SensitivityPoint[];
  /** Why some or all links could not be analysed. */
  note?: string;
}

/**
 * For each link some row sends data over, the bandwidths at which the recommendation changes and
 * what it changes to, with a one-line summary ("Cloud DSPTQ becomes best above 14.2 Mbit/s Edge↔Cloud").
 */
export function bandwidthSensitivity(rows: readonly ResultRow[], current: LinkSettings | undefined, opts: PickOptions): SensitivityAnalysis {
  const missing = rows.filter((r) => r.placement !== 'mobile' && !r.transfers && !r.flags.includes('notProvided'));
  if (missing.length > 0) {
    return {
      points: [],
      note: `Bandwidth sensitivity was not computed: it needs each row's network transfers, and ${missing.length} row(s) ` +
        `(e.g. ${configLabel(missing[0]!)}) have none, as with latencies measured elsewhere.`,
    };
  }
  if (!current) return { points: [], note: 'Bandwidth sensitivity was not computed: the link bandwidths the transfers were priced at are not known.' };
  const points: SensitivityPoint[] = [];
  for (const link of LINKS) {
    if (!rows.some((r) => slope(r, link) > 0)) continue;
    points.push(analyseLink(rows, current, link, opts));
  }
  return { points };
}

function analyseLink(rows: readonly ResultRow[], current: LinkSettings, link: LinkId, opts: PickOptions): SensitivityPoint {
  const pickAt = (mbps: number): Config | null => {
    const next = { ...current, [link]: { ...current[link], mbps } };
    const p = pickConfiguration(retimeRows(rows, current, next), opts);
    return p.index === null ? null : { operator: rows[p.index]!.operator, placement: rows[p.index]!.placement };
  };
  const cands = candidateBandwidths(rows, current, link, opts.latencyTargetMs);
  const [lo, hi] = SEARCH_RANGE_MBPS;
  // Probes between consecutive candidates, so each pair of neighbouring probes brackets one
  // candidate. A change between probes is located by the recursive search; it also finds changes
  // that come from a tie boundary rather than a crossing.
  const probes = [lo, ...cands.slice(1).map((c, i) => Math.sqrt(c * cands[i]!)), hi];
  const picks = probes.map(pickAt);
  const changes: Array<{ mbps: number; below: Config | null; above: Config | null }> = [];
  const search = (a: number, b: number, pa: Config | null, pb: Config | null): void => {
    if (sameConfig(pa, pb)) return;
    const exact = cands.find((c) => c > a && c < b);
    if (exact !== undefined && sameConfig(pickAt(exact * (1 - 1e-9)), pa) && sameConfig(pickAt(exact * (1 + 1e-9)), pb)) {
      changes.push({ mbps: exact, below: pa, above: pb });
      return;
    }
    if (b / a < 1 + 1e-9) { changes.push({ mbps: b, below: pa, above: pb }); return; }
    const mid = Math.sqrt(a * b);
    const pm = pickAt(mid);
    search(a, mid, pa, pm);
    search(mid, b, pm, pb);
  };
  for (let i = 0; i + 1 < probes.length; i++) search(probes[i]!, probes[i + 1]!, picks[i]!, picks[i + 1]!);

  const currentMbps = current[link].mbps;
  const crossovers = changes.flatMap((c) => (c.below && c.above ? [{ mbps: c.mbps, below: c.below, above: c.above }] : []));
  return { link, currentMbps, crossovers, summary: summarize(link, currentMbps, pickAt(currentMbps), changes) };
}

function summarize(link: LinkId, currentMbps: number, now: Config | null,
  changes: ReadonlyArray<{ mbps: number; below: Config | null; above: Config | null }>): string {
  const where = LINK_LABELS[link];
  const name = (c: Config | null) => (c ? configLabel(c) : 'nothing qualifies');
  const head = `At ${sig3(currentMbps)} Mbit/s ${where} (as measured) the pick is ${name(now)}.`;
  if (changes.length === 0) {
    return `${head} It stays so at any ${where} bandwidth from ${SEARCH_RANGE_MBPS[0]} to ${SEARCH_RANGE_MBPS[1].toLocaleString('en-US')} Mbit/s.`;
  }
  const parts = changes.map((c) => c.mbps > currentMbps
    ? `${name(c.above)} becomes best above ${sig3(c.mbps)} Mbit/s`
    : `${name(c.below)} becomes best below ${sig3(c.mbps)} Mbit/s`);
  return `${head} ${parts.join('; ')} ${where}.`;
}
