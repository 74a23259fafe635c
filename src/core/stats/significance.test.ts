import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliffMagnitude, mannWhitney, normalCdf, twoSidedTP, welch } from './significance';

const close = (actual: number, expected: number, tol: number) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} ± ${tol}, got ${actual}`);

test('Mann–Whitney U and Cliff\'s δ on a small hand-worked example with a tie', () => {
  // x = 1 2 3 4, y = 3 5 6. Pooled order: 1x 2x 3x 3y 4x 5y 6y → ranks 1 2 3.5 3.5 5 6 7.
  // R_x = 1 + 2 + 3.5 + 5 = 11.5, U_x = 11.5 − 4·5/2 = 1.5 (one pair x>y: 4>3, one tie 3=3 → ½).
  // δ = (#x>y − #x<y)/(4·3) = (1 − 10)/12 = −0.75.
  // σ² = 4·3/12 · (8 − (2³−2)/(7·6)) = 7.857143; z = (1.5 − 6 + 0.5)/√7.857143 = −1.42701.
  const r = mannWhitney([1, 2, 3, 4], [3, 5, 6]);
  assert.equal(r.u, 1.5);
  close(r.delta, -0.75, 1e-12);
  assert.equal(r.magnitude, 'large');
  close(r.z, -1.42701, 1e-5);
  close(r.p, 0.153576, 1e-5); // 2·Φ(−1.42701); scipy.stats.mannwhitneyu gives 0.1535764
});

test('U is the count of pairs where the first sample is larger, ties counted half, on many tied samples', () => {
  let seed = 3;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  for (let k = 0; k < 200; k++) {
    const x = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => Math.round(rnd() * 5));
    const y = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => Math.round(rnd() * 5 + 0.4));
    let pairs = 0;
    for (const a of x) for (const b of y) pairs += a > b ? 1 : a === b ? 0.5 : 0;
    assert.equal(mannWhitney(x, y).u, pairs);
  }
});

test('Cliff\'s δ is +1 when every sample of the first group is slower, and symmetric when swapped', () => {
  const slow = [10, 11, 12, 13, 14, 15, 16, 17];
  const fast = [1, 2, 3, 4, 5, 6, 7, 8];
  const r = mannWhitney(slow, fast);
  assert.equal(r.delta, 1);
  assert.equal(r.u, 64);
  assert.ok(r.p < 0.001);
  assert.equal(mannWhitney(fast, slow).delta, -1);
});

test('identical samples give U at its mean, p = 1 and a negligible δ', () => {
  const r = mannWhitney([5, 5, 5], [5, 5, 5, 5]);
  assert.equal(r.delta, 0);
  assert.equal(r.p, 1);
  assert.equal(r.magnitude, 'negligible');
});

test('the study\'s Cliff\'s δ thresholds: negligible < 0.147 ≤ small < 0.33 ≤ medium < 0.474 ≤ large', () => {
  assert.equal(cliffMagnitude(0.146), 'negligible');
  assert.equal(cliffMagnitude(-0.147), 'small');
  assert.equal(cliffMagnitude(0.329), 'small');
  assert.equal(cliffMagnitude(0.33), 'medium');
  assert.equal(cliffMagnitude(-0.473), 'medium');
  assert.equal(cliffMagnitude(0.474), 'large');
});

test('Welch\'s t-test from mean, sd and n', () => {
  // t = (10 − 12)/√(4/10 + 9/12) = −1.865010; df = 1.15²/(0.4²/9 + 0.75²/11) = 19.19.
  const r = welch({ mean: 10, sd: 2, n: 10 }, { mean: 12, sd: 3, n: 12 });
  close(r.t, -1.865010, 1e-6);
  close(r.df, 19.190, 1e-3);
  close(r.p, 0.0775464, 1e-6); // scipy.stats.ttest_ind_from_stats(..., equal_var=False)
  // Normal-theory δ: 2Φ(−2/√13) − 1 = −0.4208.
  close(r.delta, 2 * normalCdf(-2 / Math.sqrt(13)) - 1, 1e-12);
  assert.equal(r.magnitude, 'medium');
});

test('Student t tail probabilities match tables', () => {
  close(twoSidedTP(3, 5), 0.0300992, 1e-6);
  close(twoSidedTP(1.959964, 1e6), 0.05, 1e-5);
  close(normalCdf(1.959964), 0.975, 1e-6);
});
