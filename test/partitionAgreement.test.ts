/**
 * One partition pricing: the cut `recommend` benchmarks for Mobile→Edge is the cut `partition
 * --rank` ranks first for the same model, tiers and link — or one it prices the same (two profiled
 * runs of a real CNN differ by noise, so near-ties may swap).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import type { PricedCut } from '../src/core/partition/types';
import { resolveTiers } from '../src/core/tiers/presets';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { REPO_ROOT, hasSharedModels, sharedModel, tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('agreement-test-');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** Equally priced: within this fraction of the best split's estimated total. */
const SAME_PRICE = 0.1;

// A phone with one slow core in front of the study's Edge: its threads and speed differ from the
// host's, so a pricing that profiled at the host's cores would rank cuts differently.
const tierFile = path.join(dir, 'tiers.json');
fs.writeFileSync(tierFile, JSON.stringify({ tiers: { mobile: { cpus: 1, speed: 0.5 } } }));

async function agree(modelPath: string): Promise<void> {
  const tiers = resolveTiers(tierFile, { cores: 2, memoryMB: 8192 });
  const report = await runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers, maxAccuracyDrop: 2, budgetSeconds: 1,
    outDir: path.join(dir, `out-${path.basename(modelPath)}`), operators: ['identity', 'partition'], placements: ['mobile', 'mobile-edge'], useCache: false,
  }, runner);
  const row = report.results.find((r) => r.operator === 'partition' && r.placement === 'mobile-edge');
  assert.ok(row?.cut, 'recommend measured a Mobile→Edge partition');
  const chosen = row.cut.tensors.join('+');

  const out = execFileSync(process.execPath, [CLI, 'partition', modelPath, '--rank', '--tiers', tierFile, '--from', 'mobile', '--to', 'edge', '--top', '1000', '--json'], { encoding: 'utf8' });
  const ranked = (JSON.parse(out) as { ranked: PricedCut[] }).ranked.filter((p) => p.placement === 'split');
  const name = (p: PricedCut) => p.cut!.tensors.map((t) => t.name).join('+');
  const best = ranked[0]!;
  const same = ranked.find((p) => name(p) === chosen);
  assert.ok(same, `partition --rank lists recommend's cut ${chosen}`);
  assert.ok(same.totalMs <= best.totalMs * (1 + SAME_PRICE),
    `recommend cut ${chosen} (${same.totalMs.toFixed(2)} ms) vs --rank's best ${name(best)} (${best.totalMs.toFixed(2)} ms)`);
}

test('recommend and partition --rank choose the same cut on a small CNN', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), modelPath);
  await agree(modelPath);
});

test('recommend and partition --rank choose the same cut on mobilenet_v2', { timeout: 600_000, skip: hasSharedModels ? false : 'no shared models' }, async () => {
  await agree(sharedModel('mobilenet_v2.onnx'));
});
