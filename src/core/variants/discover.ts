/**
 * Finding the user's white-box variants (distilled, pruned, QAT) of a model. In order of
 * precedence: explicit paths (CLI --variant, settings), `edge-advisor.json`, then files beside the
 * model named `<name>.distilled.onnx` / `<name>_distilled.onnx` — where `<name>` may drop a role
 * suffix such as `_teacher` or `_fp32` (so `digits_teacher.onnx` finds `digits_distilled.onnx`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import type { VariantKind } from './kinds';

export const VARIANT_KINDS: readonly VariantKind[] = ['distilled', 'pruned', 'qat'];

const ROLE_SUFFIX = /[._-](teacher|base|baseline|fp32|float|full|original|orig)$/i;

export interface DiscoveredVariant { kind: VariantKind; path: string; source: 'explicit' | 'config' | 'beside' }

/** Candidate file names for one kind, for a model at `modelPath`. */
export function candidateNames(modelPath: string, kind: VariantKind): string[] {
  const stem = path.basename(modelPath).replace(/\.onnx$/i, '');
  const stems = [stem];
  const bare = stem.replace(ROLE_SUFFIX, '');
  if (bare !== stem) stems.push(bare);
  const aliases = kind === 'distilled' ? ['distilled', 'student', 'kd'] : kind === 'pruned' ? ['pruned', 'sparse'] : ['qat'];
  const out: string[] = [];
  for (const s of stems) for (const a of aliases) out.push(`${s}.${a}.onnx`, `${s}_${a}.onnx`, `${s}-${a}.onnx`);
  return out;
}

/** The `edge-advisor.json` format (workspace root). Paths are relative to the file's folder. */
export interface AdvisorConfigFile {
  /** Variants for every model in the workspace (rarely right with several models). */
  variants?: Partial<Record<VariantKind, string>>;
  /** Variants per model, keyed by the model's path relative to the config file. */
  models?: Record<string, { variants?: Partial<Record<VariantKind, string>>; data?: string; labels?: string }>;
}

export function readConfigFile(file: string): AdvisorConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AdvisorError('input', `cannot read edge-advisor.json: ${(e as Error).message}`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdvisorError('input', 'expected a JSON object', file);
  const cfg = raw as Record<string, unknown>;
  const checkVariants = (v: unknown, where: string) => {
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null) throw new AdvisorError('input', `${where} must be an object`, file);
    for (const [k, p] of Object.entries(v)) {
      if (!VARIANT_KINDS.includes(k as VariantKind)) throw new AdvisorError('input', `${where}.${k}: unknown variant kind (expected distilled, pruned or qat)`, file);
      if (typeof p !== 'string') throw new AdvisorError('input', `${where}.${k} must be a path string`, file);
    }
  };
  checkVariants(cfg['variants'], 'variants');
  if (cfg['models'] !== undefined) {
    if (typeof cfg['models'] !== 'object' || cfg['models'] === null) throw new AdvisorError('input', 'models must be an object', file);
    for (const [m, v] of Object.entries(cfg['models'] as Record<string, unknown>)) {
      if (typeof v !== 'object' || v === null) throw new AdvisorError('input', `models["${m}"] must be an object`, file);
      checkVariants((v as Record<string, unknown>)['variants'], `models["${m}"].variants`);
    }
  }
  return cfg as AdvisorConfigFile;
}

export interface DiscoverOptions {
  explicit?: Partial<Record<VariantKind, string>>;
  /** Path of an edge-advisor.json to consult (workspace root), if any. */
  configFile?: string;
}

export function discoverVariants(modelPath: string, opts: DiscoverOptions = {}): DiscoveredVariant[] {
  const found = new Map<VariantKind, DiscoveredVariant>();
  for (const [k, p] of Object.entries(opts.explicit ?? {}) as [VariantKind, string][]) {
    if (p) found.set(k, { kind: k, path: path.resolve(p), source: 'explicit' });
  }
  if (opts.configFile && fs.existsSync(opts.configFile)) {
    const cfg = readConfigFile(opts.configFile);
    const base = path.dirname(opts.configFile);
    const rel = path.relative(base, path.resolve(modelPath)).split(path.sep).join('/');
    const perModel = cfg.models?.[rel]?.variants ?? {};
    for (const src of [perModel, cfg.variants ?? {}]) {
      for (const [k, p] of Object.entries(src) as [VariantKind, string][]) {
        if (!found.has(k)) found.set(k, { kind: k, path: path.resolve(base, p), source: 'config' });
      }
    }
  }
  const dir = path.dirname(path.resolve(modelPath));
  for (const kind of VARIANT_KINDS) {
    if (found.has(kind)) continue;
    for (const name of candidateNames(modelPath, kind)) {
      const p = path.join(dir, name);
      if (p !== path.resolve(modelPath) && fs.existsSync(p)) { found.set(kind, { kind, path: p, source: 'beside' }); break; }
    }
  }
  return VARIANT_KINDS.filter((k) => found.has(k)).map((k) => found.get(k)!);
}
