/**
 * Accuracy of every operator on the same samples, measured (partitions included: head then tail,
 * never assumed equal). With labels: top-1 / F1 / mIoU and the drop against Identity with a paired
 * bootstrap CI. Without labels: fidelity to the float model (top-1 agreement, SQNR) and the
 * "drop" is the disagreement in points.
 */
import { accuracyDrop } from '../accuracy/drop';
import { binaryF1, meanIoU, sqnrDb, top1Accuracy, top1Agreement } from '../accuracy/metrics';
import { classPredictions, flattenOutputs, maskPrediction } from '../accuracy/predictions';
import type { Labels } from '../data/labels';
import { labelOf } from '../data/labels';
import type { Feeds, JobOptions, RunnerHost, TensorData } from '../protocol/runner';
import type { Fidelity, Metric, OperatorId } from '../results';
import type { OperatorBuild } from './measure';

export interface OperatorAccuracy {
  operator: OperatorId;
  /** Percent (metric), or agreement with Identity in fidelity mode. */
  accuracy: number;
  drop: number;
  dropCi: [number, number];
  fidelity: Fidelity;
}

export interface AccuracyResult {
  metric: Metric;
  baseline: number;
  perOperator: Map<OperatorId, OperatorAccuracy>;
  samples: number;
}

export async function measureAccuracy(
  builds: OperatorBuild[], samples: Feeds[], labels: Labels | undefined, runner: RunnerHost, threads: number,
  opts: JobOptions & { onOperator?: (op: OperatorId, i: number, n: number) => void } = {},
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
  const ref = outputs.get('identity');
  if (!ref) throw new Error('measureAccuracy needs the identity operator');
  const refFlat = flattenOutputs(ref);
  const isMask = ref[0] !== undefined && ref[0].dims.length === 4;
  const classScores = !isMask && looksLikeClassScores(ref);
  if (!classScores && !isMask && !labels) return sqnrFidelity(outputs, ref, samples.length);
  const refPred = isMask ? undefined : classPredictions(ref);
  const n = samples.length;

  let metric: Metric = 'agreement';
  let score: (pred: Int32Array | Int32Array[], idx: ArrayLike<number>) => number;
  if (labels) {
    if (labels.shape.length > 1 && isMask) {
      metric = 'miou';
      const masks = Array.from({ length: n }, (_, i) => labelOf(labels, i));
      const classes = ref[0]!.dims[1]!;
      score = (p, idx) => meanIoU(Array.from(idx, (i) => (p as Int32Array[])[i]!), Array.from(idx, (i) => masks[i]!), classes);
    } else {
      const classes = ref[0]!.data.length;
      const binary = classes <= 2 && labels.data.every((v) => v === 0 || v === 1);
      metric = binary ? 'f1' : 'top1';
      score = binary ? (p, idx) => binaryF1(p as Int32Array, labels.data, 1, idx) : (p, idx) => top1Accuracy(p as Int32Array, labels.data, idx);
    }
  } else {
    score = (p, idx) => top1Agreement(p as Int32Array, refPred!, idx);
  }

  const predsOf = (o: TensorData[]) => (isMask ? o.map(maskPrediction) : classPredictions(o));
  const basePreds = predsOf(ref);
  const perOperator = new Map<OperatorId, OperatorAccuracy>();
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const baseline = score(basePreds, all);
  for (const [op, out] of outputs) {
    const preds = predsOf(out);
    const est = accuracyDrop(n, (idx) => score(basePreds, idx), (idx) => score(preds, idx), { seed: 17 });
    perOperator.set(op, {
      operator: op,
      accuracy: est.candidate,
      drop: est.drop,
      dropCi: est.ci,
      fidelity: {
        top1Agreement: isMask ? NaN : top1Agreement(preds as Int32Array, refPred!),
        sqnrDb: sqnrDb(refFlat, flattenOutputs(out)),
      },
    });
  }
  return { metric, baseline, perOperator, samples: n };
}

/** One row of class scores (or a single score) per sample: what classPredictions can read. */
function looksLikeClassScores(outputs: TensorData[]): boolean {
  const o = outputs[0];
  if (!o) return false;
  const nonUnit = o.dims.filter((d) => d !== 1);
  return nonUnit.length <= 1 && o.type !== 'int64';
}

/** Per-sample SQNR at or above this counts as "the same answer" for outputs that are not class scores. */
export const AGREEMENT_SQNR_DB = 20;

/**
 * Fidelity for outputs that are not class scores (embeddings, boxes, regressions) and no labels:
 * a sample agrees when its output SQNR against Identity is ≥ 20 dB (error under 10% of the signal's
 * amplitude); the drop is the share of samples that do not, in points.
 */
function sqnrFidelity(outputs: Map<OperatorId, TensorData[]>, ref: TensorData[], n: number): AccuracyResult {
  const perSample = (out: TensorData[]) => Int32Array.from(ref, (r, i) => (sqnrDb(flattenOutputs([r]), flattenOutputs([out[i]!])) >= AGREEMENT_SQNR_DB ? 1 : 0));
  const ones = new Int32Array(n).fill(1);
  const perOperator = new Map<OperatorId, OperatorAccuracy>();
  const refFlat = flattenOutputs(ref);
  for (const [op, out] of outputs) {
    const agree = perSample(out);
    const score = (idx: ArrayLike<number>) => top1Agreement(agree, ones, idx);
    const est = accuracyDrop(n, () => 100, score, { seed: 17 });
    perOperator.set(op, { operator: op, accuracy: est.candidate, drop: est.drop, dropCi: est.ci, fidelity: { top1Agreement: est.candidate, sqnrDb: sqnrDb(refFlat, flattenOutputs(out)) } });
  }
  return { metric: 'agreement', baseline: 100, perOperator, samples: n };
}
