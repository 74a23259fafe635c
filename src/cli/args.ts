import { AdvisorError } from '../core/errors';

/**
 * A small, strict argument parser: `--flag`, `--key value`, `--key=value`, repeated keys,
 * and positionals. Unknown options are usage errors (exit 2), so typos never pass silently.
 */
export interface OptionSpec {
  /** 'boolean' flags take no value; `--no-<name>` sets them false. */
  type: 'boolean' | 'string';
  multiple?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    let key = a.slice(2);
    let value: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
    const s = spec[key];
    if (!s && key.startsWith('no-') && spec[key.slice(3)]?.type === 'boolean') {
      options[key.slice(3)] = false;
      continue;
    }
    if (!s) throw new AdvisorError('usage', `unknown option --${key}`);
    if (s.type === 'boolean') {
      if (value !== undefined) throw new AdvisorError('usage', `option --${key} takes no value`);
      options[key] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new AdvisorError('usage', `option --${key} needs a value`);
    }
    if (s.multiple) {
      const prev = options[key];
      options[key] = [...(Array.isArray(prev) ? prev : []), value];
    } else {
      options[key] = value;
    }
  }
  return { positionals, options };
}

export function stringOpt(p: ParsedArgs, key: string): string | undefined {
  const v = p.options[key];
  return typeof v === 'string' ? v : undefined;
}

export function numberOpt(p: ParsedArgs, key: string): number | undefined {
  const v = stringOpt(p, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new AdvisorError('usage', `option --${key} needs a number, got "${v}"`);
  return n;
}

export function listOpt(p: ParsedArgs, key: string): string[] {
  const v = p.options[key];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
