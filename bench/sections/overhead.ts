/**
 * Section 1, threads as deployed: the runner's medians (every thread count taking turns in blocks,
 * as in the advisor's race) against a bare onnxruntime-node loop with onnxruntime's default session
 * options at the same thread count, alternating, on three CNNs and the transformer
 * (bench/runnerOverhead.ts). Target: within ±3% at every thread count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../../src/core/onnx/io';
import { fmt, fmtSpread, spread } from '../lib';
import { resnet18 } from '../models';
import { benchRunnerOverhead } from '../runnerOverhead';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

export async function overheadSection(s: SuiteSettings): Promise<SectionResult> {
  const r18 = path.join(s.tmpDir, 'resnet18.onnx');
  if (!fs.existsSync(r18)) writeModel(resnet18(), r18);
  const models = [path.join(s.modelsDir, 'mobilenet_v2.onnx'), r18, path.join(s.modelsDir, 'digits_teacher.onnx'), path.join(s.modelsDir, 'tinybert_text.onnx')];
  const rows = await benchRunnerOverhead(models, s.quick ? { rounds: 2, sliceMs: 400, blockMs: 100 } : { rounds: 8, sliceMs: 1500, blockMs: 300 });
  const within = (x: number) => Math.abs(x - 1) <= 0.03;
  const markdown = [
    `Each round: one runner slice with every thread count taking turns in blocks (onnxruntime default session options, spinning on), then a bare loop of each thread count in this process; the first ${25} ms of every block re-warm and are not recorded. Ratio = pooled runner median / pooled bare median.`,
    '',
    mdTable(['model', 'threads', 'runner ms', 'bare ms', 'runner / bare', 'per round', 'runs (runner / bare)'],
      rows.map((r) => [r.model, r.threads, fmt(r.runnerMs, 3), fmt(r.bareMs, 3), `**${fmt(r.ratio, 3)}**`, fmtSpread(spread(r.rounds), 3), `${r.runnerRuns} / ${r.bareRuns}`])),
  ].join('\n');
  return {
    id: 'overhead', title: '1. Threads as deployed: runner vs a bare onnxruntime loop', data: rows, markdown,
    summary: rows.map((r) => ({
      figure: `runner / bare, ${r.model} @${r.threads} thread(s)`, value: `${fmt(r.ratio, 3)} (rounds ${fmtSpread(spread(r.rounds), 3)})`, target: '1.00 ± 0.03', met: within(r.ratio),
    })),
  };
}
