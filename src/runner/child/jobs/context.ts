/** What every job handler receives besides its params. */
import type { JobKind, JobParams, JobResult } from '../../../core/protocol/runner';
import type { MeasuredSoFar } from '../../../core/protocol/benchmark';
import type { Watchdog } from '../watchdog';

export interface RunnerJobContext {
  /** Sends a progress notification to the host (throttle in loops: a few per second is plenty). */
  progress(message: string, fraction?: number, measured?: MeasuredSoFar): void;
  /** Peak-RSS tracking and the memory cap of this runner process. */
  watchdog: Watchdog;
  /** RSS (bytes) of this runner with onnxruntime loaded, before any job created a session. */
  baseRssBytes: number;
}

/** A job handler: params in, result out; throw AdvisorError for anything the user should read. */
export type JobHandler<K extends JobKind> = (params: JobParams<K>, ctx: RunnerJobContext) => Promise<JobResult<K>>;
