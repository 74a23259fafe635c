/** Access to ../shared/models (real reference models). Tests using them skip cleanly when absent. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

export const SHARED_MODELS = path.resolve(__dirname, '../../../shared/models');
export const hasSharedModels = fs.existsSync(path.join(SHARED_MODELS, 'mobilenet_v2.onnx'));
/** Pass as the `skip` option of a test: a reason string when the models are absent. */
export const skipWithoutShared: string | false = hasSharedModels ? false : `no shared models at ${SHARED_MODELS}`;

export function sharedModel(name: string): string {
  return path.join(SHARED_MODELS, name);
}

export function sharedOnnxFiles(): string[] {
  if (!hasSharedModels) return [];
  return fs.readdirSync(SHARED_MODELS).filter((f) => f.endsWith('.onnx')).sort().map((f) => path.join(SHARED_MODELS, f));
}

/** A fresh temp folder removed when the process exits. */
export function tempDir(prefix = 'edge-advisor-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const SAMPLE_DIR = path.join(REPO_ROOT, 'samples/digits');

/** The built CLI (`npm run build`), run as a user would. */
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');
/** Pass as the `skip` option of a test that runs the CLI: a reason string when it is not built. */
export const skipWithoutCli: string | false = fs.existsSync(CLI) ? false : 'dist/cli.js is not built (npm run build)';

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, cwd: opts.cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
