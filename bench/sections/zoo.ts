/**
 * Section 3b, models from the wild: SPTQ on real third-party ONNX exports (bench/zoo/fetch.ts),
 * plus a SqueezeNet 1.1-shaped CNN (its thin stem feeds a MaxPool that onnxruntime may run on
 * uint8 data) and the digits teacher with a 100–500× channel imbalance built in
 * (test/fixtures/imbalanced.ts). Each goes through the product's default path (measured placement
 * at 1 thread, the default accuracy target, synthetic calibration where no data ships with it),
 * then float vs int8 side by side as in section 3.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../../src/core/onnx/io';
import type { RunnerHost } from '../../src/core/protocol/runner';
import { rescaleChannels } from '../../test/fixtures/imbalanced';
import { fmt, fmtSpread } from '../lib';
import { squeezenet11 } from '../models';
import { fetchZoo } from '../zoo/fetch';
import { quantRow, type BenchModel, type QuantRow } from './quantization';
import { mdTable, type SectionResult, type SuiteSettings, type SummaryRow } from './types';

export async function zooSection(s: SuiteSettings, host: RunnerHost): Promise<SectionResult> {
  const { models: fetched, skipped } = fetchZoo((l) => console.log(l));
  const models: BenchModel[] = fetched.map((m) => ({ name: m.name, path: m.path, modality: 'image', source: `${m.pkg.pkg}@${m.pkg.version} (${m.pkg.license}): ${m.what}` }));
  const sq = path.join(s.tmpDir, 'squeezenet1_1.onnx');
  writeModel(squeezenet11(), sq);
  models.push({ name: 'squeezenet1.1 (built)', path: sq, modality: 'image', built: true, source: 'bench/models.ts: torchvision layout, random weights' });
  const teacher = path.join(s.modelsDir, 'digits_teacher.onnx');
  if (fs.existsSync(teacher)) {
    // named digits_* so section 3's data rules give it the digits calibration and test split
    const imb = path.join(s.tmpDir, 'digits_imbalanced.onnx');
    writeModel(rescaleChannels(readModel(teacher).model), imb);
    models.push({ name: 'digits_teacher, 100–500× channel imbalance', path: imb, modality: 'image', source: 'test/fixtures/imbalanced.ts from digits_teacher.onnx' });
  } else skipped.push('digits imbalance fixture (no digits_teacher.onnx in the shared models)');

  const rows: QuantRow[] = [];
  for (const m of models) {
    console.log(`zoo: ${m.name}`);
    try { rows.push(await quantRow(s, host, m)); } catch (e) {
      skipped.push(`${m.name} (SPTQ failed: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  const summary: SummaryRow[] = [];
  for (const r of rows) {
    const one = r.speedup['1']!.ratio;
    const target = r.model.startsWith('squeezenet') ? 1.8 : r.model.startsWith('digits') ? 1.5 : 1.0;
    summary.push({
      figure: `SPTQ vs float @1 thread, ${r.model}`,
      value: r.notOffered ? `not offered (its best int8 model: ${fmt(one.median)}×)` : `${fmtSpread(one)}×`,
      target: target > 1 ? `≥ ${target}×` : 'never slower (≥ 1.0×, or no model offered)',
      met: r.notOffered ? target === 1.0 : one.median >= target,
    });
    if (r.accuracy) {
      summary.push({ figure: `accuracy drop, ${r.model}`, value: `${fmt(r.accuracy.dropPoints)} points (${fmt(r.accuracy.floatPct)}% → ${fmt(r.accuracy.int8Pct)}%)`, target: '≤ 1 point', met: r.accuracy.dropPoints <= 1 });
    } else if (r.accuracyTarget) {
      summary.push({ figure: `fidelity target, ${r.model}`, value: `${r.accuracyTarget.met ? 'met' : 'missed'} (${r.accuracyTarget.target})`, met: r.accuracyTarget.met });
    }
  }
  const src = models.map((m) => [m.name, m.source ?? '']);
  const table = rows.map((r) => [
    r.model,
    r.notOffered ? `not offered: ${fmt(r.speedup['1']!.ratio.median)}× in its own check` : `**${fmtSpread(r.speedup['1']!.ratio)}×**`,
    `${r.fusion.integerKernels}/${r.fusion.total} (${fmt(100 * r.fusion.share, 0)}%)`,
    Object.entries(r.fusion.qdqAroundFloat).map(([k, v]) => `${k}×${v}`).join(', ') || '–',
    r.fidelity ? `${Number.isNaN(r.fidelity.top1Agreement) ? '' : `agreement ${fmt(100 * r.fidelity.top1Agreement, 1)}%, `}SQNR ${fmt(r.fidelity.sqnrDb, 1)} dB` : '–',
    r.accuracyTarget ? `${r.accuracyTarget.met ? 'met' : '**missed**'}${r.accuracyTarget.fallback?.met ? `; ${r.accuracyTarget.fallback.keptFloat.length} layer(s) kept float` : ''}` : '–',
    r.placement?.decisions.length ? r.placement.decisions.map((d) => `${d.nodes.join('+')}: ${d.action === 'returned to float' ? 'float' : 'kept int8'} (${fmt(d.floatMs, 3)} vs ${fmt(d.int8Ms, 3)} ms)`).join('; ') : 'none',
    r.notes.filter((n) => /opset|equalization/.test(n)).join('; ') || '–',
  ]);
  const markdown = [
    'Where each model comes from:',
    '',
    mdTable(['model', 'source'], src),
    '',
    `Default SPTQ (minmax, per-channel where the opset allows, measured placement at 1 thread, default accuracy target; calibration: ${s.quick ? 8 : 32} synthetic samples, or the digits calibration split), then float vs int8 side by side at 1 thread as in section 3 (${s.quick ? 1 : 5} rounds, median [min–max] of the per-round ratios). "Decisions": int8 regions the profiler found slower, with their float vs int8 kernel time per run.`,
    '',
    mdTable(['model', 'speed-up @1 thread', 'integer kernels', 'Q/DQ around float ops', 'fidelity (held-out)', 'accuracy target', 'placement decisions', 'opset / equalization'], table),
    ...(skipped.length ? ['', `Skipped: ${skipped.join('; ')}.`] : []),
  ].join('\n');
  return { id: 'zoo', title: '3b. Quantization of models from the wild', summary, markdown, data: { rows, skipped } };
}
