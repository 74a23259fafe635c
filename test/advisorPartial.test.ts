/**
 * The advisor pipeline with a real runner on a small fixture: a run cancelled after its latency
 * benchmarks still hands over what finished (every latency, no accuracy, no pick) and caches nothing;
 * one cancelled during them hands over the rounds measured so far.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../src/core/errors';
import { writeModel } from '../src/core/onnx/io';
import { modelInputSpecs, syntheticSamples } from '../src/core/data';
import { measure } from '../src/core/pipeline/measure';
import type { RunnerHost } from '../src/core/protocol/runner';
import type { AdvisorReport, ResultRow } from '../src/core/results';
import { resolveTiers } from '../src/core/tiers/presets';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';
import { runAdvisor } from '../src/core/pipeline/advisor';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('advisor-test-');

test('a run cancelled after the latency benchmarks keeps its latencies as a partial report', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), modelPath);
  const outDir = path.join(dir, 'out');
  const abort = new AbortController();
  const partials: AdvisorReport[] = [];
  const run = runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }),
    maxAccuracyDrop: 2, budgetSeconds: 2, outDir, operators: ['identity', 'sptq'],
  }, runner, {
    signal: abort.signal,
    // the user presses Cancel as soon as the latencies are in
    onPartial: (r) => { partials.push(r); abort.abort(); },
  });
  await assert.rejects(run, (e: unknown) => e instanceof AdvisorError && e.category === 'cancelled');
  assert.equal(partials.length, 1);
  const [p] = partials;
  assert.ok(p!.results.length >= 2, `${p!.results.length} rows`);
  for (const r of p!.results) {
    assert.ok(r.latencyMs.median > 0, `${r.operator}@${r.placement} has a latency`);
    assert.equal(r.accuracy, undefined);
  }
  assert.equal(p!.recommendation ?? null, null);
  assert.match(p!.noRecommendationReason ?? '', /before accuracy was measured/);
  // nothing cached: a cancelled run must not answer the next one
  const cacheDir = path.join(outDir, 'cache');
  assert.ok(!fs.existsSync(cacheDir) || fs.readdirSync(cacheDir).length === 0);
});

test('a benchmark cancelled midway hands over the latencies of the rounds measured so far', { timeout: 120_000 }, async () => {
  const modelPath = path.join(dir, 'cnn-mid.onnx');
  writeModel(cnnModel(), modelPath);
  // a target no run can meet, so the job is still measuring when the user cancels
  const neverDone: RunnerHost = {
    run: (kind, params, opts) => runner.run(kind, (kind === 'benchmark' ? { ...params, targetRelHalfWidth: 0 } : params) as typeof params, opts),
    info: () => runner.info(),
    cancel: () => runner.cancel(),
    dispose: () => undefined,
  };
  const abort = new AbortController();
  const stopped: ResultRow[][] = [];
  const run = measure({
    builds: [{ operator: 'identity', stages: [modelPath], placements: ['mobile', 'edge'] }],
    tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }), hostCores: 2,
    samples: syntheticSamples(modelInputSpecs(cnnModel()), 'image', 2), inputBytes: 1000, budgetMs: 60_000,
  }, neverDone, {
    signal: abort.signal,
    onProgress: (p) => { if (p.measured?.length) abort.abort(); },
  }, (rows) => stopped.push(rows));
  await assert.rejects(run, (e: unknown) => e instanceof AdvisorError && e.category === 'cancelled');
  assert.equal(stopped.length, 1);
  assert.deepEqual(stopped[0]!.map((r) => r.placement), ['mobile', 'edge']);
  for (const r of stopped[0]!) {
    assert.ok((r.latencyMs.n ?? 0) >= 3 && r.latencyMs.median > 0, `${r.placement}: ${r.latencyMs.n} samples`);
    assert.ok(r.flags.includes('ciNotReached'), 'a stopped benchmark never claims its CI');
  }
});
