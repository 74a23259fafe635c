/**
 * Section 3, quantization: for every float CNN and token model in the shared folder plus the
 * ResNet-18-class CNN (bench/models.ts), run the SPTQ pass (runSptq) and time float vs int8 side by
 * side in the runner at 1 thread and at all host threads (bench/sptq.ts `speed`: rounds with the
 * order swapped, the ratio of the round medians). Fusion coverage from onnxruntime's optimised
 * graph; accuracy on the digits test split where labels exist, top-1 agreement with float elsewhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classPredictions, top1Accuracy, top1Agreement } from '../../src/core/accuracy';
import { loadDataset, loadLabels, modelInputSpecs, syntheticSamples } from '../../src/core/data';
import { inspectModel } from '../../src/core/inspect/inspect';
import { readModel, writeModel } from '../../src/core/onnx/io';
import type { Feeds } from '../../src/core/protocol/tensor';
import type { RunnerHost } from '../../src/core/protocol/runner';
import { runSptq, SptqNotOfferedError, type SptqOptions, type SptqResult } from '../../src/core/quantize/sptq';
import { fmt, fmtSpread, spread, type Spread } from '../lib';
import { resnet18 } from '../models';
import { isolated, speed } from '../sptq';
import { mdTable, type SectionResult, type SuiteSettings, type SummaryRow } from './types';

export interface BenchModel {
  name: string; path: string; modality: 'image' | 'text'; built?: boolean;
  /** Where it comes from (an npm package and its licence, a test fixture), for the zoo table. */
  source?: string;
  /** A diagnostic row: the same model quantized with other options (not a target, not in scaling). */
  diagnostic?: { options: SptqOptions; why: string };
}

export interface QuantRow {
  model: string;
  path: string;
  calibration: { samples: number; synthetic: boolean; ms: number; inferenceMs: number };
  quantizeMs: number;
  quantizedNodes: number;
  fusion: SptqResult['fusion'];
  fidelity?: { samples: number; top1Agreement: number; sqnrDb: number };
  accuracy?: { samples: number; floatPct: number; int8Pct: number; dropPoints: number; agreementPct: number };
  speedup: Record<string, { floatMs: Spread; int8Ms: Spread; ratio: Spread; rounds: number[] }>;
  /** 1 thread, each model alone in its own benchmark job (bench/sptq.ts `isolated`): the cross-check. */
  alone?: { floatMs: Spread; int8Ms: Spread; ratio: Spread };
  /** SPTQ wrote no model: none was faster than float (or met the accuracy target). The speed is its own check's. */
  notOffered?: string;
  placement?: SptqResult['placement'];
  accuracyTarget?: SptqResult['accuracy'];
  notes: string[];
}

/** Float models to quantize: shared models that are not quantized already, plus the built ResNet-18. */
export function benchModels(s: SuiteSettings): { models: BenchModel[]; skipped: string[] } {
  const models: BenchModel[] = [];
  const skipped: string[] = [];
  const files = fs.existsSync(s.modelsDir) ? fs.readdirSync(s.modelsDir).filter((f) => f.endsWith('.onnx')).sort() : [];
  for (const f of files) {
    const p = path.join(s.modelsDir, f);
    const ins = inspectModel(readModel(p));
    if (ins.quantization.state !== 'float') { skipped.push(`${f} (already ${ins.quantization.state})`); continue; }
    if (ins.modality !== 'image' && ins.modality !== 'text') { skipped.push(`${f} (modality ${ins.modality})`); continue; }
    models.push({ name: f.replace(/\.onnx$/, ''), path: p, modality: ins.modality });
  }
  const rn = path.join(s.tmpDir, 'resnet18.onnx');
  if (!fs.existsSync(rn)) writeModel(resnet18(), rn);
  models.push({ name: 'resnet18 (built)', path: rn, modality: 'image', built: true });
  return { models, skipped };
}

/** Calibration, held-out and labelled data for a model: the family's .npy files when present, else synthetic. */
function dataFor(s: SuiteSettings, m: BenchModel) {
  const inputs = modelInputSpecs(readModel(m.path).model);
  const family = path.basename(m.path).split('_')[0]!;
  const calibFile = path.join(s.modelsDir, `${family}_calib_x.npy`);
  const testX = path.join(s.modelsDir, `${family}_test_x.npy`);
  const testY = path.join(s.modelsDir, `${family}_test_y.npy`);
  if (!m.built && fs.existsSync(calibFile) && fs.existsSync(testX) && fs.existsSync(testY)) {
    const test = loadDataset(testX, inputs).samples;
    return { calib: loadDataset(calibFile, inputs).samples, synthetic: false, held: test, labels: loadLabels(testY, test.length).data };
  }
  const n = s.quick ? 8 : 32;
  return { calib: syntheticSamples(inputs, m.modality, n, 5), synthetic: true, held: syntheticSamples(inputs, m.modality, m.modality === 'text' ? 100 : 16, 99), labels: undefined };
}

/** Per-round budget (ms) for the side-by-side timing: bigger models need more time for enough runs. */
function budgetFor(s: SuiteSettings, fileBytes: number): number {
  if (s.quick) return 800;
  return fileBytes > 30e6 ? 8000 : fileBytes > 5e6 ? 5000 : 3000;
}

export async function quantRow(s: SuiteSettings, host: RunnerHost, m: BenchModel): Promise<QuantRow> {
  const d = dataFor(s, m);
  const out = path.join(s.tmpDir, `${path.basename(m.path, '.onnx')}${m.diagnostic ? '.diagnostic' : ''}.sptq.onnx`);
  const timingSamples: Feeds[] = d.held.slice(0, 4);
  // the product's default path: measured placement at 1 thread, and no model unless it is faster
  let r: SptqResult;
  let notOffered: string | undefined;
  try {
    r = await runSptq(host, m.path, out, d.calib, {
      synthetic: d.synthetic, fidelitySamples: d.held, perLayer: false, speedCheck: { samples: timingSamples, budgetMs: s.quick ? 800 : 2000, threads: 1 },
      ...m.diagnostic?.options,
    });
  } catch (e) {
    if (!(e instanceof SptqNotOfferedError)) throw e;
    r = e.result;
    notOffered = e.message;
  }
  const row: QuantRow = {
    model: m.name, path: m.path,
    calibration: { samples: r.calibrationSamples, synthetic: d.synthetic, ms: r.timings.calibrationMs, inferenceMs: r.timings.calibrationInferenceMs },
    quantizeMs: r.timings.quantizeMs, quantizedNodes: r.report.quantizedNodes, fusion: r.fusion, speedup: {},
    ...(r.fidelity ? { fidelity: { samples: r.fidelity.samples, top1Agreement: r.fidelity.top1Agreement, sqnrDb: r.fidelity.sqnrDb } } : {}),
    ...(notOffered ? { notOffered } : {}), ...(r.placement ? { placement: r.placement } : {}), ...(r.accuracy ? { accuracyTarget: r.accuracy } : {}),
    notes: r.report.notes,
  };
  if (notOffered) {
    const sp = r.speed!;
    row.speedup['1'] = { floatMs: spread([sp.floatMs]), int8Ms: spread([sp.int8Ms]), ratio: spread([sp.speedup]), rounds: [sp.runs] };
    return row;
  }
  if (d.labels) {
    const stage = (p: string) => [{ modelPath: p, threads: s.hostCores }];
    const fp = classPredictions((await host.run('evaluate', { stages: stage(m.path), samples: d.held })).outputs);
    const qp = classPredictions((await host.run('evaluate', { stages: stage(out), samples: d.held })).outputs);
    const fa = top1Accuracy(fp, d.labels);
    const qa = top1Accuracy(qp, d.labels);
    row.accuracy = { samples: d.held.length, floatPct: fa, int8Pct: qa, dropPoints: fa - qa, agreementPct: top1Agreement(fp, qp) };
  }
  const budget = budgetFor(s, fs.statSync(m.path).size);
  for (const threads of [...new Set([1, s.hostCores])]) {
    const sp = await speed(m.name, m.path, out, timingSamples, budget, threads, host, s.quick ? 1 : 5);
    row.speedup[`${threads}`] = { floatMs: spread(sp.floatMs), int8Ms: spread(sp.int8Ms), ratio: spread(sp.ratios), rounds: sp.runsPerRound };
  }
  const alone = await isolated(m.path, out, timingSamples, budget / 2, 1, host, s.quick ? 1 : 3);
  row.alone = { floatMs: spread(alone.floatMs), int8Ms: spread(alone.int8Ms), ratio: spread(alone.ratios) };
  fs.rmSync(out, { force: true });
  return row;
}

function targetFor(name: string): { min: number; label: string } | undefined {
  if (name === 'resnet18 (built)') return { min: 3.0, label: '≥ 3.0× @1 thread' };
  if (name.startsWith('mobilenet_v2')) return { min: 2.3, label: '≥ 2.3× @1 thread' };
  if (name.startsWith('tinybert')) return { min: 1.0, label: 'never slower (≥ 1.0×)' };
  return undefined;
}

export async function quantizationSection(s: SuiteSettings, host: RunnerHost, models: BenchModel[], skipped: string[]): Promise<SectionResult & { rows: QuantRow[] }> {
  const rows: QuantRow[] = [];
  for (const m of models) rows.push(await quantRow(s, host, m));
  const threads = [...new Set([1, s.hostCores])];
  const summary: SummaryRow[] = [];
  for (const r of rows) {
    const t = targetFor(r.model);
    const one = r.speedup['1']!.ratio;
    const all = (r.speedup[`${s.hostCores}`] ?? r.speedup['1']!).ratio;
    summary.push({
      figure: `SPTQ speed-up vs float, ${r.model} (1 thread; ${s.hostCores} threads)`,
      value: `${fmtSpread(one)}×; ${fmtSpread(all)}×`,
      ...(t ? { target: t.label, met: one.median >= t.min && (!r.model.startsWith('tinybert') || all.median >= t.min) } : {}),
    });
    if (r.accuracy) {
      summary.push({
        figure: `accuracy drop, ${r.model} (minmax, ${r.accuracy.samples} test images)`,
        value: `${fmt(r.accuracy.dropPoints)} points (${fmt(r.accuracy.floatPct)}% → ${fmt(r.accuracy.int8Pct)}%), agreement ${fmt(r.accuracy.agreementPct)}%`,
        target: '≤ 0.5 points, agreement ≥ 99%', met: r.accuracy.dropPoints <= 0.5 && r.accuracy.agreementPct >= 99,
      });
    } else if (r.fidelity && r.model.startsWith('tinybert')) {
      summary.push({ figure: `top-1 agreement with float, ${r.model} (${r.fidelity.samples} synthetic inputs)`, value: `${fmt(100 * r.fidelity.top1Agreement, 1)}%`, target: '≥ 98%', met: r.fidelity.top1Agreement >= 0.98 });
    }
  }
  const speedRows = rows.flatMap((r) => threads.filter((t) => r.speedup[`${t}`]).map((t) => {
    const sp = r.speedup[`${t}`]!;
    return [r.model, t, fmtSpread(sp.floatMs), fmtSpread(sp.int8Ms), `**${fmtSpread(sp.ratio)}×**`, sp.rounds.join('/')];
  }));
  const aloneRows = rows.filter((r) => r.alone).map((r) => [r.model, fmtSpread(r.alone!.floatMs), fmtSpread(r.alone!.int8Ms), `${fmtSpread(r.alone!.ratio)}×`, `${fmtSpread(r.speedup['1']!.ratio)}×`]);
  const qualityRows = rows.map((r) => [
    r.model,
    `${r.calibration.samples}${r.calibration.synthetic ? ' synthetic' : ' real'}`,
    r.quantizedNodes,
    `${r.fusion.integerKernels}/${r.fusion.total} (${fmt(100 * r.fusion.share, 0)}%)`,
    Object.entries(r.fusion.qdqAroundFloat).map(([k, v]) => `${k}×${v}`).join(', ') || '–',
    r.accuracy ? `${fmt(r.accuracy.floatPct)}% → ${fmt(r.accuracy.int8Pct)}% (−${fmt(r.accuracy.dropPoints)})` : '–',
    r.accuracy ? `${fmt(r.accuracy.agreementPct, 1)}% (test)` : r.fidelity ? `${fmt(100 * r.fidelity.top1Agreement, 1)}% (${r.fidelity.samples} synthetic)` : '–',
    r.fidelity ? fmt(r.fidelity.sqnrDb, 1) : '–',
  ]);
  const markdown = [
    `Float vs SPTQ int8 (minmax, per-channel) in the runner, both configurations in one benchmark job (turns in blocks of ~150 ms, the first ~25 ms of each discarded as re-warm), ${s.quick ? 1 : 5} round(s) with the order swapped; each cell is the median over rounds of the per-round medians, [min–max] over rounds. Spinning off. Runs per configuration per round in the last column.`,
    '',
    mdTable(['model', 'threads', 'float ms', 'int8 ms', 'speed-up', 'runs/round'], speedRows),
    '',
    `Cross-check at 1 thread: each model alone in its own benchmark job (nothing else runs between its runs, as in a deployment of either), the two jobs alternating, ${s.quick ? 1 : 3} round(s); median [min–max] over rounds, next to the shared job's ratio above:`,
    '',
    mdTable(['model', 'float ms alone', 'int8 ms alone', 'speed-up alone', 'speed-up, shared job'], aloneRows),
    '',
    'Fusion coverage (share of the float model\'s Conv/MatMul/Gemm that onnxruntime runs as integer kernels after its own optimisation) and quality:',
    '',
    mdTable(['model', 'calibration', 'quantized nodes', 'integer kernels', 'Q/DQ around float ops', 'accuracy float → int8', 'top-1 agreement', 'output SQNR dB'], qualityRows),
    ...(skipped.length ? ['', `Not quantized: ${skipped.join(', ')}.`] : []),
    ...models.filter((m) => m.diagnostic).map((m) => `\nDiagnostic row "${m.name}": the same model quantized with \`${m.diagnostic!.why}\`, to show what the default's choices cost; it has no target.`),
  ].join('\n');
  return { id: 'quantization', title: '3. Quantization (SPTQ)', summary, markdown, data: { rows, skipped }, rows };
}
