/**
 * Percentile bootstrap with a seeded generator, so reports are reproducible run to run.
 */
import { quantileSorted } from './describe';

/** mulberry32: small, fast, good enough for resampling indexes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

/**
 * Percentile-bootstrap CI of `statistic` over resamples of the indexes 0..n−1 (with replacement).
 * The statistic receives the resampled indexes, so paired designs (the same samples scored by two
 * models) resample both sides together.
 */
export function bootstrapCi(
  n: number,
  statistic: (indexes: Uint32Array) => number,
  opts: BootstrapOptions = {},
): [number, number] {
  const B = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rand = seededRandom(opts.seed ?? 1);
  const values = new Float64Array(B);
  const idx = new Uint32Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    values[b] = statistic(idx);
  }
  values.sort();
  return [quantileSorted(values, (1 - level) / 2), quantileSorted(values, 1 - (1 - level) / 2)];
}

/** Bootstrap CI of the median of `xs`. */
export function bootstrapMedianCi(xs: readonly number[], opts: BootstrapOptions = {}): [number, number] {
  const buf = new Float64Array(xs.length);
  return bootstrapCi(xs.length, (idx) => {
    for (let i = 0; i < idx.length; i++) buf[i] = xs[idx[i]!]!;
    buf.sort();
    return quantileSorted(buf, 0.5);
  }, opts);
}
