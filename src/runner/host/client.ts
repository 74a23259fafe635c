/**
 * The host side of the runner: forks `dist/runner.js` (or `src/runner/child/main.ts` through tsx when
 * running from source), sends typed jobs one at a time, routes progress, and turns every way the
 * runner can die into an AdvisorError:
 *   cancel()/AbortSignal → 'cancelled' · time limit → 'timeout' · memory cap → 'oom' ·
 *   signal or non-zero exit → 'crash' · onnxruntime error inside a job → 'runtime' (runner lives on).
 * After the runner dies the next job forks a fresh one. Never imports onnxruntime-node.
 * Works from the CLI (Node) and the VS Code extension host, where Electron's fork sets
 * ELECTRON_RUN_AS_NODE itself. Call dispose() when done: the IPC channel keeps the host alive.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdvisorError, fromSerialized, type ErrorCategory } from '../../core/errors';
import { bulkFile, pack, unpack } from '../wire/bulk';
import { OOM_MARKER, type ChildMessage, type JobKind, type JobOptions, type JobParams, type JobResult, type RequestMessage, type RunnerHost, type RunnerInfo } from '../../core/protocol/runner';

export interface RunnerClientOptions {
  /** Runner entry; default `runner.js` beside this bundle, else `../child/main.ts` from this source file. */
  runnerPath?: string;
  /** Node flags for the runner; default none (a host's own flags, e.g. --inspect, are not inherited). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Applied to jobs that do not set their own. */
  defaultTimeoutMs?: number;
  defaultMemoryLimitMB?: number;
  /** How long the runner may take to load onnxruntime and say it is ready (default 60 s). */
  startTimeoutMs?: number;
  /** Each line the runner writes to stderr (onnxruntime's warnings, say), colour codes removed, as it arrives. */
  onStderr?: (line: string) => void;
}

const TAIL_BYTES = 4096;
const TEMP_PREFIX = 'edge-advisor-runner-';

/** Removes runner temp folders left by a host that was itself killed (its pid is gone). */
function sweepStaleTempDirs(): void {
  let names: string[];
  try { names = fs.readdirSync(os.tmpdir()); } catch { return; }
  for (const name of names) {
    const pid = name.startsWith(TEMP_PREFIX) ? Number(name.slice(TEMP_PREFIX.length).split('-')[0]) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try { process.kill(pid, 0); } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
    if (!alive) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

interface Pending {
  kind: JobKind;
  resolve(v: unknown): void;
  reject(e: AdvisorError): void;
  onProgress?: JobOptions['onProgress'];
}

interface Live {
  child: ChildProcess;
  /** The runner's private temp folder (its TMPDIR), also where bulk files travel. */
  tmp: string;
  ready: Promise<RunnerInfo>;
  tail: string;
  /** Set when we kill the runner on purpose, so its death gets the right category. */
  killedFor?: { category: ErrorCategory; message: string };
  pending?: { id: number; p: Pending };
}

export function defaultRunnerEntry(): { path: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'runner.js');
  if (fs.existsSync(bundled)) return { path: bundled, execArgv: [] };
  const source = path.join(__dirname, '..', 'child', 'main.ts');
  if (fs.existsSync(source)) return { path: source, execArgv: tsxArgv() };
  throw new AdvisorError('internal', `runner not found beside ${__dirname} (expected runner.js; run "npm run build")`);
}

/** Running from source (tests, tsx): load tsx by absolute URL so the runner works from any cwd. */
function tsxArgv(): string[] {
  const loader = 'tsx'; // a variable, so bundlers leave this dev-only lookup alone
  return ['--import', pathToFileURL(require.resolve(loader)).href];
}

export class RunnerClient implements RunnerHost {
  private live?: Live;
  private nextId = 1;
  /** Jobs run strictly one after another; this chains them. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: RunnerClientOptions = {}) {}

  /** Runs one job; resolves with its result or rejects with an AdvisorError. */
  run<K extends JobKind>(kind: K, params: JobParams<K>, opts: JobOptions = {}): Promise<JobResult<K>> {
    const job = this.queue.then(() => this.runNow(kind, params, opts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Facts about the runner (starting it if needed): onnxruntime version, pid, host cores. */
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

  /** The pid of the running runner, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.live?.child.pid;
  }

  /** The running runner's private temp folder, if any (for tests and diagnostics). */
  get tempDir(): string | undefined {
    return this.live?.tmp;
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
      let packed;
      try {
        packed = pack(params, bulkFile(live.tmp, 'in'));
      } catch (e) {
        live.pending.p.reject(new AdvisorError('internal', `could not hand the job's data to the runner: ${(e as Error).message}`));
        return;
      }
      const msg: RequestMessage<K> = {
        type: 'request', id, kind, params: packed.message, ...(packed.bulk ? { bulk: packed.bulk } : {}),
        ...(memoryLimitMB ? { memoryLimitMB } : {}),
      };
      live.child.send(msg, (err) => {
        if (err && live.pending?.id === id) live.pending.p.reject(new AdvisorError('crash', `could not send the job to the runner: ${err.message}`));
      });
    });
  }

  private ensure(): Live {
    if (this.live) return this.live;
    const entry = this.opts.runnerPath
      ? { path: this.opts.runnerPath, execArgv: this.opts.runnerPath.endsWith('.ts') ? tsxArgv() : [] }
      : defaultRunnerEntry();
    // onnxruntime leaves files in TMPDIR (mat-debug-<pid>.log): give each runner its own, removed when it exits
    sweepStaleTempDirs();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
    const child = fork(entry.path, [], {
      serialization: 'advanced',
      execArgv: this.opts.execArgv ?? entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...(this.opts.env ?? process.env), TMPDIR: tmp },
    });
    let readyResolve!: (i: RunnerInfo) => void;
    let readyReject!: (e: AdvisorError) => void;
    const ready = new Promise<RunnerInfo>((res, rej) => { readyResolve = res; readyReject = rej; });
    ready.catch(() => undefined);
    const live: Live = { child, tmp, ready, tail: '' };
    this.live = live;
    const startTimer = setTimeout(
      () => this.kill('timeout', `the runner did not start within ${fmtSeconds(this.opts.startTimeoutMs ?? 60000)}`),
      this.opts.startTimeoutMs ?? 60000,
    );
    const keepTail = (chunk: Buffer) => { live.tail = (live.tail + chunk.toString('utf8')).slice(-TAIL_BYTES); };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
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
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') { clearTimeout(startTimer); readyResolve(m.info); return; }
      const pending = live.pending?.id === m.id ? live.pending.p : undefined;
      if (!pending) return;
      if (m.type === 'progress') pending.onProgress?.({ message: m.message, ...(m.fraction !== undefined ? { fraction: m.fraction } : {}), ...(m.measured ? { measured: m.measured } : {}) });
      else if (m.ok) {
        let result: unknown;
        try {
          result = unpack({ message: m.result, ...(m.bulk ? { bulk: m.bulk } : {}) });
        } catch (e) {
          pending.reject(new AdvisorError('internal', `could not read the runner's result data: ${(e as Error).message}`));
          return;
        }
        pending.resolve(result);
      }
      else pending.reject(fromSerialized(m.error));
    });
    child.on('error', (e) => keepTail(Buffer.from(`\n${e.message}\n`)));
    // 'close' (not 'exit') so the stderr tail, with any OOM marker, has been read completely
    child.on('close', (code, signal) => {
      clearTimeout(startTimer);
      fs.rmSync(tmp, { recursive: true, force: true });
      if (this.live === live) this.live = undefined;
      const err = this.deathError(live, code, signal);
      readyReject(err);
      live.pending?.p.reject(err);
    });
    return live;
  }

  private kill(category: ErrorCategory, message: string): void {
    const live = this.live;
    if (!live) return;
    live.killedFor ??= { category, message };
    live.child.kill('SIGKILL');
  }

  private deathError(live: Live, code: number | null, signal: NodeJS.Signals | null): AdvisorError {
    const stderrTail = live.tail.trim();
    const details = { exitCode: code, signal, ...(stderrTail ? { stderrTail } : {}) };
    if (live.killedFor) return new AdvisorError(live.killedFor.category, live.killedFor.message, undefined, details);
    const oom = stderrTail.split('\n').find((l) => l.startsWith(OOM_MARKER));
    if (oom) {
      const limit = /limit=(\d+)/.exec(oom)?.[1];
      const cap = limit ? ` of ${Math.round(Number(limit) / 2 ** 20)} MB` : '';
      return new AdvisorError('oom', `the runner exceeded its memory cap${cap} and was stopped`, undefined, details);
    }
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
