/**
 * Background advisor jobs: one per model at a time, cancellable, crash-aware, cache-first.
 *
 * No `vscode` import on purpose: the lifecycle (queued → running → succeeded | cancelled | failed,
 * or cached) is unit-tested with a real child process. The work itself is injected as a
 * `StartJob` function, so switching from a test child to the real runner is one line in main.ts.
 */
import { AdvisorError, toAdvisorError } from '../core/errors';

export type JobState = 'queued' | 'running' | 'succeeded' | 'cached' | 'cancelled' | 'failed';

/** What a running job reports while it works. */
export interface JobProgress {
  message: string;
  /** Overall completion 0..1. */
  fraction: number;
  etaSeconds?: number;
}

/** Handed to the start function: the signal to stop on and the channels to report through. */
export interface JobContext<TResult> {
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
  /** A result so far (e.g. the rows measured up to now): shown if the job is cancelled. */
  partial(r: TResult): void;
  log(line: string): void;
}

/** Does the work; must reject (or resolve) promptly after `signal` aborts, killing its process. */
export type StartJob<TRequest, TResult> = (request: TRequest, ctx: JobContext<TResult>) => Promise<TResult>;

/** Finds a result that is still valid for this request (same model bytes, same options). */
export interface ResultLookup<TRequest, TResult> {
  get(request: TRequest): TResult | undefined;
  put(request: TRequest, result: TResult): void;
}

export interface JobSnapshot<TRequest, TResult> {
  readonly id: number;
  /** The model the job is about (its absolute path): jobs with the same key never overlap. */
  readonly key: string;
  readonly request: TRequest;
  readonly state: JobState;
  readonly progress?: JobProgress;
  /** Final result, or on cancel/failure whatever had finished. */
  readonly result?: TResult;
  readonly error?: AdvisorError;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface JobManagerOptions<TRequest, TResult> {
  start: StartJob<TRequest, TResult>;
  cache?: ResultLookup<TRequest, TResult>;
  /**
   * Jobs running at once across all models. Default 1: benchmarks that share the CPU with another
   * benchmark measure each other, so a second model waits its turn.
   */
  maxConcurrent?: number;
  /** After cancel, the job is reported cancelled no later than this even if the work is slow to stop. */
  cancelGraceMs?: number;
  log?: (line: string) => void;
}

type Listener<TRequest, TResult> = (job: JobSnapshot<TRequest, TResult>) => void;

interface JobRecord<TRequest, TResult> {
  snap: JobSnapshot<TRequest, TResult>;
  abort: AbortController;
  done: Promise<JobSnapshot<TRequest, TResult>>;
  resolveDone: (s: JobSnapshot<TRequest, TResult>) => void;
  /** Settles when the start function itself has returned (the process is gone). */
  released?: Promise<void>;
  /** The latest partial result the work reported. */
  partial?: TResult;
}

export class JobManager<TRequest, TResult> {
  private nextId = 1;
  private readonly jobs = new Map<number, JobRecord<TRequest, TResult>>();
  private readonly queue: number[] = [];
  private readonly running = new Set<number>();
  /** Keys whose work has not fully stopped yet (even after a cancel was reported). */
  private readonly busyKeys = new Set<string>();
  private readonly listeners = new Set<Listener<TRequest, TResult>>();
  private readonly maxConcurrent: number;
  private readonly cancelGraceMs: number;
  private disposed = false;

  constructor(private readonly opts: JobManagerOptions<TRequest, TResult>) {
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 1);
    this.cancelGraceMs = opts.cancelGraceMs ?? 1000;
  }

  /** Subscribes to every state or progress change; returns an unsubscribe function. */
  onDidChange(listener: Listener<TRequest, TResult>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Starts (or queues) a job for `key`. A valid cached result completes it at once without
   * starting any work. Returns the job id; `whenDone(id)` resolves with the final snapshot.
   */
  submit(key: string, request: TRequest, options: { useCache?: boolean } = {}): number {
    if (this.disposed) throw new AdvisorError('internal', 'the job manager has been disposed');
    const id = this.nextId++;
    let resolveDone!: (s: JobSnapshot<TRequest, TResult>) => void;
    const done = new Promise<JobSnapshot<TRequest, TResult>>((r) => (resolveDone = r));
    const rec: JobRecord<TRequest, TResult> = { snap: { id, key, request, state: 'queued' }, abort: new AbortController(), done, resolveDone };
    this.jobs.set(id, rec);

    const cached = options.useCache === false ? undefined : this.safeCacheGet(request);
    if (cached !== undefined) {
      const now = Date.now();
      this.finish(rec, { state: 'cached', result: cached, startedAt: now, endedAt: now });
      return id;
    }
    this.queue.push(id);
    this.emit(rec);
    this.pump();
    return id;
  }

  get(id: number): JobSnapshot<TRequest, TResult> | undefined {
    return this.jobs.get(id)?.snap;
  }

  /** The newest job for a model, finished or not. */
  latestFor(key: string): JobSnapshot<TRequest, TResult> | undefined {
    let latest: JobSnapshot<TRequest, TResult> | undefined;
    for (const r of this.jobs.values()) if (r.snap.key === key && (!latest || r.snap.id > latest.id)) latest = r.snap;
    return latest;
  }

  /** The queued or running job for a model, if any. */
  activeFor(key: string): JobSnapshot<TRequest, TResult> | undefined {
    const s = this.latestFor(key);
    return s && (s.state === 'queued' || s.state === 'running') ? s : undefined;
  }

  whenDone(id: number): Promise<JobSnapshot<TRequest, TResult>> {
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

  /** Runs the same request again as a new job (used by "Retry" and "Re-run"). */
  retry(id: number): number {
    const rec = this.jobs.get(id);
    if (!rec) throw new AdvisorError('internal', `no job ${id}`);
    return this.submit(rec.snap.key, rec.snap.request, { useCache: false });
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

  private launch(rec: JobRecord<TRequest, TResult>): void {
    const { id, key } = rec.snap;
    this.running.add(id);
    this.busyKeys.add(key);
    this.update(rec, { state: 'running', startedAt: Date.now() });
    const ctx: JobContext<TResult> = {
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
        this.safeCachePut(rec.snap.request, result);
        this.finish(rec, { state: 'succeeded', result, endedAt: Date.now(), progress: { message: 'Done', fraction: 1 } });
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

  private finishCancelled(rec: JobRecord<TRequest, TResult>, result?: TResult): void {
    this.finish(rec, { state: 'cancelled', result: result ?? rec.partial, endedAt: Date.now() });
  }

  private finish(rec: JobRecord<TRequest, TResult>, patch: Partial<JobSnapshot<TRequest, TResult>>): void {
    this.update(rec, patch);
    rec.resolveDone(rec.snap);
  }

  private update(rec: JobRecord<TRequest, TResult>, patch: Partial<JobSnapshot<TRequest, TResult>>): void {
    rec.snap = { ...rec.snap, ...patch };
    this.emit(rec);
  }

  private emit(rec: JobRecord<TRequest, TResult>): void {
    for (const l of [...this.listeners]) {
      try { l(rec.snap); } catch (e) { this.opts.log?.(`job listener failed: ${toAdvisorError(e).message}`); }
    }
  }

  private safeCacheGet(request: TRequest): TResult | undefined {
    try { return this.opts.cache?.get(request); } catch (e) {
      this.opts.log?.(`cache read failed, running instead: ${toAdvisorError(e).message}`);
      return undefined;
    }
  }

  private safeCachePut(request: TRequest, result: TResult): void {
    try { this.opts.cache?.put(request, result); } catch (e) { this.opts.log?.(`cache write failed: ${toAdvisorError(e).message}`); }
  }
}
