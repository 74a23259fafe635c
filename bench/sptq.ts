/**
 * SPTQ benchmark (not a test: timings depend on the machine and its load).
 *   npx tsx bench/sptq.ts [mobilenet|digits|tinybert|calib ...]   (default: all)
 * For each model: quantize through the runner, then time float vs int8 side by side at 1 intra-op
 * thread (the benchmark job has configurations take turns in blocks, so load drift hits both), in
 * REPS separate rounds with the order swapped; prints per-round medians and their median.
 * digits: accuracy on digits_test vs labels; tinybert: top-1 agreement on synthetic tokens;
 * calib: calibration cost for N = 32 and 256 vs N float inferences, and the runner's peak RSS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classPredictions, top1Accuracy, top1Agreement } from '../src/core/accuracy';
import { loadDataset, loadLabels, modelInputSpecs, syntheticSamples } from '../src/core/data';
import { readModel } from '../src/core/onnx/io';
import type { Feeds } from '../src/core/protocol/tensor';
import type { RunnerHost } from '../src/core/protocol/runner';
import { runSptq, type SptqOptions } from '../src/core/quantize/sptq';
import { median } from '../src/core/stats/describe';
import { hostFacts } from '../src/core/hostFacts';
import { RunnerClient } from '../src/runner/host/client';

const MODELS = '/work/shared/models';
const REPS = Number(process.env.REPS ?? 3);
const CALIB_OPT = process.env.CALIB_OPT as SptqOptions['calibrationOptimization'] | undefined;
const CALIB_N = (process.env.CALIB_N ?? '32,256').split(',').map(Number);
const host = new RunnerClient();
let tmpDir: string | undefined;
/** Made on first use, so importing this file (bench/run.ts) leaves nothing behind. */
const tmp = () => (tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sptq-')));
/** Removes the temp folder (the suite calls this after `calibCost`). */
export function removeTmp(): void {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

export interface SpeedResult { floatMs: number[]; int8Ms: number[]; ratios: number[]; runsPerRound: number[] }

/** Exported for the suite (bench/run.ts), which passes its own host, thread count and rounds. */
export async function speed(name: string, floatPath: string, quantPath: string, samples: Feeds[], budgetMs: number,
  threads = 1, h: RunnerHost = host, rounds = REPS): Promise<SpeedResult> {
  const ratios: number[] = [];
  const f: number[] = [];
  const q: number[] = [];
  const runsPerRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const configs = [
      { id: 'float', stages: [{ modelPath: floatPath, threads, spinning: false }] },
      { id: 'int8', stages: [{ modelPath: quantPath, threads, spinning: false }] },
    ];
    if (r % 2) configs.reverse();
    const res = await h.run('benchmark', { configs, samples, budgetMs, warmupRuns: 5, minSamples: 20, targetRelHalfWidth: 0.01 });
    const m = Object.fromEntries(res.configs.map((c) => [c.id, median(c.samplesMs)]));
    f.push(m.float!); q.push(m.int8!); ratios.push(m.float! / m.int8!); runsPerRound.push(res.configs[0]!.samplesMs.length);
    console.log(`  ${name} round ${r + 1}: float ${m.float!.toFixed(2)} ms, int8 ${m.int8!.toFixed(2)} ms, speed-up ${(m.float! / m.int8!).toFixed(2)}× (${res.configs[0]!.samplesMs.length} runs each)`);
  }
  console.log(`${name}: median float ${median(f).toFixed(2)} ms, int8 ${median(q).toFixed(2)} ms, speed-up ${median(ratios).toFixed(2)}× at ${threads} thread(s) (loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  return { floatMs: f, int8Ms: q, ratios, runsPerRound };
}

/**
 * The cross-check of `speed`: float and int8 each alone in its own benchmark job (nothing else runs
 * between its runs, as in a deployment of either), the two jobs alternating, `rounds` times.
 */
export async function isolated(floatPath: string, quantPath: string, samples: Feeds[], budgetMs: number,
  threads = 1, h: RunnerHost = host, rounds = REPS): Promise<SpeedResult> {
  const alone = async (modelPath: string) => {
    const res = await h.run('benchmark', { configs: [{ id: 'alone', stages: [{ modelPath, threads, spinning: false }] }], samples, budgetMs, warmupRuns: 5, minSamples: 20, targetRelHalfWidth: 0.01 });
    return res.configs[0]!.samplesMs;
  };
  const f: number[] = [];
  const q: number[] = [];
  const runsPerRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // the order swaps every round, as in `speed`
    let fl: number[], qu: number[];
    if (r % 2) { qu = await alone(quantPath); fl = await alone(floatPath); } else { fl = await alone(floatPath); qu = await alone(quantPath); }
    f.push(median(fl)); q.push(median(qu)); runsPerRound.push(Math.min(fl.length, qu.length));
  }
  return { floatMs: f, int8Ms: q, ratios: f.map((x, i) => x / q[i]!), runsPerRound };
}

export function summary(r: Awaited<ReturnType<typeof runSptq>>): string {
  return `quantized ${r.report.quantizedNodes} nodes, fusion ${r.fusion.integerKernels}/${r.fusion.total} (${JSON.stringify(r.fusion.kernels)}; Q/DQ around float ${JSON.stringify(r.fusion.qdqAroundFloat)}), ` +
    `calibration ${r.calibrationSamples} samples in ${r.timings.calibrationMs} ms (inference ${r.timings.calibrationInferenceMs.toFixed(0)} ms), quantize ${r.timings.quantizeMs} ms` +
    (r.fidelity ? `, fidelity on ${r.fidelity.samples}: top-1 agreement ${(r.fidelity.top1Agreement * 100).toFixed(1)}%, output SQNR ${r.fidelity.sqnrDb.toFixed(1)} dB` : '');
}

async function mobilenet(): Promise<void> {
  const model = path.join(MODELS, 'mobilenet_v2.onnx');
  const inputs = modelInputSpecs(readModel(model).model);
  const calib = syntheticSamples(inputs, 'image', 32, 5);
  const out = path.join(tmp(), 'mobilenet_v2.sptq.onnx');
  const r = await runSptq(host, model, out, calib, { synthetic: true, fidelitySamples: syntheticSamples(inputs, 'image', 8, 99), perLayer: false });
  console.log(`mobilenet_v2 (synthetic calibration): ${summary(r)}`);
  await speed('mobilenet_v2', model, out, calib.slice(0, 4), 15000);
}

async function digits(): Promise<void> {
  const model = path.join(MODELS, 'digits_teacher.onnx');
  const inputs = modelInputSpecs(readModel(model).model);
  const calib = loadDataset(path.join(MODELS, 'digits_calib_x.npy'), inputs).samples;
  const test = loadDataset(path.join(MODELS, 'digits_test_x.npy'), inputs).samples;
  const labels = loadLabels(path.join(MODELS, 'digits_test_y.npy'), test.length);
  for (const method of ['minmax', 'percentile', 'entropy'] as const) {
    const out = path.join(tmp(), `digits_teacher.${method}.sptq.onnx`);
    const r = await runSptq(host, model, out, calib, { method, fidelitySamples: test, perLayer: false });
    const stage = (p: string) => [{ modelPath: p, threads: 1, spinning: false }];
    const fo = await host.run('evaluate', { stages: stage(model), samples: test });
    const qo = await host.run('evaluate', { stages: stage(out), samples: test });
    const fp = classPredictions(fo.outputs);
    const qp = classPredictions(qo.outputs);
    const y = labels.data;
    console.log(`digits_teacher ${method}: ${summary(r)}; accuracy float ${top1Accuracy(fp, y).toFixed(2)}% int8 ${top1Accuracy(qp, y).toFixed(2)}% (${test.length} test images), agreement ${top1Agreement(fp, qp).toFixed(2)}%`);
    if (method === 'minmax') await speed('digits_teacher', model, out, test.slice(0, 8), 8000);
  }
}

async function tinybert(): Promise<void> {
  const model = path.join(MODELS, 'tinybert_text.onnx');
  const inputs = modelInputSpecs(readModel(model).model);
  const calib = syntheticSamples(inputs, 'text', 32, 5);
  const held = syntheticSamples(inputs, 'text', 100, 99);
  const out = path.join(tmp(), 'tinybert_text.sptq.onnx');
  const opts: SptqOptions = { synthetic: true, fidelitySamples: held, perLayer: false };
  const r = await runSptq(host, model, out, calib, opts);
  console.log(`tinybert_text (synthetic tokens): ${summary(r)}; skipped ${r.report.skipped.length} (${[...new Set(r.report.skipped.map((s) => s.reason))].join('; ')})`);
  await speed('tinybert_text', model, out, held.slice(0, 4), 10000);
}

export interface CalibCostResult { n: number; calibrationMs: number; inferenceMs: number; floatRefMs: number; ratio: number; runOnlyRatio: number; peakRssMB: number; batch: number }

export async function calibCost(h: RunnerHost = host, ns: number[] = CALIB_N): Promise<CalibCostResult[]> {
  const results: CalibCostResult[] = [];
  const model = path.join(MODELS, 'mobilenet_v2.onnx');
  const inputs = modelInputSpecs(readModel(model).model);
  const one = syntheticSamples(inputs, 'image', 4, 3);
  // float reference right before and after each calibration: the machine's load drifts
  const floatMs = async () => {
    const res = await h.run('benchmark', { configs: [{ id: 'float', stages: [{ modelPath: model, threads: 1, spinning: false }] }], samples: one, budgetMs: 3000, warmupRuns: 3, minSamples: 20 });
    return median(res.configs[0]!.samplesMs);
  };
  for (const n of ns) {
    // synthetic samples made chunk by chunk would be the product path; here the host holds them (600 KB each)
    const calib = syntheticSamples(inputs, 'image', n, 5);
    const out = path.join(tmp(), `mobilenet_v2.calib${n}.sptq.onnx`);
    const before = await floatMs();
    const r = await runSptq(h, model, out, calib, { synthetic: true, ...(CALIB_OPT ? { calibrationOptimization: CALIB_OPT } : {}), ...(process.env.CALIB_BATCH ? { calibrationBatch: Number(process.env.CALIB_BATCH) } : {}) });
    const ref = (before + (await floatMs())) / 2;
    const ratio = r.timings.calibrationMs / (n * ref);
    console.log(`calibration N=${n}: ${r.timings.calibrationMs} ms total (${r.timings.calibrationInferenceMs.toFixed(0)} ms in session.run) vs ${n} × ${ref.toFixed(2)} ms float = ${(n * ref).toFixed(0)} ms → ${ratio.toFixed(2)}× (run-only ${(r.timings.calibrationInferenceMs / (n * ref)).toFixed(2)}×, batch ${r.calibrationBatch.batch}${r.calibrationBatch.reason ? ` (${r.calibrationBatch.reason})` : ""}); runner peak RSS ${r.calibrationPeakRssMB.toFixed(0)} MB`);
    results.push({ n, calibrationMs: r.timings.calibrationMs, inferenceMs: r.timings.calibrationInferenceMs, floatRefMs: ref, ratio, runOnlyRatio: r.timings.calibrationInferenceMs / (n * ref), peakRssMB: r.calibrationPeakRssMB, batch: r.calibrationBatch.batch });
  }
  return results;
}

const which = process.argv.slice(2);
const all: Record<string, () => Promise<unknown>> = { mobilenet, digits, tinybert, calib: () => calibCost() };
if (require.main === module) (async () => {
  console.log(`bench/sptq.ts on ${hostFacts().cpuModel} ×${hostFacts().cores}, node ${process.version}, loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [k, fn] of Object.entries(all)) if (which.length === 0 || which.includes(k)) await fn();
})().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => { host.dispose(); removeTmp(); });
