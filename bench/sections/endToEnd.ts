/**
 * Section 5, end to end: `node dist/cli.js recommend mobilenet_v2.onnx --json --quiet` with default
 * settings (fresh results, output in a temp folder because the shared model folder is read-only),
 * wall time from outside the process and how the report's `timings` split it. GNU time, when
 * installed, gives the peak RSS of the largest process (CLI or its runner) and CPU seconds.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fmt, fmtSpread, nowMs, spread, type Spread } from '../lib';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

interface Run {
  wallMs: number; timings: Record<string, number>; peakRssMB?: number; cpuS?: number; recommendation?: string;
  /**
   * Rows that can still win (not dominated): the largest 95% CI half-width of what was measured (the
   * race's target), how many missed ±3%, and the largest row CI (extrapolated rows carry the fit's).
   */
  worstCi: number; missed: number; worstRowCi: number; contenders: number; dominated: number;
}

interface ReportRows { results: Array<{ operator: string; placement: string; sampling?: { stopped: string; relHalfWidth: number | null; measuredRelHalfWidth?: number | null } }> }

/** Rows still able to win (not stopped as dominated) and the widest CI among them. */
export function contenders(report: ReportRows): Pick<Run, 'worstCi' | 'missed' | 'worstRowCi' | 'contenders' | 'dominated'> {
  const live = report.results.filter((r) => r.sampling?.stopped !== 'dominated');
  const width = (w: number | null | undefined) => (w === null || w === undefined ? Infinity : w);
  const widths = live.map((r) => width(r.sampling?.measuredRelHalfWidth !== undefined ? r.sampling.measuredRelHalfWidth : r.sampling?.relHalfWidth));
  const rowWidths = live.map((r) => width(r.sampling?.relHalfWidth));
  return {
    worstCi: Math.max(0, ...widths), missed: widths.filter((w) => !(w <= 0.03)).length, worstRowCi: Math.max(0, ...rowWidths),
    contenders: live.length, dominated: report.results.length - live.length,
  };
}

function runOnce(args: string[], timeFile: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = timeFile ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...args]] : [process.execPath, args];
    const t0 = nowMs();
    const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: nowMs() - t0 }));
  });
}

export async function endToEndSection(s: SuiteSettings): Promise<SectionResult> {
  const model = path.join(s.modelsDir, 'mobilenet_v2.onnx');
  const cli = path.resolve(__dirname, '../../dist/cli.js');
  if (!fs.existsSync(model) || !fs.existsSync(cli)) return { id: 'e2e', title: '5. End to end', summary: [], markdown: `skipped: ${fs.existsSync(cli) ? model : cli} not found`, data: null };
  const reps = s.quick ? 1 : 3;
  const gnuTime = fs.existsSync('/usr/bin/time');
  const runs: Run[] = [];
  for (let r = 0; r < reps; r++) {
    const outDir = path.join(s.tmpDir, `e2e-${r}`);
    const timeFile = gnuTime ? path.join(s.tmpDir, `e2e-${r}.time`) : undefined;
    // --quick shortens the benchmark budget only to debug the suite; the committed report uses defaults
    const args = [cli, 'recommend', model, '--json', '--quiet', '--out-dir', outDir, '--no-cache', ...(s.quick ? ['--budget-seconds', '5'] : [])];
    const res = await runOnce(args, timeFile);
    if (res.code !== 0) throw new Error(`recommend exited ${res.code}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const report = JSON.parse(res.stdout) as ReportRows & { timings?: Record<string, number>; recommendation?: { operator?: string; placement?: string } };
    const run: Run = { wallMs: res.wallMs, timings: report.timings ?? {}, ...contenders(report) };
    if (report.recommendation?.operator) run.recommendation = `${report.recommendation.operator}@${report.recommendation.placement ?? '?'}`;
    if (timeFile && fs.existsSync(timeFile)) {
      const [kb, u, sys] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
      run.peakRssMB = kb! / 1024; run.cpuS = u! + sys!;
    }
    runs.push(run);
    fs.rmSync(outDir, { recursive: true, force: true });
    console.log(`  recommend mobilenet_v2 run ${r + 1}: ${fmt(res.wallMs / 1000, 1)} s wall, ${run.contenders} rows can still win (widest measured CI ±${fmt(100 * run.worstCi, 1)}%, ${run.missed} over ±3%; widest row CI with extrapolation ±${fmt(100 * run.worstRowCi, 1)}%), ${run.dominated} dominated; timings ${JSON.stringify(run.timings)}`);
  }
  const wall = spread(runs.map((r) => r.wallMs / 1000));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const split: Record<string, Spread> = Object.fromEntries(keys.map((k) => [k, spread(runs.map((r) => (r.timings[k] ?? 0) / 1000))]));
  const total = split['total']?.median ?? wall.median;
  const markdown = [
    `\`node dist/cli.js recommend mobilenet_v2.onnx --json --quiet --out-dir <tmp> --no-cache\`${s.quick ? ' --budget-seconds 5 (quick mode)' : ''}: default tiers (study), default budget, synthetic data; ${reps} run(s).`,
    '',
    mdTable(['stage (report `timings`)', 'seconds median [min–max]', 'share of total'],
      keys.map((k) => [k, fmtSpread(split[k]!, 1), k === 'total' ? '' : `${fmt(100 * split[k]!.median / total, 0)}%`])),
    '',
    `Wall time from outside: ${fmtSpread(wall, 1)} s (includes Node start-up and the runner fork).` +
      (runs[0]?.peakRssMB !== undefined ? ` Peak RSS of the largest process: ${fmtSpread(spread(runs.map((r) => r.peakRssMB!)), 0)} MB; CPU time ${fmtSpread(spread(runs.map((r) => r.cpuS!)), 1)} s.` : '') +
      (runs[0]?.recommendation ? ` Recommendation: ${runs.map((r) => r.recommendation).join(', ')}.` : ''),
    '',
    mdTable(['run', 'wall s', 'rows that can still win', 'widest measured 95% CI among them', 'over ±3%', 'widest row CI (with extrapolation)', 'dominated (stopped early)'],
      runs.map((r, i) => [i + 1, fmt(r.wallMs / 1000, 1), r.contenders, `±${fmt(100 * r.worstCi, 1)}%`, r.missed, `±${fmt(100 * r.worstRowCi, 1)}%`, r.dominated])),
  ].join('\n');
  return {
    id: 'e2e', title: '5. End to end', data: { reps, runs }, markdown,
    summary: [
      { figure: `recommend mobilenet_v2 wall time, default settings${s.quick ? ' (quick: budget 5 s)' : ''}`, value: `${fmtSpread(wall, 1)} s`, target: '≤ 45 s', met: wall.median <= 45 },
      { figure: 'recommend mobilenet_v2: widest measured 95% CI of a row that can still win', value: `±${fmtSpread(spread(runs.map((r) => 100 * r.worstCi)), 1)}%`, target: '≤ ±3%', met: runs.every((r) => r.missed === 0) },
      { figure: 'same rows: widest CI with the extrapolation to the tier\'s cores', value: `±${fmtSpread(spread(runs.map((r) => 100 * r.worstRowCi)), 1)}%` },
    ],
  };
}
