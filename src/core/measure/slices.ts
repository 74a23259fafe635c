/**
 * What the host keeps of a configuration's benchmark slices (src/core/protocol/benchmark.ts): every
 * recorded run, split into the blocks it was measured in, and the statistics over blocks. Runs in
 * one block are not independent (the machine drifts between blocks, not within one), so the CI of
 * a configuration's median is taken over its block medians, not over its runs.
 */
import type { BenchmarkConfig, BenchmarkParams, BenchmarkResult, ConfigSlice } from '../protocol/benchmark';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { Feeds } from '../protocol/tensor';
import { median, medianCi } from '../stats/describe';

/** Block medians needed before a distribution-free 95% CI of their median exists (1 − 2·0.5⁶ ≥ 0.95). */
export const MIN_CI_BLOCKS = 6;

export interface StageRecord {
  samplesMs: number[];
  /** Median of each block of this stage. */
  blockMedians: number[];
  coldStartMs: number;
  outputBytes: number;
  outputNames: string[];
}

export interface ConfigRecord {
  config: BenchmarkConfig;
  stages: StageRecord[];
  /** Per-run totals over stages, in run order. */
  samplesMs: number[];
  /** Median of each block's totals. */
  blockMedians: number[];
  rewarmRuns: number;
  loads: number;
  peakRssMB: number;
}

export function newRecord(config: BenchmarkConfig): ConfigRecord {
  return {
    config, samplesMs: [], blockMedians: [], rewarmRuns: 0, loads: 0, peakRssMB: 0,
    stages: config.stages.map(() => ({ samplesMs: [], blockMedians: [], coldStartMs: 0, outputBytes: 0, outputNames: [] })),
  };
}

function blockMediansOf(samples: readonly number[], runs: readonly number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const n of runs) {
    if (n > 0) out.push(median(samples.slice(at, at + n)));
    at += n;
  }
  return out;
}

/** Adds one slice of a configuration to what is held. */
export function mergeSlice(rec: ConfigRecord, slice: ConfigSlice): void {
  rec.samplesMs.push(...slice.samplesMs);
  rec.blockMedians.push(...blockMediansOf(slice.samplesMs, slice.blockRuns));
  slice.stages.forEach((st, s) => {
    const held = rec.stages[s]!;
    held.samplesMs.push(...st.samplesMs);
    held.blockMedians.push(...blockMediansOf(st.samplesMs, slice.blockRuns));
    if (held.coldStartMs === 0) held.coldStartMs = st.coldStartMs;
    held.outputBytes = st.outputBytes;
    if (st.outputNames.length) held.outputNames = st.outputNames;
  });
  rec.rewarmRuns += slice.rewarmRuns;
  rec.loads += slice.loads;
  rec.peakRssMB = Math.max(rec.peakRssMB, slice.peakRssMB);
}

export interface BlockCi {
  low: number;
  high: number;
  /** Larger side of the CI relative to the median of the runs. */
  relHalfWidth: number;
  valid: boolean;
  blocks: number;
}

/** The 95% CI of a median from block medians (binomial order statistics); invalid under MIN_CI_BLOCKS. */
export function blockCi(blockMedians: readonly number[], center = median(blockMedians)): BlockCi {
  const blocks = blockMedians.length;
  if (blocks < MIN_CI_BLOCKS || !(center > 0)) return { low: NaN, high: NaN, relHalfWidth: Infinity, valid: false, blocks };
  const ci = medianCi(blockMedians);
  if (!ci.valid) return { low: NaN, high: NaN, relHalfWidth: Infinity, valid: false, blocks };
  // the CI brackets the median of block medians; report it around the runs' median too
  const low = Math.min(ci.low, center);
  const high = Math.max(ci.high, center);
  return { low, high, relHalfWidth: Math.max(center - low, high - center) / center, valid: true, blocks };
}

export function recordCi(rec: ConfigRecord): BlockCi {
  return blockCi(rec.blockMedians, median(rec.samplesMs));
}

export interface MeasureOptions {
  /** Measuring time for all configurations together, ms. */
  budgetMs: number;
  /** Stop a configuration once its CI is within ±this of its median (default 0.03). */
  targetRelHalfWidth?: number;
  /** Length of one slice (one job call), ms (default 1000). */
  sliceMs?: number;
  job?: JobOptions;
  /** Passed to the benchmark job as they are (warm-up, block and re-warm lengths). */
  params?: Pick<BenchmarkParams, 'warmupRuns' | 'warmupMs' | 'rewarmMs' | 'blockMs'>;
}

export interface Measured {
  records: Map<string, ConfigRecord>;
  /** Configurations whose CI reached the target. */
  reached: Set<string>;
  elapsedMs: number;
  runnerPeakRssMB: number;
  baseRssMB: number;
}

/**
 * Measures configurations side by side until each one's block-level CI is within the target or
 * the budget is spent (no racing: every configuration matters to the caller, e.g. float vs int8).
 */
export async function measureConfigs(runner: RunnerHost, configs: BenchmarkConfig[], samples: Feeds[], opts: MeasureOptions): Promise<Measured> {
  const records = new Map(configs.map((c) => [c.id, newRecord(c)]));
  const reached = new Set<string>();
  const target = opts.targetRelHalfWidth ?? 0.03;
  let elapsedMs = 0;
  let passes = 0;
  let runnerPeakRssMB = 0;
  let baseRssMB = 0;
  while (elapsedMs < opts.budgetMs) {
    const active = configs.filter((c) => !reached.has(c.id));
    if (active.length === 0) break;
    const r: BenchmarkResult = await runner.run('benchmark', {
      ...opts.params, configs: active, samples, firstPass: passes, sliceMs: Math.min(opts.sliceMs ?? 1000, opts.budgetMs - elapsedMs),
    }, opts.job);
    elapsedMs += r.elapsedMs;
    passes += r.passes;
    runnerPeakRssMB = Math.max(runnerPeakRssMB, r.runnerPeakRssMB);
    baseRssMB = r.baseRssMB;
    for (const slice of r.configs) {
      const rec = records.get(slice.id)!;
      mergeSlice(rec, slice);
      const ci = recordCi(rec);
      if (ci.valid && ci.relHalfWidth <= target) reached.add(slice.id);
    }
  }
  return { records, reached, elapsedMs, runnerPeakRssMB, baseRssMB };
}
