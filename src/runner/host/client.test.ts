/**
 * The runner process end to end: real forks, real onnxruntime sessions on small models built here.
 * Each failure mode must surface as its typed AdvisorError, and the next job must still succeed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError, type ErrorCategory } from '../../core/errors';
import { median } from '../../core/stats/describe';
import { ModelBuilder } from '../../core/onnx/builder';
import { DataType } from '../../core/onnx/dtypes';
import { writeModel } from '../../core/onnx/io';
import type { BenchmarkParams } from '../../core/protocol/benchmark';
import type { Feeds } from '../../core/protocol/tensor';
import { enumerateCuts, extractPartition } from '../../core/partition';
import { cnn } from '../../../test/fixtures/models';
import { RunnerClient } from './client';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const cnnPath = path.join(dir, 'cnn.onnx');
writeModel(cnn(), cnnPath);

/** x[1,1] → Expand to n×n floats → ReduceSum: n² × 4 bytes of activations on every run. */
function memoryHog(n: number): string {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 1]);
  const shape = b.initializer('shape', DataType.INT64, [2], BigInt64Array.from([BigInt(n), BigInt(n)]));
  const big = b.node('Expand', [x, shape]);
  b.output(b.node('ReduceSum', [b.node('Add', [big, x])], { keepdims: 0 }), DataType.FLOAT);
  const file = path.join(dir, `hog${n}.onnx`);
  writeModel(b.build(), file);
  return file;
}

const image: Feeds = { image: { type: 'float32', dims: [1, 3, 32, 32], data: new Float32Array(3 * 32 * 32).fill(0.5) } };

function bench(modelPath: string, sliceMs: number, feeds: Feeds = image): BenchmarkParams {
  return {
    configs: [
      { id: 't1', stages: [{ modelPath, threads: 1 }] },
      { id: 't2', stages: [{ modelPath, threads: 2 }] },
    ],
    samples: [feeds],
    sliceMs,
    warmupRuns: 2,
  };
}

/** A slice that would run for 30 s. */
const endless = (modelPath: string) => bench(modelPath, 30000);

const rejectsWith = async (p: Promise<unknown>, category: ErrorCategory, re?: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AdvisorError, `expected an AdvisorError, got ${String(e)}`);
    assert.equal(e.category, category, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
};

test('a slice measures configurations in alternating blocks and reports every recorded sample with its block', async () => {
  const client = new RunnerClient();
  try {
    const r = await client.run('benchmark', bench(cnnPath, 800));
    assert.deepEqual(r.configs.map((c) => c.id), ['t1', 't2']);
    for (const c of r.configs) {
      assert.ok(c.samplesMs.length >= 2, `${c.id}: ${c.samplesMs.length} samples`);
      assert.ok(c.samplesMs.every((x) => x > 0));
      assert.equal(c.stages[0]!.outputBytes, 10 * 4, 'logits [1,10] float32');
      assert.deepEqual(c.stages[0]!.outputNames, ['logits']);
      assert.ok(c.stages[0]!.coldStartMs > 0);
      assert.ok(c.peakRssMB >= r.baseRssMB);
      assert.ok(c.loads >= 1);
      assert.equal(c.blockRuns.reduce((a, b) => a + b, 0), c.samplesMs.length, 'blocks partition the samples');
    }
    // they took turns: one block each per pass
    assert.equal(r.configs[0]!.blockRuns.length, r.passes);
    assert.equal(r.configs[1]!.blockRuns.length, r.passes);
    assert.ok(r.passes >= 1 && r.elapsedMs >= 800, `${r.passes} passes in ${r.elapsedMs} ms`);
    // configurations known to be small (own peak just above the runner's base) stay loaded between slices
    const small = bench(cnnPath, 100);
    small.configs = small.configs.map((c) => ({ ...c, ownPeakMB: r.baseRssMB + 1 }));
    await client.run('benchmark', small);
    const next = await client.run('benchmark', { ...small, firstPass: r.passes });
    for (const c of next.configs) { assert.equal(c.loads, 0, `${c.id} stayed loaded`); assert.equal(c.stages[0]!.coldStartMs, 0); }
    const info = await client.info();
    assert.match(info.onnxruntime, /^1\.\d+\.\d+/);
  } finally {
    client.dispose();
  }
});

test('each block starts with re-warm runs that are not recorded, unless the re-warm time is 0', async () => {
  const client = new RunnerClient();
  try {
    // the fixture CNN runs in well under a millisecond: a 20 ms re-warm discards several runs per block
    const warm = await client.run('benchmark', { ...bench(cnnPath, 300), rewarmMs: 20, blockMs: 10 });
    for (const c of warm.configs) assert.ok(c.rewarmRuns >= c.blockRuns.length, `${c.id}: ${c.rewarmRuns} re-warm runs in ${c.blockRuns.length} blocks`);
    const none = await client.run('benchmark', { ...bench(cnnPath, 300), rewarmMs: 0, blockMs: 10 });
    for (const c of none.configs) assert.equal(c.rewarmRuns, 0);
  } finally {
    client.dispose();
  }
});

test('a configuration\'s screening blocks are short; its later blocks, and those of configurations past screening, are full', async () => {
  const client = new RunnerClient();
  try {
    const params = bench(cnnPath, 600);
    params.configs[0]!.screenBlocks = 2;
    const r = await client.run('benchmark', { ...params, warmupMs: 0, blockMs: 20, screenBlock: { rewarmMs: 0, blockMs: 1 } });
    const [screened, full] = r.configs.map((c) => c.blockRuns);
    assert.ok(r.passes >= 3, `${r.passes} passes`);
    // runs per block follow the block's length: 1 ms of runs, then 20 ms (at most 200 runs); compared
    // with the median full block, so one block slowed by the machine does not decide
    const fullRuns = median([...screened!.slice(2), ...full!]);
    for (const k of [0, 1]) assert.ok(screened![k]! * 2 < fullRuns, `screening block ${k}: ${screened![k]} runs, full blocks ${screened!.slice(2).join(',')} / ${full!.join(',')}`);
    assert.ok(median(full!) > 2 * Math.max(screened![0]!, screened![1]!), `never screened: ${full!.join(',')}`);
  } finally {
    client.dispose();
  }
});

test('a partition\'s head and tail are measured in blocks of their own; totals pair run i of both', async () => {
  const client = new RunnerClient();
  try {
    const cut = enumerateCuts(cnn()).cuts[0]!;
    const p = extractPartition(cnn(), cut);
    const head = path.join(dir, 'head.onnx');
    const tail = path.join(dir, 'tail.onnx');
    writeModel(p.head, head);
    writeModel(p.tail, tail);
    const r = await client.run('benchmark', {
      configs: [{ id: 'split', stages: [{ modelPath: head, threads: 1 }, { modelPath: tail, threads: 1 }] }],
      samples: [image], sliceMs: 400, warmupRuns: 2,
    });
    const c = r.configs[0]!;
    const [h, t] = c.stages;
    assert.ok(c.samplesMs.length >= c.blockRuns.length && c.blockRuns.length >= 1);
    assert.equal(h!.samplesMs.length, c.samplesMs.length);
    assert.equal(t!.samplesMs.length, c.samplesMs.length);
    c.samplesMs.forEach((total, i) => assert.ok(Math.abs(total - (h!.samplesMs[i]! + t!.samplesMs[i]!)) < 1e-9, `run ${i}`));
    assert.ok(h!.outputBytes > 0 && t!.outputBytes === 10 * 4, 'the tail ran on the head\'s cut tensors and produced the logits');
  } finally {
    client.dispose();
  }
});

test('sessions too large to keep together take turns in memory: the runner stays within one configuration\'s own peak + 25%', async () => {
  // three configurations of a model with 64 MB of activations per tensor: together several hundred MB
  const hogs = [memoryHog(4096), memoryHog(4096 + 1), memoryHog(4096 + 2)];
  const x: Feeds = { x: { type: 'float32', dims: [1, 1], data: new Float32Array([1]) } };
  // each one's own peak, measured as the advisor does: alone, in a fresh runner
  const own: number[] = [];
  for (const m of hogs) {
    const probe = new RunnerClient();
    try { own.push((await probe.run('evaluate', { stages: [{ modelPath: m, threads: 1 }], samples: [x] })).peakRssMB!); } finally { probe.dispose(); }
  }
  const client = new RunnerClient();
  try {
    const configs = hogs.map((m, i) => ({ id: `hog${i}`, stages: [{ modelPath: m, threads: 1 }], ownPeakMB: own[i]! }));
    const r = await client.run('benchmark', { configs, samples: [x], sliceMs: 1500, warmupRuns: 1, warmupMs: 0, blockMs: 20 });
    const largest = Math.max(...own);
    assert.ok(largest >= r.baseRssMB + 120, `each alone holds its two 64 MB tensors (${largest.toFixed(0)} MB, base ${r.baseRssMB.toFixed(0)})`);
    assert.ok(r.runnerPeakRssMB <= 1.25 * largest, `runner peak ${r.runnerPeakRssMB.toFixed(0)} MB vs the largest configuration's own ${largest.toFixed(0)} MB`);
    assert.ok(r.configs.every((c) => c.loads >= 1) && r.configs.some((c) => c.loads >= 2 || r.passes === 1), `loads ${r.configs.map((c) => c.loads).join(', ')} in ${r.passes} passes`);
    assert.deepEqual(r.configs.map((c) => c.peakRssMB), own, 'rows report the own peaks measured alone');
    // reloads read copies with the graph optimisations already applied, kept in the runner's own temp folder
    if (r.configs.some((c) => c.loads >= 2)) assert.ok(fs.readdirSync(client.tempDir!).some((f) => f.startsWith('optimized-')), 'a pre-optimised copy was written');
  } finally {
    client.dispose();
  }
});

test('a runner whose heap nears the bound ends the slice before the next visit and says where a fresh runner resumes', async () => {
  const hogs = [memoryHog(4096 + 3), memoryHog(4096 + 4), memoryHog(4096 + 5)];
  const x: Feeds = { x: { type: 'float32', dims: [1, 1], data: new Float32Array([1]) } };
  const client = new RunnerClient();
  try {
    const { baseRssMB } = await client.run('benchmark', { ...bench(cnnPath, 1), sliceMs: 0 });
    // each really takes ~130 MB over the base, but claims 70 MB: after the first load the runner is past
    // 1.25 × (base + 70 MB) with configurations still to visit
    const configs = hogs.map((m, i) => ({ id: `hog${i}`, stages: [{ modelPath: m, threads: 1 }], ownPeakMB: baseRssMB + 70 }));
    const params: BenchmarkParams = { configs, samples: [x], sliceMs: 0, warmupRuns: 1, warmupMs: 0, blockMs: 5, mayRecycle: true };
    const cut = await client.run('benchmark', params);
    assert.equal(cut.recycle?.nextId, 'hog1', JSON.stringify(cut.recycle));
    assert.ok(cut.recycle!.rssMB > cut.recycle!.boundMB * 0.95);
    assert.ok(cut.configs[0]!.samplesMs.length > 0, 'the first configuration was measured');
    assert.deepEqual(cut.configs.slice(1).map((c) => c.samplesMs.length), [0, 0], 'the others wait for the fresh runner');
    // a fresh runner continues from there; without `mayRecycle` a slice never ends early
    client.fresh();
    const next = await client.run('benchmark', { ...params, configs: [configs[1]!, configs[2]!, configs[0]!] });
    assert.ok(next.configs[0]!.samplesMs.length > 0 && next.configs[0]!.id === 'hog1');
    const whole = await client.run('benchmark', { ...params, mayRecycle: false });
    assert.equal(whole.recycle, undefined);
    assert.ok(whole.configs.every((c) => c.samplesMs.length > 0));
  } finally {
    client.dispose();
  }
});

test('a model onnxruntime rejects is a runtime error naming the file, and the runner lives on', async () => {
  const client = new RunnerClient();
  try {
    const bad = path.join(dir, 'bad.onnx');
    fs.writeFileSync(bad, 'not a model');
    const pid = (await client.info()).pid;
    await rejectsWith(client.run('benchmark', bench(bad, 100)), 'runtime', /bad\.onnx: onnxruntime cannot load the model/);
    await rejectsWith(client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1 }], samples: [{}] }), 'input', /no value for model input "image"/);
    const ok = await client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1 }], samples: [image, image] });
    assert.equal(ok.outputs.length, 2);
    assert.deepEqual(ok.outputs[0]!.dims, [1, 10]);
    assert.equal(client.pid, pid, 'same runner process');
  } finally {
    client.dispose();
  }
});

test('large inputs and outputs cross the pipes exactly; the runner\'s temp folder goes with it', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 3, 128, 128]); // 192 KiB per sample, several per message
  b.output(b.node('Add', [x, b.initializer('one', DataType.FLOAT, [], new Float32Array([1]))]), DataType.FLOAT);
  const file = path.join(dir, 'add-one.onnx');
  writeModel(b.build(), file);
  const samples = (n: number, k: number): Feeds[] => Array.from({ length: n }, (_, s) => ({ x: { type: 'float32', dims: [1, 3, 128, 128], data: Float32Array.from({ length: 3 * 128 * 128 }, (_, i) => (i % 977) * k - s) } }));
  const client = new RunnerClient();
  try {
    // a larger message, then a smaller one
    for (const batch of [samples(3, 0.25), samples(2, -0.5)]) {
      const r = await client.run('evaluate', { stages: [{ modelPath: file, threads: 1 }], samples: batch });
      assert.equal(r.outputs.length, batch.length);
      r.outputs.forEach((o, s) => assert.deepEqual(o.data, (batch[s]!.x.data as Float32Array).map((v) => v + 1)));
    }
    const tmp = client.tempDir!;
    assert.ok(fs.existsSync(tmp));
    client.dispose();
    for (let i = 0; i < 100 && fs.existsSync(tmp); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!fs.existsSync(tmp), 'the runner\'s temp folder is removed when it exits');
  } finally {
    client.dispose();
  }
});

test('the runner\'s stderr reaches onStderr line by line, without colour codes', async () => {
  // onnxruntime warns about an initializer no node uses
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  b.initializer('never_used', DataType.FLOAT, [2], new Float32Array([1, 2]));
  b.output(b.node('Relu', [x]), DataType.FLOAT);
  const file = path.join(dir, 'unused-initializer.onnx');
  writeModel(b.build(), file);
  const lines: string[] = [];
  const client = new RunnerClient({ onStderr: (line) => lines.push(line) });
  try {
    await client.run('evaluate', { stages: [{ modelPath: file, threads: 1 }], samples: [{ x: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } }] });
    for (let i = 0; i < 50 && !lines.some((l) => l.includes('never_used')); i++) await new Promise((r) => setTimeout(r, 20));
    const warning = lines.find((l) => l.includes('never_used'));
    assert.ok(warning, `stderr lines: ${JSON.stringify(lines)}`);
    assert.doesNotMatch(warning, /\x1b/);
  } finally {
    client.dispose();
  }
});

test('cancel kills a running benchmark within a second; the next job gets a fresh runner', async () => {
  const client = new RunnerClient();
  try {
    const first = await client.info();
    let cancelledAt = 0;
    const job = client.run('benchmark', endless(cnnPath), {
      onProgress: (p) => { if (!cancelledAt && p.message.startsWith('measured')) { cancelledAt = Date.now(); client.cancel(); } },
    });
    await rejectsWith(job, 'cancelled');
    assert.ok(Date.now() - cancelledAt < 1000, `took ${Date.now() - cancelledAt} ms`);
    const again = await client.run('probe', {});
    assert.deepEqual(again, { ok: true });
    assert.notEqual(client.pid, first.pid);
  } finally {
    client.dispose();
  }
});

test('an AbortSignal cancels too', async () => {
  const client = new RunnerClient();
  try {
    const ac = new AbortController();
    const job = client.run('benchmark', endless(cnnPath), { signal: ac.signal, onProgress: () => ac.abort() });
    await rejectsWith(job, 'cancelled');
  } finally {
    client.dispose();
  }
});

test('a runner killed from outside mid-run is a crash with its signal; the next job succeeds', async () => {
  const client = new RunnerClient();
  try {
    let killed = false;
    const job = client.run('benchmark', endless(cnnPath), {
      onProgress: (p) => { if (!killed && p.message.startsWith('measured')) { killed = true; process.kill(client.pid!, 'SIGKILL'); } },
    });
    await assert.rejects(job, (e: unknown) => e instanceof AdvisorError && e.category === 'crash' && e.details?.signal === 'SIGKILL' && /killed by SIGKILL/.test(e.message));
    await rejectsWith(client.run('probe', { crash: 'abort' }), 'crash', /SIGABRT/);
    await rejectsWith(client.run('probe', { crash: 'exit' }), 'crash', /exited with code 3/);
    const r = await client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1 }], samples: [image] });
    assert.equal(r.outputName, 'logits');
  } finally {
    client.dispose();
  }
});

test('a job past its time limit is a timeout; the next job succeeds', async () => {
  const client = new RunnerClient();
  try {
    await rejectsWith(client.run('benchmark', endless(cnnPath), { timeoutMs: 2500 }), 'timeout', /ran past its time limit of 2\.5 s/);
    const r = await client.run('benchmark', bench(cnnPath, 200));
    assert.equal(r.configs.length, 2);
  } finally {
    client.dispose();
  }
});

test('a model that exhausts a small memory cap is stopped as oom; the next job succeeds', async () => {
  const client = new RunnerClient();
  try {
    // 4096² floats = 64 MB per activation; the cap leaves 32 MB above the idle runner
    const hog = memoryHog(4096);
    const x: Feeds = { x: { type: 'float32', dims: [1, 1], data: Float32Array.of(1) } };
    const baseMB = (await client.run('benchmark', bench(cnnPath, 100))).baseRssMB;
    const cap = Math.ceil(baseMB + 32);
    const err = await client.run('benchmark', { ...bench(hog, 5000, x), configs: [{ id: 'hog', stages: [{ modelPath: hog, threads: 1 }] }] }, { memoryLimitMB: cap })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AdvisorError && err.category === 'oom', String(err));
    assert.match(err.message, new RegExp(`memory cap of ${cap} MB`));
    const ok = await client.run('evaluate', { stages: [{ modelPath: hog, threads: 1 }], samples: [x] });
    assert.equal(Number(ok.outputs[0]!.data[0]), 2 * 4096 * 4096, 'without a cap the same model runs');
    // and its peak memory shows the 64 MB activations (what doesNotFit compares with a tier's memory)
    const measured = await client.run('benchmark', { ...bench(hog, 100, x), configs: [{ id: 'hog', stages: [{ modelPath: hog, threads: 1 }] }] });
    assert.ok(measured.configs[0]!.peakRssMB >= measured.baseRssMB + 64, `${measured.configs[0]!.peakRssMB} vs base ${measured.baseRssMB}`);
  } finally {
    client.dispose();
  }
});

test('the runner exits when its parent dies', async () => {
  // a parent process that starts a long job, prints the runner's pid, then waits to be killed
  const script = `
    const { RunnerClient } = require(${JSON.stringify(path.join(__dirname, 'client.ts'))});
    const c = new RunnerClient();
    c.run('probe', { sleepMs: 60000 }).catch(() => {});
    c.info().then((i) => console.log('PID ' + i.pid));
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = /PID (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
    parent.on('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  assert.ok(alive(pid));
  parent.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(pid), false, 'orphaned runner still running');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
