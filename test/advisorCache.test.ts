/**
 * One results cache, in the advisor: an unchanged model, data and settings are answered from it
 * without starting a runner, re-ranked at the new budget; every run lands in the run history.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { listRuns } from '../src/core/history/runs';
import { writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import type { AdvisorRequest } from '../src/core/pipeline/types';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { resolveTiers } from '../src/core/tiers/presets';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';

test('a repeated run is answered from the cache without a runner, at the new budget, and both runs are in the history', { timeout: 300_000 }, async () => {
  const dir = tempDir('advisor-cache-');
  const modelPath = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), modelPath);
  const outDir = path.join(dir, 'out');
  const req: AdvisorRequest = {
    modelPath, variants: {}, discoverVariants: false, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }),
    maxAccuracyDrop: 2, budgetSeconds: 1, outDir, operators: ['identity', 'sptq'], placements: ['mobile', 'edge'],
  };
  const first = new RunnerClient();
  const measured = await runAdvisor(req, first).finally(() => first.dispose());
  assert.equal(measured.cachedAt, undefined);

  const second = new RunnerClient();
  try {
    const again = await runAdvisor({ ...req, maxAccuracyDrop: 0 }, second);
    assert.equal(second.pid, undefined, 'no runner was started');
    assert.equal(again.cachedAt, measured.environment.date);
    assert.deepEqual(again.results.map((r) => r.samplesMs), measured.results.map((r) => r.samplesMs), 'the same measurements');
    assert.equal(again.maxAccuracyDrop, 0, 'ranked at the new budget');
    const redo = await runAdvisor({ ...req, useCache: false }, second);
    assert.ok(second.pid !== undefined, 'a re-run with the cache off measures again');
    assert.equal(redo.cachedAt, undefined);
  } finally {
    second.dispose();
  }
  const runs = listRuns(outDir, modelPath);
  assert.equal(runs.length, 3);
  assert.deepEqual(runs.map((r) => r.maxAccuracyDrop), [2, 0, 2]);
  assert.ok(runs[1]!.cachedAt);
});
