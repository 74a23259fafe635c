/**
 * The "bring your own measurements" file: results measured elsewhere (a real device, a paper) for
 * the engine alone. Validated strictly: unknown keys, wrong types, impossible operator/placement
 * pairs and duplicates are errors that name the file and the JSON path.
 *
 *   { "model": str, "modality": "image"|"text"|..., "metric": "top1"|"f1"|..., "baselineAccuracy": n,
 *     "source"?: str, "links"?: { "mobile-edge"?: {"mbps": n, "rttMs"?: n}, "edge-cloud"?: {...} },
 *     "results": [{ "operator": id, "placement": id,
 *                   "latencyMs": {"median": n, "mean"?, "sd"?, "n"?, "p90"?, "p95"?, "min"?, "max"?, "mad"?, "ciLow"?, "ciHigh"?}
 *                   | "samplesMs": [n, ...]  (either or both),
 *                   "accuracy": n, "computeMs"?: {"median": n}, "transfers"?: [{"link", "bytes", "what"}],
 *                   "flags"?: [...], "note"?: str }] }
 */
import { AdvisorError } from '../errors';
import { OPERATORS, PLACEMENTS, type LatencyStats, type Metric, type Modality, type OperatorId, type ResultFlag, type ResultRow } from '../results';
import type { Transfer } from '../tiers/network';
import type { LinkId, TierSet } from '../tiers/types';
import { summarizeSamples } from '../stats/rowLatency';
import { isPartitionPlacement } from './pick';
import type { LinkSettings } from './sensitivity';

export const MODALITIES: readonly Modality[] = ['image', 'text', 'audio', 'tabular', 'unknown'];
export const METRICS: readonly Metric[] = ['top1', 'f1', 'miou', 'agreement'];
const FLAGS: readonly ResultFlag[] = ['extrapolated', 'doesNotFit', 'syntheticCalibration', 'lowFusionCoverage', 'outliers',
  'ciNotReached', 'acceleratorNotEmulated', 'fidelityOnly', 'estimated', 'notProvided'];
const LINK_IDS: readonly LinkId[] = ['mobile-edge', 'edge-cloud'];
const LATENCY_KEYS = ['median', 'mean', 'sd', 'p90', 'p95', 'min', 'max', 'mad', 'ciLow', 'ciHigh', 'n'] as const;
const PARTITION_OPERATORS: readonly OperatorId[] = ['partition', 'sptq-partition'];

export interface Measurements {
  model: string;
  modality: Modality;
  metric: Metric;
  baselineAccuracy: number;
  source?: string;
  /** Bandwidths the rows' transfers were measured at; only given links are present. */
  links?: Partial<LinkSettings>;
  rows: ResultRow[];
}

type Obj = Record<string, unknown>;

class Validator {
  constructor(private readonly file: string) {}

  fail(path: string, msg: string): never {
    throw new AdvisorError('input', `${path}: ${msg}`, this.file);
  }

  object(v: unknown, path: string, allowed: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `must be an object, got ${describe(v)}`);
    const o = v as Obj;
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `unknown key (allowed: ${allowed.join(', ')})`);
    }
    return o;
  }

  number(v: unknown, path: string, check?: { min?: number; max?: number; positive?: boolean; integer?: boolean }): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a number, got ${describe(v)}`);
    if (check?.positive && !(v > 0)) this.fail(path, `must be greater than 0, got ${v}`);
    if (check?.min !== undefined && v < check.min) this.fail(path, `must be at least ${check.min}, got ${v}`);
    if (check?.max !== undefined && v > check.max) this.fail(path, `must be at most ${check.max}, got ${v}`);
    if (check?.integer && !Number.isInteger(v)) this.fail(path, `must be a whole number, got ${v}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(path, `must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(path, `must be one of ${allowed.join(', ')}, got ${describe(v)}`);
    return v as T;
  }

  array(v: unknown, path: string, nonEmpty = true): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `must be an array, got ${describe(v)}`);
    if (nonEmpty && v.length === 0) this.fail(path, 'must not be empty');
    return v;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Validates a parsed measurements file; `file` is named in every error. */
export function parseMeasurements(json: unknown, file: string): Measurements {
  const v = new Validator(file);
  const top = v.object(json, '$', ['model', 'modality', 'metric', 'baselineAccuracy', 'source', 'links', 'results']);
  const model = v.string(top.model, '$.model');
  const modality = v.oneOf(top.modality, '$.modality', MODALITIES);
  const metric = v.oneOf(top.metric, '$.metric', METRICS);
  const baselineAccuracy = v.number(top.baselineAccuracy, '$.baselineAccuracy', { min: 0, max: 100 });
  const source = top.source === undefined ? undefined : v.string(top.source, '$.source');
  let links: Partial<LinkSettings> | undefined;
  if (top.links !== undefined) {
    const lo = v.object(top.links, '$.links', LINK_IDS);
    links = {};
    for (const id of LINK_IDS) {
      if (lo[id] === undefined) continue;
      const l = v.object(lo[id], `$.links.${id}`, ['mbps', 'rttMs']);
      links[id] = {
        mbps: v.number(l.mbps, `$.links.${id}.mbps`, { positive: true }),
        rttMs: l.rttMs === undefined ? 0 : v.number(l.rttMs, `$.links.${id}.rttMs`, { min: 0 }),
      };
    }
  }
  const seen = new Map<string, number>();
  const rows = v.array(top.results, '$.results').map((r, i) => {
    const row = parseRow(v, r, `$.results[${i}]`, links);
    const key = `${row.operator}@${row.placement}`;
    const prev = seen.get(key);
    if (prev !== undefined) v.fail(`$.results[${i}]`, `duplicate ${row.operator} on ${row.placement} (also $.results[${prev}])`);
    seen.set(key, i);
    return row;
  });
  return { model, modality, metric, baselineAccuracy, ...(source ? { source } : {}), ...(links ? { links } : {}), rows };
}

function parseRow(v: Validator, raw: unknown, path: string, links: Partial<LinkSettings> | undefined): ResultRow {
  const o = v.object(raw, path, ['operator', 'placement', 'latencyMs', 'samplesMs', 'accuracy', 'computeMs', 'transfers', 'flags', 'note']);
  const operator = v.oneOf(o.operator, `${path}.operator`, OPERATORS);
  const placement = v.oneOf(o.placement, `${path}.placement`, PLACEMENTS);
  if (PARTITION_OPERATORS.includes(operator) !== isPartitionPlacement(placement)) {
    v.fail(`${path}.placement`, PARTITION_OPERATORS.includes(operator)
      ? `${operator} runs across two tiers: use mobile-edge or edge-cloud, not ${placement}`
      : `${operator} runs on one tier: use mobile, edge or cloud, not ${placement}`);
  }
  if (o.latencyMs === undefined && o.samplesMs === undefined) v.fail(path, 'needs "latencyMs" ({"median": ...}) or "samplesMs" ([...])');
  let samplesMs: number[] | undefined;
  if (o.samplesMs !== undefined) {
    samplesMs = v.array(o.samplesMs, `${path}.samplesMs`).map((s, k) => v.number(s, `${path}.samplesMs[${k}]`, { positive: true }));
  }
  let latencyMs: LatencyStats;
  if (o.latencyMs !== undefined) {
    const l = v.object(o.latencyMs, `${path}.latencyMs`, LATENCY_KEYS);
    const stats: Partial<LatencyStats> = {};
    for (const k of LATENCY_KEYS) {
      if (l[k] === undefined) continue;
      const p = `${path}.latencyMs.${k}`;
      stats[k] = k === 'n' ? v.number(l[k], p, { min: 1, integer: true }) : k === 'median' || k === 'mean' ? v.number(l[k], p, { positive: true }) : v.number(l[k], p, { min: 0 });
    }
    if (stats.median === undefined) v.fail(`${path}.latencyMs.median`, `must be a number, got ${describe(undefined)}`);
    if ((stats.ciLow === undefined) !== (stats.ciHigh === undefined)) v.fail(`${path}.latencyMs`, 'give both ciLow and ciHigh, or neither');
    if (stats.ciLow !== undefined && !(stats.ciLow <= stats.median && stats.median <= stats.ciHigh!)) {
      v.fail(`${path}.latencyMs`, `ciLow ≤ median ≤ ciHigh does not hold (${stats.ciLow}, ${stats.median}, ${stats.ciHigh})`);
    }
    latencyMs = stats as LatencyStats;
  } else {
    latencyMs = summarizeSamples(samplesMs!);
  }
  const accuracy = v.number(o.accuracy, `${path}.accuracy`, { min: 0, max: 100 });
  const row: ResultRow = { operator, placement, latencyMs, accuracy, flags: [] };
  if (samplesMs) row.samplesMs = samplesMs;
  if (o.computeMs !== undefined) {
    const c = v.object(o.computeMs, `${path}.computeMs`, ['median', 'head', 'tail']);
    row.computeMs = { median: v.number(c.median, `${path}.computeMs.median`, { min: 0 }) };
    if (c.head !== undefined) row.computeMs.head = v.number(c.head, `${path}.computeMs.head`, { min: 0 });
    if (c.tail !== undefined) row.computeMs.tail = v.number(c.tail, `${path}.computeMs.tail`, { min: 0 });
  }
  if (o.transfers !== undefined) {
    row.transfers = v.array(o.transfers, `${path}.transfers`, false).map((t, k): Transfer => {
      const tp = `${path}.transfers[${k}]`;
      const to = v.object(t, tp, ['link', 'bytes', 'what']);
      const link = v.oneOf(to.link, `${tp}.link`, LINK_IDS);
      if (!links?.[link]) v.fail(`${tp}.link`, `transfers over ${link} need its bandwidth in $.links.${link}`);
      return { link, bytes: v.number(to.bytes, `${tp}.bytes`, { min: 0 }), what: v.oneOf(to.what, `${tp}.what`, ['input', 'cut', 'output'] as const) };
    });
  }
  if (o.flags !== undefined) row.flags = v.array(o.flags, `${path}.flags`, false).map((f, k) => v.oneOf(f, `${path}.flags[${k}]`, FLAGS));
  if (o.note !== undefined) row.note = v.string(o.note, `${path}.note`);
  return row;
}

/**
 * A tier set for results measured elsewhere: the hardware is unknown (cpus/memory 0 mean "not
 * described"), links are the file's or 0 Mbit/s (= not given).
 */
export function measuredElsewhereTiers(m: Measurements, file: string): TierSet {
  const tier = (id: 'mobile' | 'edge' | 'cloud') => ({ id, cpus: 0, memoryMB: 0, speed: 1 });
  // mbps 0: not given (the sensitivity search is skipped); see linkSettingsOf for a link no transfer uses
  const given = linkSettingsOf(m);
  const link = (id: LinkId) => ({ id, mbps: given?.[id].mbps ?? 0, rttMs: given?.[id].rttMs ?? 0 });
  return {
    name: 'measurements',
    description: `Latencies measured elsewhere (${file}${m.source ? `; ${m.source}` : ''}); tier hardware not described` +
      (m.links ? '.' : ', link bandwidths not given.'),
    tiers: { mobile: tier('mobile'), edge: tier('edge'), cloud: tier('cloud') },
    links: { 'mobile-edge': link('mobile-edge'), 'edge-cloud': link('edge-cloud') },
  };
}

/** Link settings for the engine when the file gave every link some row sends data over. */
export function linkSettingsOf(m: Measurements): LinkSettings | undefined {
  const me = m.links?.['mobile-edge'];
  const ec = m.links?.['edge-cloud'];
  if (!me && !ec) return undefined;
  // A link no transfer uses can take any value: it never changes a latency.
  return { 'mobile-edge': me ?? { mbps: 1, rttMs: 0 }, 'edge-cloud': ec ?? { mbps: 1, rttMs: 0 } };
}
