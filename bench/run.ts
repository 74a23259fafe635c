/**
 * The benchmark suite: `npm run bench` (not part of `npm test`; timings depend on the machine).
 *   npm run bench -- [--quick] [--only overhead,io,quantization,zoo,calibration,e2e,memory,scaling,images,device] [--out <dir>]
 * Writes <out>/<YYYY-MM-DD>.md and .json (default bench/results/; --quick writes to a temp folder
 * unless --out is given) and prints the summary. Every figure is a ratio against a reference
 * measured in the same run, with its spread: median [min–max] over repetitions.
 * --quick runs every section with tiny repetition counts, to debug the suite, not to quote.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { atomicWriteFile } from '../src/core/fsutil';
import { hostFacts } from '../src/core/hostFacts';
import { RunnerClient } from '../src/runner/host/client';
import { fmt, nowMs } from './lib';
import { calibrationSection } from './sections/calibration';
import { endToEndSection } from './sections/endToEnd';
import { ioSection } from './sections/io';
import { overheadSection } from './sections/overhead';
import { benchModels, quantizationSection, type QuantRow } from './sections/quantization';
import { scalingSection } from './sections/scaling';
import { zooSection } from './sections/zoo';
import { imagesSection } from './sections/images';
import { memorySection } from './sections/memory';
import { deviceSection } from './sections/device';
import { mdTable, type SectionResult, type SuiteSettings } from './sections/types';

type SectionId = 'overhead' | 'io' | 'quantization' | 'zoo' | 'calibration' | 'e2e' | 'memory' | 'scaling' | 'images' | 'device';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (+ uncommitted changes in src/ or bench/)` : head;
  } catch { return 'unknown'; }
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = argValue('--only')?.split(',');
  const outDir = argValue('--out') ?? (quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-quick-')) : path.resolve(__dirname, 'results'));
  const modelsDir = process.env.EDGE_ADVISOR_MODELS ?? path.resolve(__dirname, '../../shared/models');
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-bench-'));
  const host = new RunnerClient();
  const started = new Date();
  const loadBefore = load();
  const info = await host.info();
  const s: SuiteSettings = { quick, modelsDir, tmpDir, hostCores: info.hostCores };
  const env = {
    date: started.toISOString(), cpu: hostFacts().cpuModel, cores: hostFacts().cores, memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version, onnxruntime: info.onnxruntime, commit: gitCommit(), loadBefore, loadAfter: '', quick,
  };
  console.log(`edge-advisor bench${quick ? ' (quick)' : ''}: ${env.cpu} ×${env.cores}, node ${env.node}, onnxruntime ${env.onnxruntime}, load ${loadBefore}`);
  if (!fs.existsSync(modelsDir)) console.log(`note: ${modelsDir} not found; sections that need the shared models are skipped`);

  const sections: SectionResult[] = [];
  const costs: Record<string, { wallS: number; cpuS: number; load: string }> = {};
  const want = (id: string) => !only || only.includes(id);
  let quantRows: QuantRow[] = [];
  const { models, skipped } = fs.existsSync(modelsDir) ? benchModels(s) : { models: [], skipped: [] };
  const runSection = async (id: SectionId, fn: () => Promise<SectionResult>) => {
    if (!want(id)) return;
    console.log(`\n== ${id} (load ${load()})`);
    const t0 = nowMs();
    const u0 = process.resourceUsage();
    try {
      sections.push(await fn());
    } catch (e) {
      console.error(e);
      sections.push({ id, title: id, summary: [{ figure: `${id} section`, value: 'failed', met: false, note: (e as Error).message.split('\n')[0] }], markdown: `failed: ${(e as Error).message}`, data: null });
    }
    const u1 = process.resourceUsage();
    costs[id] = { wallS: (nowMs() - t0) / 1000, cpuS: (u1.userCPUTime + u1.systemCPUTime - u0.userCPUTime - u0.systemCPUTime) / 1e6, load: load() };
  };
  try {
    await runSection('overhead', () => overheadSection(s));
    await runSection('io', () => ioSection(s));
    await runSection('quantization', async () => { const r = await quantizationSection(s, host, models, skipped); quantRows = r.rows; return r; });
    await runSection('zoo', () => zooSection(s, host));
    await runSection('calibration', () => calibrationSection(s));
    await runSection('e2e', () => endToEndSection(s));
    await runSection('memory', () => memorySection(s));
    await runSection('device', () => deviceSection(s));
    await runSection('scaling', () => scalingSection(s, host, models, quantRows));
    await runSection('images', () => imagesSection(s));
  } finally {
    host.dispose();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  env.loadAfter = load();
  const totalS = (Date.now() - started.getTime()) / 1000;

  const summaryRows = sections.flatMap((sec) => sec.summary);
  const verdict = (m: boolean | undefined) => (m === undefined ? '' : m ? 'met' : '**missed**');
  const summaryTable = mdTable(['figure', 'measured: median [min–max]', 'target', ''], summaryRows.map((r) => [r.figure, r.value, r.target ?? '', verdict(r.met)]));
  const md = [
    `# Benchmark report ${env.date.slice(0, 10)}${quick ? ' (quick mode: tiny repetition counts, not for quoting)' : ''}`,
    '',
    `Command: \`npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}\` · ${env.date} · ${env.cpu}, ${env.cores} cores, ${env.memoryGB} GiB · node ${env.node} · onnxruntime-node ${env.onnxruntime} · commit ${env.commit}`,
    `Load average (1/5/15 min) before: ${env.loadBefore}; after: ${env.loadAfter}. The machine is shared: read ratios (measured side by side in the same run), not absolute times.`,
    `Suite time: ${fmt(totalS / 60, 1)} min (${Object.entries(costs).map(([k, c]) => `${k} ${fmt(c.wallS, 0)} s`).join(', ')}).`,
    '',
    '## Summary',
    '',
    summaryTable,
    ...sections.flatMap((sec) => ['', `## ${sec.title}`, '', sec.markdown]),
    '',
  ].join('\n');
  const stamp = env.date.slice(0, 10);
  fs.mkdirSync(outDir, { recursive: true });
  atomicWriteFile(path.join(outDir, `${stamp}.md`), md);
  atomicWriteFile(path.join(outDir, `${stamp}.json`), `${JSON.stringify({ environment: env, costs, summary: summaryRows, sections: sections.map(({ id, title, summary, data }) => ({ id, title, summary, data })) }, null, 2)}\n`);
  console.log(`\n${summaryTable}\n\nload before ${env.loadBefore}, after ${env.loadAfter}; ${fmt(totalS / 60, 1)} min\nwrote ${path.join(outDir, `${stamp}.md`)} and .json`);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
