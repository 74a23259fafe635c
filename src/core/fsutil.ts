/** File writes that never leave a half-written file: write a temp file beside the target, then rename. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `target` atomically (same-folder temp + rename). */
export function atomicWriteFile(target: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Runs `write(tmpPath)` and renames the result into place; removes the temp file on failure. */
export function atomicWriteWith<T>(target: string, write: (tmp: string) => T): T {
  const tmp = tempPathFor(target);
  try {
    const r = write(tmp);
    fs.renameSync(tmp, target);
    return r;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
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
