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

function bench(modelPath: string, budgetMs: number, feeds: Feeds = image): BenchmarkParams {
  return {
    configs: [
      { id: 't1', stages: [{ modelPath, threads: 1, spinning: false }] },
      { id: 't2', stages: [{ modelPath, threads: 2, spinning: true }] },
    ],
    samples: [feeds],
    budgetMs,
    warmupRuns: 2,
    minSamples: 10,
  };
}

/** A benchmark that would run for 30 s: its CI target (0%) can never be met and there is no sample cap. */
const endless = (modelPath: string) => ({ ...bench(modelPath, 30000), targetRelHalfWidth: 0, maxSamples: Number.MAX_SAFE_INTEGER });

const rejectsWith = async (p: Promise<unknown>, category: ErrorCategory, re?: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AdvisorError, `expected an AdvisorError, got ${String(e)}`);
    assert.equal(e.category, category, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
};

test('a benchmark measures configurations in alternating blocks and reports every recorded sample', async () => {
  const client = new RunnerClient();
  try {
    const progress: string[] = [];
    const r = await client.run('benchmark', bench(cnnPath, 1500), { onProgress: (p) => progress.push(p.message) });
    assert.deepEqual(r.configs.map((c) => c.id), ['t1', 't2']);
    for (const c of r.configs) {
      assert.ok(c.samplesMs.length >= 10, `${c.id}: ${c.samplesMs.length} samples`);
      assert.ok(c.samplesMs.every((x) => x > 0));
      assert.equal(c.stages[0]!.outputBytes, 10 * 4, 'logits [1,10] float32');
      assert.deepEqual(c.stages[0]!.outputNames, ['logits']);
      assert.ok(c.stages[0]!.coldStartMs > 0);
      assert.ok(c.peakRssMB >= r.baseRssMB);
    }
    // they took turns: the same number of blocks each, every block at least one recorded run
    assert.equal(r.configs[0]!.blocks, r.configs[1]!.blocks);
    for (const c of r.configs) assert.ok(c.blocks >= 1 && c.samplesMs.length >= c.blocks, `${c.id}: ${c.samplesMs.length} samples in ${c.blocks} blocks`);
    assert.ok(progress.some((m) => m.startsWith('loaded t1')));
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
    for (const c of warm.configs) assert.ok(c.rewarmRuns >= c.blocks, `${c.id}: ${c.rewarmRuns} re-warm runs in ${c.blocks} blocks`);
    const none = await client.run('benchmark', { ...bench(cnnPath, 300), rewarmMs: 0, blockMs: 10 });
    for (const c of none.configs) assert.equal(c.rewarmRuns, 0);
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
      configs: [{ id: 'split', stages: [{ modelPath: head, threads: 1, spinning: false }, { modelPath: tail, threads: 1, spinning: false }] }],
      samples: [image], budgetMs: 400, warmupRuns: 2,
    });
    const c = r.configs[0]!;
    const [h, t] = c.stages;
    assert.ok(c.samplesMs.length >= c.blocks && c.blocks >= 1);
    assert.equal(h!.samplesMs.length, c.samplesMs.length);
    assert.equal(t!.samplesMs.length, c.samplesMs.length);
    c.samplesMs.forEach((total, i) => assert.ok(Math.abs(total - (h!.samplesMs[i]! + t!.samplesMs[i]!)) < 1e-9, `run ${i}`));
    assert.ok(h!.outputBytes > 0 && t!.outputBytes === 10 * 4, 'the tail ran on the head\'s cut tensors and produced the logits');
  } finally {
    client.dispose();
  }
});

test('sampling stops once the CI target is met, and runs to the budget when it cannot be', async () => {
  const client = new RunnerClient();
  try {
    // a ±50% target is met as soon as the minimum sample count is, long before a 60 s budget
    const loose = await client.run('benchmark', { ...bench(cnnPath, 60000), targetRelHalfWidth: 0.5 });
    assert.ok(loose.configs.every((c) => c.ciReached));
    assert.ok(loose.elapsedMs < 60000);
    // a 0% target is never met: the budget ends the job and says so
    const strict = await client.run('benchmark', { ...bench(cnnPath, 300), targetRelHalfWidth: 0 });
    assert.ok(strict.configs.every((c) => !c.ciReached && c.samplesMs.length >= 1));
  } finally {
    client.dispose();
  }
});

test('the benchmark streams its samples in progress messages: merged, they are the result\'s samples', async () => {
  const client = new RunnerClient();
  try {
    const streamed = new Map<string, number[]>();
    const r = await client.run('benchmark', { ...bench(cnnPath, 1200), targetRelHalfWidth: 0 }, {
      onProgress: (p) => { for (const c of p.measured ?? []) streamed.set(c.id, [...(streamed.get(c.id) ?? []), ...c.samplesMs]); },
    });
    assert.ok(streamed.size === 2, 'both configurations streamed');
    for (const c of r.configs) {
      const s = streamed.get(c.id)!;
      assert.ok(s.length > 0 && s.length <= c.samplesMs.length);
      assert.deepEqual(s, c.samplesMs.slice(0, s.length), `${c.id}: streamed samples are the result's first ones, in order`);
    }
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
    await rejectsWith(client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1, spinning: false }], samples: [{}] }), 'input', /no value for model input "image"/);
    const ok = await client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1, spinning: false }], samples: [image, image] });
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
      const r = await client.run('evaluate', { stages: [{ modelPath: file, threads: 1, spinning: false }], samples: batch });
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
    await client.run('evaluate', { stages: [{ modelPath: file, threads: 1, spinning: false }], samples: [{ x: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } }] });
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
    const r = await client.run('evaluate', { stages: [{ modelPath: cnnPath, threads: 1, spinning: false }], samples: [image] });
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
    const err = await client.run('benchmark', { ...bench(hog, 5000, x), configs: [{ id: 'hog', stages: [{ modelPath: hog, threads: 1, spinning: false }] }] }, { memoryLimitMB: cap })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AdvisorError && err.category === 'oom', String(err));
    assert.match(err.message, new RegExp(`memory cap of ${cap} MB`));
    const ok = await client.run('evaluate', { stages: [{ modelPath: hog, threads: 1, spinning: false }], samples: [x] });
    assert.equal(Number(ok.outputs[0]!.data[0]), 2 * 4096 * 4096, 'without a cap the same model runs');
    // and its peak memory shows the 64 MB activations (what doesNotFit compares with a tier's memory)
    const measured = await client.run('benchmark', { ...bench(hog, 100, x), configs: [{ id: 'hog', stages: [{ modelPath: hog, threads: 1, spinning: false }] }] });
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
