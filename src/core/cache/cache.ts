/**
 * The results cache: a measurement is reused only when nothing that could change it changed —
 * the bytes of the model file(s) (external data included) and data files, the tier profile, the
 * runner settings, the onnxruntime version and the benchmark method's version. Entries are JSON files named by that key, written
 * atomically (temp + rename), so a crash never leaves a half-written entry.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../fsutil';
import { BENCHMARK_METHOD } from '../protocol/benchmark';

const CACHE_FORMAT = 1;

/** Default output folder: `.edge-advisor/` beside the model. */
export function defaultOutDir(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), '.edge-advisor');
}

/** sha256 of a file's bytes, streamed in 1 MiB chunks (models can be GBs). */
export function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buf, 0, buf.length, null); n > 0; n = fs.readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Hash of a file, or of every file under a folder (names and bytes, in sorted order). */
export function hashPath(p: string): string {
  const st = fs.statSync(p);
  if (st.isFile()) return hashFile(p);
  const h = createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.statSync(full).isDirectory()) walk(full, r);
      else h.update(`${r}\0${hashFile(full)}\n`);
    }
  };
  walk(p, '');
  return h.digest('hex');
}

/** JSON with sorted keys, so equal settings always hash equally. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
}

export interface CacheKeyParts {
  /** Model file(s) measured, with their external-data files. */
  modelFiles: string[];
  /** Data/labels files or folders (empty when synthetic). */
  dataFiles: string[];
  tiers: unknown;
  /** Everything else that changes the measurement: budget, placements, thread counts, job kind... */
  settings: unknown;
  onnxruntimeVersion: string;
  /** The benchmark job's method version (default: the current one, BENCHMARK_METHOD). */
  benchmarkMethod?: number;
}

export function cacheKey(parts: CacheKeyParts): string {
  const h = createHash('sha256');
  h.update(`edge-advisor-cache/${CACHE_FORMAT}\n`);
  for (const f of parts.modelFiles) h.update(`model ${hashPath(f)}\n`);
  for (const f of parts.dataFiles) h.update(`data ${hashPath(f)}\n`);
  h.update(`tiers ${canonicalJson(parts.tiers)}\n`);
  h.update(`settings ${canonicalJson(parts.settings)}\n`);
  h.update(`ort ${parts.onnxruntimeVersion}\n`);
  h.update(`method ${parts.benchmarkMethod ?? BENCHMARK_METHOD}\n`);
  return h.digest('hex');
}

export class ResultsCache {
  readonly dir: string;
  constructor(outDir: string) {
    this.dir = path.join(outDir, 'cache');
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`invalid cache key ${key}`);
    return path.join(this.dir, `${key}.json`);
  }

  /** The cached value, or undefined when absent or unreadable (a damaged entry is a miss, not an error). */
  get<T>(key: string): T | undefined {
    const file = this.file(key);
    try {
      const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: number; key: string; value: T };
      return entry.format === CACHE_FORMAT && entry.key === key ? entry.value : undefined;
    } catch {
      return undefined;
    }
  }

  put<T>(key: string, value: T): void {
    fs.mkdirSync(this.dir, { recursive: true });
    atomicWriteFile(this.file(key), JSON.stringify({ format: CACHE_FORMAT, key, created: new Date().toISOString(), value }));
  }
}
