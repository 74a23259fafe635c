/**
 * The samples a run uses: evaluation samples (accuracy or fidelity, the same for every operator),
 * a few benchmark samples (latency), and calibration samples for SPTQ. Without data, synthetic
 * inputs measure latency and fidelity — and every SPTQ row says its ranges came from synthetic data.
 */
import { AdvisorError } from '../errors';
import { loadDataset } from '../data/dataset';
import { modelInputSpecs, tensorTypeOf } from '../data/inputs';
import { loadLabels, type Labels } from '../data/labels';
import { syntheticSamples } from '../data/synthetic';
import { labelsMismatch, outputKind } from '../accuracy/score';
import { shapeOfType } from '../graph/shapes';
import type { Inspection } from '../inspect/inspect';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { AdvisorRequest } from './types';

export interface PreparedData {
  evalSamples: Feeds[];
  benchSamples: Feeds[];
  calibSamples: Feeds[];
  labels?: Labels;
  /** Bytes uploaded from Mobile per request (median sample file size, or tensor bytes). */
  inputBytes: number;
  syntheticCalibration: boolean;
  warnings: string[];
}

/** Caps keep runs bounded on big datasets; accuracy CIs say how much that costs. */
export const MAX_EVAL_SAMPLES = 1000;
export const MAX_CALIB_SAMPLES = 128;
export const BENCH_SAMPLES = 8;
export const SYNTHETIC_EVAL_SAMPLES = 32;
export const SYNTHETIC_CALIB_SAMPLES = 16;

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
}

function feedBytes(f: Feeds): number {
  return Object.values(f).reduce((s, t) => s + t.data.byteLength, 0);
}

export function prepareData(req: AdvisorRequest, model: ModelProto, inspection: Inspection): PreparedData {
  const inputs = modelInputSpecs(model, req.modelPath);
  const warnings: string[] = [];
  let evalSamples: Feeds[];
  let inputBytes: number;
  let labels: Labels | undefined;
  if (req.dataPath) {
    const ds = loadDataset(req.dataPath, inputs, { limit: MAX_EVAL_SAMPLES });
    evalSamples = ds.samples;
    inputBytes = medianOf(ds.payloadBytes);
    if (req.labelsPath) {
      const all = loadLabels(req.labelsPath);
      const n = evalSamples.length;
      const capped = n === MAX_EVAL_SAMPLES && all.shape[0]! > n;
      if (all.shape[0] !== n && !capped) {
        throw new AdvisorError('input', `has ${all.shape[0]} labels for ${n} samples in ${req.dataPath}`, req.labelsPath);
      }
      const per = all.shape.slice(1).reduce((a, b) => a * b, 1);
      labels = { shape: [n, ...all.shape.slice(1)], data: all.data.subarray(0, n * per) };
      checkLabelsFitModel(labels, model, req.labelsPath);
      if (capped) warnings.push(`accuracy is measured on the first ${n} of ${all.shape[0]} samples`);
    }
  } else {
    evalSamples = syntheticSamples(inputs, inspection.modality, SYNTHETIC_EVAL_SAMPLES, 11);
    inputBytes = feedBytes(evalSamples[0]!);
    warnings.push('no data given: latency and fidelity are measured on synthetic inputs; accuracy cannot be measured');
    if (req.labelsPath) warnings.push('labels ignored: they need --data');
  }
  let calibSamples: Feeds[];
  let syntheticCalibration = false;
  // an already-quantized model gets no SPTQ (a DSPTQ still says so on its own rows' flags)
  const sptqRuns = inspection.quantization.state === 'float';
  if (req.calibrationPath) {
    calibSamples = loadDataset(req.calibrationPath, inputs, { limit: MAX_CALIB_SAMPLES }).samples;
  } else if (req.dataPath) {
    calibSamples = evalSamples.slice(0, MAX_CALIB_SAMPLES);
    if (sptqRuns) warnings.push('SPTQ is calibrated on the evaluation data (no calibration set given): its accuracy may be optimistic');
  } else {
    calibSamples = syntheticSamples(inputs, inspection.modality, SYNTHETIC_CALIB_SAMPLES, 5);
    syntheticCalibration = true;
    if (sptqRuns) warnings.push('SPTQ ranges come from synthetic inputs and are unreliable: give calibration data for a trustworthy int8 model');
  }
  return {
    evalSamples,
    benchSamples: evalSamples.slice(0, BENCH_SAMPLES),
    calibSamples,
    ...(labels ? { labels } : {}),
    inputBytes,
    syntheticCalibration,
    warnings,
  };
}

/**
 * Labels that cannot score the model's first output fail here, before minutes of benchmarking,
 * when its declared shape is static past the batch axis (otherwise scoring checks the real one).
 */
function checkLabelsFitModel(labels: Labels, model: ModelProto, file: string): void {
  const out = model.graph?.output[0];
  const dims = shapeOfType(out?.type, -1);
  if (!dims || dims.slice(1).some((d) => d < 0)) return;
  const perSample = [1, ...dims.slice(1)];
  const type = tensorTypeOf(out?.type?.tensor_type?.elem_type);
  const why = labelsMismatch(labels, outputKind(perSample, type), `[${dims.map((d) => (d < 0 ? 'N' : d)).join(', ')}]`);
  if (why) throw new AdvisorError('input', why, file);
}
