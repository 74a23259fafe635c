/**
 * The data a model is run with, remembered per model in `edge-advisor.json` (the workspace root's):
 * `models["<model path relative to the file>"]` may hold `data`, `labels`, `calib`, `tokenizer`
 * (paths relative to the file), `preprocess` (a preset name, a .json path, or an object; see
 * images/preprocessSpec.ts) and `shapes` (sizes of symbolic input dims for synthetic samples,
 * `{"input": [1, 512]}`; inputShapes.ts). Updates are written atomically and keep every other key the user has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { atomicWriteFile } from '../fsutil';
import type { InputShapes } from './inputShapes';

export interface ModelDataConfig {
  data?: string;
  labels?: string;
  calib?: string;
  tokenizer?: string;
  preprocess?: unknown;
  shapes?: InputShapes;
}

const PATH_KEYS = ['data', 'labels', 'calib', 'tokenizer'] as const;

function modelKey(configFile: string, modelPath: string): string {
  return path.relative(path.dirname(configFile), path.resolve(modelPath)).split(path.sep).join('/');
}

function readObject(configFile: string): Record<string, unknown> {
  if (!fs.existsSync(configFile)) return {};
  let raw: unknown;
  try { raw = JSON.parse(fs.readFileSync(configFile, 'utf8')); } catch (e) {
    throw new AdvisorError('input', `cannot read edge-advisor.json: ${(e as Error).message}`, configFile);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdvisorError('input', 'expected a JSON object', configFile);
  return raw as Record<string, unknown>;
}

/** The model's data settings with paths resolved against the file's folder. */
export function readModelDataConfig(configFile: string | undefined, modelPath: string): ModelDataConfig {
  if (!configFile || !fs.existsSync(configFile)) return {};
  const models = readObject(configFile)['models'];
  const entry = typeof models === 'object' && models !== null ? (models as Record<string, unknown>)[modelKey(configFile, modelPath)] : undefined;
  if (typeof entry !== 'object' || entry === null) return {};
  const e = entry as Record<string, unknown>;
  const out: ModelDataConfig = {};
  for (const k of PATH_KEYS) {
    const v = e[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new AdvisorError('input', `models["${modelKey(configFile, modelPath)}"].${k} must be a path string`, configFile);
    if (v) out[k] = path.resolve(path.dirname(configFile), v);
  }
  if (e['preprocess'] !== undefined && e['preprocess'] !== null) out.preprocess = e['preprocess'];
  if (e['shapes'] !== undefined && e['shapes'] !== null) out.shapes = shapesOf(e['shapes'], `models["${modelKey(configFile, modelPath)}"].shapes`, configFile);
  return out;
}

function shapesOf(v: unknown, what: string, configFile: string): InputShapes {
  const ok = typeof v === 'object' && v !== null && !Array.isArray(v) &&
    Object.values(v).every((d) => Array.isArray(d) && d.every((x) => Number.isInteger(x) && (x as number) > 0));
  if (!ok) throw new AdvisorError('input', `${what} must map input names to sizes, e.g. {"input": [1, 512]}`, configFile);
  return v as InputShapes;
}

/**
 * Sets (or, with `undefined`, removes) the model's data settings; paths are stored relative to the
 * file. Everything else in the file — other models, variants, unknown keys — is kept as it was.
 */
export function updateModelDataConfig(configFile: string, modelPath: string, patch: Partial<Record<keyof ModelDataConfig, unknown>>): void {
  const cfg = readObject(configFile);
  const models = (typeof cfg['models'] === 'object' && cfg['models'] !== null ? cfg['models'] : {}) as Record<string, unknown>;
  const key = modelKey(configFile, modelPath);
  const entry = { ...((typeof models[key] === 'object' && models[key] !== null ? models[key] : {}) as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') delete entry[k];
    else entry[k] = (PATH_KEYS as readonly string[]).includes(k) && typeof v === 'string'
      ? path.relative(path.dirname(configFile), path.resolve(v)).split(path.sep).join('/') || '.'
      : v;
  }
  cfg['models'] = { ...models, [key]: entry };
  atomicWriteFile(configFile, JSON.stringify(cfg, null, 2) + '\n');
}
