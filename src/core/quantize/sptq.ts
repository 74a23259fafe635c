/**
 * The SPTQ operator end to end, through a runner host (the only place onnxruntime runs):
 * plan → calibration model → streamed calibration in chunks → ranges → quantize → write the
 * model atomically → fusion check on the graph onnxruntime optimises → label-free fidelity.
 * Used by the CLI (`quantize`) and the advisor pipeline. Temporary models live in one private
 * temp folder that is always removed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { buildCalibrationModel } from '../calibrate/augment';
import { calibrationBatch } from '../calibrate/batch';
import { computeRanges, emptyState, type CalibrationMethod, type CalibrationState, type TensorRanges } from '../calibrate/state';
import { DataType } from '../onnx/dtypes';
import { readModel, writeModel } from '../onnx/io';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import { memorySource, type SampleSource } from '../data/source';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { mannWhitney } from '../stats/significance';
import { median } from '../stats/describe';
import { onnxruntimeFusion, type FusionReport } from './fusion';
import { calibrationPlan, quantize, type QuantizeOptions, type QuantizeReport } from './quantize';

export interface SptqOptions extends QuantizeOptions {
  method?: CalibrationMethod;
  /** Samples per calibrate job (bounds what the runner holds at once). Default 16, rounded up to a whole number of batches. */
  chunkSize?: number;
  /** Samples per calibration run; default: calibrationBatch decides (up to 8 where the model allows). */
  calibrationBatch?: number;
  /**
   * Graph optimisation for calibration runs. onnxruntime's calibrator uses 'disabled'; we default
   * to 'all' because the measured tensors keep their exact float values (test/sptq.test.ts) while a
   * calibration run costs ~1.4× a float inference on mobilenet_v2 instead of ~2.6× (same process,
   * interleaved; see bench/sptq.ts for the runner-side numbers).
   */
  calibrationOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Held-out samples for the fidelity report; none → no fidelity. */
  fidelitySamples?: Feeds[];
  /** Per-layer SQNR (needs a second pass with intermediates exposed). Default true. */
  perLayer?: boolean;
  /**
   * Time the float and int8 models side by side at 1 intra-op thread after quantizing (one
   * benchmark job, the two taking turns in blocks), so "is int8 faster here?" is measured, not inferred. Absent: no
   * check (the advisor benchmarks SPTQ on every tier anyway).
   */
  speedCheck?: { samples: Feeds[]; budgetMs: number };
  /** Calibration data was synthetic (recorded in the result). */
  synthetic?: boolean;
  job?: JobOptions;
  onProgress?: (stage: 'calibrate' | 'quantize' | 'fusion' | 'fidelity' | 'speed', message: string, fraction?: number) => void;
}

export interface Fidelity {
  samples: number;
  outputName: string;
  /** Share of samples whose top class matches the float model's; NaN when the output is not class scores. */
  top1Agreement: number;
  /** Output SQNR over all samples, dB. */
  sqnrDb: number;
  layers: Array<{ tensor: string; sqnrDb: number }>;
}

export interface SpeedCheck {
  threads: 1;
  floatMs: number;
  int8Ms: number;
  /** Median float / median int8 latency. */
  speedup: number;
  /** Measured runs of each model. */
  runs: number;
  /** Mann–Whitney p-value of float vs int8 run times (below 0.05: the difference is not noise). */
  p: number;
}

export interface SptqResult {
  out: string;
  method: CalibrationMethod;
  calibrationSamples: number;
  synthetic: boolean;
  report: QuantizeReport;
  fusion: FusionReport;
  fidelity?: Fidelity;
  speed?: SpeedCheck;
  ranges: TensorRanges;
  timings: { calibrationMs: number; calibrationInferenceMs: number; quantizeMs: number };
  /** Peak RSS of the runner while calibrating, MB. */
  calibrationPeakRssMB: number;
  /** Samples per calibration run, and why not more when batching was off or failed. */
  calibrationBatch: CalibrationRun['batch'];
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

export function sqnr(signal: number, noise: number): number {
  if (noise <= 0) return Infinity;
  if (signal <= 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
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

export async function runSptq(host: RunnerHost, modelPath: string, outPath: string, samples: Feeds[] | SampleSource, opts: SptqOptions = {}): Promise<SptqResult> {
  if ((Array.isArray(samples) ? samples.length : samples.count) === 0) throw new AdvisorError('input', 'no calibration samples', modelPath);
  const method = opts.method ?? 'minmax';
  const loaded = readModel(modelPath);
  const qopts: QuantizeOptions = { ...opts, method, file: modelPath, modelDir: loaded.dir };
  const plan = calibrationPlan(loaded.model, qopts);
  removeStaleTemps();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  try {
    const t0 = Date.now();
    const { state, inferenceMs, peakRssMB, batch } = await calibrate(host, modelPath, plan.model, plan.tensors, samples, opts, tmp);
    const calibrationMs = Date.now() - t0;
    const ranges = computeRanges(state);

    opts.onProgress?.('quantize', 'quantizing');
    const t1 = Date.now();
    const { model: q, report } = quantize(loaded.model, ranges, qopts);
    if (batch.fallback) report.notes.push(`calibration ran one sample at a time: ${batch.reason}`);
    const quantizeMs = Date.now() - t1;
    writeModel(q, outPath, { protect: [modelPath], sourceDir: loaded.dir });

    opts.onProgress?.('fusion', 'checking which kernels onnxruntime fuses');
    const fusion = await onnxruntimeFusion(host, outPath, plan.model.graph!, path.join(tmp, 'optimized.onnx'), opts.job);

    let fidelity: Fidelity | undefined;
    if (opts.fidelitySamples?.length) {
      opts.onProgress?.('fidelity', 'comparing with the float model');
      fidelity = await measureFidelity(host, plan.model, q, report, opts.fidelitySamples, opts, tmp, loaded.dir);
    }
    let speed: SpeedCheck | undefined;
    if (opts.speedCheck?.samples.length) {
      opts.onProgress?.('speed', 'timing float and int8 side by side');
      speed = await measureSpeed(host, modelPath, outPath, opts.speedCheck, opts.job);
    }
    return {
      out: path.resolve(outPath), method, calibrationSamples: state.samples, synthetic: opts.synthetic ?? false,
      report, fusion, ...(fidelity ? { fidelity } : {}), ...(speed ? { speed } : {}), ranges,
      timings: { calibrationMs, calibrationInferenceMs: inferenceMs, quantizeMs }, calibrationPeakRssMB: peakRssMB,
      calibrationBatch: batch,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function measureSpeed(host: RunnerHost, floatPath: string, int8Path: string, check: NonNullable<SptqOptions['speedCheck']>, job?: JobOptions): Promise<SpeedCheck> {
  const stage = (modelPath: string) => [{ modelPath, threads: 1, spinning: false }];
  const r = await host.run('benchmark', {
    configs: [{ id: 'float', stages: stage(floatPath) }, { id: 'int8', stages: stage(int8Path) }],
    samples: check.samples.slice(0, 4), budgetMs: check.budgetMs, warmupRuns: 5, minSamples: 20, targetRelHalfWidth: 0.02,
  }, job);
  const [f, q] = [r.configs.find((c) => c.id === 'float')!.samplesMs, r.configs.find((c) => c.id === 'int8')!.samplesMs];
  const floatMs = median(f);
  const int8Ms = median(q);
  return { threads: 1, floatMs, int8Ms, speedup: floatMs / int8Ms, runs: Math.min(f.length, q.length), p: mannWhitney(f, q).p };
}

async function measureFidelity(host: RunnerHost, floatModel: ModelProto, quantModel: ModelProto, report: QuantizeReport, samples: Feeds[], opts: SptqOptions, tmp: string, sourceDir: string): Promise<Fidelity> {
  const perLayer = opts.perLayer ?? true;
  const layers: Array<[string, string]> = [];
  // only the output lists change: everything else is shared
  const withOwnOutputs = (m: ModelProto): ModelProto => ({ ...m, graph: { ...m.graph!, output: [...m.graph!.output] } });
  const f = withOwnOutputs(floatModel);
  const q = withOwnOutputs(quantModel);
  if (perLayer) {
    const floatOut = new Set(f.graph!.output.map((o) => o.name));
    const quantOut = new Set(q.graph!.output.map((o) => o.name));
    const quantValues = new Set(q.graph!.node.flatMap((n) => n.output));
    for (const t of report.tensors) {
      const dq = `${t.name}_DequantizeLinear_Output`;
      const qName = quantValues.has(dq) ? dq : quantOut.has(t.name) ? t.name : undefined;
      if (!qName) continue;
      if (!floatOut.has(t.name)) { f.graph!.output.push({ name: t.name }); floatOut.add(t.name); }
      if (!quantOut.has(qName)) { q.graph!.output.push({ name: qName }); quantOut.add(qName); }
      layers.push([t.name, qName]);
    }
  }
  const fPath = path.join(tmp, 'fidelity-float.onnx');
  const qPath = path.join(tmp, 'fidelity-quant.onnx');
  writeModel(f, fPath, { sourceDir });
  writeModel(q, qPath, { sourceDir });
  // the first float output: an integer one (an ArgMax head's class ids) has no SQNR worth reporting
  const outs = floatModel.graph!.output;
  const outputName = (outs.find((o) => o.type?.tensor_type?.elem_type === DataType.FLOAT) ?? outs[0]!).name!;
  const r = await host.run('fidelity', { floatModelPath: fPath, quantModelPath: qPath, samples, layers, outputName }, opts.job);
  const agree = r.floatTop1.filter((v, i) => v === r.quantTop1[i]).length;
  return {
    samples: samples.length,
    outputName: r.outputName,
    top1Agreement: r.floatTop1.length && !r.floatTop1.includes(-1) ? agree / r.floatTop1.length : NaN,
    sqnrDb: sqnr(r.output.signal, r.output.noise),
    layers: r.layers.map((l) => ({ tensor: l.float, sqnrDb: sqnr(l.signal, l.noise) })),
  };
}
