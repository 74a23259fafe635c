/**
 * The built CLI on model shapes real exports have (test/fixtures/unusual.ts): each must quantize
 * (or be refused with its reason) and go through `recommend` without an internal error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import type { AdvisorReport } from '../src/core/results';
import { UNUSUAL } from './fixtures/unusual';
import { runCli, skipWithoutCli, tempDir } from './support/shared';

const dir = tempDir();
const files = Object.fromEntries(Object.entries(UNUSUAL).map(([name, build]) => {
  const file = path.join(dir, `${name}.onnx`);
  writeModel(build(), file);
  return [name, file];
})) as Record<keyof typeof UNUSUAL, string>;

interface QuantizeJson { out: string; fusion: { share: number }; fidelity?: { top1Agreement: number | null; sqnrDb: number }; notes?: string[] }

test('SPTQ quantizes every unusual export, or refuses it saying why', { skip: skipWithoutCli, timeout: 300_000 }, () => {
  for (const name of ['opset8', 'pad10', 'tfNhwc', 'squeezeLike', 'argmaxFirst', 'smallVocab', 'detectionHead'] as const) {
    const r = runCli(['quantize', files[name], '--no-speed-check', '--json', '--out', path.join(dir, `${name}.sptq.onnx`)]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const q = JSON.parse(r.stdout) as QuantizeJson;
    assert.ok(q.fusion.share > 0, `${name}: something runs as integer kernels`);
    assert.ok(q.fidelity && Number.isFinite(q.fidelity.sqnrDb) && q.fidelity.sqnrDb > 15, `${name}: output SQNR ${q.fidelity?.sqnrDb}`);
    // a detection grid has no top class: no top-1 agreement (NaN, null in JSON) rather than a meaningless one
    if (name === 'detectionHead') assert.equal(q.fidelity.top1Agreement, null);
    else assert.ok((q.fidelity.top1Agreement ?? 0) >= 0.75, `${name}: top-1 agreement ${q.fidelity.top1Agreement}`);
  }
  const fp16 = runCli(['quantize', files.fp16, '--no-speed-check']);
  assert.equal(fp16.code, 1);
  assert.match(fp16.stderr, /fp16\.onnx: nothing to quantize: every Conv\/MatMul\/Gemm stays float \(1 × Conv: input is not a float32 activation\)/);
});

test('recommend scores a detection head and SqueezeNet-shaped scores without labels', { skip: skipWithoutCli, timeout: 300_000 }, () => {
  for (const name of ['detectionHead', 'squeezeLike'] as const) {
    const r = runCli(['recommend', files[name], '--budget-seconds', '1', '--json', '--quiet', '--out-dir', path.join(dir, `out-${name}`)], { timeoutMs: 300_000 });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as AdvisorReport;
    assert.equal(report.metric, 'agreement');
    const sptq = report.results.find((x) => x.operator === 'sptq')!;
    assert.ok(sptq.accuracy !== undefined && sptq.accuracy >= 0 && sptq.accuracy <= 100);
    const byClass = name === 'squeezeLike';
    assert.equal(report.warnings?.some((w) => /not class scores/.test(w)) ?? false, !byClass, `${name}: ${byClass ? 'top-class' : 'SQNR'} agreement`);
  }
});

test('an audio model whose sample count is symbolic: the guessed size fails saying how to give it, --shape runs it', { skip: skipWithoutCli, timeout: 300_000 }, () => {
  const out = path.join(dir, 'out-audio');
  const guessed = runCli(['recommend', files.audioFrames, '--budget-seconds', '1', '--quiet', '--out-dir', out]);
  assert.equal(guessed.code, 1, guessed.stderr);
  assert.match(guessed.stderr, /onnxruntime failed to run the model: .* \(synthetic samples were sized input \[1, 1\] \(guessed\): give the sizes the model expects with --shape name=d,d,\.\.\. or "shapes" for the model in edge-advisor\.json, or real samples with --data\)/);

  const sized = runCli(['recommend', files.audioFrames, '--shape', 'input=1,512', '--budget-seconds', '1', '--json', '--quiet', '--out-dir', out], { timeoutMs: 300_000 });
  assert.equal(sized.code, 0, sized.stderr);
  const report = JSON.parse(sized.stdout) as AdvisorReport;
  assert.ok(report.results.some((r) => r.operator === 'identity' && r.latencyMs.median > 0), 'measured at 512 samples');

  // the sizes are part of what was measured: another size is measured again, the same one is cached
  const bench = (shape: string) => JSON.parse(runCli(['bench', files.audioFrames, '--shape', shape, '--placements', 'mobile', '--budget-seconds', '1', '--json', '--out', out]).stdout) as { environment: { cached: boolean } };
  assert.equal(bench('input=1,256').environment.cached, false);
  assert.equal(bench('input=1,512').environment.cached, false);
  assert.equal(bench('input=1,512').environment.cached, true);

  const wrongRank = runCli(['recommend', files.audioFrames, '--shape', 'input=512', '--out-dir', out]);
  assert.equal(wrongRank.code, 2);
  assert.match(wrongRank.stderr, /the shape given for "input" has 1 dimensions; the model declares 2: \[batch, samples\]/);
});
