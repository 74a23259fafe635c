/**
 * Scoring every operator's outputs on the same samples against Identity (pure: the runner has
 * already produced the outputs). What is scored depends on the first output's shape, per sample:
 * - class scores (one non-unit axis, [1, C] or [1, C, 1, 1], or a single score/class id) → top-1,
 *   or F1 for binary labels, or agreement with Identity's class without labels;
 * - a spatial map [1, C, H, W] with H·W > 1 and per-pixel label masks → mIoU;
 * - anything else without labels (detection grids, embeddings, regressions, or a map without
 *   masks) → fidelity by output SQNR: a sample agrees when it is ≥ 20 dB from Identity's.
 * Labels that cannot describe the output (class ids for a map, masks for class scores) are an
 * input error naming both shapes, never a silent 0%.
 */
import type { Labels } from '../data/labels';
import { labelOf } from '../data/labels';
import { AdvisorError } from '../errors';
import type { TensorData } from '../protocol/tensor';
import type { Fidelity, Metric, OperatorId } from '../results';
import { accuracyDrop } from './drop';
import { binaryF1, meanIoU, sqnrDb, top1Accuracy, top1Agreement } from './metrics';
import { classPredictions, flattenOutputs, maskPrediction } from './predictions';

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
  /** How "agreement" was judged when it is not the top class (for the report's readers). */
  note?: string;
}

export type OutputKind = 'classes' | 'map' | 'other';

/** What one sample's first output looks like (see the module comment), from its dims and type. */
export function outputKind(dims: readonly number[] | undefined, type?: string): OutputKind {
  if (!dims) return 'other';
  const size = dims.reduce((a, b) => a * b, 1);
  if (size === 1) return 'classes';
  if (dims.filter((d) => d !== 1).length <= 1 && type !== 'int64') return 'classes';
  if (dims.length === 4 && dims[0] === 1 && dims[2]! * dims[3]! > 1) return 'map';
  return 'other';
}

/**
 * Why `labels` cannot score an output of this kind, or undefined when they can. `shape` is the
 * output's shape as the message shows it.
 */
export function labelsMismatch(labels: Labels, kind: OutputKind, shape: string): string | undefined {
  if (labels.shape.length > 1 && kind !== 'map') {
    return `the labels are per-pixel masks [${labels.shape.join(', ')}], but the model's first output has shape ${shape}, not [1, classes, H, W]`;
  }
  if (labels.shape.length === 1 && kind !== 'classes') {
    return `the labels are one class per sample, but the model's first output has shape ${shape}, not one row of class scores; give per-pixel masks for a segmentation output, or no labels to compare operators by output fidelity`;
  }
  return undefined;
}

/** Per-sample SQNR at or above this counts as "the same answer" for outputs that are not class scores. */
export const AGREEMENT_SQNR_DB = 20;

/**
 * Scores `outputs` (operator → one first-output tensor per sample; must hold 'identity') on `n`
 * samples. `source` names the labels file in errors.
 */
export function scoreOutputs(
  outputs: Map<OperatorId, TensorData[]>, labels: Labels | undefined, n: number, source?: string,
): AccuracyResult {
  const ref = outputs.get('identity');
  if (!ref) throw new Error('scoreOutputs needs the identity operator');
  const kind = outputKind(ref[0]?.dims, ref[0]?.type);
  const mismatch = labels && labelsMismatch(labels, kind, `[${ref[0]?.dims.join(', ') ?? ''}]`);
  if (mismatch) throw new AdvisorError('input', mismatch, source);
  if (!labels && kind !== 'classes') {
    return { ...sqnrFidelity(outputs, ref, n), note: `the model's first output (shape [${ref[0]?.dims.join(', ') ?? ''}]) is not class scores, so a sample "agrees" when an operator's output is within ${AGREEMENT_SQNR_DB} dB SQNR of the unmodified model's (error under 10% of the signal)` };
  }

  const isMap = kind === 'map';
  const refPred = isMap ? undefined : classPredictions(ref);
  let metric: Metric = 'agreement';
  let score: (pred: Int32Array | Int32Array[], idx: ArrayLike<number>) => number;
  if (labels && isMap) {
    metric = 'miou';
    const masks = Array.from({ length: n }, (_, i) => labelOf(labels, i));
    const classes = ref[0]!.dims[1]!;
    score = (p, idx) => meanIoU(Array.from(idx, (i) => (p as Int32Array[])[i]!), Array.from(idx, (i) => masks[i]!), classes);
  } else if (labels) {
    const classes = ref[0]!.data.length;
    const binary = classes <= 2 && labels.data.every((v) => v === 0 || v === 1);
    metric = binary ? 'f1' : 'top1';
    score = binary ? (p, idx) => binaryF1(p as Int32Array, labels.data, 1, idx) : (p, idx) => top1Accuracy(p as Int32Array, labels.data, idx);
  } else {
    score = (p, idx) => top1Agreement(p as Int32Array, refPred!, idx);
  }

  const predsOf = (o: TensorData[]) => (isMap ? o.map(maskPrediction) : classPredictions(o));
  const basePreds = refPred ?? predsOf(ref);
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
        top1Agreement: isMap ? NaN : top1Agreement(preds as Int32Array, refPred!),
        sqnrDb: outputSqnr(ref, out),
      },
    });
  }
  return { metric, baseline, perOperator, samples: n };
}

/**
 * Fidelity for outputs that are not class scores, without labels: a sample agrees when its output
 * SQNR against Identity is ≥ 20 dB (error under 10% of the signal's amplitude); the drop is the
 * share of samples that do not, in points.
 */
function sqnrFidelity(outputs: Map<OperatorId, TensorData[]>, ref: TensorData[], n: number): AccuracyResult {
  // a sample whose output has another size (a detector's variable box count) does not agree
  const sampleSqnr = (r: TensorData, o: TensorData) => (r.data.length === o.data.length ? sqnrDb(flattenOutputs([r]), flattenOutputs([o])) : -Infinity);
  const perSample = (out: TensorData[]) => Int32Array.from(ref, (r, i) => (sampleSqnr(r, out[i]!) >= AGREEMENT_SQNR_DB ? 1 : 0));
  const ones = new Int32Array(n).fill(1);
  const perOperator = new Map<OperatorId, OperatorAccuracy>();
  for (const [op, out] of outputs) {
    const agree = perSample(out);
    const score = (idx: ArrayLike<number>) => top1Agreement(agree, ones, idx);
    const est = accuracyDrop(n, () => 100, score, { seed: 17 });
    perOperator.set(op, { operator: op, accuracy: est.candidate, drop: est.drop, dropCi: est.ci, fidelity: { top1Agreement: est.candidate, sqnrDb: outputSqnr(ref, out) } });
  }
  return { metric: 'agreement', baseline: 100, perOperator, samples: n };
}

/**
 * SQNR of an operator's outputs against Identity's over every sample, dB; samples whose output
 * size differs (variable-length detections) are left out, NaN when none is comparable.
 */
export function outputSqnr(ref: TensorData[], out: TensorData[]): number {
  const same = ref.map((r, i) => (r.data.length === out[i]?.data.length ? i : -1)).filter((i) => i >= 0);
  if (same.length === 0) return NaN;
  return sqnrDb(flattenOutputs(same.map((i) => ref[i]!)), flattenOutputs(same.map((i) => out[i]!)));
}
