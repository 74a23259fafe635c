/**
 * `recommend` on a model whose value_info declares wrong intermediate shapes: the partition step
 * warns about each wrong declaration (declared vs measured) and offers a Mobile→Edge cut that
 * onnxruntime ran head → tail against the full model.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import { misannotatedCnn } from '../src/core/partition/fixtures';
import { resolveTiers } from '../src/core/tiers/presets';
import { RunnerClient } from '../src/runner/host/client';
import { tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('annotations-test-');

test('recommend offers a verified cut of a model whose value_info lies, and names each lie', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'lying.onnx');
  writeModel(misannotatedCnn(), modelPath);
  const outDir = path.join(dir, 'out');
  const report = await runAdvisor({
    modelPath, variants: {}, discoverVariants: false, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }), maxAccuracyDrop: 2, budgetSeconds: 1,
    outDir, operators: ['identity', 'partition'], placements: ['mobile', 'mobile-edge'], useCache: false,
  }, runner);
  const warnings = report.warnings ?? [];
  for (const [name, declared, measured] of [['conv1', '?,4,1,?', '1,4,6,8'], ['relu1', '1,4,8,6', '1,4,6,8'], ['pool1', '1,4,12', '1,4,3,4'], ['tiled', '1,8,3,4', '1,8,3,8']]) {
    assert.ok(warnings.includes(`partition: value_info of "${name}" declares [${declared}], measured [${measured}]; the declaration is ignored`), `${name} in ${warnings.join(' | ')}`);
  }
  assert.ok(!warnings.some((w) => /skipped|could not be built/.test(w)), warnings.join(' | '));
  const row = report.results.find((r) => r.operator === 'partition' && r.placement === 'mobile-edge');
  assert.ok(row?.cut, 'a Mobile→Edge partition was measured');
  // the offered cut's parts are what was verified and benchmarked
  const parts = fs.readdirSync(outDir).filter((d) => d.startsWith('lying.mobile-edge.'));
  assert.equal(parts.length, 1, parts.join(', '));
  assert.deepEqual(fs.readdirSync(path.join(outDir, parts[0]!)).sort(), ['head.onnx', 'tail.onnx']);
});
