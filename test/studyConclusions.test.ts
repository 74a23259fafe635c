/**
 * The key test of the recommendation engine: fed the study's own medians and accuracies (arXiv
 * 2411.00907, paper-facts §5, written out in test/fixtures/study-measurements/), it must reach the
 * study's stated conclusions. Where a conclusion needs a budget, the budget is the study's own
 * accuracy drop for the operators involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runEngine, withAccuracyDrops } from '../src/core/recommend/engine';
import { loadMeasurements } from '../src/core/recommend/loadMeasurements';
import type { Measurements } from '../src/core/recommend/measurements';
import type { OperatorId, PlacementId, ResultRow } from '../src/core/results';
import { dropClass } from '../src/core/study/accuracyClasses';

const load = (name: string): Measurements => loadMeasurements(path.join(__dirname, 'fixtures', 'study-measurements', `${name}.json`));
const MODELS = { resnet: load('resnet'), resnext: load('resnext'), bert: load('bert'), roberta: load('roberta') };
const IMAGE = ['resnet', 'resnext'] as const;
const TEXT = ['bert', 'roberta'] as const;

const rowsOf = (m: Measurements) => withAccuracyDrops(m.rows, m.baselineAccuracy);
const find = (rows: readonly ResultRow[], op: OperatorId, pl: PlacementId) => rows.find((r) => r.operator === op && r.placement === pl)!;
/** The study's own drop for the given rows: the budget that admits exactly what they lost. */
const ownBudget = (rows: readonly ResultRow[]) => Math.max(...rows.map((r) => r.accuracyDrop!));

function recommend(m: Measurements, rows: readonly ResultRow[], maxAccuracyDrop?: number) {
  return runEngine({ rows, baselineAccuracy: m.baselineAccuracy, modality: m.modality, metric: m.metric, maxAccuracyDrop });
}

test('the four fixtures hold every operator × tier of the study plus both Mobile-Edge partitions', () => {
  for (const m of Object.values(MODELS)) {
    assert.equal(m.rows.length, 6 * 3 + 2);
    assert.ok(m.rows.every((r) => r.latencyMs.n === 500));
  }
  assert.deepEqual(find(MODELS.resnet.rows, 'dsptq', 'edge').latencyMs, { median: 2099, mean: 2617, sd: 1060, n: 500 });
  assert.equal(find(MODELS.roberta.rows, 'dsptq', 'cloud').accuracy, 88.455);
});

test('images → Edge, with DSPTQ best at a small–medium accuracy drop (ResNet, ResNeXt)', () => {
  for (const name of IMAGE) {
    const m = MODELS[name];
    const rows = rowsOf(m);
    const budget = find(rows, 'dsptq', 'edge').accuracyDrop!; // ResNet 1.34, ResNeXt 2.78 points
    const out = recommend(m, rows, budget);
    const rec = out.recommendation!;
    assert.equal(`${rec.operator}@${rec.placement}`, 'dsptq@edge', name);
    assert.deepEqual(rec.tiedWith, [], `${name}: Edge DSPTQ is significantly faster than the runner-up`);
    assert.ok(['small', 'medium'].includes(dropClass(rec.accuracyDrop)), `${name}: drop ${rec.accuracyDrop}`);
    for (const id of ['dsptq-edge', 'image-edge']) {
      assert.equal(rec.findings!.find((f) => f.id === id)?.verdict, 'agrees', `${name}: ${id}`);
    }
    // At the default ("small") budget the tier conclusion holds as well.
    assert.equal(recommend(m, rows).recommendation!.placement, 'edge', name);
  }
});

test('text → Cloud, with DSPTQ on Cloud best by median (BERT, RoBERTa)', () => {
  for (const name of TEXT) {
    const m = MODELS[name];
    const rows = rowsOf(m);
    const budget = find(rows, 'dsptq', 'cloud').accuracyDrop!; // BERT 2.52, RoBERTa 2.92 points (CUDA column)
    const rec = recommend(m, rows, budget).recommendation!;
    assert.equal(`${rec.operator}@${rec.placement}`, 'dsptq@cloud', name);
    assert.deepEqual(rec.tiedWith, [], name);
    assert.equal(rec.findings!.find((f) => f.id === 'text-cloud')?.verdict, 'agrees', name);
    assert.equal(recommend(m, rows).recommendation!.placement, 'cloud', name);
  }
});

test('among non-hybrid operators, Distilled is fastest on Mobile and on Edge (all four models)', () => {
  const nonHybrid: OperatorId[] = ['identity', 'sptq', 'qat', 'pruned', 'distilled'];
  for (const [name, m] of Object.entries(MODELS)) {
    for (const tier of ['mobile', 'edge'] as const) {
      const rows = rowsOf(m).filter((r) => r.placement === tier && nonHybrid.includes(r.operator));
      const rec = recommend(m, rows, ownBudget(rows)).recommendation!;
      assert.equal(rec.operator, 'distilled', `${name} on ${tier}`);
      assert.deepEqual(rec.tiedWith, [], `${name} on ${tier}`);
    }
    const all = recommend(m, rowsOf(m), ownBudget(rowsOf(m))).recommendation!;
    assert.equal(all.findings!.find((f) => f.id === 'distilled-best-single')?.verdict, 'agrees', name);
  }
});

test('distillation beats partitioning on Mobile and on Edge (every pairing, all four models)', () => {
  for (const [name, m] of Object.entries(MODELS)) {
    const rows = rowsOf(m);
    for (const tier of ['mobile', 'edge'] as const) {
      for (const distillation of ['distilled', 'dsptq'] as const) {
        for (const partition of ['partition', 'sptq-partition'] as const) {
          const pair = [find(rows, partition, 'mobile-edge'), find(rows, distillation, tier)];
          const rec = recommend(m, pair, ownBudget(pair)).recommendation!;
          assert.equal(`${rec.operator}@${rec.placement}`, `${distillation}@${tier}`, `${name}: ${distillation} on ${tier} vs ${partition}`);
          assert.deepEqual(rec.tiedWith, [], `${name}: ${distillation} on ${tier} vs ${partition}`);
        }
      }
    }
    const all = recommend(m, rows, ownBudget(rows)).recommendation!;
    assert.equal(all.findings!.find((f) => f.id === 'distillation-beats-partition')?.verdict, 'agrees', name);
  }
});

test('image models on Cloud: every operator is transfer-bound and tied, so the smallest drop (Identity) wins there', () => {
  // Kruskal–Wallis p ≈ 1 across the six Cloud operators for ResNet/ResNeXt (paper-facts §5.1 notes).
  for (const name of IMAGE) {
    const m = MODELS[name];
    const cloud = rowsOf(m).filter((r) => r.placement === 'cloud');
    const rec = recommend(m, cloud, ownBudget(cloud)).recommendation!;
    assert.equal(rec.tiedWith.length, 5, name);
    assert.equal(rec.operator, 'identity', name);
    assert.ok(rec.rationale.some((s) => s.startsWith('Statistically tied with it: ')), name);
  }
});
