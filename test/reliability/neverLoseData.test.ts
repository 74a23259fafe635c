/**
 * The user's model is never written: every command leaves it (and its external data) with the
 * same hash, mtime and mode; outputs never land on the input; concurrent runs on one model each
 * produce a complete output; and a run killed at any moment leaves only complete files under final
 * names, no runner process behind it, and nothing a later run trips over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel } from '../../src/core/onnx/io';
import { writeFixtures } from '../fixtures/models';
import { Rng } from '../fuzz/rng';
import { CLI, assertOneLineError, cli, fingerprint, listFiles, tempRoot } from './support';

const root = tempRoot('edge-advisor-nolose-');
const immutable: string[] = [];
test.after(() => {
  for (const f of immutable) spawnSync('chattr', ['-i', f]);
  root.cleanup();
  assert.equal(fs.existsSync(root.dir), false, 'temp root removed');
});

/** Marks a file immutable where the filesystem allows it: then even root cannot open it for writing. */
function lock(file: string): boolean {
  const ok = spawnSync('chattr', ['+i', file]).status === 0;
  if (ok) immutable.push(file);
  return ok;
}

function fixtures(name: string) {
  return writeFixtures(path.join(root.dir, name));
}

const TEMP = /\.tmp$/;

test('every command leaves the source model and its external data untouched', (t) => {
  const f = fixtures('untouched');
  const weights = path.join(path.dirname(f.external), 'weights.bin');
  const sources = [f.cnn, f.external, weights];
  const before = sources.map(fingerprint);
  const locked = sources.map(lock).every(Boolean);
  t.diagnostic(locked ? 'sources are chattr +i: any write attempt would fail the command' : 'chattr unavailable: checking hash, mtime and mode only');
  const out = path.join(root.dir, 'untouched-out');
  const runs: string[][] = [
    ['inspect', f.cnn], ['inspect', f.external, '--json'],
    ['quantize', f.cnn, '--no-speed-check', '--out', path.join(out, 'q.onnx')],
    ['partition', f.cnn, '--list'], ['partition', f.external, '--cut', 'c4', '--out-dir', path.join(out, 'part')],
    ['bench', f.external, '--tiers', 'local', '--placements', 'edge', '--budget-seconds', '1', '--out', path.join(out, 'bench')],
    ['recommend', f.cnn, '--tiers', 'local', '--budget-seconds', '2', '--out-dir', path.join(out, 'rec'), '--quiet'],
  ];
  for (const args of runs) {
    const r = cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(sources.map(fingerprint), before);
  // the only files beside the sources are the ones that were there
  assert.deepEqual(listFiles(path.dirname(f.cnn)).filter((p) => !p.startsWith('external/') && p.endsWith('.onnx')).sort(), ['cnn.onnx', 'mlp.onnx', 'transformer.onnx', 'twoInput.onnx']);
  assert.deepEqual(listFiles(out).filter((p) => TEMP.test(p)), []);
  for (const p of listFiles(out).filter((x) => x.endsWith('.onnx'))) readModel(path.join(out, p));
});

test('quantize on a model with external data reads the weights and leaves them untouched', () => {
  const f = fixtures('quantize-external');
  const weights = path.join(path.dirname(f.external), 'weights.bin');
  const before = [f.external, weights].map(fingerprint);
  const out = path.join(root.dir, 'qe', 'qe.onnx');
  const r = cli(['quantize', f.external, '--no-speed-check', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  readModel(out);
  assert.deepEqual([f.external, weights].map(fingerprint), before);
});

test('outputs never replace the input, even through a symlink or a same-named output', () => {
  const f = fixtures('no-overwrite');
  const dir = path.dirname(f.cnn);
  const before = fingerprint(f.cnn);
  fs.symlinkSync('cnn.onnx', path.join(dir, 'alias.onnx'));
  fs.copyFileSync(f.cnn, path.join(dir, 'head.onnx'));
  const headBefore = fingerprint(path.join(dir, 'head.onnx'));
  assert.equal(cli(['quantize', f.cnn, '--out', f.cnn]).code, 2);
  assert.equal(cli(['quantize', f.cnn, '--out', path.join(dir, 'alias.onnx')]).code, 2);
  assert.equal(cli(['partition', path.join(dir, 'head.onnx'), '--cut', 'c4', '--out-dir', dir]).code, 2);
  assert.deepEqual(fingerprint(f.cnn), before);
  assert.deepEqual(fingerprint(path.join(dir, 'head.onnx')), headBefore);
});

function run(args: string[], tmpdir?: string): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  // a private TMPDIR makes every temp file the run creates attributable to it
  const env = tmpdir ? { ...process.env, TMPDIR: tmpdir } : process.env;
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
  return { child, done };
}

test('two runs writing the same output at once each leave a complete model', async () => {
  const f = fixtures('concurrent');
  const out = path.join(root.dir, 'concurrent-out', 'same.onnx');
  const results = await Promise.all([run(['quantize', f.cnn, '--no-speed-check', '--out', out]).done, run(['quantize', f.cnn, '--no-speed-check', '--out', out]).done]);
  for (const r of results) if (r.code !== 0) assertOneLineError({ code: r.code, stdout: '', stderr: r.stderr });
  assert.ok(results.some((r) => r.code === 0), results.map((r) => r.stderr).join('\n'));
  readModel(out);
  assert.deepEqual(listFiles(path.dirname(out)).filter((p) => TEMP.test(p)), []);
});

/** Child processes of `pid` (the runner the CLI forked), from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  // a zombie is dead for our purposes
  try { return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills runs at seeded random moments; returns what each kill left behind. */
async function killRuns(name: string, signal: NodeJS.Signals, kills: number, seed: number) {
  const f = fixtures(name);
  const out = path.join(root.dir, `${name}-out`);
  const tmpdir = path.join(root.dir, `${name}-tmp`);
  fs.mkdirSync(tmpdir, { recursive: true });
  const rng = new Rng(seed);
  let leftovers = 0;
  let orphans = 0;
  for (let k = 0; k < kills; k++) {
    const recommend = k % 3 === 2;
    const args = recommend
      ? ['recommend', f.cnn, '--tiers', 'local', '--budget-seconds', '2', '--out-dir', out, '--quiet']
      : ['quantize', f.cnn, '--no-speed-check', '--out', path.join(out, 'q.onnx')];
    const { child, done } = run(args, tmpdir);
    await sleep(rng.int(150, recommend ? 6000 : 2500));
    const kids = childrenOf(child.pid!);
    child.kill(signal);
    await done;
    // the runner notices its parent is gone and exits on its own
    for (let w = 0; w < 50 && kids.some(alive); w++) await sleep(100);
    orphans += kids.filter(alive).length;
    for (const p of kids.filter(alive)) process.kill(p, 'SIGKILL');
    // whatever has a final name is complete
    if (fs.existsSync(out)) for (const p of listFiles(out).filter((x) => x.endsWith('.onnx'))) readModel(path.join(out, p));
    leftovers += fs.readdirSync(tmpdir).length + (fs.existsSync(out) ? listFiles(out).filter((p) => TEMP.test(p)).length : 0);
  }
  // the next run works
  const next = run(['quantize', f.cnn, '--no-speed-check', '--out', path.join(out, 'q.onnx')], tmpdir);
  const r = await next.done;
  readModel(path.join(out, 'q.onnx'));
  const after = [...fs.readdirSync(tmpdir), ...listFiles(out).filter((p) => TEMP.test(p))];
  return { orphans, leftovers, after, nextCode: r.code, nextErr: r.stderr };
}

test('killing a run at random moments leaves complete outputs, no runner behind, and the next run works', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const r = await killRuns('kill', 'SIGKILL', 4, 9);
  t.diagnostic(`4 SIGKILLs: ${r.orphans} orphaned runner processes, ${r.leftovers} temp entries seen after kills, ${r.after.length} after the next run`);
  assert.equal(r.orphans, 0, 'runner processes outlived a killed CLI');
  assert.equal(r.nextCode, 0, r.nextErr);
  // what a killed run could not clean up, the next run does
  assert.deepEqual(r.after, []);
});

test('an interrupted run (Ctrl-C) leaves no temp files', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const r = await killRuns('interrupt', 'SIGINT', 3, 10);
  t.diagnostic(`3 SIGINTs: ${r.leftovers} temp entries right after the interrupts, ${r.after.length} after the next run: ${r.after.join(', ')}`);
  // unlike SIGKILL, an interrupt lets the CLI clean up itself
  assert.equal(r.leftovers, 0);
  assert.deepEqual(r.after, []);
});
