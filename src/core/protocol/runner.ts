/**
 * The runner protocol: plain data exchanged between a host (CLI, extension host, orchestrator) and
 * the forked runner process, the only place onnxruntime-node loads. Structured clone ('advanced'
 * serialization) carries typed arrays across, so tensors travel without JSON encoding.
 *
 * Job kinds are listed in `RunnerJobs`: kind → { params, result }. To add a job, add one line here
 * (its param/result types may live in their own core file), a handler in `src/runner/jobs/<kind>.ts`
 * and one line in `src/runner/jobs/index.ts`. `RunnerHost` is what `src/core/pipeline` calls.
 */
import type { SerializedError } from '../errors';
import type { CalibrateParams, CalibrateResult } from '../calibrate/job';
import type { FidelityParams, FidelityResult, OptimizeParams, OptimizeResult } from '../quantize/jobs';
import type { ProfileParams, ProfileResult, TensorShapesParams, TensorShapesResult, VerifyPartitionParams, VerifyPartitionResult } from '../partition/jobs';

/** Element types a tensor can carry across the process boundary. */
export type TensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

export type TensorArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface TensorData {
  type: TensorType;
  dims: number[];
  data: TensorArray;
}

/** One model input (or output) by name. */
export type Feeds = Record<string, TensorData>;

/**
 * A chain of models run one after the other on one request: outputs of a stage feed the next stage
 * by name (a partition's head → tail). One stage for an unpartitioned model.
 */
export interface StageSpec {
  modelPath: string;
  /** intra-op threads for this stage (the tier's emulated core count). */
  threads: number;
  /** Thread-pool spin-waiting; off when the tier is CPU-limited (design-facts §4). */
  spinning: boolean;
}

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

export interface EvaluateParams {
  stages: StageSpec[];
  samples: Feeds[];
  /** Output to return (default: the last stage's first output). */
  outputName?: string;
}

export interface EvaluateResult {
  outputName: string;
  /** One tensor per sample, in sample order. */
  outputs: TensorData[];
}

export interface RunnerInfo {
  pid: number;
  onnxruntime: string;
  node: string;
  hostCores: number;
}

/** Job kinds: kind → { params, result }. Add new kinds here. */
export interface RunnerJobs {
  benchmark: { params: BenchmarkParams; result: BenchmarkResult };
  evaluate: { params: EvaluateParams; result: EvaluateResult };
  calibrate: { params: CalibrateParams; result: CalibrateResult };
  optimize: { params: OptimizeParams; result: OptimizeResult };
  fidelity: { params: FidelityParams; result: FidelityResult };
  /** Test/diagnostic job: sleeps, allocates native-ish memory or crashes on request. */
  probe: { params: ProbeParams; result: { ok: true } };
  /** Per-node times from onnxruntime's profiler (cut pricing, src/core/partition). */
  profile: { params: ProfileParams; result: ProfileResult };
  /** Runs head then tail and compares with the full model (src/core/partition). */
  verifyPartition: { params: VerifyPartitionParams; result: VerifyPartitionResult };
  /** Runtime shapes of intermediate values that static inference could not size (src/core/partition). */
  tensorShapes: { params: TensorShapesParams; result: TensorShapesResult };
}

export interface ProbeParams {
  sleepMs?: number;
  /** Grow the heap/off-heap by this many MB (Buffers) and hold it for `sleepMs`. */
  allocateMB?: number;
  /** Die as a native crash would. */
  crash?: 'abort' | 'exit';
}

export type JobKind = keyof RunnerJobs;
export type JobParams<K extends JobKind> = RunnerJobs[K]['params'];
export type JobResult<K extends JobKind> = RunnerJobs[K]['result'];

// ---- messages ---------------------------------------------------------------------------------

export interface RequestMessage<K extends JobKind = JobKind> {
  type: 'request';
  id: number;
  kind: K;
  params: JobParams<K>;
  /** Where the large typed arrays of `params` are (src/runner/bulk.ts). */
  bulk?: BulkLocation;
  /** The runner kills itself (after writing OOM_MARKER to stderr) when its RSS passes this. */
  memoryLimitMB?: number;
}

/** Line prefix the runner writes to stderr just before killing itself for exceeding its memory cap. */
export const OOM_MARKER = 'EDGE_ADVISOR_RUNNER_OOM';

export type ParentMessage = RequestMessage;

/** The first `bytes` bytes of `file` hold a message's large typed arrays (src/runner/bulk.ts). */
export interface BulkLocation { file: string; bytes: number }

export interface ReadyMessage { type: 'ready'; info: RunnerInfo }

export interface ProgressMessage {
  type: 'progress';
  id: number;
  message: string;
  /** 0..1 when known. */
  fraction?: number;
  /** Benchmark job: what was measured since the previous progress message (see MeasuredSoFar). */
  measured?: ConfigMeasurement[];
}

/**
 * The benchmark job streams its samples: each progress message carries, per configuration, the
 * samples (totals and per stage) measured since the previous one, with the configuration's other
 * fields current. A host that merges them still has every latency measured when it kills the job.
 */
export type MeasuredSoFar = ConfigMeasurement[];

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown; /** as RequestMessage.bulk, for `result` */ bulk?: BulkLocation }
  | { type: 'response'; id: number; ok: false; error: SerializedError };

export type ChildMessage = ReadyMessage | ProgressMessage | ResponseMessage;

/** Per-call options a host accepts. */
export interface JobOptions {
  onProgress?: (p: { message: string; fraction?: number; measured?: MeasuredSoFar }) => void;
  /** Kill the job (and its runner) after this long; AdvisorError 'timeout'. */
  timeoutMs?: number;
  /** Kill the runner when its resident memory exceeds this; AdvisorError 'oom'. */
  memoryLimitMB?: number;
  /** Abort = kill the runner; AdvisorError 'cancelled'. */
  signal?: AbortSignal;
}

/** What the orchestrator needs from a runner; implemented by `src/runner/client.ts`. */
export interface RunnerHost {
  run<K extends JobKind>(kind: K, params: JobParams<K>, opts?: JobOptions): Promise<JobResult<K>>;
  info(): Promise<RunnerInfo>;
  /** Kills the runner now; pending jobs reject with 'cancelled'. */
  cancel(): void;
  dispose(): void;
}
