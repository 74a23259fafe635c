/**
 * The last report per model, kept in the extension's storage folder so a repeated "Recommend
 * deployment" on an unchanged model opens instantly and the model card can show it.
 *
 * A cached report is valid only for the same request and the same bytes on disk: the key includes
 * size and mtime of the model, every variant and data file, so editing any of them re-runs.
 */
import { canonicalJson } from '../core/cache/cache';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { atomicWriteFile } from '../core/fsutil';
import type { AdvisorReport } from '../core/results';
import type { ResultLookup } from './jobs';
import type { JobRequest } from './runOptions';

interface CacheEntry {
  /** Bumped when the entry's shape changes; older entries are ignored. */
  version: 1;
  key: string;
  savedAt: string;
  report: AdvisorReport;
}

const VERSION = 1;

function fileStamp(file: string | undefined): string {
  if (!file) return '-';
  try {
    const st = fs.statSync(file);
    return `${st.size}:${Math.trunc(st.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/** A stable key for "same request on the same files". */
export function requestKey(request: JobRequest): string {
  const { useCache: _ignored, ...advisor } = request.advisor;
  const rest = { ...request, advisor };
  const a = request.advisor;
  const stamps = [a.modelPath, a.dataPath, a.labelsPath, a.calibrationPath, request.tiers.customFile, ...Object.values(a.variants)]
    .map((f) => `${f ?? ''}=${fileStamp(f)}`);
  return createHash('sha256').update(canonicalJson(rest)).update(stamps.join('|')).digest('hex');
}

export class ReportCache implements ResultLookup<JobRequest, AdvisorReport> {
  constructor(private readonly dir: string) {}

  private fileFor(modelPath: string): string {
    const id = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 24);
    return path.join(this.dir, `${id}.json`);
  }

  /** The cached report for exactly this request, or undefined. */
  get(request: JobRequest): AdvisorReport | undefined {
    const entry = this.read(request.advisor.modelPath);
    return entry && entry.key === requestKey(request) ? entry.report : undefined;
  }

  put(request: JobRequest, report: AdvisorReport): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const entry: CacheEntry = { version: VERSION, key: requestKey(request), savedAt: new Date().toISOString(), report };
    atomicWriteFile(this.fileFor(request.advisor.modelPath), JSON.stringify(entry));
  }

  /** The last report for a model whatever the request (the model card shows it, with its date). */
  last(modelPath: string): { report: AdvisorReport; savedAt: string } | undefined {
    const e = this.read(modelPath);
    return e && { report: e.report, savedAt: e.savedAt };
  }

  private read(modelPath: string): CacheEntry | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.fileFor(modelPath), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const e = JSON.parse(text) as Partial<CacheEntry>;
      if (e.version !== VERSION || typeof e.key !== 'string' || typeof e.report !== 'object' || e.report === null) return undefined;
      return e as CacheEntry;
    } catch {
      return undefined; // a corrupt entry is a cache miss, never an error
    }
  }
}
