/**
 * The advisor pipeline with a real runner on a small fixture: a run cancelled after its latency
 * benchmarks still hands over what finished (every latency, no accuracy, no pick) and caches nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../src/core/errors';
import { writeModel } from '../src/core/onnx/io';
import type { AdvisorReport } from '../src/core/results';
import { resolveTiers } from '../src/core/tiers/presets';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/client';
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
