/**
 * How the host reaches a runner process. A transport starts one runner and hands back the local
 * process whose stdio carries the runner protocol in frames (src/runner/wire/frames.ts): the
 * runner itself for the local transport (localTransport.ts), the `ssh` client for a device. The
 * client (client.ts) does everything else — one job at a time, progress, timeouts, the memory cap,
 * error categories — the same way over every transport.
 *
 * Cancel = kill: `RunnerProcess.kill()` must stop the runner for good (SIGKILL locally; on a
 * device, the remote process group as well), and the client reports the job as cancelled.
 */
import type { ChildProcess } from 'node:child_process';
import type { AdvisorError } from '../../core/errors';
import type { JobKind, JobParams } from '../../core/protocol/runner';

export interface Transport {
  /** Where runners run, for messages and logs: "this machine", "ssh edge-box". */
  readonly label: string;
  /** How long starting a runner may take before it is a timeout (a device's first install takes longer). */
  readonly startTimeoutMs?: number;
  /** The onnxruntime version the runners it starts will run (results-cache keys need it before any starts). */
  readonly runtimeVersion: string;
  /**
   * Starts one runner. Anything slow before the process exists (probing a device, installing the
   * runner there) happens here; `signal` aborts it when the client is cancelled meanwhile.
   */
  open(signal: AbortSignal): Promise<RunnerProcess>;
  /**
   * Resolves when the clean-up a killed runner started has ended (on a device, the ssh call that
   * kills the remote process group). Absent: killing is complete when `kill()` returns.
   */
  settled?(): Promise<void>;
  /**
   * Makes a job's inputs reachable by the runner before it is sent, returning the params to send:
   * a device gets the model files it names copied over and sees their remote paths. Absent: the
   * params go as they are (the runner shares this machine's files).
   */
  prepareJob?<K extends JobKind>(kind: K, params: JobParams<K>, signal: AbortSignal): Promise<JobParams<K>>;
}

export interface RunnerProcess {
  /** The local process whose stdin/stdout carry frames and whose stderr is the runner's log. */
  readonly child: ChildProcess;
  /** A folder of this machine the runner may write (its TMPDIR), for diagnostics and tests. */
  readonly tempDir?: string;
  /** Stops the runner for good; the child's 'close' follows. */
  kill(): void;
  /**
   * Turns an unexpected exit into the error a user can act on (a refused SSH key, an unreachable
   * host), or undefined to let the client describe a crash from the exit status and stderr.
   */
  describeExit?(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): AdvisorError | undefined;
  /** Called once after the channel closed: remove temp files, forget remote state. */
  cleanup?(): void;
}
