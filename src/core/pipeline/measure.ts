/**
 * From operator models to measured result rows. Each operator is a chain of model files (one
 * model, or a partition's head → tail). Every chain is measured on this host at each thread count
 * 1..host cores (taking turns in one runner job), which yields both the tier's direct measurement
 * (threads = min(tier cpus, host cores)) and the Amdahl fit used to extrapolate tiers with more
 * cores than the host. A row's samples are per-request: stage times scaled to their tiers plus the
 * analytic transfers, so its statistics and significance tests see the same distribution.
 */
import type { BenchmarkConfig, BenchmarkResult, ConfigMeasurement } from '../protocol/benchmark';
import type { RunnerHost, JobOptions } from '../protocol/runner';
import type { Feeds } from '../protocol/tensor';
import type { OperatorId, PlacementId, ResultFlag, ResultRow } from '../results';
import { summarize } from '../stats/describe';
import { computeScale, fitAmdahl, threadsFor, type AmdahlFit } from '../tiers/compute';
import { totalTransferMs } from '../tiers/network';
import { placementTiers, placementTransfers } from '../tiers/placement';
import type { TierId, TierSet } from '../tiers/types';

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

export interface MeasurePlan {
  builds: OperatorBuild[];
  tiers: TierSet;
  hostCores: number;
  samples: Feeds[];
  /** Bytes uploaded per request (raw sample size or tensor bytes). */
  inputBytes: number;
  budgetMs: number;
  /** Decode + preprocess ms per request on each tier, when samples are files (pipeline/data.ts). */
  preprocessMs?: Partial<Record<TierId, number>>;
}

export function threadCounts(tiers: TierSet, hostCores: number): number[] {
  const set = new Set<number>();
  for (let t = 1; t <= hostCores; t++) set.add(t);
  for (const tier of Object.values(tiers.tiers)) set.add(threadsFor(tier, hostCores));
  return [...set].sort((a, b) => a - b);
}

/** Builds may share an operator (a partition cut per link), so ids carry the build's index. */
const configId = (i: number, b: OperatorBuild, t: number) => `${i}:${b.operator}@${t}`;

/**
 * The benchmark job's configurations: every chain at every thread count. Spinning is off for all
 * of them: configurations take turns, and a session whose pool threads keep spin-waiting after
 * its run steals the cores of the next configuration (measured here: a 1.5 ms model read 6.4 ms
 * at 2 threads when interleaved with spinning on, 1.6 ms with it off).
 */
export function benchmarkConfigs(plan: MeasurePlan): BenchmarkConfig[] {
  const out: BenchmarkConfig[] = [];
  for (const [i, b] of plan.builds.entries()) {
    for (const t of threadCounts(plan.tiers, plan.hostCores)) {
      out.push({ id: configId(i, b, t), stages: b.stages.map((modelPath) => ({ modelPath, threads: t, spinning: false })) });
    }
  }
  return out;
}

/**
 * Measures every build. `onStopped` gets the rows of what was measured before the job failed or
 * was cancelled (from the samples the runner streams), when every configuration has a few.
 */
export async function measure(
  plan: MeasurePlan, runner: RunnerHost, opts: JobOptions = {}, onStopped?: (rows: ResultRow[]) => void,
): Promise<ResultRow[]> {
  const soFar = new Map<string, ConfigMeasurement>();
  const configs = benchmarkConfigs(plan);
  try {
    const result = await runner.run('benchmark', {
      configs,
      samples: plan.samples,
      budgetMs: plan.budgetMs,
    }, {
      ...opts,
      onProgress: (p) => {
        if (p.measured) mergeMeasured(soFar, p.measured);
        opts.onProgress?.(p);
      },
    });
    return rowsFromBenchmark(plan, result);
  } catch (e) {
    const measured = [...soFar.values()];
    if (onStopped && measured.length === configs.length && measured.every((c) => c.samplesMs.length >= MIN_PARTIAL_SAMPLES)) {
      onStopped(rowsFromBenchmark(plan, { configs: measured.map((c) => ({ ...c, ciReached: false })), baseRssMB: 0, elapsedMs: 0 }));
    }
    throw e;
  }
}

/** Fewer samples than this per configuration make no row worth showing. */
const MIN_PARTIAL_SAMPLES = 3;

/** Appends streamed samples (MeasuredSoFar) to what a host holds; other fields take the latest values. */
export function mergeMeasured(into: Map<string, ConfigMeasurement>, measured: ConfigMeasurement[]): void {
  for (const m of measured) {
    const held = into.get(m.id);
    if (!held) { into.set(m.id, structuredClone(m)); continue; }
    held.samplesMs.push(...m.samplesMs);
    m.stages.forEach((st, k) => {
      const h = held.stages[k]!;
      h.samplesMs.push(...st.samplesMs);
      h.coldStartMs = st.coldStartMs;
      h.outputBytes = st.outputBytes;
    });
    held.peakRssMB = m.peakRssMB;
    held.ciReached = m.ciReached;
    held.blocks = m.blocks;
    held.rewarmRuns = m.rewarmRuns;
  }
}

function stageFit(measurements: Map<number, ConfigMeasurement>, stage: number): AmdahlFit {
  const points = [...measurements.entries()].map(([threads, m]) => ({ threads, ms: summarize(m.stages[stage]!.samplesMs).median }));
  return fitAmdahl(points);
}

export function rowsFromBenchmark(plan: MeasurePlan, result: BenchmarkResult): ResultRow[] {
  const byId = new Map(result.configs.map((c) => [c.id, c]));
  const rows: ResultRow[] = [];
  for (const [i, b] of plan.builds.entries()) {
    const perThreads = new Map<number, ConfigMeasurement>();
    for (const t of threadCounts(plan.tiers, plan.hostCores)) {
      const m = byId.get(configId(i, b, t));
      if (m) perThreads.set(t, m);
    }
    if (perThreads.size === 0) continue;
    const fits = b.stages.map((_, s) => stageFit(perThreads, s));
    for (const placement of b.placements) {
      const tiers = placementTiers(placement).map((id) => plan.tiers.tiers[id]);
      if (tiers.length !== b.stages.length) continue;
      const flags = new Set<ResultFlag>(b.flags ?? []);
      const scaled: number[][] = [];
      let coldStartMs = 0;
      let peakRssMB = 0;
      let ciReachedAll = true;
      tiers.forEach((tier, s) => {
        const scale = computeScale(tier, plan.hostCores, fits[s]);
        const m = perThreads.get(scale.measuredThreads)!;
        if (scale.extrapolated) flags.add('extrapolated');
        if (tier.accelerator) flags.add('acceleratorNotEmulated');
        if (!m.ciReached) ciReachedAll = false;
        scaled.push(m.stages[s]!.samplesMs.map((x) => x * scale.factor));
        coldStartMs += m.stages[s]!.coldStartMs;
        peakRssMB = Math.max(peakRssMB, m.peakRssMB);
        if (m.peakRssMB > tier.memoryMB) flags.add('doesNotFit');
      });
      if (!ciReachedAll) flags.add('ciNotReached');
      const last = perThreads.values().next().value as ConfigMeasurement;
      const outputBytes = last.stages[last.stages.length - 1]!.outputBytes;
      const cutBytes = b.stages.length > 1 ? last.stages[0]!.outputBytes : undefined;
      const transfers = placementTransfers(placement, { inputBytes: plan.inputBytes, outputBytes, ...(cutBytes !== undefined ? { cutBytes } : {}) });
      const transferMs = totalTransferMs(transfers, plan.tiers.links);
      const n = Math.min(...scaled.map((s) => s.length));
      const compute = Array.from({ length: n }, (_, i) => scaled.reduce((sum, s) => sum + s[i]!, 0));
      // the tier that receives the request (the placement's first) decodes the file it was sent
      const preprocessMs = plan.preprocessMs?.[placementTiers(placement)[0]!];
      const samplesMs = compute.map((c) => c + transferMs + (preprocessMs ?? 0));
      const st = summarize(samplesMs);
      if (st.outliers.length) flags.add('outliers');
      rows.push({
        operator: b.operator,
        placement,
        latencyMs: { median: st.median, mean: st.mean, sd: st.sd, p90: st.p90, p95: st.p95, min: st.min, max: st.max, mad: st.mad, ciLow: st.ciLow, ciHigh: st.ciHigh, n: st.n },
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
        payloadBytes: plan.inputBytes,
      });
    }
  }
  return rows;
}
