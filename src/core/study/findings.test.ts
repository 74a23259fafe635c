import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperatorId, PlacementId, ResultRow } from '../results';
import { formatVerdict, judgeFindings, STUDY_FINDINGS } from './findings';
import { studyHint } from './ranges';

function row(operator: OperatorId, placement: PlacementId, medianMs: number, accuracyDrop: number): ResultRow {
  return { operator, placement, latencyMs: { median: medianMs }, accuracyDrop, flags: [] };
}

test('every finding has an id, an arXiv id of the two papers and a condition', () => {
  assert.equal(new Set(STUDY_FINDINGS.map((f) => f.id)).size, STUDY_FINDINGS.length);
  for (const f of STUDY_FINDINGS) {
    assert.ok(f.arxiv.length > 0 && f.arxiv.every((a) => a === '2411.00907' || a === '2403.17154'), f.id);
    assert.ok(Object.keys(f.appliesTo).length > 0, f.id);
  }
  assert.ok(Object.isFrozen(STUDY_FINDINGS));
});

test('a text model recommended on the Edge disagrees with "text → Cloud", and says what Cloud offered', () => {
  const rows = [row('sptq', 'edge', 40, 0.5), row('sptq', 'cloud', 90, 0.5)];
  const verdicts = judgeFindings({ rows, modality: 'text', pick: rows[0]!, maxAccuracyDrop: 2 });
  const v = verdicts.find((x) => x.id === 'text-cloud')!;
  assert.equal(v.verdict, 'disagrees');
  assert.equal(formatVerdict(v),
    'Disagrees with the study (arXiv 2411.00907, arXiv 2403.17154): for text models, whose inputs are small, the Cloud tier is a better ' +
    'alternative than Mobile, Edge or Mobile-Edge; here the pick is Edge SPTQ (40.0 ms); the fastest Cloud configuration within the budget is Cloud SPTQ (90.0 ms) ' +
    '(link bandwidth and tier speed decide this; see the bandwidth sensitivity).');
  // The image-tier finding does not apply to a text model at all.
  assert.equal(verdicts.find((x) => x.id === 'image-edge'), undefined);
});

test('a pruned model that is really faster disagrees with the study\'s "no speed-up from pruning"', () => {
  const rows = [row('identity', 'edge', 100, 0), row('pruned', 'edge', 50, 1.2)];
  const v = judgeFindings({ rows, modality: 'image', pick: rows[1]!, maxAccuracyDrop: 2 }).find((x) => x.id === 'pruned-no-speedup')!;
  assert.equal(v.verdict, 'disagrees');
  assert.equal(v.evidence, 'here Edge Pruned (50.0 ms) is 2.00× faster than Edge Identity (100 ms)');
});

test('findings about the recommended configuration come first', () => {
  const rows = [row('identity', 'edge', 100, 0), row('pruned', 'edge', 99, 1.2), row('dsptq', 'edge', 30, 1.5), row('distilled', 'edge', 40, 1.0)];
  const verdicts = judgeFindings({ rows, modality: 'image', pick: rows[2]!, maxAccuracyDrop: 2 });
  assert.deepEqual(verdicts.map((v) => [v.id, v.verdict, v.aboutPick]), [
    ['dsptq-edge', 'agrees', true],
    ['image-edge', 'agrees', true],
    ['distilled-best-single', 'agrees', false],
    ['pruned-no-speedup', 'agrees', false],
  ]);
});

test('a missing white-box variant gets the study\'s observed range, never a number of ours', () => {
  assert.equal(studyHint('distilled'),
    'Distilled not provided. In the study, Distilled was 1.76–4.73× faster than Identity on Mobile and 1.78–4.57× on Edge ' +
    '(2.46–3.23× on Cloud for text models), at a 0.86–2.49-point accuracy drop (arXiv 2411.00907); provide a distilled student ' +
    'as <name>.distilled.onnx (or --variant distilled=<path>) to measure it.');
  assert.match(studyHint('pruned')!, /1\.00–1\.05× faster than Identity on Mobile/);
  assert.equal(studyHint('sptq'), undefined); // built by the extension, never "not provided"
});
