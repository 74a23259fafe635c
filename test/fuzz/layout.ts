/**
 * The folder a fuzz case's model "lives" in: the seed's external weights, plus traps outside it
 * (a secret file, a symlink to it, a symlink to the parent folder), a folder and a FIFO. Reading the secret changes its
 * access time, which is how the fuzzer proves nothing outside the model folder was read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface CaseDir { root: string; modelDir: string; secret: string }

const OLD = new Date('2001-01-01T00:00:00Z');

export function makeCaseDir(root: string, weights?: Uint8Array): CaseDir {
  const modelDir = path.join(root, 'model');
  const secret = path.join(root, 'secret.bin');
  fs.mkdirSync(modelDir, { recursive: true });
  fs.writeFileSync(secret, new Uint8Array(64 * 1024).fill(0x5a));
  fs.writeFileSync(path.join(modelDir, 'weights.bin'), weights ?? new Uint8Array(0));
  fs.symlinkSync('../secret.bin', path.join(modelDir, 'link.bin'));
  fs.symlinkSync('..', path.join(modelDir, 'linkdir'));
  fs.mkdirSync(path.join(modelDir, 'emptydir'));
  // a FIFO inside the folder: opening it for reading blocks until a writer comes, i.e. forever
  spawnSync('mkfifo', [path.join(modelDir, 'pipe.bin')]);
  resetSecret(secret);
  return { root, modelDir, secret };
}

/** atime = mtime = long ago, so the next read of the file (relatime) moves atime forward. */
export function resetSecret(secret: string): void {
  fs.utimesSync(secret, OLD, OLD);
}

export function secretWasRead(secret: string): boolean {
  return fs.statSync(secret).atimeMs !== OLD.getTime();
}

/** Whether this filesystem records reads in atime at all (noatime mounts do not). */
export function atimeWorks(dir: string): boolean {
  const probe = path.join(dir, 'atime-probe');
  fs.writeFileSync(probe, 'x');
  resetSecret(probe);
  fs.readFileSync(probe);
  const works = secretWasRead(probe);
  fs.rmSync(probe);
  return works;
}
