import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperatorId, PlacementId, ResultRow } from '../results';
import { runEngine } from './engine';
import { paretoRows } from './pareto';

/** A measured row: latency as given (median only unless `extra` adds more), accuracy in %. */
function row(operator: OperatorId, placement: PlacementId, medianMs: number, accuracy: number, extra: Partial<ResultRow> = {}): ResultRow {
  return { operator, placement, latencyMs: { median: medianMs }, accuracy, flags: [], ...extra };
}

const label = (r: { operator: string; placement: string } | null | undefined) => (r ? `${r.operator}@${r.placement}` : 'none');

test('the Pareto front keeps rows no other row beats on both latency and accuracy drop', () => {
  const rows = [
    row('identity', 'edge', 300, 80.0), // drop 0: most accurate
    row('dsptq', 'edge', 100, 78.0), //    drop 2.0: fastest
    row('distilled', 'edge', 120, 77.5), // drop 2.5: slower AND worse than dsptq → dominated
    row('sptq', 'edge', 150, 79.5), //     drop 0.5
    row('sptq', 'mobile', 150, 79.5), //   equal to the previous on both axes → kept too
    row('qat', 'edge', 10, 80.0, { flags: ['doesNotFit'] }), // would dominate everything, but cannot run
  ];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1' });
  assert.deepEqual(out.pareto.map((i) => label(out.results[i])), ['dsptq@edge', 'sptq@edge', 'sptq@mobile', 'identity@edge']);
  assert.deepEqual(paretoRows(out.results), out.pareto);
});

test('the pick is the fastest row within the accuracy budget; rows outside it are excluded with the reason', () => {
  const rows = [row('identity', 'edge', 300, 80.0), row('dsptq', 'edge', 100, 77.0), row('sptq', 'edge', 150, 79.5)];
  const wide = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(label(wide.recommendation), 'dsptq@edge');

  const narrow = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 1 });
  assert.equal(label(narrow.recommendation), 'sptq@edge');
  assert.deepEqual(narrow.excluded, [{ operator: 'dsptq', placement: 'edge', reason: 'Edge DSPTQ: 3.00-point drop (medium) exceeds the 1-point budget' }]);
  // The rationale says what a larger budget would buy.
  assert.ok(narrow.recommendation!.rationale.some((s) => s.startsWith('Edge DSPTQ would be 1.50× faster (100 ms) at a 3.00-point drop')));
  // Speed-up against Identity on the same tier: 300 / 150.
  assert.equal(narrow.recommendation!.speedup!.ratio, 2);
  assert.match(narrow.recommendation!.rationale[0]!, /^Edge SPTQ: median 150 ms, 2\.00× faster than Identity on Edge, at a 0\.50-point top-1 drop \(small\)/);
});

test('the default budget is the study\'s "small" drop, 2 points', () => {
  const rows = [row('identity', 'edge', 300, 80.0), row('distilled', 'edge', 100, 77.9), row('sptq', 'edge', 150, 78.1)];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1' });
  assert.equal(out.maxAccuracyDrop, 2);
  assert.equal(label(out.recommendation), 'sptq@edge');
});

test('doesNotFit and notProvided rows are never recommended, and say why', () => {
  const rows = [
    row('identity', 'mobile', 300, 80.0),
    row('qat', 'mobile', 50, 80.0, { flags: ['doesNotFit'], peakRssMB: 5000 }),
    row('distilled', 'mobile', 0, 0, { flags: ['notProvided'], accuracy: undefined }),
  ];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1' });
  assert.equal(label(out.recommendation), 'identity@mobile');
  assert.deepEqual(out.excluded!.map((e) => e.reason), [
    'Mobile QAT: does not fit in the tier\'s memory (peak 5000 MB)',
    'Mobile Distilled: variant not provided, nothing measured',
  ]);
  assert.ok(out.recommendation!.rationale.some((s) => s.includes('Not considered: Mobile QAT: does not fit')));
  // A white-box variant that was not measured gets the study's range as a hint, never a number.
  assert.match(out.missing!.find((m) => m.operator === 'distilled')!.hint, /1\.76–4\.73× faster than Identity on Mobile .*arXiv 2411\.00907/);
});

test('tied on raw samples (Mann–Whitney not significant): the smaller accuracy drop wins', () => {
  // DSPTQ 99 101 103 105 107 vs Distilled 100 102 104 106 108: U = 10 of 25 pairs, δ = −0.2,
  // z = (10 − 12.5 + 0.5)/√(25·11/12) = −0.418, p = 0.68 → not significantly different.
  const rows = [
    row('identity', 'edge', 500, 80.0, { samplesMs: [498, 499, 500, 501, 502] }),
    row('dsptq', 'edge', 103, 77.5, { samplesMs: [99, 101, 103, 105, 107] }),
    row('distilled', 'edge', 104, 78.5, { samplesMs: [100, 102, 104, 106, 108] }),
  ];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(label(out.recommendation), 'distilled@edge');
  assert.deepEqual(out.recommendation!.tiedWith, [{ operator: 'dsptq', placement: 'edge' }]);
  const c = out.pick.comparisons.get(2)!;
  assert.equal(c.method, 'mann-whitney');
  assert.equal(c.delta, -0.2);
  assert.ok(Math.abs(c.p! - 0.6761) < 1e-3, `p = ${c.p}`);
  assert.ok(out.recommendation!.rationale.some((s) =>
    s === 'Edge DSPTQ is faster by median (103 ms) but not significantly (Mann–Whitney p = 0.68, Cliff\'s δ = −0.20, small), so the smaller accuracy drop decided.'));
});

test('clearly separated samples are not a tie: the faster row wins despite its larger drop', () => {
  // Every DSPTQ sample is below every Distilled sample: U = 0, δ = −1, z = −12/4.787 = −2.507, p = 0.012.
  const rows = [
    row('dsptq', 'edge', 52, 77.5, { samplesMs: [50, 51, 52, 53, 54] }),
    row('distilled', 'edge', 102, 78.5, { samplesMs: [100, 101, 102, 103, 104] }),
  ];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(label(out.recommendation), 'dsptq@edge');
  assert.deepEqual(out.recommendation!.tiedWith, []);
  assert.equal(out.pick.comparisons.get(1)!.delta, -1);
  assert.ok(out.pick.comparisons.get(1)!.p! < 0.05);
});

test('a tie at equal accuracy goes to the simpler deployment: one tier before a partition', () => {
  const same = [100, 101, 102, 103, 104];
  const rows = [
    row('partition', 'mobile-edge', 101.5, 80.0, { samplesMs: same.map((s) => s - 0.5) }),
    row('identity', 'edge', 102, 80.0, { samplesMs: same }),
  ];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1' });
  assert.equal(label(out.recommendation), 'identity@edge');
  assert.ok(out.recommendation!.rationale.some((s) => s.endsWith('so the simpler deployment decided.')));
});

test('with only summary statistics: Welch on mean/sd/n, or overlapping 95% CIs of the median', () => {
  // Welch: t = −2/√(40 + 40) = −0.224, p = 0.83 → tied; the smaller drop (SPTQ) wins.
  const welchRows = [
    row('dsptq', 'edge', 100, 77.0, { latencyMs: { median: 100, mean: 100, sd: 20, n: 10 } }),
    row('sptq', 'edge', 102, 79.5, { latencyMs: { median: 102, mean: 102, sd: 20, n: 10 } }),
  ];
  const w = runEngine({ rows: welchRows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(label(w.recommendation), 'sptq@edge');
  assert.equal(w.pick.comparisons.get(1)!.method, 'welch');

  // Same medians, but tight: sd 1, n 500 → t = −31.6 → significant, large → DSPTQ wins.
  const tight = welchRows.map((r) => ({ ...r, latencyMs: { ...r.latencyMs, sd: 1, n: 500 } }));
  assert.equal(label(runEngine({ rows: tight, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 }).recommendation), 'dsptq@edge');

  const ci = (lo: number, med: number, hi: number) => ({ median: med, ciLow: lo, ciHigh: hi });
  const overlapping = [row('dsptq', 'edge', 100, 77.0, { latencyMs: ci(95, 100, 106) }), row('sptq', 'edge', 108, 79.5, { latencyMs: ci(105, 108, 111) })];
  const o = runEngine({ rows: overlapping, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(o.pick.comparisons.get(1)!.method, 'ci-overlap');
  assert.equal(label(o.recommendation), 'sptq@edge');
  const apart = [row('dsptq', 'edge', 100, 77.0, { latencyMs: ci(95, 100, 104) }), row('sptq', 'edge', 108, 79.5, { latencyMs: ci(105, 108, 111) })];
  assert.equal(label(runEngine({ rows: apart, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 }).recommendation), 'dsptq@edge');
});

test('with only medians nothing can be tested, so the medians decide and the rationale says so', () => {
  const rows = [row('dsptq', 'edge', 100, 77.0), row('sptq', 'edge', 101, 79.5)];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5 });
  assert.equal(label(out.recommendation), 'dsptq@edge');
  assert.ok(out.recommendation!.rationale.some((s) => s.includes('only medians known, so significance was not tested')));
});

test('a latency target asks for the most accurate configuration that meets it', () => {
  const rows = [row('identity', 'edge', 300, 80.0), row('dsptq', 'edge', 100, 78.0), row('sptq', 'edge', 150, 79.5)];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5, latencyTargetMs: 200 });
  assert.equal(label(out.recommendation), 'sptq@edge');
  const none = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1', maxAccuracyDrop: 3.5, latencyTargetMs: 50 });
  assert.equal(none.recommendation, null);
  assert.equal(none.noRecommendationReason,
    'No configuration within the 3.5-point accuracy budget meets the 50.0 ms latency target; the fastest within the budget is Edge DSPTQ at 100 ms.');
});

test('nothing within the budget: no recommendation, and the closest row is named', () => {
  const rows = [row('dsptq', 'edge', 100, 70.0), row('distilled', 'edge', 120, 75.0)];
  const out = runEngine({ rows, baselineAccuracy: 80, modality: 'image', metric: 'top1' });
  assert.equal(out.recommendation, null);
  assert.equal(out.noRecommendationReason, 'No configuration is within the 2-point accuracy budget; the smallest drop is Edge Distilled at 5.00 points.');
});

test('without a baseline accuracy, drops are measured from Identity', () => {
  const rows = [row('identity', 'mobile', 300, 90.0), row('sptq', 'mobile', 200, 89.0)];
  const out = runEngine({ rows, modality: 'text', metric: 'f1' });
  assert.equal(out.baselineAccuracy, 90);
  assert.equal(out.results[1]!.accuracyDrop, 1);
});
