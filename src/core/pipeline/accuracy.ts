/**
 * Accuracy of every operator on the same samples, measured (partitions included: head then tail,
 * never assumed equal): the runner evaluates each build, `scoreOutputs` scores them against
 * Identity (metric choice, bootstrap CI and fidelity live there).
 */
import { scoreOutputs, type AccuracyResult } from '../accuracy/score';
import type { Labels } from '../data/labels';
import type { Feeds, TensorData } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { OperatorId } from '../results';
import type { OperatorBuild } from './measure';

export type { AccuracyResult, OperatorAccuracy } from '../accuracy/score';

export async function measureAccuracy(
  builds: OperatorBuild[], samples: Feeds[], labels: Labels | undefined, runner: RunnerHost, threads: number,
  opts: JobOptions & { onOperator?: (op: OperatorId, i: number, n: number) => void; labelsFile?: string } = {},
): Promise<AccuracyResult> {
  const outputs = new Map<OperatorId, TensorData[]>();
  for (const [i, b] of builds.entries()) {
    opts.onOperator?.(b.operator, i, builds.length);
    const r = await runner.run('evaluate', {
      stages: b.stages.map((modelPath) => ({ modelPath, threads, spinning: true })),
      samples,
    }, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    outputs.set(b.operator, r.outputs);
  }
  return scoreOutputs(outputs, labels, samples.length, opts.labelsFile);
}
