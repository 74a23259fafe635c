/**
 * Accuracy on the digits family, measured through the runner and scored by src/core/accuracy,
 * checked against an independent computation: the accuracies PyTorch recorded at export
 * (digits_accuracy.json) and a plain argmax written out here.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accuracyDrop, classPredictions, top1Accuracy } from '../../../core/accuracy';
import { loadDataset, loadLabels, modelInputSpecs } from '../../../core/data';
import { readModel } from '../../../core/onnx/io';
import { SAMPLE_DIR } from '../../../../test/support/shared';
import { RunnerClient } from '../../host/client';

const client = new RunnerClient();
after(() => client.dispose());

const file = (name: string) => path.join(SAMPLE_DIR, name);
const present = fs.existsSync(file('digits_test_x.npy'));

test('top-1 accuracy of the digits models matches PyTorch\'s and a hand-written argmax', { skip: present ? false : `no digits samples in ${SAMPLE_DIR}` }, async () => {
  const expected = JSON.parse(fs.readFileSync(file('digits_accuracy.json'), 'utf8')) as Record<string, number>;
  const teacher = readModel(file('digits_teacher.onnx'));
  const data = loadDataset(file('digits_test_x.npy'), modelInputSpecs(teacher.model));
  const labels = loadLabels(file('digits_test_y.npy'), data.samples.length);
  assert.equal(data.samples.length, 450);

  const preds: Record<string, Int32Array> = {};
  for (const [model, key] of [['digits_teacher.onnx', 'teacher'], ['digits_distilled.onnx', 'student_distilled']] as const) {
    const r = await client.run('evaluate', { stages: [{ modelPath: file(model), threads: 2 }], samples: data.samples });
    assert.equal(r.outputs.length, 450);
    const p = classPredictions(r.outputs);
    // independent: argmax over each [1,10] row by hand
    const hand = r.outputs.map((o) => { const v = Array.from(o.data as Float32Array); return v.indexOf(Math.max(...v)); });
    assert.deepEqual(Array.from(p), hand);
    const acc = top1Accuracy(p, labels.data);
    const correct = hand.filter((c, i) => c === labels.data[i]).length;
    assert.equal(acc, (100 * correct) / 450);
    // PyTorch's accuracy at export, on the same 450 images
    assert.equal(correct, Math.round(expected[key]! * 450), `${model}: ${correct}/450 vs PyTorch ${expected[key]}`);
    preds[key] = p;
  }
  const drop = accuracyDrop(450, (idx) => top1Accuracy(preds.teacher!, labels.data, idx), (idx) => top1Accuracy(preds.student_distilled!, labels.data, idx), { seed: 5 });
  assert.ok(Math.abs(drop.drop - 100 * (expected.teacher! - expected.student_distilled!)) < 1e-4);
  assert.ok(drop.ci[0] <= drop.drop && drop.drop <= drop.ci[1]);
});
