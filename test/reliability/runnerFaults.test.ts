/**
 * Runner faults seen from the user's side (the CLI `bench`, which caches results): a runner killed
 * mid-run and a model onnxruntime rejects each end in one clear line, leave no cache entry and no
 * temp file, and the next run works. Timeouts, the memory cap and in-process recovery are covered
 * by src/runner/host/client.test.ts; this file does not repeat them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelBuilder } from '../../src/core/onnx/builder';
import { DataType } from '../../src/core/onnx/dtypes';
import { writeModel } from '../../src/core/onnx/io';
import { cnn } from '../fixtures/models';
import { CLI, assertOneLineError, listFiles, tempRoot } from './support';

const root = tempRoot('edge-advisor-faults-');
test.after(() => {
  root.cleanup();
  assert.equal(fs.existsSync(root.dir), false, 'temp root removed');
});

const model = path.join(root.dir, 'cnn.onnx');
writeModel(cnn(), model);

/** A MatMul chain slow enough (~17 M MACs a run) that a benchmark of it is still running when we strike. */
function slowModel(): string {
  const b = new ModelBuilder({ opset: 13, seed: 3 });
  let x = b.input('x', DataType.FLOAT, [1, 2048]);
  for (let i = 0; i < 4; i++) x = b.node('MatMul', [x, b.weight('w', [2048, 2048], 0.02)]);
  b.output(x, DataType.FLOAT, [1, 2048]);
  const file = path.join(root.dir, 'slow.onnx');
  writeModel(b.build(), file);
  return file;
}

interface Run { code: number | null; stdout: string; stderr: string }

/** `bench` with a private TMPDIR, so every temp file it leaves is attributable. */
function bench(file: string, name: string, budget: number, onStart?: (pid: number) => void): { out: string; tmp: string; done: Promise<Run> } {
  const out = path.join(root.dir, `${name}-out`);
  const tmp = path.join(root.dir, `${name}-tmp`);
  fs.mkdirSync(tmp, { recursive: true });
  const child = spawn(process.execPath, [CLI, 'bench', file, '--tiers', 'local', '--placements', 'edge', '--budget-seconds', String(budget), '--out', out, '--json'],
    { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  onStart?.(child.pid!);
  return { out, tmp, done: new Promise((res) => child.on('exit', (code) => res({ code, stdout, stderr }))) };
}

function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try { const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid; } catch { return false; }
  }).map(Number);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cache entries and temp files under the output folder, and anything left in the private TMPDIR. */
function leftovers(out: string, tmp: string): { cacheEntries: string[]; temps: string[]; tmpdir: string[] } {
  const files = fs.existsSync(out) ? listFiles(out) : [];
  return { cacheEntries: files.filter((f) => f.endsWith('.json')), temps: files.filter((f) => f.endsWith('.tmp')), tmpdir: fs.readdirSync(tmp) };
}

test('a runner killed mid-benchmark: one-line crash error, no cache entry, no temp file; the next run works', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  let cliPid = 0;
  const run = bench(slowModel(), 'killed', 20, (pid) => { cliPid = pid; });
  // wait for the runner to be forked and at work, then kill it from outside
  let runner: number | undefined;
  for (let i = 0; i < 200 && runner === undefined; i++) { await sleep(50); runner = childrenOf(cliPid)[0]; }
  assert.ok(runner, 'the CLI forked a runner');
  await sleep(1000);
  let killed = 0;
  for (const pid of childrenOf(cliPid)) { try { process.kill(pid, 'SIGKILL'); killed++; } catch { /* already gone */ } }
  assert.ok(killed > 0, 'a runner was still at work 1 s in');
  const r = await run.done;
  const line = assertOneLineError(r);
  assert.match(line, /SIGKILL|runner/i, line);
  t.diagnostic(line);
  const left = leftovers(run.out, run.tmp);
  t.diagnostic(`after the kill: ${JSON.stringify(left)}`);
  assert.deepEqual(left.cacheEntries, [], 'no partial cache entry');
  assert.deepEqual(left.temps, []);
  assert.deepEqual(left.tmpdir, []);

  const next = await bench(model, 'killed', 1).done;
  assert.equal(next.code, 0, next.stderr);
  assert.equal(JSON.parse(next.stdout).results.length, 1);
  assert.equal(leftovers(run.out, run.tmp).cacheEntries.length, 1);
});

test('a model onnxruntime rejects: one line naming the file, no cache entry; the next run works', async (t) => {
  // structurally valid (our validator accepts it), but no such operator exists
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  b.output(b.node('NoSuchOperator', [x]), DataType.FLOAT, [1, 4]);
  const bad = path.join(root.dir, 'rejected.onnx');
  writeModel(b.build(), bad);
  const run = bench(bad, 'rejected', 1);
  const line = assertOneLineError(await run.done);
  assert.ok(line.includes(bad), line);
  assert.match(line, /onnxruntime/i);
  const left = leftovers(run.out, run.tmp);
  t.diagnostic(`after the rejection: ${JSON.stringify(left)}`);
  assert.deepEqual(left.cacheEntries, []);
  assert.deepEqual(left.temps, []);
  assert.deepEqual(left.tmpdir, []);
  const next = await bench(model, 'rejected', 1).done;
  assert.equal(next.code, 0, next.stderr);
});

test('an operator from a custom domain is refused: no custom-op library is ever loaded', async () => {
  const b = new ModelBuilder({ opset: 13, extraOpsets: { 'com.example.evil': 1 } });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  b.output(b.nodeMulti('LoadMyLibrary', [x], 1, {}, undefined, 'com.example.evil')[0]!, DataType.FLOAT, [1, 4]);
  const file = path.join(root.dir, 'custom-op.onnx');
  writeModel(b.build(), file);
  const line = assertOneLineError(await bench(file, 'custom', 1).done);
  assert.match(line, /onnxruntime/i);
  assert.ok(line.includes(file), line);
});

test('a clean run leaves nothing in TMPDIR (onnxruntime\'s mat-debug-<pid>.log goes to the runner\'s private temp folder)', async () => {
  const run = bench(model, 'tmpdir', 1);
  assert.equal((await run.done).code, 0);
  assert.deepEqual(fs.readdirSync(run.tmp), []);
});
