/**
 * The runner protocol: plain data exchanged between a host (CLI, extension host, orchestrator) and
 * a runner process — local or on a device — the only place onnxruntime-node loads. Messages travel
 * as frames (src/runner/wire/frames.ts): JSON plus the raw bytes of typed arrays, so tensors cross
 * without number-by-number encoding.
 *
 * Job kinds are listed in `RunnerJobs`: kind → { params, result }. To add a job, add one line here
 * (its param/result types may live in their own core file), a handler in
 * `src/runner/child/jobs/<kind>.ts` and one line in `src/runner/child/jobs/index.ts`. `RunnerHost`
 * is what `src/core/pipeline` calls.
 */
import type { SerializedError } from '../errors';
import type { BenchmarkParams, BenchmarkResult } from './benchmark';
import type { EvaluateParams, EvaluateResult } from './evaluate';
import type { PreprocessParams, PreprocessResult } from './preprocess';
import type { DeviceSession, EchoParams, EchoResult, InferParams, InferResult } from './device';
import type { CalibrateParams, CalibrateResult } from '../calibrate/jobs';
import type { FidelityParams, FidelityResult, KernelProfileParams, KernelProfileResult, OptimizeParams, OptimizeResult, SensitivityParams, SensitivityResult } from '../quantize/jobs';
import type { ProfileParams, ProfileResult, TensorShapesParams, TensorShapesResult, VerifyPartitionParams, VerifyPartitionResult } from '../partition/jobs';

/** What a runner says about itself and its machine when it starts (a device's facts come from here too). */
export interface RunnerInfo {
  pid: number;
  onnxruntime: string;
  node: string;
  /** Cores this process may use (affinity-aware: os.availableParallelism()). */
  hostCores: number;
  /** `process.platform` / `process.arch` of the runner's machine. */
  platform: string;
  arch: string;
  cpuModel: string;
  totalMemoryMB: number;
}

/** Job kinds: kind → { params, result }. Add new kinds here. */
export interface RunnerJobs {
  benchmark: { params: BenchmarkParams; result: BenchmarkResult };
  evaluate: { params: EvaluateParams; result: EvaluateResult };
  calibrate: { params: CalibrateParams; result: CalibrateResult };
  optimize: { params: OptimizeParams; result: OptimizeResult };
  fidelity: { params: FidelityParams; result: FidelityResult };
  /** Per-kernel times from onnxruntime's profiler at deployment settings (SPTQ's measured placement). */
  kernelProfile: { params: KernelProfileParams; result: KernelProfileResult };
  /** Output error of several candidate models against one float model (SPTQ's sensitivity ranking). */
  sensitivity: { params: SensitivityParams; result: SensitivityResult };
  /** Test/diagnostic job: sleeps, allocates native-ish memory or crashes on request. */
  probe: { params: ProbeParams; result: { ok: true } };
  /** Per-node times from onnxruntime's profiler (cut pricing, src/core/partition). */
  profile: { params: ProfileParams; result: ProfileResult };
  /** Runs head then tail and compares with the full model (src/core/partition). */
  verifyPartition: { params: VerifyPartitionParams; result: VerifyPartitionResult };
  /** Runtime shapes of intermediate values that static inference could not size (src/core/partition). */
  tensorShapes: { params: TensorShapesParams; result: TensorShapesResult };
  /** Decode + preprocess time of sample files at a tier's thread count (src/core/data/images). */
  preprocess: { params: PreprocessParams; result: PreprocessResult };
  /** Times a link: bytes there and back. */
  echo: { params: EchoParams; result: EchoResult };
  /** One request through a chain of stages, outputs returned (a partition run for real across machines). */
  infer: { params: InferParams; result: InferResult };
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
  /** The runner kills itself (after writing OOM_MARKER to stderr) when its RSS passes this. */
  memoryLimitMB?: number;
}

/** Line prefix the runner writes to stderr just before killing itself for exceeding its memory cap. */
export const OOM_MARKER = 'EDGE_ADVISOR_RUNNER_OOM';

export type ParentMessage = RequestMessage;

export interface ReadyMessage { type: 'ready'; info: RunnerInfo }

export interface JobProgressMessage {
  type: 'progress';
  id: number;
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: SerializedError };

export type ChildMessage = ReadyMessage | JobProgressMessage | ResponseMessage;

/** Per-call options a host accepts. */
export interface JobOptions {
  onProgress?: (p: { message: string; fraction?: number }) => void;
  /** Kill the job (and its runner) after this long; AdvisorError 'timeout'. */
  timeoutMs?: number;
  /** Kill the runner when its resident memory exceeds this; AdvisorError 'oom'. */
  memoryLimitMB?: number;
  /** Abort = kill the runner; AdvisorError 'cancelled'. */
  signal?: AbortSignal;
}

/** A runner on a device tier (src/runner/host/ssh): a runner host that also says what the device is. */
export interface DeviceRunnerHost extends RunnerHost {
  /** Reaches the device (probe, install): its facts, or AdvisorError('device') naming the host and cause. */
  device(signal?: AbortSignal): Promise<DeviceSession>;
}

/** What the orchestrator needs from a runner; implemented by `src/runner/host/client.ts`. */
export interface RunnerHost {
  run<K extends JobKind>(kind: K, params: JobParams<K>, opts?: JobOptions): Promise<JobResult<K>>;
  /** Starts the runner if needed; its facts and its machine's. */
  info(): Promise<RunnerInfo>;
  /** The onnxruntime version its runners run, known without starting one (a cache hit starts no runner). */
  runtimeVersion?(): string;
  /** Kills the runner now; pending jobs reject with 'cancelled'. */
  cancel(): void;
  /**
   * The next job starts in a fresh runner process (whose memory measurements are then its own).
   * Between jobs only; absent where starting one is costly or pointless.
   */
  fresh?(): void;
  /** Another runner reached the same way, for jobs that must not disturb this one's loaded sessions. */
  sibling?(): RunnerHost;
  dispose(): void;
}
