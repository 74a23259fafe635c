/**
 * What the study observed per operator, used as a hint where a white-box variant was not provided
 * (never as a measurement). Speed-ups are Identity ÷ operator median latency on the same tier,
 * across the study's four models (two for Cloud: its image models were transfer-bound there).
 * Distilled and DSPTQ ranges are the paper's figure values (paper-facts §5.4); SPTQ, QAT and Pruned
 * are recomputed from the §5.1 medians. Accuracy drops are points vs Identity on CPU (§5.2).
 */
import type { OperatorId } from '../results';
import { OPERATOR_LABELS } from '../labels';

export const WHITE_BOX_PAPER = '2411.00907';
export const BLACK_BOX_PAPER = '2403.17154';

type Range = readonly [number, number];

export interface OperatorObservation {
  speedupVsIdentity: { mobile: Range; edge: Range; cloudText: Range };
  accuracyDropPoints: Range;
  source: 'figure' | 'recomputed';
}

export const STUDY_OBSERVATIONS: Readonly<Partial<Record<OperatorId, OperatorObservation>>> = Object.freeze({
  sptq: { speedupVsIdentity: { mobile: [0.84, 1.44], edge: [1.49, 2.06], cloudText: [2.55, 2.78] }, accuracyDropPoints: [0.16, 0.87], source: 'recomputed' },
  qat: { speedupVsIdentity: { mobile: [0.64, 1.40], edge: [0.76, 1.87], cloudText: [1.39, 1.48] }, accuracyDropPoints: [-0.26, 1.53], source: 'recomputed' },
  pruned: { speedupVsIdentity: { mobile: [1.00, 1.05], edge: [0.99, 1.05], cloudText: [1.00, 1.03] }, accuracyDropPoints: [1.17, 2.42], source: 'recomputed' },
  distilled: { speedupVsIdentity: { mobile: [1.76, 4.73], edge: [1.78, 4.57], cloudText: [2.46, 3.23] }, accuracyDropPoints: [0.86, 2.49], source: 'figure' },
  dsptq: { speedupVsIdentity: { mobile: [1.60, 6.39], edge: [2.68, 8.07], cloudText: [7.14, 7.65] }, accuracyDropPoints: [1.34, 3.31], source: 'figure' },
} satisfies Partial<Record<OperatorId, OperatorObservation>>);

const HOW_TO_PROVIDE: Readonly<Partial<Record<OperatorId, string>>> = {
  distilled: 'provide a distilled student as <name>.distilled.onnx (or --variant distilled=<path>) to measure it',
  pruned: 'provide a pruned model as <name>.pruned.onnx (or --variant pruned=<path>) to measure it',
  qat: 'provide a quantization-aware-trained model as <name>.qat.onnx (or --variant qat=<path>) to measure it',
  dsptq: 'it is built from the distilled variant once one is provided',
};

const range = (r: Range) => `${r[0].toFixed(2)}–${r[1].toFixed(2)}`;

/**
 * A one-paragraph hint for a variant that was not provided, e.g. "Distilled was 1.76–4.73× faster
 * than Identity on Mobile in the study (arXiv 2411.00907) ...". Undefined for operators the
 * extension builds itself.
 */
export function studyHint(operator: OperatorId): string | undefined {
  const o = STUDY_OBSERVATIONS[operator];
  const how = HOW_TO_PROVIDE[operator];
  if (!o || !how) return undefined;
  const s = o.speedupVsIdentity;
  const name = OPERATOR_LABELS[operator];
  return `${name} not provided. In the study, ${name} was ${range(s.mobile)}× faster than Identity on Mobile and ` +
    `${range(s.edge)}× on Edge (${range(s.cloudText)}× on Cloud for text models), at a ${range(o.accuracyDropPoints)}-point ` +
    `accuracy drop (arXiv ${WHITE_BOX_PAPER}); ${how}.`;
}
