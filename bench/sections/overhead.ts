/**
 * Section 1, harness overhead: the runner's median against a bare onnxruntime-node loop with the
 * same session options, in alternating blocks on mobilenet_v2 at one thread (bench/runnerOverhead.ts).
 */
import * as path from 'node:path';
import { benchRunnerOverhead } from '../runnerOverhead';
import { fmt, fmtSpread, spread } from '../lib';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

export async function overheadSection(s: SuiteSettings): Promise<SectionResult> {
  const model = path.join(s.modelsDir, 'mobilenet_v2.onnx');
  const r = await benchRunnerOverhead(model, s.quick ? { BLOCKS: 2, BUDGET_MS: 2000, BLOCK_MS: 300 } : { BLOCKS: 15, BUDGET_MS: 15000, BLOCK_MS: 600 });
  if (!r) return { id: 'overhead', title: '1. Harness overhead', summary: [], markdown: `skipped: ${model} not found`, data: null };
  const ratios = spread(r.blocks.map((b) => b.ratio));
  const met = r.pooled.ratio <= 1.03;
  const markdown = [
    `mobilenet_v2, 1 intra-op thread, spinning off, ${r.blocks.length} alternating blocks (runner block of fixed time, then as many bare runs in this process).`,
    '',
    mdTable(['block', 'runner median ms', 'bare median ms', 'runs', 'runner/bare'],
      r.blocks.map((b, i) => [i + 1, fmt(b.runnerMs), fmt(b.bareMs), b.n, fmt(b.ratio, 3)])),
    '',
    `Pooled medians: runner ${fmt(r.pooled.runnerMs)} ms (n ${r.pooled.runnerN}), bare ${fmt(r.pooled.bareMs)} ms (n ${r.pooled.bareN}), ratio **${fmt(r.pooled.ratio, 3)}**; per-block ratio ${fmtSpread(ratios, 3)}.`,
    `Stopping rule as the advisor uses it: median ${fmt(r.stoppingRule.medianMs)} ms, 95% CI of the median ±${fmt(100 * r.stoppingRule.relHalfWidth)}% after ${r.stoppingRule.n} runs (${r.stoppingRule.ciReached ? 'target ±2% reached' : 'budget spent before ±2%'}, ${fmt(r.stoppingRule.elapsedMs / 1000, 1)} s). Session cold start ${fmt(r.coldStartMs, 0)} ms, runner peak RSS ${fmt(r.peakRssMB, 0)} MB.`,
  ].join('\n');
  return {
    id: 'overhead', title: '1. Harness overhead', data: r, markdown,
    summary: [
      { figure: 'runner / bare onnxruntime loop, mobilenet_v2 @1 thread (pooled; per-block spread)', value: `${fmt(r.pooled.ratio, 3)} (blocks ${fmtSpread(ratios, 3)})`, target: '≤ 1.03', met },
      { figure: 'stopping rule: 95% CI half-width of the median', value: `±${fmt(100 * r.stoppingRule.relHalfWidth)}% after ${r.stoppingRule.n} runs`, target: '≤ ±2% within budget', met: r.stoppingRule.ciReached },
    ],
  };
}
