/**
 * The host side of the runner: starts a runner through a transport (this machine by default, or
 * a device over SSH), sends typed jobs one at a time, routes progress, and turns every way the
 * runner can die into an AdvisorError:
 *   cancel()/AbortSignal → 'cancelled' · time limit → 'timeout' · memory cap → 'oom' ·
 *   signal or non-zero exit → 'crash' (or what the transport says, e.g. an unreachable host) ·
 *   onnxruntime error inside a job → 'runtime' (runner lives on).
 * After the runner dies the next job starts a fresh one. Never imports onnxruntime-node.
 * Call dispose() when done: an open runner keeps the host's event loop alive.
 */
import { AdvisorError, fromSerialized, type ErrorCategory } from '../../core/errors';
import {
  OOM_MARKER,
  type ChildMessage, type JobKind, type JobOptions, type JobParams, type JobResult, type RequestMessage,
  type RunnerHost, type RunnerInfo,
} from '../../core/protocol/runner';
import { encodeFrame, FrameDecoder } from '../wire/frames';
import { LocalTransport, type LocalTransportOptions } from './localTransport';
import type { RunnerProcess, Transport } from './transport';

export interface RunnerClientOptions extends LocalTransportOptions {
  /** How to reach the runner; default the local transport with the options above. */
  transport?: Transport;
  /** Applied to jobs that do not set their own. */
  defaultTimeoutMs?: number;
  defaultMemoryLimitMB?: number;
  /** How long the runner may take to start and say it is ready (default: the transport's, else 60 s). */
  startTimeoutMs?: number;
  /** Each line the runner writes to stderr (onnxruntime's warnings, say), colour codes removed, as it arrives. */
  onStderr?: (line: string) => void;
}

const TAIL_BYTES = 4096;

interface Pending {
  kind: JobKind;
  resolve(v: unknown): void;
  reject(e: AdvisorError): void;
  onProgress?: JobOptions['onProgress'];
}

interface Live {
  /** Aborted when the runner is killed while the transport is still opening it. */
  opening: AbortController;
  proc?: RunnerProcess;
  ready: Promise<RunnerInfo>;
  tail: string;
  /** Set when we kill the runner on purpose, so its death gets the right category. */
  killedFor?: { category: ErrorCategory; message: string };
  pending?: { id: number; p: Pending };
}

export class RunnerClient implements RunnerHost {
  private live?: Live;
  private nextId = 1;
  /** Jobs run strictly one after another; this chains them. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly transport: Transport;

  constructor(private readonly opts: RunnerClientOptions = {}) {
    this.transport = opts.transport ?? new LocalTransport(opts);
  }

  /** Runs one job; resolves with its result or rejects with an AdvisorError. */
  run<K extends JobKind>(kind: K, params: JobParams<K>, opts: JobOptions = {}): Promise<JobResult<K>> {
    const job = this.queue.then(() => this.runNow(kind, params, opts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  runtimeVersion(): string {
    return this.transport.runtimeVersion;
  }

  /** Facts about the runner and its machine (starting it if needed): onnxruntime version, pid, cores. */
  info(): Promise<RunnerInfo> {
    return this.ensure().ready;
  }

  /** Kills the runner now (SIGKILL: a blocking inference stops within milliseconds). */
  cancel(): void {
    this.kill('cancelled', 'cancelled');
  }

  dispose(): void {
    this.disposed = true;
    this.kill('cancelled', 'the runner was shut down');
  }

  /**
   * Resolves once every runner this client killed is gone, clean-up on a device included. Cancel
   * and dispose return at once (a user waits on nothing); call this to know nothing is left.
   */
  async stopped(): Promise<void> {
    await this.transport.settled?.();
  }

  sibling(): RunnerClient {
    return new RunnerClient({ ...this.opts, transport: this.transport });
  }

  /** Retires the current runner; the next job starts a fresh one. Call between jobs. */
  fresh(): void {
    const live = this.live;
    if (!live) return;
    this.kill('cancelled', 'replaced by a fresh runner');
    this.live = undefined;
  }

  /** The pid of the local process carrying the runner, if one is running (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.live?.proc?.child.pid;
  }

  /** The running runner's temp folder on this machine, if any (for tests and diagnostics). */
  get tempDir(): string | undefined {
    return this.live?.proc?.tempDir;
  }

  private async runNow<K extends JobKind>(kind: K, params: JobParams<K>, opts: JobOptions): Promise<JobResult<K>> {
    if (this.disposed) throw new AdvisorError('cancelled', 'the runner was shut down');
    if (opts.signal?.aborted) throw new AdvisorError('cancelled', 'cancelled');
    const live = this.ensure();
    await live.ready;
    if (opts.signal?.aborted) throw new AdvisorError('cancelled', 'cancelled');
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs;
    const memoryLimitMB = opts.memoryLimitMB ?? this.opts.defaultMemoryLimitMB;
    return new Promise<JobResult<K>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.kill('cancelled', 'cancelled');
      const done = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (live.pending?.id === id) live.pending = undefined;
      };
      live.pending = {
        id,
        p: {
          kind,
          resolve: (v) => { done(); resolve(v as JobResult<K>); },
          reject: (e) => { done(); reject(e); },
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => this.kill('timeout', `job "${kind}" ran past its time limit of ${fmtSeconds(timeoutMs)}`), timeoutMs);
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const prepared = this.transport.prepareJob ? this.transport.prepareJob(kind, params, live.opening.signal) : Promise.resolve(params);
      prepared.then((sent) => {
        const msg: RequestMessage<K> = { type: 'request', id, kind, params: sent, ...(memoryLimitMB ? { memoryLimitMB } : {}) };
        this.send(live, msg);
      }, (e: unknown) => {
        if (live.pending?.id === id) live.pending.p.reject(e instanceof AdvisorError ? e : new AdvisorError('internal', `could not hand the job to the runner: ${(e as Error).message}`));
      });
    });
  }

  private send(live: Live, msg: RequestMessage): void {
    const stdin = live.proc?.child.stdin;
    let frame: Buffer[];
    try {
      frame = encodeFrame(msg);
    } catch (e) {
      live.pending?.p.reject(new AdvisorError('internal', `could not encode the job for the runner: ${(e as Error).message}`));
      return;
    }
    if (!stdin || stdin.destroyed) return; // the runner is gone: its 'close' rejects the job
    for (const part of frame) stdin.write(part);
  }

  private ensure(): Live {
    if (this.live) return this.live;
    let readyResolve!: (i: RunnerInfo) => void;
    let readyReject!: (e: AdvisorError) => void;
    const ready = new Promise<RunnerInfo>((res, rej) => { readyResolve = res; readyReject = rej; });
    ready.catch(() => undefined);
    const live: Live = { opening: new AbortController(), ready, tail: '' };
    this.live = live;
    const startMs = this.opts.startTimeoutMs ?? this.transport.startTimeoutMs ?? 60000;
    const startTimer = setTimeout(() => this.kill('timeout', `the runner on ${this.transport.label} did not start within ${fmtSeconds(startMs)}`), startMs);
    const fail = (err: AdvisorError) => {
      clearTimeout(startTimer);
      if (this.live === live) this.live = undefined;
      readyReject(err);
      live.pending?.p.reject(err);
    };
    this.transport.open(live.opening.signal).then((proc) => {
      live.proc = proc;
      if (live.killedFor) proc.kill();
      this.attach(live, proc, () => { clearTimeout(startTimer); }, readyResolve, fail);
    }, (e: unknown) => {
      fail(live.killedFor ? new AdvisorError(live.killedFor.category, live.killedFor.message) : e instanceof AdvisorError ? e : new AdvisorError('crash', `could not start the runner on ${this.transport.label}: ${(e as Error).message}`));
    });
    return live;
  }

  /** Wires a started runner's stdio: frames in, stderr kept (tail, line callback), death described. */
  private attach(live: Live, proc: RunnerProcess, started: () => void, readyResolve: (i: RunnerInfo) => void, fail: (e: AdvisorError) => void): void {
    const { child } = proc;
    const keepTail = (text: string) => { live.tail = (live.tail + text).slice(-TAIL_BYTES); };
    const decoder = new FrameDecoder((m) => this.onMessage(live, m as ChildMessage, started, readyResolve), (stray) => keepTail(stray.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        keepTail(`\n${(e as Error).message}\n`);
        this.kill('crash', `the runner on ${this.transport.label} sent unreadable data: ${(e as Error).message}`);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => keepTail(chunk.toString('utf8')));
    const onStderr = this.opts.onStderr;
    if (onStderr) {
      let partial = '';
      const emit = (line: string) => { const clean = stripAnsi(line).trimEnd(); if (clean) onStderr(clean); };
      child.stderr?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach(emit);
      });
      child.stderr?.on('end', () => emit(partial));
    }
    child.stdin?.on('error', () => undefined); // EPIPE when the runner died first: 'close' reports it
    child.on('error', (e) => keepTail(`\n${e.message}\n`));
    // 'close' (not 'exit') so the stderr tail, with any OOM marker, has been read completely
    child.on('close', (code, signal) => {
      try { proc.cleanup?.(); } catch { /* a leftover temp folder is swept on the next start */ }
      fail(this.deathError(live, proc, code, signal));
    });
  }

  private onMessage(live: Live, m: ChildMessage, started: () => void, readyResolve: (i: RunnerInfo) => void): void {
    if (m.type === 'ready') { started(); readyResolve(m.info); return; }
    const pending = live.pending?.id === m.id ? live.pending.p : undefined;
    if (!pending) return;
    if (m.type === 'progress') pending.onProgress?.({ message: m.message, ...(m.fraction !== undefined ? { fraction: m.fraction } : {}) });
    else if (m.ok) pending.resolve(m.result);
    else pending.reject(fromSerialized(m.error));
  }

  private kill(category: ErrorCategory, message: string): void {
    const live = this.live;
    if (!live) return;
    live.killedFor ??= { category, message };
    live.opening.abort();
    live.proc?.kill();
  }

  private deathError(live: Live, proc: RunnerProcess, code: number | null, signal: NodeJS.Signals | null): AdvisorError {
    const stderrTail = live.tail.trim();
    const details = { exitCode: code, signal, ...(stderrTail ? { stderrTail } : {}) };
    if (live.killedFor) return new AdvisorError(live.killedFor.category, live.killedFor.message, undefined, details);
    const oom = stderrTail.split('\n').find((l) => l.startsWith(OOM_MARKER));
    if (oom) {
      const limit = /limit=(\d+)/.exec(oom)?.[1];
      const cap = limit ? ` of ${Math.round(Number(limit) / 2 ** 20)} MB` : '';
      return new AdvisorError('oom', `the runner exceeded its memory cap${cap} and was stopped`, undefined, details);
    }
    const described = proc.describeExit?.(code, signal, stderrTail);
    if (described) return described;
    const how = signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (possibly the system out-of-memory killer)' : ''}` : `exited with code ${code}`;
    // the most telling line: an error/abort message if there is one, else the last line
    const lines = stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
    const last = lines.find((l) => /error|abort|terminate|fatal|segmentation/i.test(l)) ?? lines[lines.length - 1];
    return new AdvisorError('crash', `the runner ${how}${last ? `: ${last.slice(0, 200)}` : ''}`, undefined, details);
  }
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

function fmtSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${ms} ms`;
}
