/**
 * Finding the user's white-box variants (distilled, pruned, QAT) of a model. In order of
 * precedence: explicit paths (CLI --variant, settings), `edge-advisor.json`, then files beside the
 * model named `<name>.distilled.onnx` / `<name>_distilled.onnx` — where `<name>` may drop a role
 * suffix such as `_teacher` or `_fp32` (so `digits_teacher.onnx` finds `digits_distilled.onnx`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdvisorConfigFile } from '../config/advisorConfig';
import { readConfig } from '../config/validate';
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

export type { AdvisorConfigFile } from '../config/advisorConfig';

/** Reads `edge-advisor.json`, checked against schemas/edge-advisor.schema.json (errors name the JSON path). */
export function readConfigFile(file: string): AdvisorConfigFile {
  return readConfig('edge-advisor', file);
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
