/**
 * Compute emulation on this host. A tier gets min(its cpus, host cores) intra-op threads, with
 * onnxruntime's default session options otherwise (as deployed). A tier with more cores than the
 * host is extrapolated from measured thread scaling with Amdahl's law, t(n) = a + b/n, fitted over
 * 1..host cores, and flagged. Times are then divided by the tier's per-core `speed` (1.0 = one
 * core of this host).
 */
import type { TierProfile } from './types';

/** Intra-op threads to measure a tier with on this host. */
export function threadsFor(tier: Pick<TierProfile, 'cpus'>, hostCores: number): number {
  return Math.max(1, Math.floor(Math.min(tier.cpus, hostCores)));
}

/** True when the tier has more (whole) cores than the host: its time must be extrapolated. */
export function needsExtrapolation(tier: Pick<TierProfile, 'cpus'>, hostCores: number): boolean {
  return Math.floor(tier.cpus) > hostCores;
}

/** t(n) = serialMs + parallelMs / n. */
export interface AmdahlFit {
  serialMs: number;
  parallelMs: number;
  /** Serial fraction of the one-thread time, 0..1. */
  serialFraction: number;
}

/**
 * Least-squares fit of t = a + b·(1/n) to measured (threads, ms) points, with a, b ≥ 0 (a negative
 * intercept would predict negative times; super-linear noise is clamped to perfect scaling).
 * One point (a one-core host) gives nothing to fit: it is assumed fully serial (no speed-up).
 */
export function fitAmdahl(points: ReadonlyArray<{ threads: number; ms: number }>): AmdahlFit {
  if (points.length === 0) throw new Error('fitAmdahl needs at least one point');
  const xs = points.map((p) => 1 / p.threads);
  const ys = points.map((p) => p.ms);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => { sxx += (x - mx) ** 2; sxy += (x - mx) * (ys[i]! - my); });
  let b = sxx > 0 ? sxy / sxx : 0;
  let a = my - b * mx;
  if (b < 0) { b = 0; a = my; }
  if (a < 0) {
    // perfect scaling through the origin: least squares of y = b·x
    a = 0;
    b = xs.reduce((s, x, i) => s + x * ys[i]!, 0) / xs.reduce((s, x) => s + x * x, 0);
  }
  const t1 = a + b;
  return { serialMs: a, parallelMs: b, serialFraction: t1 > 0 ? a / t1 : 1 };
}

export function amdahlPredict(fit: AmdahlFit, threads: number): number {
  return fit.serialMs + fit.parallelMs / threads;
}

export interface ComputeScale {
  /** Multiply a time measured at `measuredThreads` on this host by this to get the tier's time. */
  factor: number;
  measuredThreads: number;
  extrapolated: boolean;
}

/**
 * How to turn a measurement on this host into the tier's compute time. `fit` is needed only when
 * the tier has more cores than the host.
 */
export function computeScale(tier: Pick<TierProfile, 'cpus' | 'speed'>, hostCores: number, fit?: AmdahlFit): ComputeScale {
  const measuredThreads = threadsFor(tier, hostCores);
  let factor = 1 / tier.speed;
  let extrapolated = false;
  if (needsExtrapolation(tier, hostCores) && fit) {
    const atHost = amdahlPredict(fit, measuredThreads);
    if (atHost > 0) {
      factor *= amdahlPredict(fit, Math.floor(tier.cpus)) / atHost;
      extrapolated = true;
    }
  }
  return { factor, measuredThreads, extrapolated };
}
