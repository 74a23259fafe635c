/**
 * `recommend <model.onnx>` end to end on the bundled digits family: every operator on every
 * placement is measured for real, accuracies match the ones recorded when the models were trained,
 * and the recommendation follows from the report's own numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AdvisorReport } from '../src/core/results';
import { REPO_ROOT, SAMPLE_DIR, tempDir } from './support/shared';
import { writeModel } from '../src/core/onnx/io';
import { boxes } from './fixtures/models';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const sample = (f: string) => path.join(SAMPLE_DIR, f);

test('recommend fills the whole matrix on the digits family and its pick follows from its numbers', { timeout: 600_000 }, () => {
  const out = tempDir();
  const model = sample('digits_teacher.onnx');
  const before = fs.readFileSync(model);
  const r = spawnSync(process.execPath, [CLI, 'recommend', model,
    '--data', sample('digits_test_x.npy'), '--labels', sample('digits_test_y.npy'), '--calib', sample('digits_calib_x.npy'),
    '--budget-seconds', '3', '--out-dir', out, '--json', '--quiet', '--report', path.join(out, 'report.md')], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as AdvisorReport;

  // every operator × placement, measured
  const have = new Set(report.results.map((x) => `${x.operator}/${x.placement}`));
  for (const op of ['identity', 'sptq', 'distilled', 'pruned', 'qat', 'dsptq']) {
    for (const p of ['mobile', 'edge', 'cloud']) assert.ok(have.has(`${op}/${p}`), `${op} on ${p}`);
  }
  for (const op of ['partition', 'sptq-partition']) for (const p of ['mobile-edge', 'edge-cloud']) assert.ok(have.has(`${op}/${p}`), `${op} on ${p}`);
  for (const row of report.results) {
    assert.ok(row.latencyMs.median > 0 && (row.samplesMs?.length ?? 0) >= 20, `${row.operator}/${row.placement} measured`);
    assert.ok(row.latencyMs.ciLow! <= row.latencyMs.median && row.latencyMs.median <= row.latencyMs.ciHigh!);
  }

  // accuracies agree with the ones recorded at training time (digits_accuracy.json, 450 test images)
  const recorded = JSON.parse(fs.readFileSync(sample('digits_accuracy.json'), 'utf8')) as Record<string, number>;
  const acc = (op: string) => report.results.find((x) => x.operator === op && x.placement === 'mobile')!.accuracy!;
  assert.equal(report.metric, 'top1');
  assert.ok(Math.abs(acc('identity') - recorded['teacher']! * 100) < 0.01);
  assert.ok(Math.abs(acc('distilled') - recorded['student_distilled']! * 100) < 0.01);
  assert.ok(Math.abs(acc('pruned') - recorded['pruned60']! * 100) < 0.01);
  assert.ok(Math.abs(acc('qat') - recorded['qat_fakequant']! * 100) < 0.01);
  // the QAT export keeps BatchNormalization between Conv and Q: onnxruntime fuses none of it, and the report says why
  const qat = report.results.find((x) => x.operator === 'qat' && x.placement === 'mobile')!;
  assert.match(qat.note ?? '', /^0\/7 Conv\/MatMul\/Gemm run as integer kernels/);
  assert.ok(qat.flags.includes('lowFusionCoverage'));
  assert.ok(report.warnings?.some((w) => /QAT variant runs only 0 of its 7 .*fold BatchNormalization/.test(w)), String(report.warnings));
  // SPTQ of the teacher keeps accuracy within half a point; partitions compute the same function
  assert.ok(acc('identity') - acc('sptq') <= 0.5, `SPTQ drop ${acc('identity') - acc('sptq')}`);
  const part = report.results.find((x) => x.operator === 'partition')!;
  assert.equal(part.accuracy, acc('identity'));
  assert.ok(part.cut && part.cut.bytes > 0 && part.transfers!.some((t) => t.what === 'cut'));

  // the pick: within budget, and no in-budget row is faster unless the engine calls them tied
  const rec = report.recommendation!;
  const pick = report.results.find((x) => x.operator === rec.operator && x.placement === rec.placement)!;
  assert.ok(pick.accuracyDrop! <= report.maxAccuracyDrop);
  const feasible = report.results.filter((x) => x.accuracyDrop! <= report.maxAccuracyDrop && !x.flags.includes('doesNotFit'));
  const tied = new Set(rec.tiedWith.map((t) => `${t.operator}/${t.placement}`));
  for (const row of feasible) {
    if (row.latencyMs.median < pick.latencyMs.median) assert.ok(tied.has(`${row.operator}/${row.placement}`), `${row.operator}/${row.placement} is faster but not tied`);
  }
  assert.ok(report.pareto.length > 0);
  assert.ok(fs.readFileSync(path.join(out, 'report.md'), 'utf8').includes('Recommendation'));
  assert.deepEqual(fs.readFileSync(model), before, 'the model file is untouched');
});

test('without data or class outputs, fidelity is per-sample SQNR agreement with the float model', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const model = path.join(dir, 'boxes.onnx');
  writeModel(boxes(), model);
  const r = spawnSync(process.execPath, [CLI, 'recommend', model, '--budget-seconds', '1', '--json', '--quiet', '--out-dir', path.join(dir, 'out')], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as AdvisorReport;
  assert.equal(report.metric, 'agreement');
  assert.ok(report.warnings!.some((w) => /synthetic/.test(w)));
  const identity = report.results.find((x) => x.operator === 'identity')!;
  assert.equal(identity.accuracy, 100);
  assert.ok(identity.flags.includes('fidelityOnly'));
  const sptq = report.results.find((x) => x.operator === 'sptq')!;
  assert.ok(sptq.flags.includes('syntheticCalibration'));
  assert.ok(Number.isFinite(sptq.fidelity!.sqnrDb) && sptq.fidelity!.sqnrDb > 10, `SQNR ${sptq.fidelity!.sqnrDb}`);
  assert.ok(report.recommendation !== null);
  assert.equal(report.cachedAt, undefined);

  // the same run again is answered from the cache; a new budget still re-ranks
  const again = spawnSync(process.execPath, [CLI, 'recommend', model, '--budget-seconds', '1', '--json', '--quiet', '--out-dir', path.join(dir, 'out'), '--max-accuracy-drop', '0'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(again.status, 0, again.stderr);
  const cached = JSON.parse(again.stdout) as AdvisorReport;
  assert.equal(cached.cachedAt, report.environment.date);
  assert.deepEqual(cached.results.map((x) => x.latencyMs.median), report.results.map((x) => x.latencyMs.median));
  assert.equal(cached.maxAccuracyDrop, 0);
  const fresh = spawnSync(process.execPath, [CLI, 'recommend', model, '--budget-seconds', '1', '--json', '--quiet', '--out-dir', path.join(dir, 'out'), '--no-cache'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal((JSON.parse(fresh.stdout) as AdvisorReport).cachedAt, undefined);
});

test('an already-quantized model: no SPTQ, no calibration warning, and the report says how much of it really runs in int8', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [CLI, 'recommend', sample('digits_qat.onnx'), '--budget-seconds', '1', '--json', '--quiet',
    '--no-cache', '--out-dir', path.join(dir, 'out')], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as AdvisorReport;
  assert.ok(!report.results.some((x) => x.operator === 'sptq'));
  assert.ok(!report.warnings!.some((w) => /SPTQ ranges/.test(w)), String(report.warnings));
  assert.ok(report.warnings!.some((w) => /the model runs only 0 of its 7 Conv\/MatMul\/Gemm as integer kernels/.test(w)), String(report.warnings));
  const identity = report.results.find((x) => x.operator === 'identity')!;
  assert.match(identity.note ?? '', /0\/7 Conv\/MatMul\/Gemm run as integer kernels/);
});
