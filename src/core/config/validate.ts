/**
 * Validates the user's config files against the repository's JSON Schemas (schemas/, generated from
 * the types in this folder) with Ajv, the schemas the editor also uses for completion and squiggles
 * (contributes.jsonValidation). A failure is one `input` error naming the file, the JSON path and
 * what is wrong, e.g. `tiers.json: tiers.edge.cpus must be > 0 (got -1)`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import { AdvisorError } from '../errors';
import advisorConfigSchema from '../../../schemas/edge-advisor.schema.json';
import tiersSchema from '../../../schemas/tiers.schema.json';
import type { AdvisorConfigFile } from './advisorConfig';
import type { TierFile } from './tierFile';

export interface ConfigDocuments {
  'edge-advisor': AdvisorConfigFile;
  tiers: TierFile;
}
export type ConfigKind = keyof ConfigDocuments;

const SCHEMAS: Record<ConfigKind, object> = { 'edge-advisor': advisorConfigSchema, tiers: tiersSchema };
const compiled = new Map<ConfigKind, ValidateFunction>();

function validator(kind: ConfigKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    // allErrors: the most specific error is chosen below; editor-only keywords are not errors.
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    ajv.addKeyword('markdownDescription');
    v = ajv.compile(SCHEMAS[kind]);
    compiled.set(kind, v);
  }
  return v;
}

/** Throws the first, most specific schema violation of `value` as an `input` error naming `file`. */
export function validateConfig<K extends ConfigKind>(kind: K, value: unknown, file?: string): ConfigDocuments[K] {
  const v = validator(kind);
  if (v(value)) return value as ConfigDocuments[K];
  throw new AdvisorError('input', describe(pickError(v.errors ?? []), value), file);
}

/** Reads and validates a config file: unreadable, not JSON, or not as the schema says → one `input` error. */
export function readConfig<K extends ConfigKind>(kind: K, file: string): ConfigDocuments[K] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', `cannot read it (${code === 'ENOENT' ? 'file not found' : code})`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AdvisorError('input', `not valid JSON (${(e as Error).message})`, file);
  }
  return validateConfig(kind, json, file);
}

/**
 * The error a person should fix first: the deepest path wins (a union's "must be string" at the
 * parent says less than the wrong field inside it); unknown fields before type errors at one depth.
 */
function pickError(errors: ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const score = (e: ErrorObject) => depth(e) * 10 + (e.keyword === 'anyOf' || e.keyword === 'oneOf' ? 0 : 1);
  return errors.reduce((best, e) => (score(e) > score(best) ? e : best), errors[0]!);
}

function describe(e: ErrorObject, root: unknown): string {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = jsonPath(segments);
  const got = valueAt(root, segments);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params['additionalProperty']);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown field "${jsonPath([...segments, key])}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
    }
    case 'enum':
      return `${where || 'the file'} must be one of ${(e.params['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, got ${show(got)}`;
    case 'type': {
      const types = String(e.params['type']).split(',').map((t) => ({ object: 'a JSON object', array: 'an array', integer: 'a whole number', null: 'null' } as Record<string, string>)[t] ?? `a ${t}`);
      return `${where || 'the file'} must be ${types.join(' or ')} (got ${show(got)})`;
    }
    case 'anyOf':
    case 'oneOf':
      return `${where || 'the file'} has the wrong type or shape (got ${show(got)})`;
    default:
      return `${where || 'the file'} ${e.message ?? 'is invalid'}${e.keyword === 'required' ? '' : ` (got ${show(got)})`}`;
  }
}

/** `tiers.edge.cpus`, `models["nets/a.onnx"].data`, `mean[2]`. */
export function jsonPath(segments: string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`)).join('');
}

function valueAt(root: unknown, segments: string[]): unknown {
  let v = root;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
