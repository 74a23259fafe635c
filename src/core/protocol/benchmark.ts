/**
 * The runner's `benchmark` job: one slice of a race the host drives (src/core/pipeline/race.ts).
 * Each call passes over the given configurations in turn — a visit is a block of consecutive runs
 * on one input, its first runs re-warming what the previous visit displaced — until `sliceMs` has
 * passed, and returns what it measured. The host merges slices, computes block-level statistics
 * and decides which configurations keep running. Sessions stay loaded between calls as far as the
 * runner's memory bound allows (one configuration's own peak + 25%); beyond it they are reloaded.
 */
import type { Feeds } from './tensor';
import type { StageSpec } from './stage';

/**
 * Version of the way latencies are measured. Part of every results-cache key, so latencies
 * measured another way are never reused. 2: turns in blocks. 3: onnxruntime's default session
 * options (thread-pool spinning on, as deployed), memory-bounded resident sessions, host-driven
 * slices with block-level statistics and racing. 4: extrapolated rows' CIs through the Amdahl fit
 * (a cached report would carry the narrower ones).
 */
export const BENCHMARK_METHOD = 4;

export const SAMPLES_NOT_HELD = 'samples not held';

export interface BenchmarkConfig {
  /** Caller's id for this configuration, echoed back. */
  id: string;
  stages: StageSpec[];
  /**
   * Peak RSS of a fresh runner holding only this configuration, MB, when the host measured it
   * (the evaluate job in a fresh runner). Lets several configurations stay resident within the
   * memory bound; without it a configuration is loaded alone.
   */
  ownPeakMB?: number;
  /**
   * This configuration's next blocks in the slice that are screening blocks (`screenBlock`):
   * it has too few blocks for any decision yet, and its first ones only have to tell it from
   * clearly faster configurations (default 0).
   */
  screenBlocks?: number;
}

export interface BenchmarkParams {
  /** The configurations still running, visited in this order, one block each per pass. */
  configs: BenchmarkConfig[];
  /** Input samples; pass p uses sample (firstPass + p) mod n for every configuration. */
  samples: Feeds[];
  /**
   * Names the samples: given with samples, the runner keeps them under this key; given with none,
   * it uses the ones it keeps (a device gets them once, not with every slice). A runner without
   * them fails with SAMPLES_NOT_HELD in the message, and the host sends them again.
   */
  samplesKey?: string;
  /** Keep passing over the configurations until this long has passed (at least one pass), ms. */
  sliceMs: number;
  /** Passes the host has run before this slice, so inputs keep rotating across slices (default 0). */
  firstPass?: number;
  /** Untimed runs when a configuration is first loaded (default 5)... */
  warmupRuns?: number;
  /** ...and at least this long, ms (default 200), so tiny models warm caches too. */
  warmupMs?: number;
  /** Re-warm time per block, ms: runs that fit in it are not recorded (default 25; stats/blocks.ts). */
  rewarmMs?: number;
  /** Measured time per block, ms (default 150): how many runs a visit records. */
  blockMs?: number;
  /** A screening block (`BenchmarkConfig.screenBlocks`): its re-warm and measured time, ms (never longer than `blockMs`). */
  screenBlock?: { rewarmMs: number; blockMs: number };
  /**
   * The host can start a fresh runner: when the RSS this runner keeps after earlier loads nears the
   * memory bound, the slice ends before the next visit and says so (`recycle`).
   */
  mayRecycle?: boolean;
}

export interface StageMeasurement {
  /** Raw per-run times of this stage in this slice, ms, in run order (never filtered). */
  samplesMs: number[];
  /** Session creation (load + graph optimisation) the first time it was loaded, ms. */
  coldStartMs: number;
  /** Bytes of this stage's outputs for one request (a head's cut tensors, a tail's result). */
  outputBytes: number;
  outputNames: string[];
}

/** What one slice measured of one configuration. */
export interface ConfigSlice {
  id: string;
  stages: StageMeasurement[];
  /** Per-run total over stages, ms (paired: run i of every stage, on the same input). */
  samplesMs: number[];
  /** Runs of each block of this slice, in order: `samplesMs` split into its blocks. */
  blockRuns: number[];
  /** Runs at the start of its blocks that re-warmed it and were not recorded. */
  rewarmRuns: number;
  /** Peak RSS of a runner holding only this configuration, MB: base + its own growth when first loaded. */
  peakRssMB: number;
  /** Times its sessions were created in this slice (more than once: evicted to respect the memory bound). */
  loads: number;
}

export interface BenchmarkResult {
  configs: ConfigSlice[];
  /** RSS of the runner with onnxruntime loaded and no session, MB. */
  baseRssMB: number;
  /** The runner's own peak RSS during this slice, MB (the memory bound's evidence). */
  runnerPeakRssMB: number;
  passes: number;
  elapsedMs: number;
  /** The slice ended early for a fresh runner, which should start with configuration `nextId`. */
  recycle?: { nextId: string; rssMB: number; boundMB: number };
}
