/**
 * Accuracy of every operator on the same samples, measured (partitions included: head then tail,
 * never assumed equal): the runner evaluates each build, `scoreOutputs` scores them against
 * Identity (metric choice, bootstrap CI and fidelity live there). Samples are read from their
 * source one chunk at a time and sent to the runner, which keeps the build's sessions open across
 * the chunks, so neither side holds more than a chunk of inputs (outputs are kept: one small
 * tensor per sample).
 */
import { scoreOutputs, type AccuracyResult } from '../accuracy/score';
import type { Labels } from '../data/labels';
import { memorySource, type SampleSource } from '../data/source';
import type { Feeds, TensorData } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { OperatorId } from '../results';
import type { OperatorBuild } from './measure';

export type { AccuracyResult, OperatorAccuracy } from '../accuracy/score';

/** Samples per evaluate job: large enough to amortise a job's round trip, small enough to bound memory. */
export const EVAL_CHUNK = 64;

export async function measureAccuracy(
  builds: OperatorBuild[], samples: SampleSource | Feeds[], labels: Labels | undefined, runner: RunnerHost, threads: number,
  opts: JobOptions & { onOperator?: (op: OperatorId, i: number, n: number) => void; labelsFile?: string; chunk?: number } = {},
): Promise<AccuracyResult> {
  const source = Array.isArray(samples) ? memorySource('npy', samples) : samples;
  const chunk = Math.max(1, opts.chunk ?? EVAL_CHUNK);
  const outputs = new Map<OperatorId, TensorData[]>();
  const job = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
  for (const [i, b] of builds.entries()) {
    opts.onOperator?.(b.operator, i, builds.length);
    const stages = b.stages.map((modelPath) => ({ modelPath, threads, spinning: true }));
    const out: TensorData[] = [];
    for (let start = 0; start < source.count; start += chunk) {
      const end = Math.min(source.count, start + chunk);
      const r = await runner.run('evaluate', { stages, samples: await source.read(start, end), keepSession: end < source.count }, job);
      out.push(...r.outputs);
    }
    outputs.set(b.operator, out);
  }
  return scoreOutputs(outputs, labels, source.count, opts.labelsFile);
}
