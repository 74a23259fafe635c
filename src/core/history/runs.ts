/**
 * Run history: every report a run produced, kept per model in its output folder
 * (`<out>/runs/<model>-<path hash>/<id>.json`: several models may share an output folder; newest
 * `MAX_RUNS` kept), written atomically. The CLI and the extension
 * both add to it; the extension shows the newest run of a model, lists them in the Runs view and
 * compares two. The measurements cache (core/cache) answers "can these numbers be reused"; this
 * answers "which reports belong to this model".
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../fsutil';
import type { AdvisorReport } from '../results';

export const MAX_RUNS = 20;
const FORMAT = 1;

export interface RunSummary {
  /** File-safe id, sortable by time: `20261202T153000123Z-<hash>`. */
  id: string;
  date: string;
  model: string;
  modelPath: string;
  /** "SPTQ @ Edge", or null when nothing met the budget. */
  pick: { operator: string; placement: string; medianMs: number } | null;
  tiers: string;
  maxAccuracyDrop: number;
  rows: number;
  /** Set when the measurements were answered from the cache (when they were taken). */
  cachedAt?: string;
  /** Tiers that ran on a device (their host names). */
  devices?: string[];
}

interface RunFile { format: number; summary: RunSummary; report: AdvisorReport }

/** The folder of one model's runs inside an output folder. */
export function runsDir(outDir: string, modelPath: string): string {
  const abs = path.resolve(modelPath);
  const name = path.basename(abs).replace(/\.onnx$/i, '').replace(/[^\w.-]/g, '_').slice(0, 60);
  return path.join(outDir, 'runs', `${name}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`);
}

function summarize(id: string, report: AdvisorReport): RunSummary {
  const rec = report.recommendation;
  const devices = Object.values(report.tiers.tiers)
    .map((t) => (t as { device?: { host?: string } }).device?.host)
    .filter((h): h is string => typeof h === 'string');
  return {
    id, date: report.environment.date, model: report.model.name, modelPath: report.model.path,
    pick: rec ? { operator: rec.operator, placement: rec.placement, medianMs: rec.latencyMs.median } : null,
    tiers: report.tiers.name, maxAccuracyDrop: report.maxAccuracyDrop, rows: report.results.length,
    ...(report.cachedAt ? { cachedAt: report.cachedAt } : {}),
    ...(devices.length ? { devices } : {}),
  };
}

/** Adds a run; drops the oldest beyond MAX_RUNS. Returns its summary. */
export function saveRun(outDir: string, report: AdvisorReport, now = new Date()): RunSummary {
  const dir = runsDir(outDir, report.model.path);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  const id = `${stamp}-${createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 8)}`;
  const summary = summarize(id, report);
  atomicWriteFile(path.join(dir, `${id}.json`), JSON.stringify({ format: FORMAT, summary, report } satisfies RunFile));
  for (const old of runIds(dir).slice(MAX_RUNS)) fs.rmSync(path.join(dir, `${old}.json`), { force: true });
  return summary;
}

/** Run ids in a model's runs folder, newest first. */
function runIds(dir: string): string[] {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  return names.filter((n) => /^\d{8}T\d{9}Z-[0-9a-f]{8}\.json$/.test(n)).map((n) => n.slice(0, -5)).sort().reverse();
}

function readRun(dir: string, id: string): RunFile | undefined {
  if (!/^\d{8}T\d{9}Z-[0-9a-f]{8}$/.test(id)) return undefined;
  try {
    const f = JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), 'utf8')) as Partial<RunFile>;
    return f.format === FORMAT && f.summary && f.report ? (f as RunFile) : undefined;
  } catch {
    return undefined; // a damaged file is skipped, never an error
  }
}

/** Summaries of a model's runs, newest first (damaged files skipped). */
export function listRuns(outDir: string, modelPath: string): RunSummary[] {
  const dir = runsDir(outDir, modelPath);
  return runIds(dir).map((id) => readRun(dir, id)?.summary).filter((s): s is RunSummary => !!s);
}

export function loadRun(outDir: string, modelPath: string, id: string): AdvisorReport | undefined {
  return readRun(runsDir(outDir, modelPath), id)?.report;
}

/** The newest readable run of a model. */
export function latestRun(outDir: string, modelPath: string): { summary: RunSummary; report: AdvisorReport } | undefined {
  const dir = runsDir(outDir, modelPath);
  for (const id of runIds(dir)) {
    const f = readRun(dir, id);
    if (f) return { summary: f.summary, report: f.report };
  }
  return undefined;
}
