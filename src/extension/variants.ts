/**
 * Finding the user's white-box variants (distilled, pruned, QAT) for a model, and the per-model
 * declarations in `edge-advisor.json` at the workspace root. No `vscode` here: plain files.
 *
 * Beside the model `name.onnx` we look for `name.distilled.onnx` and `name_distilled.onnx`, and
 * for a model family whose base carries a role suffix (`digits_teacher.onnx`, `net_base.onnx`,
 * `net_fp32.onnx`) also `digits_distilled.onnx`, since that is how teacher/student sets are named.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import type { VariantKind } from '../core/pipeline/types';

export const VARIANT_KINDS: readonly VariantKind[] = ['distilled', 'pruned', 'qat'];

/** Suffixes that name the base model of a family rather than a variant. */
const FAMILY_ROLES = ['teacher', 'base', 'fp32', 'float', 'baseline', 'original'];

export type Variants = Partial<Record<VariantKind, string>>;

/** Candidate file names for one variant of `modelPath`, in order of preference. */
export function variantCandidates(modelPath: string, kind: VariantKind): string[] {
  const dir = path.dirname(modelPath);
  const stem = path.basename(modelPath).replace(/\.onnx$/i, '');
  const names = [`${stem}.${kind}.onnx`, `${stem}_${kind}.onnx`, `${stem}-${kind}.onnx`];
  const m = /^(.*)[_.-]([A-Za-z0-9]+)$/.exec(stem);
  if (m && FAMILY_ROLES.includes(m[2].toLowerCase())) names.push(`${m[1]}_${kind}.onnx`, `${m[1]}.${kind}.onnx`, `${m[1]}-${kind}.onnx`);
  return names.map((n) => path.join(dir, n));
}

/** Variants that exist beside the model. */
export function discoverVariants(modelPath: string): Variants {
  const found: Variants = {};
  for (const kind of VARIANT_KINDS) {
    const hit = variantCandidates(modelPath, kind).find((f) => f !== modelPath && isFile(f));
    if (hit) found[kind] = hit;
  }
  return found;
}

function isFile(f: string): boolean {
  try { return fs.statSync(f).isFile(); } catch { return false; }
}

/** What `edge-advisor.json` may declare for one model (paths relative to the workspace root). */
export interface ModelDeclaration {
  variants?: Variants;
  data?: string;
  labels?: string;
}

/**
 * Reads `edge-advisor.json`:
 * `{ "models": { "<model path>": { "variants": { "distilled": "…" }, "data": "…", "labels": "…" } } }`.
 * Returns the entry for `modelPath` with absolute paths, or undefined when the file or entry is absent.
 * A malformed file is an `input` error naming the file (the user asked for it, so say what is wrong).
 */
export function readDeclaration(workspaceRoot: string, modelPath: string): ModelDeclaration | undefined {
  const file = path.join(workspaceRoot, 'edge-advisor.json');
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    throw new AdvisorError('input', `not valid JSON (${e instanceof Error ? e.message : String(e)})`, file);
  }
  const models = (json as { models?: unknown } | null)?.models;
  if (models === undefined) return undefined;
  if (typeof models !== 'object' || models === null || Array.isArray(models)) throw new AdvisorError('input', '"models" must be an object', file);
  const target = path.resolve(modelPath);
  for (const [key, raw] of Object.entries(models as Record<string, unknown>)) {
    if (path.resolve(workspaceRoot, key) !== target) continue;
    return parseEntry(raw, workspaceRoot, file, key);
  }
  return undefined;
}

function parseEntry(raw: unknown, root: string, file: string, key: string): ModelDeclaration {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdvisorError('input', `entry "${key}" must be an object`, file);
  const e = raw as Record<string, unknown>;
  const str = (v: unknown, what: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) throw new AdvisorError('input', `"${key}".${what} must be a path string`, file);
    return path.resolve(root, v);
  };
  const out: ModelDeclaration = {};
  if (e.variants !== undefined) {
    if (typeof e.variants !== 'object' || e.variants === null) throw new AdvisorError('input', `"${key}".variants must be an object`, file);
    out.variants = {};
    for (const [k, v] of Object.entries(e.variants as Record<string, unknown>)) {
      if (!(VARIANT_KINDS as readonly string[]).includes(k)) {
        throw new AdvisorError('input', `"${key}".variants.${k} is not a variant kind (one of ${VARIANT_KINDS.join(', ')})`, file);
      }
      out.variants[k as VariantKind] = str(v, `variants.${k}`);
    }
  }
  out.data = str(e.data, 'data');
  out.labels = str(e.labels, 'labels');
  return out;
}
