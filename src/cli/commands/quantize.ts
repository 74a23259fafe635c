/**
 * `quantize`: the SPTQ operator on its own — static int8 QDQ quantization calibrated in the runner,
 * written beside the model as `<name>.sptq.onnx` (never over the input, atomically), then a fusion
 * check (how many Conv/MatMul/Gemm onnxruntime really runs as integer kernels) and a label-free
 * fidelity report (top-1 agreement and SQNR vs the float model on held-out samples).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../../core/calibrate/state';
import { describeSynthetic, loadDataset, loadLabels, modelInputSpecs, syntheticSamples, withInputShapes, withSyntheticHint } from '../../core/data';
import { describePreprocess } from '../../core/data/images/preprocessSpec';
import { readModelDataConfig } from '../../core/data/modelConfig';
import { headOf, memorySource, type SampleSource } from '../../core/data/source';
import { openSource } from '../../core/pipeline/data';
import { AdvisorError } from '../../core/errors';
import { ensureWritableDir, sameFile } from '../../core/fsutil';
import { inspectModel } from '../../core/inspect/inspect';
import { readModel } from '../../core/onnx/io';
import type { Feeds } from '../../core/protocol/tensor';
import { calibrationPlan } from '../../core/quantize/quantize';
import { runSptq, SptqNotOfferedError, type SptqOptions, type SptqResult } from '../../core/quantize/sptq';
import { RunnerClient } from '../../runner/host/client';
import { listOpt, numberOpt, parseArgs, stringOpt } from '../args';
import { table } from '../format';
import { DATA_OPTIONS, DATA_USAGE, dataOptions } from '../dataOptions';
import type { Command } from './command';

const SYNTHETIC_SAMPLES = 32;
const MAX_FIDELITY_SAMPLES = 32;
/** Labelled samples used to measure the real accuracy drop (--data/--labels). */
const MAX_LABELLED_SAMPLES = 500;

/**
 * `quantize --json`: what SPTQ wrote and how well it kept the model. The source of
 * `schemas/quantize.schema.json` (npm run gen:json-schemas); `schemaVersion` changes only with an
 * incompatible change.
 */
export interface QuantizeOutput {
  /** Version of this document's format (schemas/quantize.schema.json). */
  schemaVersion: 1;
  /** The int8 model written; null: no int8 model was faster than float (or none met the accuracy target), so none was written. */
  out: string | null;
  /** Why no model was offered. */
  notOffered?: string;
  calibrationSamples: number;
  /** Samples stacked per calibration run (1 when the model's leading axis is not a free batch axis). */
  calibrationBatch: number;
  synthetic: boolean;
  method: CalibrationMethod;
  perChannel: boolean;
  quantizedNodes: number;
  fusion: SptqResult['fusion'];
  fidelity: SptqResult['fidelity'] | null;
  skipped: SptqResult['report']['skipped'];
  /** Float vs int8 at --threads, side by side (null with --no-speed-check). */
  speed: SptqResult['speed'] | null;
  /** The accuracy target, whether the model meets it, and the layers kept float to meet it. */
  accuracy: SptqResult['accuracy'] | null;
  /** Measured placement: regions whose int8 kernels were slower, returned to float (node, float ms, int8 ms, action). */
  placement: SptqResult['placement'] | null;
  /** Bias correction: the fidelity without and with it, and whether it was kept (null with --no-bias-correction). */
  biasCorrection: SptqResult['biasCorrection'] | null;
  notes: string[];
  warnings: string[];
}

export function defaultSptqPath(modelPath: string): string {
  const dir = path.dirname(path.resolve(modelPath));
  return path.join(dir, `${path.basename(modelPath).replace(/\.onnx$/i, '')}.sptq.onnx`);
}

export const quantizeCommand: Command = {
  summary: 'SPTQ: static int8 QDQ quantization with calibration, fusion check and fidelity report',
  usage: `usage: edge-advisor quantize <model.onnx> [--calib <file.npy|dir|images|texts>] [--method minmax|percentile|entropy]
                               [--per-channel|--no-per-channel] [--exclude-node NAME]... [--exclude-op OP]...
                               [--fidelity-data <file.npy|dir>] [--data <x.npy|dir> --labels <y.npy> --max-accuracy-drop P]
                               [--threads N] [--no-placement] [--no-equalize] [--[no-]bias-correction] [--max-samples N]
                               [--out <path>] [--json]
                               [--preprocess <preset|file.json>] [--tokenizer <tokenizer.json>]

  --calib D          calibration samples: one .npy with a leading sample axis, a folder of per-sample
                     .npy files, or one .npy/folder per input name; an image folder; a .txt/.jsonl/.csv.
                     Without it, synthetic inputs are used and the ranges are unreliable (a warning says so)
  --method M         range estimation: minmax (default), percentile (99.999, one-sided aware),
                     entropy (KL threshold search)
  --per-channel      per-channel int8 weights (default; needs opset ≥ 13, upgraded when safe)
  --exclude-node N   leave this node float (repeatable); --exclude-op OP: every node of this op type
  --fidelity-data D  held-out samples for the fidelity report (default: the last fifth of --calib,
                     at most ${MAX_FIDELITY_SAMPLES}, kept out of calibration; synthetic without --calib)
  --max-samples N    use at most N calibration samples
  accuracy target    by default top-1 agreement with float ≥ 99% (class scores) or output SQNR ≥ 20 dB on the
                     held-out samples; missed → the most sensitive layers (each quantized alone, measured) are
                     kept float, greedily, until it is met; no model that misses it is written
  --data D --labels L --max-accuracy-drop P
                     judge by real top-1 accuracy instead: at most P points below float on these labelled
                     samples (up to ${MAX_LABELLED_SAMPLES}; never the calibration data)
  --threads N        intra-op threads to measure at (default 1): per-kernel profiles of float and int8 return
                     int8 regions that run slower to float, then both are timed side by side; an int8 model
                     that is not faster is not written (exit 1, the reason and the measurements printed)
  --no-placement     keep every int8 region even where the profile says it is slower
  --no-equalize      no cross-layer equalization before calibration
  --bias-correction  correct the biases by the measured per-channel output shift (kept where that is
                     not worse; see biasCorrection in --json). By default it runs only when the int8
                     model misses the accuracy target; --no-bias-correction never
  --no-speed-check   no profiling and no timing at all (the model is written unmeasured)
  --out P            output model (default <name>.sptq.onnx beside the model; never the input)
  --json             print {out, calibrationSamples, synthetic, method, perChannel, quantizedNodes,
                     calibrationBatch, fusion: {integerKernels, total, share, ...}, fidelity,
                     accuracy: {target, met, fallback: {keptFloat, steps}},
                     placement: {threads, decisions: [{nodes, region, floatMs, int8Ms, action}]},
                     biasCorrection: {applied, layers, before, after, meanShift},
                     speed: {floatMs, int8Ms, speedup, runs, p}, skipped, notes, warnings}
${DATA_USAGE}`,

  async run(argv) {
    const args = parseArgs(argv, {
      ...DATA_OPTIONS, calib: { type: 'string' }, method: { type: 'string' }, 'per-channel': { type: 'boolean' },
      'exclude-node': { type: 'string', multiple: true }, 'exclude-op': { type: 'string', multiple: true },
      'fidelity-data': { type: 'string' }, 'max-samples': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
      'speed-check': { type: 'boolean' }, data: { type: 'string' }, labels: { type: 'string' }, 'max-accuracy-drop': { type: 'string' },
      threads: { type: 'string' }, placement: { type: 'boolean' }, equalize: { type: 'boolean' }, 'bias-correction': { type: 'boolean' },
    });
    if (args.positionals.length !== 1) throw new AdvisorError('usage', 'expected exactly one model path');
    const modelPath = args.positionals[0]!;
    const method = (stringOpt(args, 'method') ?? 'minmax') as CalibrationMethod;
    if (!CALIBRATION_METHODS.includes(method)) throw new AdvisorError('usage', `--method must be one of ${CALIBRATION_METHODS.join(', ')}, got "${method}"`);
    const maxSamples = numberOpt(args, 'max-samples');
    if (maxSamples !== undefined && !(Number.isInteger(maxSamples) && maxSamples > 0)) throw new AdvisorError('usage', '--max-samples needs a positive integer');
    const perChannel = args.options['per-channel'] === undefined ? true : args.options['per-channel'] === true;
    const threads = numberOpt(args, 'threads') ?? 1;
    if (!(Number.isInteger(threads) && threads > 0)) throw new AdvisorError('usage', '--threads needs a positive integer');
    const maxDrop = numberOpt(args, 'max-accuracy-drop');
    const dataPath = stringOpt(args, 'data');
    const labelsPath = stringOpt(args, 'labels');
    if (maxDrop !== undefined && !(maxDrop >= 0)) throw new AdvisorError('usage', '--max-accuracy-drop needs a number of points ≥ 0');
    if ((maxDrop !== undefined || dataPath || labelsPath) && !(maxDrop !== undefined && dataPath && labelsPath)) {
      throw new AdvisorError('usage', '--max-accuracy-drop, --data and --labels go together (real accuracy needs labelled samples)');
    }
    const out = stringOpt(args, 'out') ?? defaultSptqPath(modelPath);
    const json = args.options['json'] === true;
    const warnings: string[] = [];
    const say = (line: string) => { if (!json || process.stderr.isTTY) process.stderr.write(line + '\n'); };

    if (path.resolve(out) === path.resolve(modelPath) || sameFile(out, modelPath)) {
      throw new AdvisorError('usage', `--out must not be the input model (${modelPath})`);
    }
    // a folder it cannot write fails now, not after calibrating
    ensureWritableDir(path.dirname(path.resolve(out)));
    const loaded = readModel(modelPath);
    const options = {
      method, perChannel, ...(args.options['equalize'] === false ? { equalize: false } : {}),
      excludeNodes: listOpt(args, 'exclude-node'), excludeOpTypes: listOpt(args, 'exclude-op'),
    };
    // refuse already-quantized or unsupported models before loading any data
    calibrationPlan(loaded.model, { ...options, file: modelPath });
    const inputs = modelInputSpecs(loaded.model, modelPath);
    const modality = inspectModel(loaded).modality;

    let calib: SampleSource;
    let held: Feeds[];
    const calibPath = stringOpt(args, 'calib');
    const fidelityPath = stringOpt(args, 'fidelity-data');
    const { preprocess, tokenizerPath, inputShapes } = dataOptions(args);
    const cfg = readModelDataConfig(fs.existsSync('edge-advisor.json') ? path.resolve('edge-advisor.json') : undefined, modelPath);
    const synthetic = withInputShapes(inputs, inputShapes ?? cfg.shapes, modelPath);
    const setting = preprocess !== undefined ? { setting: preprocess, origin: '--preprocess', baseDir: process.cwd() }
      : cfg.preprocess !== undefined ? { setting: cfg.preprocess, origin: 'edge-advisor.json', baseDir: process.cwd() } : undefined;
    const open = (p: string, limit: number) => openSource(p, {
      inputs, modelPath, limit, ...(setting ? { preprocess: setting } : {}), ...(tokenizerPath ?? cfg.tokenizer ? { tokenizer: tokenizerPath ?? cfg.tokenizer! } : {}),
    });
    const fidelityData = async (p: string) => { const s = await open(p, MAX_FIDELITY_SAMPLES); warnings.push(...s.warnings); return s.read(0, s.count); };
    if (calibPath) {
      const all = await open(calibPath, maxSamples ?? Number.MAX_SAFE_INTEGER);
      warnings.push(...all.warnings);
      if (all.preprocess?.guess) warnings.push(`preprocessing is a guess (${all.preprocess.origin}): ${describePreprocess(all.preprocess.spec)}; give --preprocess if the model was trained otherwise`);
      const holdOut = fidelityPath || all.count < 10 ? 0 : Math.min(MAX_FIDELITY_SAMPLES, Math.floor(all.count / 5));
      calib = headOf(all, all.count - holdOut);
      held = fidelityPath ? await fidelityData(fidelityPath) : await all.read(all.count - holdOut, all.count);
      if (held.length === 0) warnings.push('fewer than 10 calibration samples and no --fidelity-data: no fidelity report');
    } else {
      warnings.push('no --calib data: calibrating on SYNTHETIC inputs — the int8 ranges are unreliable and accuracy may drop; give representative samples with --calib');
      calib = memorySource('synthetic', syntheticSamples(synthetic, modality, Math.min(maxSamples ?? SYNTHETIC_SAMPLES, SYNTHETIC_SAMPLES), 5));
      held = fidelityPath ? await fidelityData(fidelityPath) : syntheticSamples(synthetic, modality, 16, 99);
    }
    let accuracy: SptqOptions['accuracy'];
    if (dataPath && labelsPath && maxDrop !== undefined) {
      held = loadDataset(dataPath, inputs, { limit: MAX_LABELLED_SAMPLES }).samples;
      const labels = loadLabels(labelsPath);
      if (labels.shape[0]! < held.length || labels.shape.length > 1 && labels.shape.slice(1).some((d) => d !== 1)) {
        throw new AdvisorError('input', `needs one class label per sample of ${dataPath} (${held.length})`, labelsPath);
      }
      accuracy = { kind: 'accuracy', labels: Array.from(labels.data.subarray(0, held.length)), maxDropPoints: maxDrop };
    }
    for (const w of warnings) say(`WARNING: ${w}`);
    const warningsShown = warnings.length;

    const runner = new RunnerClient();
    // Ctrl-C cancels the job (kills the runner) so the temp folder is removed on the way out
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let r: SptqResult;
    let notOffered: string | undefined;
    try {
      r = await runSptq(runner, modelPath, out, calib, {
        ...options, synthetic: !calibPath, fidelitySamples: held, job: { signal: abort.signal }, ...(accuracy ? { accuracy } : {}),
        ...(args.options['speed-check'] === false ? {} : { speedCheck: { samples: held.length ? held : await calib.read(0, 4), budgetMs: SPEED_CHECK_MS, threads } }),
        ...(args.options['placement'] === false ? { measuredPlacement: false } : {}),
        ...(args.options['bias-correction'] !== undefined ? { biasCorrection: args.options['bias-correction'] as boolean } : {}),
        onProgress: (_stage, message) => { if (!json && process.stderr.isTTY) process.stderr.write(`\r${message.slice(0, 78).padEnd(80)}`); },
      });
    } catch (e) {
      if (!(e instanceof SptqNotOfferedError)) throw calibPath ? e : withSyntheticHint(e, describeSynthetic(synthetic, modality));
      r = e.result;
      notOffered = e.message;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      runner.dispose();
      if (!json && process.stderr.isTTY) process.stderr.write('\r'.padEnd(62) + '\r');
    }
    if (r.speed && r.speed.speedup < 1 && r.speed.p < 0.05) warnings.push(slowerWarning(r));
    const result: QuantizeOutput = {
      schemaVersion: 1, out: notOffered ? null : r.out, ...(notOffered ? { notOffered } : {}), calibrationSamples: r.calibrationSamples, calibrationBatch: r.calibrationBatch.batch, synthetic: r.synthetic, method: r.method,
      perChannel: r.report.perChannel, quantizedNodes: r.report.quantizedNodes, fusion: r.fusion,
      fidelity: r.fidelity ?? null, speed: r.speed ?? null, accuracy: r.accuracy ?? null, placement: r.placement ?? null, biasCorrection: r.biasCorrection ?? null, skipped: r.report.skipped, notes: r.report.notes, warnings,
    };
    if (!json) for (const w of warnings.slice(warningsShown)) say(`WARNING: ${w}`);
    process.stdout.write(json ? JSON.stringify(result, (_k, v) => (v === Infinity || v === -Infinity || Number.isNaN(v) ? null : v), 2) + '\n' : human(result) + '\n');
    if (notOffered && !json) process.stderr.write(`edge-advisor quantize: ${notOffered}\n`);
    return notOffered ? 1 : 0;
  },
};

/** Measured float vs int8 time for the quantize command, ms of benchmarking. */
const SPEED_CHECK_MS = 2000;

/** Why int8 lost, where the graph onnxruntime runs says so. */
function slowerWarning(r: SptqResult): string {
  const s = r.speed!;
  const why: string[] = [];
  if (r.fusion.kernels.QLinearSigmoid && r.fusion.kernels.QLinearMul) {
    // keeping them float is worse still: each becomes a DQ → Sigmoid → Mul → Q island with layout transposes
    why.push('x·sigmoid(x) activations (SiLU/Swish) run as QLinearSigmoid + QLinearMul, slower than onnxruntime\'s fused float kernel');
  }
  const islands = Object.entries(r.fusion.qdqAroundFloat);
  if (islands.length) why.push(`float ops between DequantizeLinear and QuantizeLinear: ${islands.map(([k, v]) => `${k}×${v}`).join(', ')}`);
  if (r.fusion.share < 0.5) why.push(`only ${r.fusion.integerKernels}/${r.fusion.total} Conv/MatMul/Gemm run as integer kernels`);
  return `the int8 model is SLOWER than float on this machine: ${s.speedup.toFixed(2)}× at ${s.threads} thread(s) (${s.int8Ms.toFixed(2)} vs ${s.floatMs.toFixed(2)} ms)` +
    (why.length ? `; ${why.join('; ')}` : '');
}

function human(r: QuantizeOutput): string {
  const f = r.fusion;
  const islands = Object.entries(f.qdqAroundFloat).map(([k, v]) => `${k}×${v}`).join(' ');
  const rows = [
    [r.out ? 'wrote' : 'NOT WRITTEN', r.out ?? r.notOffered ?? ''],
    ['calibration', `${r.calibrationSamples} ${r.synthetic ? 'SYNTHETIC ' : ''}samples (${r.calibrationBatch} per run), ${r.method}, ${r.perChannel ? 'per-channel' : 'per-tensor'} int8 weights, uint8 activations`],
    ['quantized', `${r.quantizedNodes} nodes${r.skipped.length ? `; ${r.skipped.length} Conv/MatMul/Gemm left float` : ''}`],
    ['fusion', `${f.integerKernels}/${f.total} Conv/MatMul/Gemm run as integer kernels (${(f.share * 100).toFixed(0)}%): ${Object.entries(f.kernels).map(([k, v]) => `${k}×${v}`).join(' ')}`],
    ...(islands ? [['fake-quant', `float ops between DQ and Q: ${islands}`]] : []),
    ...(r.speed ? [['speed', `int8 ${r.speed.int8Ms.toFixed(2)} ms vs float ${r.speed.floatMs.toFixed(2)} ms at ${r.speed.threads} thread(s): ${r.speed.speedup.toFixed(2)}× (${r.speed.runs} runs each, in alternating blocks)`]] : []),
    ...(r.placement?.decisions ?? []).map((d) => ['placement', `${d.nodes.join(', ')} (${d.ops.join(', ')}): ${d.action} — its region ${d.floatMs.toFixed(3)} ms float vs ${d.int8Ms.toFixed(3)} ms int8 (profiler, ${r.placement!.threads} thread(s))`]),
    ...(r.accuracy ? [['accuracy', `${r.accuracy.target}: ${r.accuracy.met ? 'met' : 'MISSED'}${r.accuracy.fallback ? `; kept ${r.accuracy.fallback.keptFloat.length} most sensitive layer(s) float: ${r.accuracy.fallback.keptFloat.slice(0, 6).map((k) => `${k.node} (${k.sqnrDb.toFixed(1)} dB alone)`).join(', ')}${r.accuracy.fallback.keptFloat.length > 6 ? ', …' : ''}` : ''}`]] : []),
    ...(r.fidelity ? [['fidelity', `${Number.isNaN(r.fidelity.top1Agreement) ? 'no top-1 (outputs are not class scores)' : `top-1 agreement ${(r.fidelity.top1Agreement * 100).toFixed(1)}%`}, output SQNR ${r.fidelity.sqnrDb.toFixed(1)} dB${r.fidelity.accuracy ? `, accuracy ${r.fidelity.accuracy.floatPct.toFixed(2)}% → ${r.fidelity.accuracy.int8Pct.toFixed(2)}%` : ''} on ${r.fidelity.samples} held-out samples`]] : []),
    ...r.notes.map((n) => ['note', n]),
    ...[...new Set(r.skipped.map((s) => s.reason))].map((reason) => ['left float', `${r.skipped.filter((s) => s.reason === reason).length} × ${reason}`]),
  ];
  return table(rows);
}
