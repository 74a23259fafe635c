/**
 * Section: memory bounded by one configuration. `recommend` on the ResNet-18 CNN, mobilenet_v2 and
 * tinybert: the benchmark runner's peak RSS (report.benchmarkMemory) against the largest
 * configuration's own peak (each operator measured alone, in a fresh runner: the rows' peakRssMB).
 * Target: ≤ 1.25×. The old design held every configuration at once (690 MB for ResNet-18).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../../src/core/onnx/io';
import { fmt } from '../lib';
import { resnet18 } from '../models';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

interface MemoryRow { model: string; runnerPeakMB: number; baseMB: number; largestOwnMB: number; ratio: number; configurations: number; reloads: number; freshRunners: number }

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function memorySection(s: SuiteSettings): Promise<SectionResult> {
  const r18 = path.join(s.tmpDir, 'resnet18.onnx');
  if (!fs.existsSync(r18)) writeModel(resnet18(), r18);
  const models = [r18, path.join(s.modelsDir, 'mobilenet_v2.onnx'), path.join(s.modelsDir, 'tinybert_text.onnx')].filter((m) => fs.existsSync(m));
  const rows: MemoryRow[] = [];
  for (const m of models) {
    const outDir = path.join(s.tmpDir, `memory-${path.basename(m)}`);
    const r = await cli(['recommend', m, '--json', '--quiet', '--no-cache', '--out-dir', outDir, '--budget-seconds', s.quick ? '5' : '30']);
    if (r.code !== 0 && r.code !== 3) throw new Error(`recommend ${path.basename(m)} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    const report = JSON.parse(r.stdout) as {
      benchmarkMemory?: { runnerPeakRssMB: number; baseRssMB: number; freshRunners?: number };
      results: Array<{ peakRssMB?: number; sampling?: { loads?: number } }>;
    };
    const largestOwnMB = Math.max(...report.results.map((x) => x.peakRssMB ?? 0));
    const mem = report.benchmarkMemory!;
    const row: MemoryRow = {
      model: path.basename(m), runnerPeakMB: mem.runnerPeakRssMB, baseMB: mem.baseRssMB, largestOwnMB,
      ratio: mem.runnerPeakRssMB / largestOwnMB, configurations: report.results.length,
      reloads: report.results.filter((x) => (x.sampling?.loads ?? 1) > 1).length, freshRunners: mem.freshRunners ?? 0,
    };
    rows.push(row);
    fs.rmSync(outDir, { recursive: true, force: true });
    console.log(`  ${row.model}: runner peak ${fmt(row.runnerPeakMB, 0)} MB, largest configuration alone ${fmt(row.largestOwnMB, 0)} MB (ratio ${fmt(row.ratio, 2)}), base ${fmt(row.baseMB, 0)} MB`);
  }
  const markdown = [
    `\`recommend <model> --json --no-cache --budget-seconds ${s.quick ? 5 : 30}\` per model: the latency benchmark runner's peak RSS (report \`benchmarkMemory\`) against the largest configuration's own peak (each operator loaded and run alone in a fresh runner during its accuracy run: the rows' \`peakRssMB\`).`,
    '',
    mdTable(['model', 'runner peak MB', 'largest configuration alone MB', 'runner / largest', 'runner base MB', 'rows', 'rows whose sessions were reloaded', 'fresh runners'],
      rows.map((r) => [r.model, fmt(r.runnerPeakMB, 0), fmt(r.largestOwnMB, 0), `**${fmt(r.ratio, 2)}**`, fmt(r.baseMB, 0), r.configurations, r.reloads, r.freshRunners])),
  ].join('\n');
  return {
    id: 'memory', title: 'Memory bounded by one configuration', data: rows, markdown,
    summary: rows.map((r) => ({ figure: `benchmark runner peak / largest configuration's own peak, ${r.model}`, value: fmt(r.ratio, 2), target: '≤ 1.25', met: r.ratio <= 1.25 })),
  };
}
