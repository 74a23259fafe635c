/**
 * Background advisor jobs: one per model at a time, cancellable, crash-aware.
 *
 * No `vscode` import on purpose: the lifecycle (queued → running → succeeded | cancelled | failed)
 * is unit-tested with a real child process. The work itself is injected as a `StartJob` function,
 * so switching from a test child to the real runner is one line in main.ts. Results are not cached
 * here: the advisor's own results cache answers a repeated run without starting a runner.
 * Progress is whatever the work reports (the advisor's `AdvisorProgress`), passed on unchanged.
 */
import { AdvisorError, toAdvisorError } from '../core/errors';

export type JobLifecycle = 'queued' | 'running' | 'succeeded' | 'cancelled' | 'failed';

/** Handed to the start function: the signal to stop on and the channels to report through. */
export interface JobContext<TResult, TProgress> {
  readonly signal: AbortSignal;
  progress(p: TProgress): void;
  /** A result so far (e.g. the rows measured up to now): shown if the job is cancelled. */
  partial(r: TResult): void;
  log(line: string): void;
}

/** Does the work; must reject (or resolve) promptly after `signal` aborts, killing its process. */
export type StartJob<TRequest, TResult, TProgress> = (request: TRequest, ctx: JobContext<TResult, TProgress>) => Promise<TResult>;

export interface JobSnapshot<TRequest, TResult, TProgress> {
  readonly id: number;
  /** The model the job is about (its absolute path): jobs with the same key never overlap. */
  readonly key: string;
  readonly request: TRequest;
  readonly state: JobLifecycle;
  readonly progress?: TProgress;
  /** Final result, or on cancel/failure whatever had finished. */
  readonly result?: TResult;
  readonly error?: AdvisorError;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface JobManagerOptions<TRequest, TResult, TProgress> {
  start: StartJob<TRequest, TResult, TProgress>;
  /**
   * Jobs running at once across all models. Default 1: benchmarks that share the CPU with another
   * benchmark measure each other, so a second model waits its turn.
   */
  maxConcurrent?: number;
  /** After cancel, the job is reported cancelled no later than this even if the work is slow to stop. */
  cancelGraceMs?: number;
  log?: (line: string) => void;
}

type Listener<TRequest, TResult, TProgress> = (job: JobSnapshot<TRequest, TResult, TProgress>) => void;

interface JobRecord<TRequest, TResult, TProgress> {
  snap: JobSnapshot<TRequest, TResult, TProgress>;
  abort: AbortController;
  done: Promise<JobSnapshot<TRequest, TResult, TProgress>>;
  resolveDone: (s: JobSnapshot<TRequest, TResult, TProgress>) => void;
  /** Settles when the start function itself has returned (the process is gone). */
  released?: Promise<void>;
  /** The latest partial result the work reported. */
  partial?: TResult;
}

export class JobManager<TRequest, TResult, TProgress> {
  private nextId = 1;
  private readonly jobs = new Map<number, JobRecord<TRequest, TResult, TProgress>>();
  private readonly queue: number[] = [];
  private readonly running = new Set<number>();
  /** Keys whose work has not fully stopped yet (even after a cancel was reported). */
  private readonly busyKeys = new Set<string>();
  private readonly listeners = new Set<Listener<TRequest, TResult, TProgress>>();
  private readonly maxConcurrent: number;
  private readonly cancelGraceMs: number;
  private disposed = false;

  constructor(private readonly opts: JobManagerOptions<TRequest, TResult, TProgress>) {
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 1);
    this.cancelGraceMs = opts.cancelGraceMs ?? 1000;
  }

  /** Subscribes to every state or progress change; returns an unsubscribe function. */
  onDidChange(listener: Listener<TRequest, TResult, TProgress>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts (or queues) a job for `key`. Returns the job id; `whenDone(id)` resolves with the final snapshot. */
  submit(key: string, request: TRequest): number {
    if (this.disposed) throw new AdvisorError('internal', 'the job manager has been disposed');
    const id = this.nextId++;
    let resolveDone!: (s: JobSnapshot<TRequest, TResult, TProgress>) => void;
    const done = new Promise<JobSnapshot<TRequest, TResult, TProgress>>((r) => (resolveDone = r));
    const rec: JobRecord<TRequest, TResult, TProgress> = { snap: { id, key, request, state: 'queued' }, abort: new AbortController(), done, resolveDone };
    this.jobs.set(id, rec);
    this.queue.push(id);
    this.emit(rec);
    this.pump();
    return id;
  }

  get(id: number): JobSnapshot<TRequest, TResult, TProgress> | undefined {
    return this.jobs.get(id)?.snap;
  }

  /** The newest job for a model, finished or not. */
  latestFor(key: string): JobSnapshot<TRequest, TResult, TProgress> | undefined {
    let latest: JobSnapshot<TRequest, TResult, TProgress> | undefined;
    for (const r of this.jobs.values()) if (r.snap.key === key && (!latest || r.snap.id > latest.id)) latest = r.snap;
    return latest;
  }

  /** The queued or running job for a model, if any. */
  activeFor(key: string): JobSnapshot<TRequest, TResult, TProgress> | undefined {
    const s = this.latestFor(key);
    return s && (s.state === 'queued' || s.state === 'running') ? s : undefined;
  }

  whenDone(id: number): Promise<JobSnapshot<TRequest, TResult, TProgress>> {
    const rec = this.jobs.get(id);
    if (!rec) return Promise.reject(new AdvisorError('internal', `no job ${id}`));
    return rec.done;
  }

  /** Cancels a queued or running job. The job reports "cancelled" within `cancelGraceMs`. */
  cancel(id: number): void {
    const rec = this.jobs.get(id);
    if (!rec || (rec.snap.state !== 'queued' && rec.snap.state !== 'running')) return;
    if (rec.snap.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(rec, { state: 'cancelled', endedAt: Date.now() });
      return;
    }
    rec.abort.abort();
    // If the work ignores the signal, stop waiting for it: the user asked to stop now.
    const timer = setTimeout(() => {
      if (rec.snap.state === 'running') this.finishCancelled(rec);
    }, this.cancelGraceMs);
    void rec.done.then(() => clearTimeout(timer));
  }

  /** Runs the same request again as a new job (used by "Retry"). */
  retry(id: number): number {
    const rec = this.jobs.get(id);
    if (!rec) throw new AdvisorError('internal', `no job ${id}`);
    return this.submit(rec.snap.key, rec.snap.request);
  }

  /** Cancels everything and waits (bounded) until the work has stopped. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const id of [...this.queue, ...this.running]) this.cancel(id);
    const pending = [...this.jobs.values()].map((r) => r.released).filter((p): p is Promise<void> => !!p);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, this.cancelGraceMs)))]);
    clearTimeout(timer);
    this.listeners.clear();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running.size < this.maxConcurrent; ) {
      const id = this.queue[i];
      const rec = this.jobs.get(id)!;
      if (this.busyKeys.has(rec.snap.key)) { i++; continue; } // serialized per model
      this.queue.splice(i, 1);
      this.launch(rec);
    }
  }

  private launch(rec: JobRecord<TRequest, TResult, TProgress>): void {
    const { id, key } = rec.snap;
    this.running.add(id);
    this.busyKeys.add(key);
    this.update(rec, { state: 'running', startedAt: Date.now() });
    const ctx: JobContext<TResult, TProgress> = {
      signal: rec.abort.signal,
      progress: (p) => { if (rec.snap.state === 'running') this.update(rec, { progress: p }); },
      partial: (r) => { rec.partial = r; },
      log: (line) => this.opts.log?.(line),
    };
    const work = (async () => this.opts.start(rec.snap.request, ctx))();
    rec.released = work.then(
      (result) => {
        if (rec.snap.state !== 'running') return;
        if (rec.abort.signal.aborted) { this.finishCancelled(rec, result); return; }
        this.finish(rec, { state: 'succeeded', result, endedAt: Date.now() });
      },
      (e: unknown) => {
        if (rec.snap.state !== 'running') return;
        const err = toAdvisorError(e);
        if (rec.abort.signal.aborted || err.category === 'cancelled') { this.finishCancelled(rec); return; }
        this.finish(rec, { state: 'failed', error: err, result: rec.partial, endedAt: Date.now() });
      },
    ).finally(() => {
      this.running.delete(id);
      this.busyKeys.delete(key);
      this.pump();
    });
  }

  private finishCancelled(rec: JobRecord<TRequest, TResult, TProgress>, result?: TResult): void {
    this.finish(rec, { state: 'cancelled', result: result ?? rec.partial, endedAt: Date.now() });
  }

  private finish(rec: JobRecord<TRequest, TResult, TProgress>, patch: Partial<JobSnapshot<TRequest, TResult, TProgress>>): void {
    this.update(rec, patch);
    rec.resolveDone(rec.snap);
  }

  private update(rec: JobRecord<TRequest, TResult, TProgress>, patch: Partial<JobSnapshot<TRequest, TResult, TProgress>>): void {
    rec.snap = { ...rec.snap, ...patch };
    this.emit(rec);
  }

  private emit(rec: JobRecord<TRequest, TResult, TProgress>): void {
    for (const l of [...this.listeners]) {
      try { l(rec.snap); } catch (e) { this.opts.log?.(`job listener failed: ${toAdvisorError(e).message}`); }
    }
  }
}
