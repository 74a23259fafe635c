/** File writes that never leave a half-written file: write a temp file beside the target, then rename. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AdvisorError } from './errors';

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `target` atomically (same-folder temp + rename). */
export function atomicWriteFile(target: string, data: Uint8Array | string): void {
  atomicWriteWith(target, (tmp) => fs.writeFileSync(tmp, data));
}

/** Runs `write(tmpPath)` and renames the result into place; removes the temp file on failure. */
export function atomicWriteWith<T>(target: string, write: (tmp: string) => T): T {
  const tmp = tempPathFor(target);
  try {
    const r = write(tmp);
    fs.renameSync(tmp, target);
    return r;
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* the temp was never created there: the write error is what matters */ }
    throw writeError(e, target);
  }
}

const WRITE_FAILURES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'part of its path is a file, not a folder',
};

/**
 * A failed write as an error the user can act on (naming the file and the cause); other errors
 * pass through unchanged.
 */
export function writeError(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = code ? WRITE_FAILURES[code] : undefined;
  if (!why || e instanceof AdvisorError) return e;
  return new AdvisorError('input', `cannot write here: ${why}; choose another output location (--out / --out-dir on the command line, edgeAdvisor.outputFolder in VS Code)`, target);
}

/** Creates `dir` if needed and checks it is writable, before any long work that would write there. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw writeError(e, dir);
  }
}

/** True when two paths name the same file (following symlinks); false if either is missing. */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}
