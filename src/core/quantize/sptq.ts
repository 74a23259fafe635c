/**
 * The SPTQ operator end to end, through a runner host (the only place onnxruntime runs):
 * pre-process (opset moves, BatchNorm folding, cross-layer equalization) → calibrate in chunks →
 * quantize → bias correction where it measures better (biasCorrection.ts) → fidelity on held-out
 * samples, and where it misses the accuracy target, the most
 * sensitive layers back to float (accuracyLoop.ts) → measured placement: int8 regions that run
 * slower than their float kernels back to float (placementLoop.ts) → float vs int8 side by side;
 * an int8 model that is not faster is not offered (SptqNotFasterError) → write atomically →
 * fusion check → final fidelity with per-layer SQNR. Temporary models live in one private temp
 * folder that is always removed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { buildCalibrationModel } from '../calibrate/augment';
import { calibrationBatch } from '../calibrate/batch';
import { emptyState, type CalibrationMethod, type CalibrationState, type TensorRanges } from '../calibrate/state';
import { readModel, writeModel } from '../onnx/io';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import { memorySource, type SampleSource } from '../data/source';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { fidelityOf, meetAccuracy, type AccuracyContext, type AccuracyFallback } from './accuracyLoop';
import { correctBias, describeBiasCorrection, type BiasCorrection } from './biasCorrection';
import { Candidates } from './candidates';
import { onnxruntimeFusion, type FusionReport } from './fusion';
import {
  describeTarget, isFaster, measureFidelity, measureSpeed, meetsTarget, resolveTarget,
  type AccuracyTarget, type Fidelity, type SpeedCheck,
} from './measurements';
import { measuredPlacement, type PlacementReport } from './placementLoop';
import type { QuantizeOptions, QuantizeReport } from './quantize';

export type { AccuracyTarget, Fidelity, SpeedCheck } from './measurements';
export { sqnr } from './measurements';

export interface SptqOptions extends QuantizeOptions {
  method?: CalibrationMethod;
  /** Samples per calibrate job (bounds what the runner holds at once). Default 16, rounded up to a whole number of batches. */
  chunkSize?: number;
  /** Samples per calibration run; default: calibrationBatch decides (up to 8 where the model allows). */
  calibrationBatch?: number;
  /**
   * Graph optimisation for calibration runs. onnxruntime's calibrator uses 'disabled'; we default
   * to 'all' because the measured tensors keep their exact float values (test/sptq.test.ts) while a
   * calibration run costs ~1.4× a float inference on mobilenet_v2 instead of ~2.6×.
   */
  calibrationOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Held-out samples for fidelity and the accuracy target; none → no fidelity, no accuracy fallback. */
  fidelitySamples?: Feeds[];
  /** Per-layer SQNR in the final fidelity (a second pass with intermediates exposed). Default true. */
  perLayer?: boolean;
  /**
   * Per-layer SQNR over only the first this many fidelity samples (default: all). Exposing every
   * layer makes a comparison ~6× dearer (mobilenet_v2, 32 samples: 3.0 s instead of 0.5 s), and a
   * layer's SQNR sums over all its elements: a few samples locate a noisy layer as well.
   */
  layerSamples?: number;
  /**
   * The accuracy target (default: top-1 agreement ≥ 99% for class scores, SQNR ≥ 20 dB otherwise;
   * `{ kind: 'accuracy', labels, maxDropPoints }` with one label per fidelity sample). Missed →
   * the most sensitive layers are kept float until it is met. `false`: measure, never fall back.
   */
  accuracy?: AccuracyTarget | false;
  /**
   * Measure speed: per-kernel profiles of float and int8 at `threads` (default 1) return slower int8
   * regions to float (unless `measuredPlacement` is false), then float and int8 are timed side by
   * side; an int8 model that is not measurably faster is not offered. Absent: no speed measurement.
   */
  speedCheck?: { samples: Feeds[]; budgetMs: number; threads?: number };
  measuredPlacement?: boolean;
  /**
   * Empirical bias correction after quantizing (biasCorrection.ts), kept only where the fidelity the
   * accuracy target uses is not worse. It costs a model build and run per layer (~0.5 s each: 27 s
   * on mobilenet_v2), so by default ('auto') it runs only where the int8 model misses the accuracy
   * target on the held-out samples, as the first remedy before layers are kept float. true: always.
   */
  biasCorrection?: boolean | 'auto';
  /**
   * Default true: an int8 model that is not measurably faster than float, or misses the accuracy
   * target, is not offered (SptqNotOfferedError, nothing written). false: it is written anyway and
   * the result says so (`speed`, `accuracy.met`) — for a caller that measures and ranks it itself.
   */
  gate?: boolean;
  /** Calibration data was synthetic (recorded in the result). */
  synthetic?: boolean;
  job?: JobOptions;
  onProgress?: (stage: 'calibrate' | 'quantize' | 'fusion' | 'fidelity' | 'accuracy' | 'placement' | 'speed', message: string, fraction?: number) => void;
}

export interface SptqResult {
  out: string;
  method: CalibrationMethod;
  calibrationSamples: number;
  synthetic: boolean;
  report: QuantizeReport;
  fusion: FusionReport;
  fidelity?: Fidelity;
  /** The accuracy target in force and whether the final model meets it. */
  accuracy?: { target: string; met: boolean; fallback?: AccuracyFallback };
  /** Bias correction: what it measured and whether the corrected biases were kept. */
  biasCorrection?: BiasCorrection;
  /** Measured placement: profiled regions returned to float (node, float ms, int8 ms, action). */
  placement?: PlacementReport;
  speed?: SpeedCheck;
  ranges: TensorRanges;
  timings: { calibrationMs: number; calibrationInferenceMs: number; quantizeMs: number; biasCorrectionMs: number; accuracyMs: number; placementMs: number };
  /** Peak RSS of the runner while calibrating, MB. */
  calibrationPeakRssMB: number;
  /** Samples per calibration run, and why not more when batching was off or failed. */
  calibrationBatch: CalibrationRun['batch'];
}

/** No int8 model was faster than float here (or none met the accuracy target): nothing is written; `result` says what was measured. */
export class SptqNotOfferedError extends AdvisorError {
  constructor(message: string, readonly result: SptqResult, file?: string) {
    super('unsupported', message, file);
  }
}

const TEMP_PREFIX = 'edge-advisor-sptq-';

/**
 * Temp folders of runs that were killed (SIGKILL leaves no chance to clean up) are removed by the
 * next run: their name carries the pid of the process that made them.
 */
function removeStaleTemps(): void {
  let names: string[];
  try { names = fs.readdirSync(os.tmpdir()); } catch { return; }
  for (const name of names) {
    const m = name.startsWith(TEMP_PREFIX) ? /^(\d+)-/.exec(name.slice(TEMP_PREFIX.length)) : null;
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export interface CalibrationRun {
  state: CalibrationState;
  inferenceMs: number;
  peakRssMB: number;
  /** `fallback`: batching was planned but a stacked run failed or disagreed (see the runner's calibrate job). */
  batch: { batch: number; reason?: string; fallback?: true };
}

/**
 * Runs calibration over `samples` in chunks (each a whole number of batches); returns the merged
 * state. A SampleSource (an image folder, a text file) is read one chunk at a time.
 */
export async function calibrate(host: RunnerHost, modelPath: string, model: ModelProto, tensors: string[], input: Feeds[] | SampleSource, opts: SptqOptions, tmp: string): Promise<CalibrationRun> {
  const samples = Array.isArray(input) ? memorySource('npy', input) : input;
  const method = opts.method ?? 'minmax';
  const aug = buildCalibrationModel(model, tensors, method);
  const augPath = path.join(tmp, 'calibration.onnx');
  writeModel(aug.model, augPath, { sourceDir: path.dirname(modelPath) });
  const decided = opts.calibrationBatch !== undefined ? { batch: Math.max(1, Math.floor(opts.calibrationBatch)) } : calibrationBatch(model, tensors, (await samples.read(0, 1))[0]!);
  let batch: CalibrationRun['batch'] = decided;
  let state = emptyState(method);
  let inferenceMs = 0;
  let peakRssMB = 0;
  const chunk = Math.ceil(Math.max(1, opts.chunkSize ?? 16) / decided.batch) * decided.batch;
  for (let i = 0; i < samples.count; i += chunk) {
    const r = await host.run('calibrate', {
      modelPath: augPath, outputs: aug.outputs, samples: await samples.read(i, i + chunk), state, batch: decided.batch,
      optimization: opts.calibrationOptimization ?? 'all', last: i + chunk >= samples.count,
    }, opts.job);
    peakRssMB = Math.max(peakRssMB, r.peakRssMB);
    state = r.state;
    inferenceMs += r.inferenceMs.reduce((a, b) => a + b, 0);
    if (r.batchFallback) batch = { batch: 1, reason: r.batchFallback, fallback: true };
    opts.onProgress?.('calibrate', `calibrated ${state.samples}/${samples.count} samples`, state.samples / samples.count);
  }
  return { state, inferenceMs, peakRssMB, batch };
}

/** Calibration samples the accuracy loop's sensitivity ranking may use (it takes a few of them). */
const SENSITIVITY_READ = 16;

export async function runSptq(host: RunnerHost, modelPath: string, outPath: string, samples: Feeds[] | SampleSource, opts: SptqOptions = {}): Promise<SptqResult> {
  if ((Array.isArray(samples) ? samples.length : samples.count) === 0) throw new AdvisorError('input', 'no calibration samples', modelPath);
  const method = opts.method ?? 'minmax';
  const loaded = readModel(modelPath);
  const qopts = { ...opts, method, file: modelPath, modelDir: loaded.dir };
  removeStaleTemps();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  try {
    const t0 = Date.now();
    let stats = { samples: 0, inferenceMs: 0, peakRssMB: 0, batch: { batch: 1 } as CalibrationRun['batch'] };
    const calibrator = async (model: ModelProto, tensors: string[], s: Feeds[] | SampleSource) => {
      const r = await calibrate(host, modelPath, model, tensors, s, opts, tmp);
      stats = { samples: r.state.samples, inferenceMs: stats.inferenceMs + r.inferenceMs, peakRssMB: Math.max(stats.peakRssMB, r.peakRssMB), batch: r.batch.fallback ? r.batch : stats.batch.fallback ? stats.batch : r.batch };
      return { state: r.state };
    };
    const candidates = new Candidates(loaded.model, qopts, samples, calibrator, tmp, loaded.dir);
    const floatPath = path.join(tmp, 'float-prepared.onnx');
    writeModel(candidates.model, floatPath, { sourceDir: loaded.dir });
    await candidates.ensureRanges(candidates.tensorsFor([]));
    const calibrationMs = Date.now() - t0;

    opts.onProgress?.('quantize', 'quantizing');
    const t1 = Date.now();
    let cur = await candidates.build([], 'int8');
    const quantizeMs = Date.now() - t1;

    const labels = opts.accuracy && opts.accuracy.kind === 'accuracy' ? opts.accuracy.labels : undefined;
    const actx: AccuracyContext = {
      host, candidates, floatModel: candidates.model, floatPath, calibSamples: Array.isArray(samples) ? samples : await samples.read(0, Math.min(samples.count, SENSITIVITY_READ)), heldOut: opts.fidelitySamples ?? [], tmp, sourceDir: loaded.dir,
      ...(labels ? { labels } : {}), ...(opts.job ? { job: opts.job } : {}),
    };

    // bias correction before the accuracy loop: every later candidate (fallback, placement) inherits it
    const tb = Date.now();
    let biasCorrection: BiasCorrection | undefined;
    let measured: Fidelity | undefined;
    const bc = opts.biasCorrection ?? 'auto';
    let runBc = bc === true;
    let bcNote: string | undefined;
    if (bc === 'auto' && opts.fidelitySamples?.length && opts.accuracy !== false) {
      measured = await fidelityOf(actx, cur, 'fidelity-0');
      runBc = !meetsTarget(resolveTarget(opts.accuracy || undefined, measured), measured);
      if (!runBc) bcNote = 'bias correction not run: the int8 model meets the accuracy target without it (--bias-correction runs it anyway)';
    }
    if (runBc) {
      opts.onProgress?.('quantize', 'bias correction: measuring per-channel output means');
      const r = await correctBias(actx, cur, { ...(opts.accuracy ? { target: opts.accuracy } : {}), ...(measured ? { before: measured } : {}) });
      cur = r.candidate;
      biasCorrection = r.report;
      measured = r.report.comparedOn === 'held-out' ? r.fidelity : undefined;
    }
    const biasCorrectionMs = Date.now() - tb;

    // accuracy first: layers kept float for accuracy are not profiled as int8 regions
    const t2 = Date.now();
    let accuracy: SptqResult['accuracy'];
    if (opts.fidelitySamples?.length) {
      opts.onProgress?.('fidelity', 'comparing with the float model');
      const before = measured ?? await fidelityOf(actx, cur, 'fidelity-0');
      const target = resolveTarget(opts.accuracy || undefined, before);
      accuracy = { target: describeTarget(target), met: meetsTarget(target, before) };
      if (!accuracy.met && opts.accuracy !== false) {
        opts.onProgress?.('accuracy', `${accuracy.target} missed: ranking layers by sensitivity`);
        const r = await meetAccuracy(actx, cur, before, target, accuracy.target);
        cur = r.candidate;
        accuracy = { target: accuracy.target, met: r.fallback.met, fallback: r.fallback };
      }
    }
    const accuracyMs = Date.now() - t2;

    const t3 = Date.now();
    let placement: PlacementReport | undefined;
    let speed: SpeedCheck | undefined;
    const threads = opts.speedCheck?.threads ?? 1;
    if (opts.speedCheck?.samples.length) {
      if (opts.measuredPlacement !== false) {
        opts.onProgress?.('placement', `profiling float and int8 kernels at ${threads} thread(s)`);
        const r = await measuredPlacement({
          host, candidates, floatPath, samples: opts.speedCheck.samples, threads, tmp, ...(opts.job ? { job: opts.job } : {}),
          onRound: (round, message) => opts.onProgress?.('placement', `round ${round}: ${message}`),
        }, cur);
        placement = r.report;
        // placement returns layers to float for speed; should that cost the accuracy target, it is undone
        if (r.candidate !== cur && accuracy?.met && opts.accuracy !== false) {
          const f = await fidelityOf(actx, r.candidate, 'fidelity-placed');
          if (meetsTarget(resolveTarget(opts.accuracy || undefined, f), f)) cur = r.candidate;
          else placement.decisions = placement.decisions.map((d) => ({ ...d, action: 'kept int8: returning it missed the accuracy target' as const }));
        } else cur = r.candidate;
      }
      opts.onProgress?.('speed', `timing float and int8 side by side at ${threads} thread(s)`);
      speed = await measureSpeed(host, modelPath, cur.path, opts.speedCheck.samples, opts.speedCheck.budgetMs, threads, opts.job);
    }
    const placementMs = Date.now() - t3;

    opts.onProgress?.('fusion', 'checking which kernels onnxruntime fuses');
    const fusion = await onnxruntimeFusion(host, cur.path, candidates.model.graph!, path.join(tmp, 'optimized.onnx'), opts.job);
    let fidelity: Fidelity | undefined;
    if (opts.fidelitySamples?.length) {
      opts.onProgress?.('fidelity', 'comparing the final model with float');
      const layerSamples = Math.min(opts.layerSamples ?? Infinity, opts.fidelitySamples.length);
      // per-layer over fewer samples: a second, smaller comparison with every layer exposed
      const layersApart = (opts.perLayer ?? true) && layerSamples < opts.fidelitySamples.length;
      const compare = (samples: Feeds[], layers: boolean, tag: string) => measureFidelity(host, {
        floatModel: candidates.model, quantModel: cur.model, report: cur.report, samples, perLayer: layers,
        tmp, sourceDir: loaded.dir, tag, ...(labels ? { labels } : {}), ...(opts.job ? { job: opts.job } : {}),
      });
      fidelity = await compare(opts.fidelitySamples, (opts.perLayer ?? true) && !layersApart, 'fidelity-final');
      if (layersApart) {
        const layers = await compare(opts.fidelitySamples.slice(0, layerSamples), true, 'fidelity-layers');
        fidelity = { ...fidelity, layers: layers.layers, layerSamples };
      }
      if (accuracy) accuracy.met = meetsTarget(resolveTarget(opts.accuracy || undefined, fidelity), fidelity);
    }
    if (stats.batch.fallback) cur.report.notes.push(`calibration ran one sample at a time: ${stats.batch.reason}`);
    if (biasCorrection) cur.report.notes.push(describeBiasCorrection(biasCorrection));
    else if (bcNote) cur.report.notes.push(bcNote);
    const result: SptqResult = {
      out: path.resolve(outPath), method, calibrationSamples: stats.samples, synthetic: opts.synthetic ?? false,
      report: cur.report, fusion, ...(fidelity ? { fidelity } : {}), ...(accuracy ? { accuracy } : {}), ...(biasCorrection ? { biasCorrection } : {}), ...(placement ? { placement } : {}),
      ...(speed ? { speed } : {}), ranges: candidates.ranges,
      timings: { calibrationMs, calibrationInferenceMs: stats.inferenceMs, quantizeMs, biasCorrectionMs, accuracyMs, placementMs },
      calibrationPeakRssMB: stats.peakRssMB, calibrationBatch: stats.batch,
    };
    if (opts.gate !== false && speed && !isFaster(speed)) {
      throw new SptqNotOfferedError(`no int8 model is faster than float here: the best one runs at ${speed.speedup.toFixed(2)}× the float speed at ${threads} thread(s) (${speed.int8Ms.toFixed(2)} vs ${speed.floatMs.toFixed(2)} ms, p = ${speed.p.toPrecision(2)}), so none is offered`, result, modelPath);
    }
    if (opts.gate !== false && accuracy && !accuracy.met && opts.accuracy !== false) {
      throw new SptqNotOfferedError(`no int8 model meets the accuracy target (${accuracy.target}) even with ${accuracy.fallback?.keptFloat.length ?? 0} layer(s) kept float, so none is offered`, result, modelPath);
    }
    writeModel(cur.model, outPath, { protect: [modelPath], sourceDir: loaded.dir });
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Held-out samples when the pipeline has labels: enough for an accuracy drop worth comparing with a budget. */
const PIPELINE_LABELLED_SAMPLES = 200;
const PIPELINE_FIDELITY_SAMPLES = 32;

/**
 * What the advisor pipeline passes to runSptq for SPTQ and DSPTQ: held-out samples and its
 * accuracy budget (real top-1 accuracy where it has one class label per sample, the default
 * fidelity target otherwise), and the speed measurement at 1 thread for measured placement. The
 * model is kept even when it is not faster (`gate: false`): the advisor benchmarks it on every
 * tier and never recommends a slower or less accurate row, and the matrix stays complete.
 */
export function sptqMeasurement(data: { evalSamples: Feeds[]; benchSamples: Feeds[]; labels?: { shape: number[]; data: Int32Array } }, maxAccuracyDrop: number): Pick<SptqOptions, 'fidelitySamples' | 'accuracy' | 'speedCheck' | 'gate'> {
  const l = data.labels;
  const perSample = l && l.shape.slice(1).every((d) => d === 1);
  const n = Math.min(data.evalSamples.length, perSample ? PIPELINE_LABELLED_SAMPLES : PIPELINE_FIDELITY_SAMPLES, perSample ? l!.shape[0]! : Infinity);
  return {
    fidelitySamples: data.evalSamples.slice(0, n),
    ...(perSample ? { accuracy: { kind: 'accuracy' as const, labels: Array.from(l!.data.subarray(0, n)), maxDropPoints: maxAccuracyDrop } } : {}),
    ...(data.benchSamples.length ? { speedCheck: { samples: data.benchSamples.slice(0, 4), budgetMs: 1000, threads: 1 } } : {}),
    gate: false,
  };
}

/** The SPTQ part of the advisor's report (AdvisorReport['quantization']). */
export function sptqReportInfo(r: SptqResult) {
  return {
    layers: r.fidelity?.layers ?? [],
    ...(r.fidelity ? { layerSamples: r.fidelity.layerSamples ?? r.fidelity.samples } : {}),
    fusionShare: r.fusion.share,
    synthetic: r.synthetic,
    ...(r.placement ? { placement: { threads: r.placement.threads, decisions: r.placement.decisions } } : {}),
    ...(r.accuracy ? { accuracy: { target: r.accuracy.target, met: r.accuracy.met, keptFloat: (r.accuracy.fallback?.met ? r.accuracy.fallback.keptFloat : []).map(({ node, op, sqnrDb }) => ({ node, op, sqnrDb })) } } : {}),
  };
}
