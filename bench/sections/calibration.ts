/**
 * Section 4, calibration cost on mobilenet_v2: a calibration over N samples against N float
 * inferences timed around it (bench/sptq.ts `calibCost`), and the runner's peak RSS, for N = 32 and
 * 256. Each repetition gets a fresh runner so its peak RSS is not inherited from earlier jobs.
 * The difference between the two sizes splits the cost into a marginal cost per sample (what grows
 * with N) and a fixed cost (calibration model, session, first-run memory).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunnerClient } from '../../src/runner/host/client';
import { fmt, fmtSpread, spread } from '../lib';
import { calibCost, removeTmp, type CalibCostResult } from '../sptq';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

const NS = [32, 256];

export async function calibrationSection(s: SuiteSettings): Promise<SectionResult> {
  if (!fs.existsSync(path.join(s.modelsDir, 'mobilenet_v2.onnx'))) return { id: 'calibration', title: '4. Calibration cost', summary: [], markdown: 'skipped: mobilenet_v2.onnx not found', data: null };
  const reps = s.quick ? 1 : 3;
  const byN = new Map<number, CalibCostResult[]>(NS.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const n of r % 2 ? [...NS].reverse() : NS) {
      const client = new RunnerClient();
      try { byN.get(n)!.push(...(await calibCost(client, [n]))); } finally { client.dispose(); removeTmp(); }
    }
  }
  const stats = NS.map((n) => {
    const xs = byN.get(n)!;
    return { n, ratio: spread(xs.map((x) => x.ratio)), runOnly: spread(xs.map((x) => x.runOnlyRatio)), ms: spread(xs.map((x) => x.calibrationMs)), floatRefMs: spread(xs.map((x) => x.floatRefMs)), peakRssMB: spread(xs.map((x) => x.peakRssMB)) };
  });
  const [a, b] = [stats[0]!, stats[stats.length - 1]!];
  const rssGrowth = b.peakRssMB.median / a.peakRssMB.median;
  // per repetition: (T(N_b) − T(N_a)) / ((N_b − N_a) × float) and what is left at N_a
  const pairs = byN.get(a.n)!.map((x, i) => {
    const y = byN.get(b.n)![i]!;
    const floatMs = (x.floatRefMs + y.floatRefMs) / 2;
    const perSampleMs = (y.calibrationMs - x.calibrationMs) / (b.n - a.n);
    return { marginal: perSampleMs / floatMs, fixedMs: x.calibrationMs - a.n * perSampleMs };
  });
  const marginal = spread(pairs.map((p) => p.marginal));
  const fixedMs = spread(pairs.map((p) => p.fixedMs));
  const batches = [...new Set([...byN.values()].flat().map((x) => x.batch))].join(', ');
  const markdown = [
    `mobilenet_v2, synthetic images, default options (samples per onnxruntime run: ${batches}), ${reps} repetitions (fresh runner each). Reference: median float inference at 1 thread measured right before and after each calibration.`,
    '',
    mdTable(['N', 'calibration ms', 'float inference ms', 'calibration / (N × float)', 'session.run only / (N × float)', 'runner peak RSS MB'],
      stats.map((x) => [x.n, fmtSpread(x.ms, 0), fmtSpread(x.floatRefMs), `**${fmtSpread(x.ratio)}**`, fmtSpread(x.runOnly), fmtSpread(x.peakRssMB, 0)])),
    '',
    `Peak RSS at N = ${b.n} is ${fmt(rssGrowth, 3)}× that at N = ${a.n}.`,
    '',
    `Split from the two sizes: each further sample costs **${fmtSpread(marginal)}×** a float inference; the fixed cost (calibration model built and written, session created, first run's memory) is ${fmtSpread(fixedMs, 0)} ms.`,
  ].join('\n');
  return {
    id: 'calibration', title: '4. Calibration cost', data: { reps, byN: Object.fromEntries(byN), stats, marginal, fixedMs }, markdown,
    summary: [
      ...stats.map((x) => ({ figure: `calibration over N = ${x.n} vs N float inferences`, value: `${fmtSpread(x.ratio)}×`, target: '≤ 1.5×', met: x.ratio.median <= 1.5 })),
      { figure: 'calibration, marginal cost per sample vs a float inference', value: `${fmtSpread(marginal)}× (fixed ${fmt(fixedMs.median, 0)} ms)`, target: '≤ 1.5×', met: marginal.median <= 1.5 },
      { figure: `runner peak RSS, N = ${b.n} vs N = ${a.n}`, value: `${fmt(b.peakRssMB.median, 0)} vs ${fmt(a.peakRssMB.median, 0)} MB (${fmt(rssGrowth, 3)}×)`, target: 'flat (≤ 1.10×)', met: rssGrowth <= 1.1 },
    ],
  };
}
