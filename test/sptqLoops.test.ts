/**
 * The SPTQ step's two loops through the real runner, with no timing claims (those live in the
 * benchmark): the accuracy fallback keeps the most sensitive layers float until the target is met
 * and terminates; cross-layer equalization keeps the 100–500× imbalanced digits CNN within a
 * point of float; and whatever the clock says, a model is written only when it was measured
 * faster than the float model, never when slower.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset, loadLabels, modelInputSpecs } from '../src/core/data';
import { readModel, writeModel } from '../src/core/onnx/io';
import { runSptq, SptqNotOfferedError, type SptqResult } from '../src/core/quantize/sptq';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { rescaleChannels } from './fixtures/imbalanced';
import { SAMPLE_DIR, tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('sptq-loops-');

const imbalanced = path.join(dir, 'digits_imbalanced.onnx');
writeModel(rescaleChannels(readModel(path.join(SAMPLE_DIR, 'digits_teacher.onnx')).model), imbalanced);
const inputs = modelInputSpecs(readModel(imbalanced).model);
const calib = loadDataset(path.join(SAMPLE_DIR, 'digits_calib_x.npy'), inputs).samples;
const testX = loadDataset(path.join(SAMPLE_DIR, 'digits_test_x.npy'), inputs).samples;
const labels = Array.from(loadLabels(path.join(SAMPLE_DIR, 'digits_test_y.npy'), testX.length).data);

test('default SPTQ (with cross-layer equalization) loses at most 1 point on the 100–500× imbalanced digits CNN', async () => {
  const r = await runSptq(runner, imbalanced, path.join(dir, 'eq.sptq.onnx'), calib, {
    fidelitySamples: testX, perLayer: false, accuracy: { kind: 'accuracy', labels, maxDropPoints: 1 },
  });
  const a = r.fidelity!.accuracy!;
  assert.ok(a.floatPct - a.int8Pct <= 1, `${a.floatPct}% → ${a.int8Pct}%`);
  assert.ok(r.report.notes.some((n) => /cross-layer equalization/.test(n)));
  assert.equal(r.accuracy!.met, true);
  assert.equal(r.accuracy!.fallback, undefined, 'no layer had to stay float');
});

test('without equalization the accuracy target is missed, and the fallback keeps the most sensitive layers float until it is met', async () => {
  const r = await runSptq(runner, imbalanced, path.join(dir, 'noeq.sptq.onnx'), calib, {
    equalize: false, fidelitySamples: testX.slice(0, 200), perLayer: false,
  });
  const fb = r.accuracy!.fallback!;
  assert.ok(fb.before.top1Agreement < 0.9, `the imbalance breaks per-tensor activations: ${fb.before.top1Agreement}`);
  assert.equal(fb.met, true);
  assert.equal(r.accuracy!.met, true);
  assert.ok(r.fidelity!.top1Agreement >= 0.99);
  assert.ok(fb.keptFloat.length >= 1 && fb.keptFloat.length < 7, fb.keptFloat.map((k) => k.node).join(', '));
  // greedy 1, 2, 4, … then a bisection: a handful of steps for 7 layers
  assert.ok(fb.steps.length <= 6, JSON.stringify(fb.steps));
  assert.equal(fb.steps.find((s) => s.count === fb.keptFloat.length)?.met, true);
  assert.ok(fb.steps.filter((s) => s.count < fb.keptFloat.length).every((s) => !s.met));
  for (const k of fb.keptFloat) assert.ok(r.report.skipped.some((s) => s.name === k.node && /excluded/.test(s.reason)), k.node);
});

test('a model is written only when it was measured faster than the float model; a slower one is not offered', async () => {
  const file = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), file);
  const out = path.join(dir, 'cnn.sptq.onnx');
  const data = Array.from({ length: 12 }, (_, i) => ({ image: { type: 'float32' as const, dims: [1, 5, 16, 16], data: new Float32Array(1280).map((_, k) => Math.sin(i + k * 0.3)) } }));
  let r: SptqResult;
  let offered = true;
  try {
    r = await runSptq(runner, file, out, data.slice(0, 8), { fidelitySamples: data.slice(8), speedCheck: { samples: data.slice(8), budgetMs: 600 } });
  } catch (e) {
    assert.ok(e instanceof SptqNotOfferedError, String(e));
    r = e.result;
    offered = false;
    assert.match(e.message, /no int8 model is faster than float/);
  }
  const s = r.speed!;
  assert.equal(offered, s.speedup > 1 && s.p < 0.05, JSON.stringify(s));
  assert.equal(fs.existsSync(out), offered);
  // the loop ran a bounded number of rounds, and every region it returned was measured slower
  assert.ok(r.placement!.rounds >= 1 && r.placement!.rounds <= 4);
  for (const d of r.placement!.decisions) assert.ok(d.int8Ms > d.floatMs, JSON.stringify(d));
});
