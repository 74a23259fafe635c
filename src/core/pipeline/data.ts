/**
 * The samples a run uses: evaluation samples (accuracy or fidelity, the same for every operator),
 * a few benchmark samples (latency), and calibration samples for SPTQ — from `.npy` arrays, an
 * image folder (decoded and preprocessed batch by batch), a text file (tokenized with the model's
 * tokenizer.json), or synthetic inputs when no data is given (every SPTQ row then says its ranges
 * came from synthetic data).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { loadDataset } from '../data/dataset';
import { modelInputSpecs, tensorTypeOf, type InputSpec } from '../data/inputs';
import { loadLabels, type Labels } from '../data/labels';
import { readModelDataConfig } from '../data/modelConfig';
import { headOf, memorySource, type SampleSource } from '../data/source';
import { describeSynthetic, withInputShapes } from '../data/inputShapes';
import { syntheticSamples } from '../data/synthetic';
import { looksLikeImages, evenlySpaced } from '../data/images/folder';
import { openImageSource } from '../data/images/imageSource';
import { describePreprocess, resolvePreprocess } from '../data/images/preprocessSpec';
import { isTextData } from '../data/text/textFile';
import { openTextSource } from '../data/text/textSource';
import { labelsMismatch, outputKind } from '../accuracy/score';
import { shapeOfType } from '../graph/shapes';
import type { Inspection } from '../inspect/inspect';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { DataSummary } from '../results';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { PreprocessResult } from '../protocol/preprocess';
import { median } from '../stats/describe';
import { threadsFor } from '../tiers/compute';
import type { TierId, TierSet } from '../tiers/types';
import type { AdvisorRequest } from './types';

export interface PreparedData {
  /** Evaluation samples, read a batch at a time (accuracy.ts). */
  evalSource: SampleSource;
  benchSamples: Feeds[];
  /** The first evaluation samples, for SPTQ's fidelity check. */
  fidelitySamples: Feeds[];
  /** Calibration samples for SPTQ, read a chunk at a time. */
  calibSamples: SampleSource;
  labels?: Labels;
  /** Bytes uploaded from Mobile per request (median sample file size, or tensor bytes). */
  inputBytes: number;
  syntheticCalibration: boolean;
  /** The sizes synthetic samples got where any was guessed ("input [1, 1] (guessed), sr []"), for errors to name. */
  syntheticGuess?: string;
  warnings: string[];
  /** What the report says about the data: where it came from, how it was preprocessed. */
  summary: DataSummary;
}

/** Caps keep runs bounded on big datasets; accuracy CIs say how much that costs. */
export const MAX_EVAL_SAMPLES = 1000;
export const MAX_CALIB_SAMPLES = 128;
export const BENCH_SAMPLES = 8;
export const FIDELITY_SAMPLES = 32;
export const SYNTHETIC_EVAL_SAMPLES = 32;
export const SYNTHETIC_CALIB_SAMPLES = 16;

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
}

/** Classes the model's first output scores, when its shape says so ([N, C] or [N, C, 1, 1]). */
export function classCountOf(model: ModelProto): number | undefined {
  const dims = shapeOfType(model.graph?.output[0]?.type, -1);
  if (!dims || dims.length < 2) return undefined;
  const rest = dims.slice(1);
  const c = rest[0]!;
  return c > 1 && rest.slice(1).every((d) => d === 1) ? c : undefined;
}

export interface SourceSettings {
  inputs: InputSpec[];
  modelPath: string;
  /** --preprocess, or the model's "preprocess" in edge-advisor.json, with where it came from. */
  preprocess?: { setting: unknown; origin: string; baseDir: string };
  tokenizer?: string;
  classCount?: number;
  limit: number;
}

/** Opens any supported data path as a SampleSource: a text file, images, else `.npy` data. */
export async function openSource(dataPath: string, s: SourceSettings): Promise<SampleSource> {
  if (!fs.existsSync(dataPath)) throw new AdvisorError('input', 'data file or folder not found', dataPath);
  if (isTextData(dataPath) && fs.statSync(dataPath).isFile()) {
    const tokenizer = s.tokenizer ?? path.join(path.dirname(s.modelPath), 'tokenizer.json');
    return openTextSource(dataPath, s.inputs, tokenizer, { limit: s.limit, ...(s.classCount !== undefined ? { classCount: s.classCount } : {}) });
  }
  if (looksLikeImages(dataPath)) {
    if (s.inputs.length !== 1) throw new AdvisorError('input', `images feed a model with one input; this one has ${s.inputs.length} (${s.inputs.map((i) => i.name).join(', ')})`, dataPath);
    const choice = resolvePreprocess(s.preprocess?.setting, s.inputs[0]!, s.preprocess?.origin ?? 'inferred', s.preprocess?.baseDir);
    return openImageSource(dataPath, s.inputs[0]!, choice, { limit: s.limit, ...(s.classCount !== undefined ? { classCount: s.classCount } : {}) });
  }
  const ds = loadDataset(dataPath, s.inputs, { limit: s.limit });
  return memorySource('npy', ds.samples, ds.payloadBytes, { path: dataPath });
}

/** `n` samples spread evenly over a source (calibration drawn from evaluation data spans its classes). */
function spreadOf(src: SampleSource, n: number): SampleSource {
  if (src.count <= n) return src;
  const idx = evenlySpaced(src.count, n);
  return {
    ...headOf(src, n),
    payloadBytes: idx.map((i) => src.payloadBytes[i]!),
    read: async (start, end) => (await Promise.all(idx.slice(start, end).map((i) => src.read(i, i + 1)))).flat(),
  };
}

export async function prepareData(req: AdvisorRequest, model: ModelProto, inspection: Inspection): Promise<PreparedData> {
  const inputs = modelInputSpecs(model, req.modelPath);
  const cfg = readModelDataConfig(req.configFile, req.modelPath);
  const shapes = req.inputShapes ?? cfg.shapes;
  const synthetic = withInputShapes(inputs, shapes, req.inputShapes ? req.modelPath : req.configFile ?? req.modelPath);
  const preprocess = req.preprocess !== undefined
    ? { setting: req.preprocess, origin: '--preprocess', baseDir: process.cwd() }
    : cfg.preprocess !== undefined ? { setting: cfg.preprocess, origin: 'edge-advisor.json', baseDir: path.dirname(req.configFile!) } : undefined;
  const tokenizer = req.tokenizerPath ?? cfg.tokenizer;
  const classCount = classCountOf(model);
  const settings = (limit: number): SourceSettings => ({
    inputs, modelPath: req.modelPath, limit,
    ...(preprocess ? { preprocess } : {}), ...(tokenizer ? { tokenizer } : {}), ...(classCount !== undefined ? { classCount } : {}),
  });
  const warnings: string[] = [];
  let evalSource: SampleSource;
  let labels: Labels | undefined;
  if (req.dataPath) {
    evalSource = await openSource(req.dataPath, settings(MAX_EVAL_SAMPLES));
    warnings.push(...evalSource.warnings);
    if (evalSource.preprocess?.guess) warnings.push(guessWarning(evalSource));
    if (req.labelsPath) {
      if (evalSource.labels) warnings.push(`labels from ${path.basename(req.labelsPath)} replace the ones the data carries`);
      labels = labelsFromFile(req.labelsPath, evalSource, req.dataPath, warnings);
    } else {
      labels = evalSource.labels;
    }
    if (labels) checkLabelsFitModel(labels, model, req.labelsPath ?? req.dataPath);
  } else {
    evalSource = memorySource('synthetic', syntheticSamples(synthetic, inspection.modality, SYNTHETIC_EVAL_SAMPLES, 11));
    warnings.push('no data given: latency and fidelity are measured on synthetic inputs; accuracy cannot be measured');
    if (req.labelsPath) warnings.push('labels ignored: they need --data');
  }
  let calibSamples: SampleSource;
  let syntheticCalibration = false;
  // an already-quantized model gets no SPTQ (a DSPTQ still says so on its own rows' flags)
  const sptqRuns = inspection.quantization.state === 'float';
  if (req.calibrationPath) {
    calibSamples = await openSource(req.calibrationPath, settings(MAX_CALIB_SAMPLES));
    warnings.push(...calibSamples.warnings.map((w) => `calibration data: ${w}`));
  } else if (req.dataPath) {
    calibSamples = spreadOf(evalSource, MAX_CALIB_SAMPLES);
    if (sptqRuns) warnings.push('SPTQ is calibrated on the evaluation data (no calibration set given): its accuracy may be optimistic');
  } else {
    calibSamples = memorySource('synthetic', syntheticSamples(synthetic, inspection.modality, SYNTHETIC_CALIB_SAMPLES, 5));
    syntheticCalibration = true;
    if (sptqRuns) warnings.push('SPTQ ranges come from synthetic inputs and are unreliable: give calibration data for a trustworthy int8 model');
  }
  if (req.inputShapes && req.dataPath) warnings.push('input shapes are ignored: they size synthetic samples, and every sample here comes from data files');
  const syntheticGuess = !req.dataPath ? describeSynthetic(synthetic, inspection.modality) : undefined;
  const first = await evalSource.read(0, Math.min(evalSource.count, Math.max(BENCH_SAMPLES, FIDELITY_SAMPLES)));
  const inputBytes = medianOf(evalSource.payloadBytes);
  return {
    evalSource,
    benchSamples: first.slice(0, BENCH_SAMPLES),
    fidelitySamples: first.slice(0, FIDELITY_SAMPLES),
    calibSamples,
    ...(labels ? { labels } : {}),
    inputBytes,
    syntheticCalibration,
    ...(syntheticGuess ? { syntheticGuess } : {}),
    warnings,
    summary: summaryOf(evalSource, calibSamples, inputBytes, req.calibrationPath !== undefined),
  };
}

function guessWarning(src: SampleSource): string {
  const p = src.preprocess!;
  return `preprocessing is a guess (${p.origin}): ${describePreprocess(p.spec)}. If the model was trained with other normalisation, set "preprocess" for it in edge-advisor.json or pass --preprocess imagenet|[-1,1]|caffe|<file.json>`;
}

function summaryOf(evalSource: SampleSource, calib: SampleSource, inputBytes: number, ownCalibration: boolean): DataSummary {
  const p = evalSource.preprocess ?? (ownCalibration ? calib.preprocess : undefined);
  return {
    kind: evalSource.kind,
    ...(evalSource.path ? { path: evalSource.path } : {}),
    samples: evalSource.count,
    ...(evalSource.describe ? { describe: evalSource.describe } : {}),
    payloadBytes: inputBytes,
    ...(p ? { preprocessing: { description: describePreprocess(p.spec), origin: p.origin, guess: p.guess } } : {}),
    calibration: {
      kind: calib.kind, samples: calib.count,
      ...(ownCalibration && calib.path ? { path: calib.path } : {}),
      ...(ownCalibration && calib.describe ? { describe: calib.describe } : {}),
    },
  };
}

/** A labels file for data that is read in order: one label per sample (the first N when capped). */
function labelsFromFile(file: string, src: SampleSource, dataPath: string, warnings: string[]): Labels {
  const all = loadLabels(file);
  if (src.kind === 'images') {
    throw new AdvisorError('usage', 'labels of an image folder come from its class folders (root/<class>/<image>, with labels.txt for the class order); --labels applies to .npy and text data', file);
  }
  const n = src.count;
  const capped = n === MAX_EVAL_SAMPLES && all.shape[0]! > n;
  if (all.shape[0] !== n && !capped) {
    throw new AdvisorError('input', `has ${all.shape[0]} labels for ${n} samples in ${dataPath}`, file);
  }
  if (capped) warnings.push(`accuracy is measured on the first ${n} of ${all.shape[0]} samples`);
  const per = all.shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape: [n, ...all.shape.slice(1)], data: all.data.subarray(0, n * per) };
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

/** Files sent to the tier-side timing job (evenly spread over the data), and its time per tier thread count. */
export const PREPROCESS_TIMING_FILES = 16;
export const PREPROCESS_TIMING_MS = 1500;

/**
 * When samples are image files, the tier that receives a request decodes and preprocesses it:
 * times that in the runner (the tier's side) at each tier's thread count, scaled by the tier's
 * per-core speed. Returns ms per request by tier (empty for tensor data) and records it in `data.summary`.
 */
export async function measurePreprocessing(
  data: PreparedData, tiers: TierSet, hostCores: number, runner: RunnerHost, opts: JobOptions = {},
): Promise<Partial<Record<TierId, number>>> {
  const src = data.evalSource;
  if (src.kind !== 'images' || !src.files?.length || !src.preprocess) return {};
  const files = evenlySpaced(src.files.length, PREPROCESS_TIMING_FILES).map((i) => new Uint8Array(fs.readFileSync(src.files![i]!)));
  const byThreads = new Map<number, PreprocessResult>();
  const out: Partial<Record<TierId, number>> = {};
  const timing: NonNullable<DataSummary['preprocessTiming']> = [];
  for (const tier of Object.values(tiers.tiers)) {
    const threads = threadsFor(tier, hostCores);
    let r = byThreads.get(threads);
    if (!r) {
      r = await runner.run('preprocess', { files, spec: src.preprocess.spec, threads, budgetMs: PREPROCESS_TIMING_MS }, opts);
      byThreads.set(threads, r);
    }
    const ms = median(r.samplesMs) / tier.speed;
    out[tier.id] = ms;
    timing.push({ tier: tier.id, threads, msPerRequest: ms, perSecond: r.perSecond * tier.speed });
  }
  data.summary.preprocessTiming = timing;
  return out;
}

/**
 * What turns the data files into tensors, for the results cache key: the preprocessing setting (a
 * --preprocess value or the model's edge-advisor.json entry) and the tokenizer, whose files are hashed too.
 */
export function dataCacheParts(req: AdvisorRequest): { files: string[]; settings: unknown } {
  const cfg = readModelDataConfig(req.configFile, req.modelPath);
  const preprocess = req.preprocess ?? cfg.preprocess ?? null;
  const tokenizer = req.tokenizerPath ?? cfg.tokenizer ?? path.join(path.dirname(req.modelPath), 'tokenizer.json');
  const files = [tokenizer, typeof preprocess === 'string' && /\.json$/i.test(preprocess) ? path.resolve(preprocess) : undefined]
    .filter((f): f is string => !!f && fs.existsSync(f));
  return { files, settings: { preprocess, tokenizer: files.includes(tokenizer) ? tokenizer : null, shapes: req.inputShapes ?? cfg.shapes ?? null } };
}
