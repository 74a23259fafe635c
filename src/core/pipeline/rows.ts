/**
 * From measured configurations to result rows. Each operator is a chain of model files (one model,
 * or a partition's head → tail) measured on this host at each thread count 1..host cores, which
 * yields both a tier's direct measurement (threads = min(tier cpus, host cores)) and the Amdahl fit
 * that extrapolates tiers with more cores than the host. A row's samples are per-request: stage
 * times scaled to their tiers plus the analytic transfers; its CI is taken over block medians
 * (runs inside one block are not independent), so the stopping rule and the report agree.
 */
import type { ConfigRecord } from '../measure/slices';
import { blockCi } from '../measure/slices';
import { extrapolatedRowCi, type StageSource } from './extrapolatedCi';
import type { Feeds } from '../protocol/tensor';
import type { OperatorId, PlacementId, ResultFlag, ResultRow } from '../results';
import { summarize } from '../stats/describe';
import { computeScale, fitAmdahl, threadsFor, type AmdahlFit } from '../tiers/compute';
import { totalTransferMs } from '../tiers/network';
import { placementTiers, placementTransfers } from '../tiers/placement';
import type { TierId, TierProfile, TierSet } from '../tiers/types';

/** One operator as built: the model chain to run and what to flag on its rows. */
export interface OperatorBuild {
  operator: OperatorId;
  /** One path for a whole model, [head, tail] for a partition. */
  stages: string[];
  placements: PlacementId[];
  flags?: ResultFlag[];
  cut?: { tensors: string[]; bytes: number };
  note?: string;
}

export interface RowContext {
  tiers: TierSet;
  hostCores: number;
  samples: Feeds[];
  /** Bytes uploaded per request (raw sample size or tensor bytes). */
  inputBytes: number;
  /** Decode + preprocess ms per request on each tier, when samples are files (pipeline/data.ts). */
  preprocessMs?: Partial<Record<TierId, number>>;
}

/** Thread counts measured on this host: 1..cores and each local tier's (device tiers are measured there). */
export function threadCounts(tiers: TierSet, hostCores: number): number[] {
  const set = new Set<number>();
  for (let t = 1; t <= hostCores; t++) set.add(t);
  for (const tier of Object.values(tiers.tiers)) if (!tier.device) set.add(threadsFor(tier, hostCores));
  return [...set].sort((a, b) => a - b);
}

/** Builds may share an operator (a partition cut per link), so ids carry the build's index. */
export const configId = (i: number, b: OperatorBuild, t: number): string => `${i}:${b.operator}@${t}`;
/** A build's whole chain measured on a device tier, as that device runs it (its own cores, no scaling). */
export const deviceConfigId = (i: number, b: OperatorBuild, tier: TierId): string => `${i}:${b.operator}@${tier}`;

/** Intra-op threads on a device: its whole cores (a CPU quota of half a core still runs one thread). */
export const deviceThreads = (tier: TierProfile): number => Math.max(1, Math.floor(tier.device?.facts?.cores ?? tier.cpus));

/** A row, and the configurations its numbers come from (what the race must keep measuring for it). */
export interface DerivedRow { row: ResultRow; configs: string[] }

function stageFit(perThreads: Map<number, ConfigRecord>, stage: number): AmdahlFit {
  return fitAmdahl([...perThreads.entries()].map(([threads, m]) => ({ threads, ms: summarize(m.stages[stage]!.samplesMs).median })));
}

/** Rows of every build with at least one block on each configuration a row needs. */
export function deriveRows(builds: readonly OperatorBuild[], records: ReadonlyMap<string, ConfigRecord>, ctx: RowContext): DerivedRow[] {
  const out: DerivedRow[] = [];
  const counts = threadCounts(ctx.tiers, ctx.hostCores);
  for (const [i, b] of builds.entries()) {
    const perThreads = new Map<number, ConfigRecord>();
    for (const t of counts) {
      const m = records.get(configId(i, b, t));
      if (m && m.samplesMs.length > 0) perThreads.set(t, m);
    }
    if (perThreads.size === 0) continue;
    const fits = b.stages.map((_, s) => stageFit(perThreads, s));
    for (const placement of b.placements) {
      const tiers = placementTiers(placement).map((id) => ctx.tiers.tiers[id]);
      if (tiers.length !== b.stages.length) continue;
      const flags = new Set<ResultFlag>(b.flags ?? []);
      const used = new Set<string>();
      const scaled: number[][] = [];
      const scaledBlocks: number[][] = [];
      const sources: StageSource[] = [];
      let extrapolated = false;
      let coldStartMs = 0;
      let peakRssMB = 0;
      let loads = 0;
      let missing = false;
      tiers.forEach((tier, s) => {
        // a device tier is measured there, as it is: no thread mapping, no speed factor, no extrapolation
        const onDevice = tier.device ? records.get(deviceConfigId(i, b, tier.id)) : undefined;
        const scale = tier.device ? { factor: 1, extrapolated: false, measuredThreads: 0 } : computeScale(tier, ctx.hostCores, fits[s]);
        const m = tier.device ? (onDevice && onDevice.samplesMs.length > 0 ? onDevice : undefined) : perThreads.get(scale.measuredThreads);
        if (!m) { missing = true; return; }
        used.add(m.config.id);
        // an extrapolated tier leans on the fit over every thread count
        if (scale.extrapolated) { flags.add('extrapolated'); extrapolated = true; for (const r of perThreads.values()) used.add(r.config.id); }
        sources.push({ record: m, stage: s, ...(tier.device ? {} : { tier }), ...(scale.extrapolated ? { perThreads } : {}) });
        if (tier.accelerator) flags.add('acceleratorNotEmulated');
        scaled.push(m.stages[s]!.samplesMs.map((x) => x * scale.factor));
        scaledBlocks.push(m.stages[s]!.blockMedians.map((x) => x * scale.factor));
        coldStartMs += m.stages[s]!.coldStartMs;
        peakRssMB = Math.max(peakRssMB, m.config.ownPeakMB ?? m.peakRssMB);
        loads = Math.max(loads, m.loads);
        if ((m.config.ownPeakMB ?? m.peakRssMB) > tier.memoryMB) flags.add('doesNotFit');
      });
      if (missing) continue;
      const first = perThreads.values().next().value as ConfigRecord;
      const outputBytes = first.stages[first.stages.length - 1]!.outputBytes;
      const cutBytes = b.stages.length > 1 ? first.stages[0]!.outputBytes : undefined;
      const transfers = placementTransfers(placement, { inputBytes: ctx.inputBytes, outputBytes, ...(cutBytes !== undefined ? { cutBytes } : {}) });
      const transferMs = totalTransferMs(transfers, ctx.tiers.links);
      const n = Math.min(...scaled.map((s) => s.length));
      const compute = Array.from({ length: n }, (_, r) => scaled.reduce((sum, s) => sum + s[r]!, 0));
      // the tier that receives the request (the placement's first) decodes the file it was sent
      const preprocessMs = ctx.preprocessMs?.[placementTiers(placement)[0]!];
      const fixedMs = transferMs + (preprocessMs ?? 0);
      const samplesMs = compute.map((c) => c + fixedMs);
      const nb = Math.min(...scaledBlocks.map((s) => s.length));
      const blocks = Array.from({ length: nb }, (_, k) => scaledBlocks.reduce((sum, s) => sum + s[k]!, 0) + fixedMs);
      const st = summarize(samplesMs);
      // the measurement's own CI; an extrapolated row reports its CI through the fit (wider)
      const measuredCi = blockCi(blocks, st.median);
      const ci = extrapolated ? extrapolatedRowCi(sources, ctx.hostCores, fixedMs, st.median, measuredCi) : measuredCi;
      if (st.outliers.length) flags.add('outliers');
      if (!ci.valid) flags.add('ciNotReached');
      const row: ResultRow = {
        operator: b.operator,
        placement,
        latencyMs: {
          median: st.median, mean: st.mean, sd: st.sd, p90: st.p90, p95: st.p95, min: st.min, max: st.max, mad: st.mad, n: st.n,
          ...(ci.valid ? { ciLow: ci.low, ciHigh: ci.high } : {}),
        },
        samplesMs,
        computeMs: {
          median: summarize(compute).median,
          ...(scaled.length === 2 ? { head: summarize(scaled[0]!).median, tail: summarize(scaled[1]!).median } : {}),
        },
        transferMs,
        transfers,
        coldStartMs,
        peakRssMB,
        modelPaths: b.stages,
        ...(b.cut ? { cut: b.cut } : cutBytes !== undefined ? { cut: { tensors: [], bytes: cutBytes } } : {}),
        flags: [...flags],
        ...(b.note ? { note: b.note } : {}),
        ...(preprocessMs !== undefined ? { preprocessMs } : {}),
        payloadBytes: ctx.inputBytes,
        sampling: {
          blocks: nb, relHalfWidth: ci.relHalfWidth, stopped: 'running',
          ...(extrapolated ? { measuredRelHalfWidth: measuredCi.relHalfWidth } : {}), ...(loads > 1 ? { loads } : {}),
        },
      };
      out.push({ row, configs: [...used] });
    }
  }
  return out;
}
