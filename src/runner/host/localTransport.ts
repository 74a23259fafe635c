/**
 * The local transport: the runner as a child process of this host, `dist/runner.js` (or
 * `src/runner/child/main.ts` through tsx when running from source), talking frames over its pipes.
 * Works from the CLI (Node) and from the VS Code extension host, whose Electron binary runs as
 * plain Node with ELECTRON_RUN_AS_NODE. Each runner gets a private TMPDIR (onnxruntime leaves
 * files there, e.g. mat-debug-<pid>.log), removed when it exits; folders left by a host that was
 * itself killed are swept on the next start.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdvisorError } from '../../core/errors';
import type { RunnerProcess, Transport } from './transport';

export interface LocalTransportOptions {
  /** Runner entry; default `runner.js` beside this bundle, else `../child/main.ts` from this source file. */
  runnerPath?: string;
  /** Node flags for the runner; default none (a host's own flags, e.g. --inspect, are not inherited). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

const TEMP_PREFIX = 'edge-advisor-runner-';

export function defaultRunnerEntry(): { path: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'runner.js');
  if (fs.existsSync(bundled)) return { path: bundled, execArgv: [] };
  const source = path.join(__dirname, '..', 'child', 'main.ts');
  if (fs.existsSync(source)) return { path: source, execArgv: tsxArgv() };
  throw new AdvisorError('internal', `runner not found beside ${__dirname} (expected runner.js; run "npm run build")`);
}

/** Running from source (tests, tsx): load tsx by absolute URL so the runner works from any cwd. */
function tsxArgv(): string[] {
  const loader = 'tsx'; // a variable, so bundlers leave this dev-only lookup alone
  return ['--import', pathToFileURL(require.resolve(loader)).href];
}

/** Removes runner temp folders left by a host that was itself killed (its pid is gone). */
function sweepStaleTempDirs(): void {
  let names: string[];
  try { names = fs.readdirSync(os.tmpdir()); } catch { return; }
  for (const name of names) {
    const pid = name.startsWith(TEMP_PREFIX) ? Number(name.slice(TEMP_PREFIX.length).split('-')[0]) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try { process.kill(pid, 0); } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
    if (!alive) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/** onnxruntime-node's version from its package.json: read, never loaded (the host must not load the binding). */
export function localRuntimeVersion(): string {
  const manifest = 'onnxruntime-node/package.json'; // a variable: bundlers leave the lookup to run time
  return (JSON.parse(fs.readFileSync(require.resolve(manifest), 'utf8')) as { version: string }).version;
}

export class LocalTransport implements Transport {
  readonly label = 'this machine';
  readonly runtimeVersion = localRuntimeVersion();

  constructor(private readonly opts: LocalTransportOptions = {}) {}

  async open(): Promise<RunnerProcess> {
    const entry = this.opts.runnerPath
      ? { path: this.opts.runnerPath, execArgv: this.opts.runnerPath.endsWith('.ts') ? tsxArgv() : [] }
      : defaultRunnerEntry();
    sweepStaleTempDirs();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
    const child = spawn(process.execPath, [...(this.opts.execArgv ?? entry.execArgv), entry.path], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...(this.opts.env ?? process.env), TMPDIR: tmp, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    return {
      child,
      tempDir: tmp,
      kill: () => { child.kill('SIGKILL'); },
      cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }),
    };
  }
}
