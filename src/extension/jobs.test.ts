// The job lifecycle, with a real child process standing in for the runner: start, progress,
// cancel (SIGKILL), crash, and one job per model at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import { JobManager, type JobContext, type JobSnapshot, type StartJob } from './jobs';

const CHILD = path.join(__dirname, 'testdata', 'jobChild.mjs');

interface Req { mode: 'ok' | 'crash' | 'hang'; steps: number; stepMs?: number }
interface Res { rows: number }
interface Prog { message: string; fraction: number }

/** Forks the child like a runner client does: messages → ctx, abort → SIGKILL, bad exit → AdvisorError. */
function forkingStart(children: ChildProcess[], exits: Array<{ code: number | null; signal: NodeJS.Signals | null }>): StartJob<Req, Res, Prog> {
  return (req: Req, ctx: JobContext<Res, Prog>) => new Promise<Res>((resolve, reject) => {
    const child = fork(CHILD, [req.mode, String(req.steps), String(req.stepMs ?? 20)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.push(child);
    let stderr = '';
    let result: Res | undefined;
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('message', (m: { type: string; message?: string; fraction?: number; rows?: number }) => {
      if (m.type === 'progress') ctx.progress({ message: m.message!, fraction: m.fraction! });
      if (m.type === 'partial') ctx.partial({ rows: m.rows! });
      if (m.type === 'result') result = { rows: m.rows! };
    });
    const onAbort = () => child.kill('SIGKILL');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    child.on('exit', (code, signal) => {
      exits.push({ code, signal });
      ctx.signal.removeEventListener('abort', onAbort);
      if (ctx.signal.aborted) reject(new AdvisorError('cancelled', 'cancelled'));
      else if (code === 0 && result) resolve(result);
      else reject(new AdvisorError('crash', `the runner stopped (${signal ?? `exit code ${code}`})`, undefined, { exitCode: code, signal, stderrTail: stderr.trim() }));
    });
  });
}

function setup() {
  const children: ChildProcess[] = [];
  const exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];
  const starts: Req[] = [];
  const inner = forkingStart(children, exits);
  const jobs = new JobManager<Req, Res, Prog>({
    start: (req, ctx) => { starts.push(req); return inner(req, ctx); },
  });
  const events: Array<JobSnapshot<Req, Res, Prog>> = [];
  jobs.onDidChange((s) => events.push(s));
  return { jobs, children, exits, starts, events };
}

function untilState(jobs: JobManager<Req, Res, Prog>, id: number, state: string): Promise<void> {
  return new Promise((resolve) => {
    if (jobs.get(id)?.state === state) return resolve();
    const sub = jobs.onDidChange((s) => { if (s.id === id && s.state === state) { sub.dispose(); resolve(); } });
  });
}

function untilProgress(jobs: JobManager<Req, Res, Prog>, id: number): Promise<void> {
  return new Promise((resolve) => {
    const sub = jobs.onDidChange((s) => { if (s.id === id && s.progress) { sub.dispose(); resolve(); } });
  });
}

test('a job runs in a child process, reports progress in order and succeeds with its result', async () => {
  const { jobs, events } = setup();
  const id = jobs.submit('/models/a.onnx', { mode: 'ok', steps: 3 });
  const done = await jobs.whenDone(id);
  assert.equal(done.state, 'succeeded');
  assert.deepEqual(done.result, { rows: 3 });
  const states = [...new Set(events.map((e) => e.state))];
  assert.deepEqual(states, ['queued', 'running', 'succeeded']);
  const fractions = events.filter((e) => e.state === 'running' && e.progress).map((e) => e.progress!.fraction);
  assert.deepEqual(fractions, [1 / 3, 2 / 3, 1]);
});

test('cancel kills the runner with SIGKILL and keeps what had finished', async () => {
  const { jobs, exits, children } = setup();
  const id = jobs.submit('/models/a.onnx', { mode: 'hang', steps: 2 });
  await untilState(jobs, id, 'running');
  await untilProgress(jobs, id);
  jobs.cancel(id);
  const done = await jobs.whenDone(id);
  assert.equal(done.state, 'cancelled');
  assert.ok(done.result && done.result.rows >= 1, 'partial result kept');
  await new Promise<void>((r) => (children[0].exitCode !== null || children[0].signalCode !== null ? r() : children[0].once('exit', () => r())));
  assert.equal(exits[0]?.signal, 'SIGKILL');
});

test('cancel is reported even when the work ignores the signal', async () => {
  let release!: () => void;
  const stuck = new Promise<void>((r) => (release = r));
  const jobs = new JobManager<Req, Res, Prog>({ start: async () => { await stuck; return { rows: 0 }; }, cancelGraceMs: 50 });
  const id = jobs.submit('/m.onnx', { mode: 'ok', steps: 1 });
  jobs.cancel(id);
  assert.equal((await jobs.whenDone(id)).state, 'cancelled');
  // The model stays busy until the stuck work really returns: no overlap with the next job.
  const next = jobs.submit('/m.onnx', { mode: 'ok', steps: 1 });
  assert.equal(jobs.get(next)?.state, 'queued');
  release();
  assert.equal((await jobs.whenDone(next)).state, 'succeeded');
});

test('a crashed runner fails the job with exit details and the partial rows; Retry runs it again', async () => {
  const { jobs, starts } = setup();
  const id = jobs.submit('/models/a.onnx', { mode: 'crash', steps: 2 });
  const failed = await jobs.whenDone(id);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.error?.category, 'crash');
  assert.equal(failed.error?.details?.signal, 'SIGSEGV');
  assert.match(failed.error?.details?.stderrTail ?? '', /simulated native crash/);
  assert.deepEqual(failed.result, { rows: 2 });

  const again = jobs.retry(id);
  assert.notEqual(again, id);
  assert.equal((await jobs.whenDone(again)).state, 'failed');
  assert.equal(starts.length, 2);
});

test('two runs on the same model are serialized; the second starts after the first ends', async () => {
  const { jobs, events } = setup();
  const a = jobs.submit('/models/a.onnx', { mode: 'ok', steps: 2 });
  const b = jobs.submit('/models/a.onnx', { mode: 'ok', steps: 1 });
  assert.equal(jobs.get(b)?.state, 'queued');
  assert.equal(jobs.activeFor('/models/a.onnx')?.id, b, 'the newest active job is the queued one');
  await jobs.whenDone(b);
  const order = events.filter((e) => e.state === 'running' && !e.progress || e.state === 'succeeded').map((e) => `${e.id}:${e.state}`);
  assert.deepEqual(order, [`${a}:running`, `${a}:succeeded`, `${b}:running`, `${b}:succeeded`]);
});

test('cancelling a queued job never starts it', async () => {
  const { jobs, starts } = setup();
  const a = jobs.submit('/models/a.onnx', { mode: 'ok', steps: 1 });
  const b = jobs.submit('/models/a.onnx', { mode: 'ok', steps: 1 });
  jobs.cancel(b);
  assert.equal(jobs.get(b)?.state, 'cancelled');
  await jobs.whenDone(a);
  assert.equal(starts.length, 1);
});

test('a throwing listener does not break the job', async () => {
  const logs: string[] = [];
  const jobs = new JobManager<Req, Res, Prog>({ start: async () => ({ rows: 1 }), log: (l) => logs.push(l) });
  jobs.onDidChange(() => { throw new Error('listener bug'); });
  const done = await jobs.whenDone(jobs.submit('/m.onnx', { mode: 'ok', steps: 1 }));
  assert.equal(done.state, 'succeeded');
  assert.ok(logs.some((l) => l.includes('listener bug')));
});

test('dispose cancels running work and kills its process', async () => {
  const { jobs, exits } = setup();
  const id = jobs.submit('/models/a.onnx', { mode: 'hang', steps: 1 });
  await untilState(jobs, id, 'running');
  await jobs.dispose();
  assert.equal(jobs.get(id)?.state, 'cancelled');
  assert.equal(exits[0]?.signal, 'SIGKILL');
});
