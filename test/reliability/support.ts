/** Helpers for the reliability tests: the built CLI, file fingerprints, and a temp root that must end empty. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli as cli, type CliResult } from '../support/shared';

export { CLI, cli, type CliResult };

/** Content hash, mtime and size: what "the user's file was not touched" means. */
export function fingerprint(file: string): { sha256: string; mtimeMs: number; size: number; mode: number } {
  const st = fs.statSync(file);
  return { sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), mtimeMs: st.mtimeMs, size: st.size, mode: st.mode };
}

/** A temp root for one test file; `cleanup()` removes it and returns what was left inside before removal. */
export function tempRoot(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir`, relative, sorted (symlinks listed, not followed). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The one-line error contract of the CLI: exit 1, one stderr line naming the command, no stack. */
export function assertOneLineError(r: CliResult): string {
  if (r.code !== 1) throw new Error(`expected exit 1, got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  if (lines.length !== 1 || /\n\s+at /.test(r.stderr)) throw new Error(`expected one line, got: ${r.stderr}`);
  return lines[0]!;
}
