/**
 * One partition pricing: the cut `recommend` benchmarks for Mobile→Edge is the cut `partition
 * --rank` ranks first for the same model, tiers and link. Both are given the same real profiles
 * (each tier's thread setting is profiled once, in the runner, and replayed to the second caller),
 * so any difference would come from the pricing itself, not from two noisy profiling runs. The
 * CLI is also checked end to end on a small CNN, where two profiles agree closely.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import { rankCutsForTiers } from '../src/core/partition/tiers';
import type { PricedCut } from '../src/core/partition/types';
import type { RunnerHost } from '../src/core/protocol/runner';
import { modelInputSpecs, syntheticSamples } from '../src/core/data';
import { resolveTiers } from '../src/core/tiers/presets';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { REPO_ROOT, hasSharedModels, sharedModel, tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('agreement-test-');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

// A phone with one slow core in front of the study's Edge: its threads and speed differ from the
// host's, so a pricing that profiled at the host's cores would rank cuts differently.
const tierFile = path.join(dir, 'tiers.json');
fs.writeFileSync(tierFile, JSON.stringify({ tiers: { mobile: { cpus: 1, speed: 0.5 } } }));
const tiers = resolveTiers(tierFile, { cores: 2, memoryMB: 8192 });

/** The real runner, with each profile measured once and replayed (keyed by model and threads). */
function replayingProfiles(): RunnerHost {
  const seen = new Map<string, unknown>();
  return {
    run: async (kind, params, opts) => {
      if (kind !== 'profile') return runner.run(kind, params, opts);
      const p = params as { stage: { modelPath: string; threads: number } };
      const key = `${p.stage.modelPath}@${p.stage.threads}`;
      if (!seen.has(key)) seen.set(key, await runner.run(kind, params, opts));
      return seen.get(key) as never;
    },
    info: () => runner.info(),
    runtimeVersion: () => runner.runtimeVersion(),
    cancel: () => runner.cancel(),
    dispose: () => undefined,
  };
}

const name = (p: PricedCut) => p.cut!.tensors.map((t) => t.name).join('+');

async function recommendCut(modelPath: string, host: RunnerHost): Promise<string> {
  const report = await runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers, maxAccuracyDrop: 2, budgetSeconds: 1,
    outDir: path.join(dir, `out-${path.basename(modelPath)}`), operators: ['identity', 'partition'], placements: ['mobile', 'mobile-edge'], useCache: false,
  }, host);
  const row = report.results.find((r) => r.operator === 'partition' && r.placement === 'mobile-edge');
  assert.ok(row?.cut, 'recommend measured a Mobile→Edge partition');
  return row.cut.tensors.join('+');
}

test('recommend and partition --rank choose the same cut of mobilenet_v2 from the same profiles', { timeout: 600_000, skip: hasSharedModels ? false : 'no shared models' }, async () => {
  const modelPath = sharedModel('mobilenet_v2.onnx');
  const host = replayingProfiles();
  const chosen = await recommendCut(modelPath, host);
  const loaded = readModel(modelPath);
  const samples = syntheticSamples(modelInputSpecs(loaded.model), 'image', 2, 1);
  const ranked = (await rankCutsForTiers(host, modelPath, loaded.model, tiers, 'mobile', 'edge', samples)).ranked.filter((p) => p.placement === 'split');
  assert.equal(chosen, name(ranked[0]!), `recommend's cut vs partition --rank's first (${ranked.slice(0, 3).map((p) => `${name(p)} ${p.totalMs.toFixed(2)} ms`).join(', ')})`);
});

test('recommend and the partition --rank command agree on a small CNN', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), modelPath);
  const chosen = await recommendCut(modelPath, runner);
  const out = execFileSync(process.execPath, [CLI, 'partition', modelPath, '--rank', '--tiers', tierFile, '--from', 'mobile', '--to', 'edge', '--top', '1000', '--json'], { encoding: 'utf8' });
  const ranked = (JSON.parse(out) as { ranked: PricedCut[] }).ranked.filter((p) => p.placement === 'split');
  const best = ranked[0]!;
  const same = ranked.find((p) => name(p) === chosen);
  assert.ok(same, `partition --rank lists recommend's cut ${chosen}`);
  // two profiling runs of the same model differ a little: the chosen cut is priced as the best, or within 10% of it
  assert.ok(same.totalMs <= best.totalMs * 1.1, `recommend cut ${chosen} (${same.totalMs.toFixed(2)} ms) vs --rank's best ${name(best)} (${best.totalMs.toFixed(2)} ms)`);
});
