/**
 * The study's latency statistics, for deciding whether two configurations really differ:
 * Mann–Whitney U (normal approximation with tie and continuity correction) with Cliff's δ on raw
 * samples, and Welch's t-test with a normal-theory δ estimate when only mean/sd/n are known.
 * Pure arithmetic, no dependencies, so the webview can call it too.
 */

/** Cliff's δ magnitude thresholds used by the study (Romano et al.; `cliffs_delta` package). */
export const CLIFF_THRESHOLDS = { negligible: 0.147, small: 0.33, medium: 0.474 } as const;
export type Magnitude = 'negligible' | 'small' | 'medium' | 'large';

export function cliffMagnitude(delta: number): Magnitude {
  const d = Math.abs(delta);
  if (d < CLIFF_THRESHOLDS.negligible) return 'negligible';
  if (d < CLIFF_THRESHOLDS.small) return 'small';
  if (d < CLIFF_THRESHOLDS.medium) return 'medium';
  return 'large';
}

/** Complementary error function; fractional error < 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Two-sided p-value of a standard normal statistic; keeps precision far in the tail. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, plus half the ties. */
  u: number;
  z: number;
  p: number;
  /** Cliff's δ = P(x > y) − P(x < y); positive means the first sample is larger (slower). */
  delta: number;
  magnitude: Magnitude;
}

/**
 * Mann–Whitney U with mid-ranks, the normal approximation with tie correction and continuity
 * correction (scipy's `mannwhitneyu(..., method='asymptotic', use_continuity=True)`), and Cliff's δ,
 * which is the same count rescaled: δ = 2U/(n₁n₂) − 1.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitney needs two non-empty samples');
  // both samples sorted once, then merged tie group by tie group: no per-value objects (the
  // webview's bandwidth search runs this thousands of times)
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const n = n1 + n2;
  let rankSumX = 0;
  let tieTerm = 0; // Σ (t³ − t) over tie groups
  let ranked = 0;
  for (let i = 0, j = 0; i < n1 || j < n2;) {
    const v = Math.min(i < n1 ? xs[i]! : Infinity, j < n2 ? ys[j]! : Infinity);
    let cx = 0;
    let cy = 0;
    while (i < n1 && xs[i] === v) { cx++; i++; }
    while (j < n2 && ys[j] === v) { cy++; j++; }
    if (cx + cy === 0) { cx = i < n1 ? 1 : 0; cy = cx ? 0 : 1; i += cx; j += cy; } // a lone ±Infinity/NaN
    const t = cx + cy;
    rankSumX += cx * (ranked + (t + 1) / 2); // mid-rank of the group, 1-based
    tieTerm += t * t * t - t;
    ranked += t;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const diff = u - mu;
  const z = variance > 0 ? (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance) : 0;
  const delta = (2 * u - n1 * n2) / (n1 * n2);
  return { u, z, p: variance > 0 ? twoSidedNormalP(z) : 1, delta, magnitude: cliffMagnitude(delta) };
}

/** log Γ(x) by the Lanczos approximation (g = 7, n = 9), x > 0. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm = x - 1;
  let a = c[0]!;
  const t = xm + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom. */
export function twoSidedTP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface MomentSummary {
  mean: number;
  sd: number;
  n: number;
}

export interface WelchResult {
  t: number;
  df: number;
  p: number;
  /**
   * Cliff's δ estimated as if both samples were normal: P(X>Y) − P(X<Y) = 2Φ((m₁−m₂)/√(s₁²+s₂²)) − 1.
   * An estimate only: latency is usually right-skewed.
   */
  delta: number;
  magnitude: Magnitude;
}

/** Welch's unequal-variance t-test from summary statistics (first minus second). */
export function welch(a: MomentSummary, b: MomentSummary): WelchResult {
  if (a.n < 2 || b.n < 2) throw new RangeError('welch needs n ≥ 2 on both sides');
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const diff = a.mean - b.mean;
  const se = Math.sqrt(va + vb);
  const spread = Math.sqrt(a.sd * a.sd + b.sd * b.sd);
  const delta = spread > 0 ? 2 * normalCdf(diff / spread) - 1 : Math.sign(diff);
  if (se === 0) {
    return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: a.n + b.n - 2, p: diff === 0 ? 1 : 0, delta, magnitude: cliffMagnitude(delta) };
  }
  const t = diff / se;
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { t, df, p: twoSidedTP(t, df), delta, magnitude: cliffMagnitude(delta) };
}
