import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMedianCi, ciReached, mad, median, medianCi, outlierIndexes, quantile, summarize } from '.';

test('median and type-7 percentiles match hand-computed values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const oneToTen = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  // h = 0.9·9 = 8.1 → x(9) + 0.1·(x(10) − x(9)) = 9.1
  assert.ok(Math.abs(quantile(oneToTen, 0.9) - 9.1) < 1e-12);
  assert.ok(Math.abs(quantile(oneToTen, 0.95) - 9.55) < 1e-12);
  assert.equal(quantile(oneToTen, 0), 1);
  assert.equal(quantile(oneToTen, 1), 10);
});

test('MAD is the median of absolute deviations from the median', () => {
  // median 2; |x − 2| = 1 1 0 0 2 4 7 → median 1
  assert.equal(mad([1, 1, 2, 2, 4, 6, 9]), 1);
});

test('the median CI uses the binomial order statistics', () => {
  const ten = Array.from({ length: 10 }, (_, i) => i + 1);
  // P(B ≤ 1) = 11/1024 ≤ 0.025 < P(B ≤ 2) = 56/1024 → ranks 2 and 9
  const ci = medianCi(ten);
  assert.deepEqual(ci.ranks, [2, 9]);
  assert.equal(ci.low, 2);
  assert.equal(ci.high, 9);
  assert.ok(Math.abs(ci.coverage - (1 - 22 / 1024)) < 1e-12);
  // textbook value for n = 100: ranks 40 and 61
  assert.deepEqual(medianCi(Array.from({ length: 100 }, (_, i) => i)).ranks, [40, 61]);
  // n = 6 is the smallest sample with a 95% interval: [min, max], coverage 1 − 2/64
  assert.equal(medianCi([1, 2, 3, 4, 5, 6]).valid, true);
  assert.equal(medianCi([1, 2, 3, 4, 5]).valid, false);
});

test('the median CI stays finite for large samples (no 2^-n underflow)', () => {
  const xs = Array.from({ length: 20000 }, (_, i) => i);
  const ci = medianCi(xs);
  assert.ok(ci.valid);
  // normal approximation: 0.5n ± 0.98√n ≈ 10000 ± 139
  assert.ok(Math.abs(ci.ranks[0] - 9861) <= 2, `low rank ${ci.ranks[0]}`);
  assert.ok(ci.coverage >= 0.95 && ci.coverage < 0.952);
});

test('outliers are flagged by modified z-score and never removed', () => {
  const xs = [10, 10, 11, 10, 12, 11, 10, 50];
  // median 10.5, MAD 0.5: z(50) = 0.6745·39.5/0.5 ≈ 53; z(12) ≈ 2.0
  assert.deepEqual(outlierIndexes(xs), [7]);
  const s = summarize(xs);
  assert.equal(s.n, 8);
  assert.equal(s.max, 50);
  assert.deepEqual(s.outliers, [7]);
});

test('identical samples produce no outliers and a zero-width CI', () => {
  const s = summarize(Array(30).fill(5));
  assert.deepEqual(s.outliers, []);
  assert.equal(s.ciLow, 5);
  assert.equal(s.ciHigh, 5);
  assert.equal(s.relHalfWidth, 0);
});

test('the stopping rule needs both enough samples and a narrow enough CI', () => {
  const tight = Array.from({ length: 50 }, (_, i) => 100 + (i % 5) * 0.1);
  const wide = Array.from({ length: 50 }, (_, i) => 100 + (i % 10) * 10);
  assert.equal(ciReached(tight, { targetRelHalfWidth: 0.02, minSamples: 20 }), true);
  assert.equal(ciReached(tight.slice(0, 10), { targetRelHalfWidth: 0.02, minSamples: 20 }), false);
  assert.equal(ciReached(wide, { targetRelHalfWidth: 0.02, minSamples: 20 }), false);
});

test('the bootstrap is reproducible and brackets the median of symmetric data', () => {
  const xs = Array.from({ length: 200 }, (_, i) => 50 + Math.sin(i) * 10);
  const a = bootstrapMedianCi(xs, { seed: 3, resamples: 500 });
  const b = bootstrapMedianCi(xs, { seed: 3, resamples: 500 });
  assert.deepEqual(a, b);
  const m = median(xs);
  assert.ok(a[0] <= m && m <= a[1], `${a} should contain ${m}`);
});
