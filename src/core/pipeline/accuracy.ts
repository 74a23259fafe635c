/**
 * Accuracy of every operator on the same samples, measured (partitions included: head then tail,
 * never assumed equal): the runner evaluates each build, `scoreOutputs` scores them against
 * Identity (metric choice, bootstrap CI and fidelity live there). The advisor evaluates operators
 * as they are built and scores whatever it has so far; `measureAccuracy` does all at once.
 */
import { scoreOutputs, type AccuracyResult } from '../accuracy/score';
import type { Labels } from '../data/labels';
import type { Feeds, TensorData } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { OperatorId } from '../results';
import type { OperatorBuild } from './rows';

export type { AccuracyResult, OperatorAccuracy } from '../accuracy/score';

/**
 * One operator's outputs on the samples, in order (the first output, or the model's named one), and
 * the runner's peak RSS holding it — its own peak when the runner was fresh (`fresh: true`).
 */
export async function evaluateBuild(
  build: OperatorBuild, samples: Feeds[], runner: RunnerHost, threads: number, opts: JobOptions & { fresh?: boolean } = {},
): Promise<{ outputs: TensorData[]; peakRssMB: number }> {
  if (opts.fresh) runner.fresh?.();
  const r = await runner.run('evaluate', {
    stages: build.stages.map((modelPath) => ({ modelPath, threads })),
    samples,
  }, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  return { outputs: r.outputs, peakRssMB: r.peakRssMB };
}

export async function measureAccuracy(
  builds: OperatorBuild[], samples: Feeds[], labels: Labels | undefined, runner: RunnerHost, threads: number,
  opts: JobOptions & { onOperator?: (op: OperatorId, i: number, n: number) => void; labelsFile?: string } = {},
): Promise<AccuracyResult> {
  const outputs = new Map<OperatorId, TensorData[]>();
  for (const [i, b] of builds.entries()) {
    opts.onOperator?.(b.operator, i, builds.length);
    outputs.set(b.operator, (await evaluateBuild(b, samples, runner, threads, opts)).outputs);
  }
  return scoreOutputs(outputs, labels, samples.length, opts.labelsFile);
}
