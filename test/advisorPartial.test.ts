/**
 * The advisor pipeline with a real runner on a small fixture: results arrive while it runs —
 * provisional reports with the rows measured so far and a provisional pick — and a run cancelled
 * mid-race hands over every row measured, marked as stopped, and caches nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../src/core/errors';
import { writeModel } from '../src/core/onnx/io';
import type { AdvisorProgress } from '../src/core/pipeline/types';
import type { AdvisorReport } from '../src/core/results';
import { resolveTiers } from '../src/core/tiers/presets';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';
import { runAdvisor } from '../src/core/pipeline/advisor';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('advisor-test-');

test('provisional reports arrive while the run measures: first rows, a provisional pick, then the final report', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), modelPath);
  const partials: AdvisorReport[] = [];
  const progress: AdvisorProgress[] = [];
  const started = Date.now();
  let firstRowsAt = 0;
  const final = await runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }),
    maxAccuracyDrop: 2, budgetSeconds: 3, outDir: path.join(dir, 'out'), operators: ['identity', 'sptq'], placements: ['mobile', 'edge'],
  }, runner, {
    onPartial: (r) => { if (!firstRowsAt) firstRowsAt = Date.now(); partials.push(r); },
    onProgress: (p) => progress.push(p),
  });
  assert.ok(partials.length >= 2, `${partials.length} provisional reports`);
  assert.ok(partials.every((r) => r.provisional === true));
  assert.deepEqual(partials[0]!.results.map((r) => `${r.operator}@${r.placement}`), ['identity@mobile', 'identity@edge'], 'Identity is measured before SPTQ is built');
  assert.ok(partials.some((r) => r.recommendation), 'a provisional pick once accuracy is known');
  assert.ok(partials.at(-1)!.results.some((r) => r.operator === 'sptq'), 'SPTQ joins the race once built');
  assert.equal(final.provisional, undefined);
  assert.ok(final.results.every((r) => r.sampling && r.sampling.stopped !== 'running'), 'every final row says why its sampling stopped');
  // the plan is known from the start and carries every operator
  const plan = progress.find((p) => p.plan)!.plan!;
  assert.deepEqual(plan.operators.map((o) => o.operator), ['identity', 'sptq']);
  assert.ok(plan.estimatedSeconds > 0);
  assert.ok(firstRowsAt - started < 0.9 * (Date.now() - started), 'rows came well before the end');
});

test('a run cancelled mid-race hands over every row measured so far, marked stopped, and caches nothing', { timeout: 300_000 }, async (t) => {
  const modelPath = path.join(dir, 'cnn-cancel.onnx');
  writeModel(cnnModel(), modelPath);
  const outDir = path.join(dir, 'out-cancel');
  const abort = new AbortController();
  const partials: AdvisorReport[] = [];
  let atCancel: AdvisorReport | undefined;
  const run = runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }),
    maxAccuracyDrop: 2, budgetSeconds: 60, outDir, operators: ['identity', 'sptq'],
  }, runner, {
    signal: abort.signal,
    // the user presses Cancel once SPTQ's rows are shown
    onPartial: (r) => {
      partials.push(r);
      if (!abort.signal.aborted && r.results.some((x) => x.operator === 'sptq')) { atCancel = r; abort.abort(); }
    },
  });
  await assert.rejects(run, (e: unknown) => e instanceof AdvisorError && e.category === 'cancelled');
  const last = partials.at(-1)!;
  assert.notEqual(last, atCancel, 'a last report follows the cancel');
  assert.ok(last.results.some((r) => r.operator === 'sptq') && last.results.some((r) => r.operator === 'identity'));
  const key = (r: AdvisorReport['results'][number]) => `${r.operator}@${r.placement}`;
  const stateAtCancel = new Map(atCancel!.results.map((r) => [key(r), r.sampling?.stopped]));
  for (const r of last.results) {
    assert.ok(r.latencyMs.median > 0, `${key(r)} has a latency`);
    assert.notEqual(r.sampling?.stopped, 'running', 'nothing claims to be still measuring');
    // rows still measured when Cancel was pressed say they were cut short; decided ones keep their reason
    if (stateAtCancel.get(key(r)) === 'running') assert.equal(r.sampling?.stopped, 'stopped', key(r));
  }
  // on a fast machine every row of this tiny model may be decided before Cancel; say so rather than pass silently
  if (![...stateAtCancel.values()].includes('running')) t.diagnostic('every row was decided before Cancel was pressed');
  // nothing cached: a cancelled run must not answer the next one
  const cacheDir = path.join(outDir, 'cache');
  assert.ok(!fs.existsSync(cacheDir) || fs.readdirSync(cacheDir).length === 0);
});
