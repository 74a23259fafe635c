/**
 * Jobs a device tier needs beyond the benchmark (issue 17). A leaf module.
 * - `echo`: bytes there and back over the runner's channel, to time a link as the jobs use it.
 * - `infer`: one request through a chain of stages, outputs returned — a partition run for real,
 *   head on one machine and tail on another, with the cut tensors crossing the link between them.
 */
import type { StageSpec } from './stage';
import type { Feeds } from './tensor';
import type { DeviceFacts } from '../tiers/types';

export interface EchoParams {
  /** Sent to the runner (its size is the upload measured). */
  payload: Uint8Array;
  /** Bytes the runner sends back (the download measured). */
  replyBytes: number;
}

export interface EchoResult { reply: Uint8Array }

export interface InferParams {
  stages: StageSpec[];
  feeds: Feeds;
  /** Untimed runs first when the sessions were just loaded (default 3). */
  warmupRuns?: number;
}

export interface InferResult {
  /** The last stage's outputs. */
  outputs: Feeds;
  /** Compute time of the timed run, ms (all stages). */
  ms: number;
}

/** A device as the runner host reached it: the probe's facts and what setting it up cost. */
export interface DeviceSession {
  facts: DeviceFacts;
  /** Probe + install (or the check that it is installed), ms. */
  setupMs: number;
  /** True when this session installed the runner there (its first use of this advisor version). */
  installedNow: boolean;
  /** Model bytes sent to the device so far (0 when every model was already there). */
  sentBytes(): number;
}
