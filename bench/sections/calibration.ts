/**
 * Section 4, calibration cost on mobilenet_v2: a calibration over N samples against N float
 * inferences timed around it (bench/sptq.ts `calibCost`), and the runner's peak RSS, for N = 32 and
 * 256. Each repetition gets a fresh runner so its peak RSS is not inherited from earlier jobs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunnerClient } from '../../src/runner/client';
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
  const markdown = [
    `mobilenet_v2, synthetic images, chunks of 16 samples per calibrate job, ${reps} repetitions (fresh runner each). Reference: median float inference at 1 thread measured right before and after each calibration.`,
    '',
    mdTable(['N', 'calibration ms', 'float inference ms', 'calibration / (N × float)', 'session.run only / (N × float)', 'runner peak RSS MB'],
      stats.map((x) => [x.n, fmtSpread(x.ms, 0), fmtSpread(x.floatRefMs), `**${fmtSpread(x.ratio)}**`, fmtSpread(x.runOnly), fmtSpread(x.peakRssMB, 0)])),
    '',
    `Peak RSS at N = ${b.n} is ${fmt(rssGrowth, 3)}× that at N = ${a.n}.`,
  ].join('\n');
  return {
    id: 'calibration', title: '4. Calibration cost', data: { reps, byN: Object.fromEntries(byN), stats }, markdown,
    summary: [
      ...stats.map((x) => ({ figure: `calibration over N = ${x.n} vs N float inferences`, value: `${fmtSpread(x.ratio)}×`, target: '≤ 1.5×', met: x.ratio.median <= 1.5 })),
      { figure: `runner peak RSS, N = ${b.n} vs N = ${a.n}`, value: `${fmt(b.peakRssMB.median, 0)} vs ${fmt(a.peakRssMB.median, 0)} MB (${fmt(rssGrowth, 3)}×)`, target: 'flat (≤ 1.10×)', met: rssGrowth <= 1.1 },
    ],
  };
}
