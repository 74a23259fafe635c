/** The runner's `benchmark` job: parameters, what it measures, and the samples it streams. */
import type { Feeds } from './tensor';
import type { StageSpec } from './stage';

/**
 * Version of the benchmark job's way of measuring (warm-up, turns, re-warm). Part of every
 * results-cache key, so latencies measured another way are never reused. 2: turns in blocks.
 */
export const BENCHMARK_METHOD = 2;

export interface BenchmarkConfig {
  /** Caller's id for this configuration, echoed back. */
  id: string;
  stages: StageSpec[];
}

export interface BenchmarkParams {
  configs: BenchmarkConfig[];
  /** Input samples, cycled through; each must fit the first stage's inputs. */
  samples: Feeds[];
  /** Untimed runs per configuration before measuring (default 5)... */
  warmupRuns?: number;
  /** ...and at least this long per configuration, ms (default 200), so tiny models warm caches too. */
  warmupMs?: number;
  /** Re-warm time per block, ms: runs that fit in it are not recorded (default 25; stats/blocks.ts). */
  rewarmMs?: number;
  /** Measured time per block and configuration, ms (default 150): how many runs a turn records. */
  blockMs?: number;
  /** Measured runs per configuration before the stopping rule is checked (default 20). */
  minSamples?: number;
  /** Hard cap on measured runs per configuration (default 10000). */
  maxSamples?: number;
  /** Wall-clock budget for the measured phase, all configurations together, ms. */
  budgetMs: number;
  /** Stop when every configuration's 95% CI half-width of the median ≤ this fraction of it (default 0.02). */
  targetRelHalfWidth?: number;
}

export interface StageMeasurement {
  /** Raw per-run times of this stage, ms, in run order (never filtered). */
  samplesMs: number[];
  /** Session creation (load + graph optimisation), ms. */
  coldStartMs: number;
  /** Bytes of this stage's outputs for one request (a head's cut tensors, a tail's result). */
  outputBytes: number;
  outputNames: string[];
}

export interface ConfigMeasurement {
  id: string;
  stages: StageMeasurement[];
  /** Per-run total over stages, ms (paired: run i of every stage, on the same input). */
  samplesMs: number[];
  /** Estimated peak RSS of a runner holding only this configuration, MB (see jobs/benchmark.ts). */
  peakRssMB: number;
  /** The stopping rule was met for this configuration. */
  ciReached: boolean;
  /** Turns (blocks of consecutive runs) this configuration was measured in. */
  blocks: number;
  /** Runs at the start of its blocks that re-warmed it and were not recorded. */
  rewarmRuns: number;
}

export interface BenchmarkResult {
  configs: ConfigMeasurement[];
  /** RSS of the runner with onnxruntime loaded and no session, MB. */
  baseRssMB: number;
  elapsedMs: number;
}

/**
 * The benchmark job streams its samples: each progress message carries, per configuration, the
 * samples (totals and per stage) measured since the previous one, with the configuration's other
 * fields current. A host that merges them still has every latency measured when it kills the job.
 */
export type MeasuredSoFar = ConfigMeasurement[];
