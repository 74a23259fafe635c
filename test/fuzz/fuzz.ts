/**
 * The fuzz driver: runs cases in worker processes (so a hang is killed, not waited on), watches
 * each case's time and the worker's peak RSS, runs the CLI on a sample of cases, and cleans up.
 * `npm run fuzz` (run.ts) runs the full set; fuzzSlice.test.ts runs a bounded slice in `npm test`.
 */
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeCase, runPipeline, type Outcome } from './harness';
import { boundaries, walk } from './wire';
import { atimeWorks, makeCaseDir, resetSecret, secretWasRead } from './layout';
import { seeds } from './corpus';

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** First case index (replay one case with first = i, cases = 1). */
  first?: number;
  /** A case still running after this long (wall clock: generous, the machine may be loaded) is a hang: the worker is killed. */
  caseTimeoutMs?: number;
  /** Peak RSS growth over the worker's first case that counts as an allocation blowup. */
  rssLimitMb?: number;
  batch?: number;
  /** Run `dist/cli.js inspect` on every Nth case (0: never). */
  cliEvery?: number;
  /** Save the bytes of failing cases here. */
  saveDir?: string;
  log?: (line: string) => void;
}

export interface Failure { index: number; kind: 'crash' | 'hang' | 'alloc' | 'outside-read' | 'cli'; base?: string; mutator?: string; detail: string }

export interface FuzzSummary {
  seed: number;
  cases: number;
  ok: number;
  errors: Record<string, number>;
  byMutator: Record<string, number>;
  crashes: number;
  hangs: number;
  allocBlowups: number;
  outsideReads: number;
  cliRuns: number;
  cliFailures: number;
  atimeChecked: boolean;
  slowestMs: number;
  slowest: string;
  peakRssMb: number;
  leftBehind: number;
  failures: Failure[];
}

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');
const WORKER = path.join(__dirname, 'worker.ts');

interface DoneMsg { type: 'done'; index: number; base: string; mutator: string; seed: number; size: number; outcome: Outcome; ms: number; maxRssKb: number; secretRead: boolean }
type Msg = { type: 'start'; index: number } | DoneMsg | { type: 'end' };

/** Runs cases [from, to) in one worker; resolves with the index to resume from (after a hang/crash). */
function runWorker(o: Required<Pick<FuzzOptions, 'seed' | 'caseTimeoutMs'>>, from: number, to: number, tmp: string, onDone: (m: DoneMsg) => void, onDeath: (index: number, why: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const workdir = fs.mkdtempSync(path.join(tmp, 'w-'));
    const child = fork(WORKER, [String(o.seed), String(from), String(to), workdir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    let current = from;
    let timer: NodeJS.Timeout | undefined;
    let hung = false;
    let ended = false;
    child.on('message', (m: Msg) => {
      if (m.type === 'end') { ended = true; return; }
      if (m.type === 'start') {
        current = m.index;
        clearTimeout(timer);
        timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, o.caseTimeoutMs);
      } else {
        clearTimeout(timer);
        onDone(m);
        current = m.index + 1;
      }
    });
    // 'close', not 'exit': IPC messages still in flight are delivered before 'close' only
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(workdir, { recursive: true, force: true });
      if (hung) { onDeath(current, `hang: no result after ${o.caseTimeoutMs} ms`); resolve(current + 1); return; }
      if (!ended) {
        onDeath(current, `worker died (code ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
        resolve(current + 1);
        return;
      }
      resolve(to);
    });
  });
}

/** The CLI on one case: exit 0 with output, or exit 1 with exactly one line and no stack. Never writes in the folder. */
function cliCheck(seed: number, index: number, tmp: string): string | undefined {
  const dir = makeCaseDir(fs.mkdtempSync(path.join(tmp, 'cli-')), seeds().find((x) => x.external)?.external);
  const c = makeCase(seed, index, { secretAbs: dir.secret });
  const file = path.join(dir.modelDir, 'model.onnx');
  fs.writeFileSync(file, c.bytes);
  const before = fs.readdirSync(dir.modelDir).sort().join(',');
  const r = spawnSync(process.execPath, [CLI, 'inspect', file, '--json'], { encoding: 'utf8', timeout: 30_000 });
  let problem: string | undefined;
  if (r.error || r.signal) problem = `cli did not finish: ${r.error?.message ?? r.signal}`;
  else if (r.status === 0) { try { JSON.parse(r.stdout); } catch { problem = 'exit 0 without valid JSON'; } }
  else if (r.status === 1) {
    const lines = r.stderr.trimEnd().split('\n');
    if (lines.length !== 1 || !lines[0]!.startsWith('edge-advisor inspect: ')) problem = `exit 1 but stderr is not one line: ${r.stderr.slice(0, 300)}`;
    else if (/\n\s+at /.test(r.stderr)) problem = 'stack trace without --verbose';
  } else problem = `exit ${r.status}: ${r.stderr.slice(0, 300)}`;
  if (!problem && fs.readdirSync(dir.modelDir).sort().join(',') !== before) problem = 'the CLI wrote into the model folder';
  if (!problem && secretWasRead(dir.secret)) problem = 'the CLI read a file outside the model folder';
  fs.rmSync(dir.root, { recursive: true, force: true });
  return problem;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const o = { caseTimeoutMs: 30_000, rssLimitMb: 768, batch: 400, cliEvery: 0, first: 0, log: () => {}, ...opts };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-fuzz-'));
  const s: FuzzSummary = {
    seed: o.seed, cases: 0, ok: 0, errors: {}, byMutator: {}, crashes: 0, hangs: 0, allocBlowups: 0, outsideReads: 0,
    cliRuns: 0, cliFailures: 0, atimeChecked: atimeWorks(tmp), slowestMs: 0, slowest: '', peakRssMb: 0, leftBehind: 0, failures: [],
  };
  const cliOn = o.cliEvery > 0 && fs.existsSync(CLI);
  const fail = (f: Failure) => {
    s.failures.push(f);
    o.log(`FAIL case ${f.index} [${f.kind}] ${f.base ?? ''}/${f.mutator ?? ''}: ${f.detail}  (replay: npm run fuzz -- --seed ${o.seed} --case ${f.index})`);
    if (o.saveDir && f.kind !== 'hang') saveCase(o.saveDir, o.seed, f.index, tmp);
  };
  let baseRssKb = 0;
  const end = o.first + o.cases;
  for (let start = o.first; start < end; start += o.batch) {
    const stop = Math.min(end, start + o.batch);
    let from = start;
    baseRssKb = 0;
    while (from < stop) {
      from = await runWorker(o, from, stop, tmp, (m) => {
        s.cases++;
        s.byMutator[m.mutator] = (s.byMutator[m.mutator] ?? 0) + 1;
        if (m.ms > s.slowestMs) { s.slowestMs = m.ms; s.slowest = `case ${m.index} (${m.base}/${m.mutator})`; }
        s.peakRssMb = Math.max(s.peakRssMb, m.maxRssKb / 1024);
        if (!baseRssKb) baseRssKb = m.maxRssKb;
        const id = { index: m.index, base: m.base, mutator: m.mutator };
        if (m.outcome.verdict === 'ok') s.ok++;
        else if (m.outcome.verdict === 'error') s.errors[m.outcome.kind!] = (s.errors[m.outcome.kind!] ?? 0) + 1;
        else { s.crashes++; fail({ ...id, kind: 'crash', detail: `${m.outcome.kind} at ${m.outcome.stage}: ${m.outcome.message}` }); }
        if (m.ms > o.caseTimeoutMs) { s.hangs++; fail({ ...id, kind: 'hang', detail: `took ${Math.round(m.ms)} ms` }); }
        if ((m.maxRssKb - baseRssKb) / 1024 > o.rssLimitMb) { s.allocBlowups++; fail({ ...id, kind: 'alloc', detail: `peak RSS grew to ${Math.round(m.maxRssKb / 1024)} MB` }); baseRssKb = m.maxRssKb; }
        if (m.secretRead) { s.outsideReads++; fail({ ...id, kind: 'outside-read', detail: 'a file outside the model folder was read' }); }
        if (cliOn && m.index % o.cliEvery === 0) {
          s.cliRuns++;
          const problem = cliCheck(o.seed, m.index, tmp);
          if (problem) { s.cliFailures++; fail({ ...id, kind: 'cli', detail: problem }); }
        }
      }, (index, why) => {
        s.cases++;
        if (why.startsWith('hang')) s.hangs++; else s.crashes++;
        fail({ index, kind: why.startsWith('hang') ? 'hang' : 'crash', detail: why });
      });
    }
    o.log(`  ${s.cases} cases: ${s.ok} ok, ${Object.values(s.errors).reduce((a, b) => a + b, 0)} typed errors, ${s.crashes} crashes, ${s.hangs} hangs`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  s.leftBehind = fs.existsSync(tmp) ? fs.readdirSync(tmp).length + 1 : 0;
  return s;
}

export interface SweepSummary { seeds: number; cuts: number; ok: number; errors: number; crashes: Failure[]; slowestMs: number }

/**
 * Truncates each fixture seed at every field boundary the wire walk finds (and one byte either
 * side), in-process: the exhaustive complement of the random truncations above.
 */
export function sweepTruncations(limitMs = 30_000): SweepSummary {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-sweep-'));
  const out: SweepSummary = { seeds: 0, cuts: 0, ok: 0, errors: 0, crashes: [], slowestMs: 0 };
  try {
    const dir = makeCaseDir(tmp, seeds().find((x) => x.external)?.external);
    for (const seed of seeds().filter((x) => !x.name.startsWith('digits'))) {
      out.seeds++;
      const cuts = new Set<number>();
      for (const b of boundaries(walk(seed.bytes))) for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d < seed.bytes.length) cuts.add(b + d);
      for (const cut of cuts) {
        out.cuts++;
        const t0 = performance.now();
        const o = runPipeline(seed.bytes.subarray(0, cut), dir.modelDir);
        const ms = performance.now() - t0;
        out.slowestMs = Math.max(out.slowestMs, ms);
        if (o.verdict === 'ok') out.ok++;
        else if (o.verdict === 'error') out.errors++;
        else out.crashes.push({ index: cut, kind: 'crash', base: seed.name, mutator: 'sweep', detail: `${o.kind} at ${o.stage}: ${o.message}` });
        if (ms > limitMs) out.crashes.push({ index: cut, kind: 'hang', base: seed.name, mutator: 'sweep', detail: `took ${Math.round(ms)} ms` });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** Writes a failing case's bytes (and its external weights) so it can be opened by hand. */
function saveCase(dir: string, seed: number, index: number, tmp: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const layout = makeCaseDir(fs.mkdtempSync(path.join(tmp, 'save-')));
  const c = makeCase(seed, index, { secretAbs: layout.secret });
  fs.writeFileSync(path.join(dir, `case-${seed}-${index}.onnx`), c.bytes);
  resetSecret(layout.secret);
}

export function defaultSeedNames(): string[] { return seeds().map((s) => s.name); }
