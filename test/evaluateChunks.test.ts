/**
 * Evaluation sends samples to the runner a chunk at a time; a chunk is bounded by bytes as well as
 * by count, so a model with 1024×1024 inputs does not get 64 of them (768 MB) in one message.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ModelBuilder } from '../src/core/onnx/builder';
import { DataType } from '../src/core/onnx/dtypes';
import { writeModel } from '../src/core/onnx/io';
import { EVAL_CHUNK, EVAL_CHUNK_BYTES, evaluateBuild } from '../src/core/pipeline/accuracy';
import type { Feeds } from '../src/core/protocol/tensor';
import type { RunnerHost } from '../src/core/protocol/runner';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('evaluate-chunks-');

/** The real runner, with the number of samples of each evaluate job it was sent written down. */
function recording(): { host: RunnerHost; jobs: number[] } {
  const jobs: number[] = [];
  const host: RunnerHost = {
    run: (kind, params, opts) => {
      if (kind === 'evaluate') jobs.push((params as { samples: unknown[] }).samples.length);
      return runner.run(kind, params, opts);
    },
    info: () => runner.info(),
    cancel: () => runner.cancel(),
    dispose: () => undefined,
  };
  return { host, jobs };
}

function poolModel(side: number): string {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 4, side, side]);
  b.output(b.node('GlobalAveragePool', [x]), DataType.FLOAT, [1, 4, 1, 1]);
  const file = path.join(dir, `pool${side}.onnx`);
  writeModel(b.build(), file);
  return file;
}

const samples = (side: number, n: number): Feeds[] => Array.from({ length: n }, (_, i) => ({
  x: { type: 'float32' as const, dims: [1, 4, side, side], data: new Float32Array(4 * side * side).fill(i) },
}));

test('large samples go a few at a time, small ones EVAL_CHUNK at a time; every output comes back in order', { timeout: 120_000 }, async () => {
  const big = recording();
  const side = 1024; // 16 MiB per sample
  const r = await evaluateBuild({ operator: 'identity', stages: [poolModel(side)], placements: ['mobile'] }, samples(side, 10), big.host, 1);
  const perJob = Math.floor(EVAL_CHUNK_BYTES / (16 * 2 ** 20));
  assert.deepEqual(big.jobs, [perJob, perJob, 10 - 2 * perJob]);
  assert.deepEqual(r.outputs.map((o) => (o.data as Float32Array)[0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const small = recording();
  await evaluateBuild({ operator: 'identity', stages: [poolModel(8)], placements: ['mobile'] }, samples(8, EVAL_CHUNK + 1), small.host, 1);
  assert.deepEqual(small.jobs, [EVAL_CHUNK, 1]);
});

test('a time cap stops after the chunk that reaches it, once enough samples are in; without one every sample is evaluated', { timeout: 120_000 }, async () => {
  const model = poolModel(8);
  const build = { operator: 'identity' as const, stages: [model], placements: ['mobile' as const] };
  const capped = recording();
  const r = await evaluateBuild(build, samples(8, 10), capped.host, 1, { chunk: 2, timeCap: { ms: 0, minSamples: 3 } });
  assert.deepEqual(capped.jobs, [2, 2], 'the cap is spent at once: stop at the first chunk end with ≥ 3 samples');
  assert.deepEqual(r.outputs.map((o) => (o.data as Float32Array)[0]), [0, 1, 2, 3]);

  const whole = recording();
  const all = await evaluateBuild(build, samples(8, 10), whole.host, 1, { chunk: 2, timeCap: { ms: 60_000, minSamples: 3 } });
  assert.equal(all.outputs.length, 10);
  assert.deepEqual(whole.jobs, [2, 2, 2, 2, 2]);
});
