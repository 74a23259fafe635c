/**
 * Accuracy that meets a target: when the int8 model misses it, layers are ranked by measured
 * sensitivity — each Conv/MatMul/Gemm quantized alone, forward only, on a few calibration samples,
 * its output compared with float — and the most sensitive are kept float, greedily, until the
 * held-out fidelity meets the target (1, 2, 4, … then the smallest count between the last two).
 */
import * as fs from 'node:fs';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { Candidate, Candidates } from './candidates';
import { comparedTensor, exposing, meetsTarget, measureFidelity, sqnr, type AccuracyTarget, type Fidelity } from './measurements';
import { writeModel } from '../onnx/io';
import * as path from 'node:path';

const HEAVY = new Set(['Conv', 'MatMul', 'Gemm']);
/** Samples per one-at-a-time sensitivity run, and candidates written at once. */
const SENSITIVITY_SAMPLES = 4;
const BATCH = 8;

export interface Sensitivity { node: string; op: string; sqnrDb: number; top1Kept?: number }

export interface AccuracyFallback {
  target: string;
  met: boolean;
  /** Fidelity of the fully quantized model, before any fallback. */
  before: Fidelity;
  /** Nodes kept float, most sensitive first, with the output SQNR each caused quantized alone. */
  keptFloat: Sensitivity[];
  /** Held-out fidelity after keeping the first `count` float. */
  steps: Array<{ count: number; sqnrDb: number; top1Agreement: number; met: boolean }>;
}

export interface AccuracyContext {
  host: RunnerHost;
  candidates: Candidates;
  floatModel: ModelProto;
  floatPath: string;
  calibSamples: Feeds[];
  heldOut: Feeds[];
  labels?: number[];
  tmp: string;
  sourceDir: string;
  job?: JobOptions;
}

export async function fidelityOf(ctx: AccuracyContext, c: Candidate, tag: string): Promise<Fidelity> {
  return measureFidelity(ctx.host, {
    floatModel: ctx.floatModel, quantModel: c.model, report: c.report, samples: ctx.heldOut, perLayer: false, tmp: ctx.tmp,
    sourceDir: ctx.sourceDir, tag, ...(ctx.labels ? { labels: ctx.labels } : {}), ...(ctx.job ? { job: ctx.job } : {}),
  });
}

/** One-at-a-time sensitivity of every quantized Conv/MatMul/Gemm of `full`, most sensitive first. */
export async function rankSensitivity(ctx: AccuracyContext, full: Candidate): Promise<Sensitivity[]> {
  const heavy = [...full.quantized].filter(([, op]) => HEAVY.has(op)).map(([n, op]) => ({ node: n, op }));
  const others = (n: string) => heavy.filter((h) => h.node !== n).map((h) => h.node);
  await ctx.candidates.ensureRanges(heavy.flatMap((h) => ctx.candidates.tensorsFor([...full.keptFloat, ...others(h.node)])));
  const samples = ctx.calibSamples.slice(0, SENSITIVITY_SAMPLES);
  const compared = comparedTensor(ctx.floatModel);
  const floatPath = path.join(ctx.tmp, 'sensitivity-float.onnx');
  writeModel(exposing(ctx.floatModel, compared), floatPath, { sourceDir: ctx.sourceDir });
  const out: Sensitivity[] = [];
  for (let i = 0; i < heavy.length; i += BATCH) {
    const batch = heavy.slice(i, i + BATCH);
    const built = [];
    for (const h of batch) built.push(await ctx.candidates.build([...full.keptFloat, ...others(h.node)], `alone-${i + built.length}`, compared));
    try {
      const r = await ctx.host.run('sensitivity', { floatModelPath: floatPath, candidates: built.map((b) => b.path), samples, outputName: compared }, ctx.job);
      r.candidates.forEach((c, k) => out.push({ ...batch[k]!, sqnrDb: sqnr(c.signal, c.noise), top1Kept: c.sameTop1 }));
    } finally {
      for (const b of built) fs.rmSync(b.path, { force: true });
    }
  }
  // fewest kept top classes first, then lowest SQNR
  return out.sort((a, b) => (a.top1Kept ?? 0) - (b.top1Kept ?? 0) || a.sqnrDb - b.sqnrDb);
}

/**
 * Keeps the most sensitive layers float until `target` is met on the held-out samples. Returns
 * the candidate that meets it with the fewest layers kept float, or — when even keeping every
 * ranked layer float misses it — the last one tried with `met: false`.
 */
export async function meetAccuracy(ctx: AccuracyContext, full: Candidate, before: Fidelity, target: AccuracyTarget, describe: string): Promise<{ candidate: Candidate; fidelity: Fidelity; fallback: AccuracyFallback }> {
  // every ranked layer float would be no SPTQ at all: at least one stays int8
  const ranked = (await rankSensitivity(ctx, full)).slice(0, -1);
  if (!ranked.length) return { candidate: full, fidelity: before, fallback: { target: describe, met: false, before, keptFloat: [], steps: [] } };
  const steps: AccuracyFallback['steps'] = [];
  const tried = new Map<number, { c: Candidate; f: Fidelity }>();
  const attempt = async (k: number) => {
    if (!tried.has(k)) {
      const c = await ctx.candidates.build([...full.keptFloat, ...ranked.slice(0, k).map((r) => r.node)], `fallback-${k}`);
      const f = await fidelityOf(ctx, c, `fallback-${k}`);
      tried.set(k, { c, f });
      steps.push({ count: k, sqnrDb: f.sqnrDb, top1Agreement: f.top1Agreement, met: meetsTarget(target, f) });
    }
    return tried.get(k)!;
  };
  let lo = 0;
  let hi = -1;
  for (let k = 1; ; k = Math.min(ranked.length, k * 2)) {
    if (meetsTarget(target, (await attempt(k)).f)) { hi = k; break; }
    lo = k;
    if (k >= ranked.length) break;
  }
  if (hi < 0) {
    const last = tried.get(ranked.length) ?? tried.get(lo)!;
    return { candidate: last.c, fidelity: last.f, fallback: { target: describe, met: false, before, keptFloat: ranked, steps } };
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (meetsTarget(target, (await attempt(mid)).f)) hi = mid; else lo = mid;
  }
  const best = tried.get(hi)!;
  return { candidate: best.c, fidelity: best.f, fallback: { target: describe, met: true, before, keptFloat: ranked.slice(0, hi), steps: steps.sort((a, b) => a.count - b.count) } };
}
