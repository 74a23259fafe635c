/**
 * Accuracy of every operator on the same samples, measured (partitions included: head then tail,
 * never assumed equal): the runner evaluates each build, `scoreOutputs` scores them against
 * Identity (metric choice, bootstrap CI and fidelity live there). Samples are read from their
 * source one chunk at a time and sent to the runner, which keeps the build's sessions open across
 * the chunks, so neither side holds more than a chunk of inputs (outputs are kept: one small
 * tensor per sample). The advisor evaluates operators as they are built and scores whatever it has
 * so far; `measureAccuracy` does all at once.
 */
import { scoreOutputs, type AccuracyResult } from '../accuracy/score';
import type { Labels } from '../data/labels';
import { memorySource, type SampleSource } from '../data/source';
import { feedsBytes, type Feeds, type TensorData } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { OperatorId } from '../results';
import type { OperatorBuild } from './rows';

export type { AccuracyResult, OperatorAccuracy } from '../accuracy/score';

/** Samples per evaluate job: large enough to amortise a job's round trip, small enough to bound memory. */
export const EVAL_CHUNK = 64;
/** Input bytes per evaluate job: 64 samples of a 1024×1024 image would be 768 MB in one message. */
export const EVAL_CHUNK_BYTES = 64 * 2 ** 20;

export interface EvaluateOptions extends JobOptions {
  /** Evaluate in a fresh runner, so the peak memory it reports is this build's own. */
  fresh?: boolean;
  chunk?: number;
  /**
   * Stop sending chunks once this much time has passed and `minSamples` have been evaluated: the
   * outputs then cover the first samples only (fidelity on synthetic samples of a slow model).
   */
  timeCap?: { ms: number; minSamples: number };
}

/** One operator's outputs on the samples, in order, and the peak RSS of a runner holding it. */
export async function evaluateBuild(
  build: OperatorBuild, samples: SampleSource | Feeds[], runner: RunnerHost, threads: number, opts: EvaluateOptions = {},
): Promise<{ outputs: TensorData[]; peakRssMB: number | undefined }> {
  const source = Array.isArray(samples) ? memorySource('npy', samples) : samples;
  const chunk = Math.max(1, opts.chunk ?? await chunkFor(source));
  const job = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
  const stages = build.stages.map((modelPath) => ({ modelPath, threads }));
  if (opts.fresh) runner.fresh?.();
  const outputs: TensorData[] = [];
  let peakRssMB: number | undefined;
  const t0 = Date.now();
  const cap = opts.timeCap;
  for (let start = 0; start < source.count; start += chunk) {
    const end = Math.min(source.count, start + chunk);
    const r = await runner.run('evaluate', { stages, samples: await source.read(start, end), keepSession: end < source.count }, job);
    outputs.push(...r.outputs);
    peakRssMB ??= r.peakRssMB;
    if (cap && end < source.count && outputs.length >= cap.minSamples && Date.now() - t0 >= cap.ms) {
      // the runner still holds the sessions for a next chunk that will not come
      runner.fresh?.();
      break;
    }
  }
  return { outputs, peakRssMB };
}

/** EVAL_CHUNK samples, fewer where their tensors would pass EVAL_CHUNK_BYTES (sized from the first sample). */
async function chunkFor(source: SampleSource): Promise<number> {
  if (source.count === 0) return EVAL_CHUNK;
  const [first] = await source.read(0, 1);
  const bytes = first ? feedsBytes(first) : 0;
  return Math.max(1, Math.min(EVAL_CHUNK, Math.floor(EVAL_CHUNK_BYTES / Math.max(1, bytes))));
}

export async function measureAccuracy(
  builds: OperatorBuild[], samples: SampleSource | Feeds[], labels: Labels | undefined, runner: RunnerHost, threads: number,
  opts: EvaluateOptions & { onOperator?: (op: OperatorId, i: number, n: number) => void; labelsFile?: string } = {},
): Promise<AccuracyResult> {
  const count = Array.isArray(samples) ? samples.length : samples.count;
  const outputs = new Map<OperatorId, TensorData[]>();
  for (const [i, b] of builds.entries()) {
    opts.onOperator?.(b.operator, i, builds.length);
    outputs.set(b.operator, (await evaluateBuild(b, samples, runner, threads, opts)).outputs);
  }
  return scoreOutputs(outputs, labels, count, opts.labelsFile);
}
