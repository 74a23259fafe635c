/**
 * The runner on a device: the runtime folder the advisor carries for the device's platform
 * (dist/device-runtime/<platform>/, assembled by scripts/deviceRuntime.mjs: runner.js and
 * onnxruntime-node's own binaries) is copied once into ~/.cache/edge-advisor/<version>/<hash>/ and
 * reused by every later run. The copy is a tar stream over ssh into a temporary folder, renamed into
 * place only when complete, so an interrupted install is never taken for a finished one.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../../core/errors';
import type { DeviceTarget } from '../../../core/tiers/types';
import { CACHE_DIR, type DeviceProbe } from './probe';
import { deviceLabel, shq, sshRun } from './sshCommand';

export interface RuntimeManifest {
  platform: string;
  arch: string;
  advisor: string;
  onnxruntime: string;
  hash: string;
  files: { path: string; bytes: number; sha256: string }[];
}

export interface LocalRuntime { dir: string; manifest: RuntimeManifest; /** Relative to the device's cache folder. */ remoteDir: string }

/** Where the runtimes are: beside the bundle (dist/), or the repository's dist/ when running from source. */
function runtimeRoots(): string[] {
  return [path.join(__dirname, 'device-runtime'), path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'device-runtime')];
}

export function localRuntime(platform: string): LocalRuntime {
  for (const root of runtimeRoots()) {
    const dir = path.join(root, platform);
    const file = path.join(dir, 'manifest.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeManifest;
    return { dir, manifest, remoteDir: `${manifest.advisor}/${manifest.hash.slice(0, 16)}` };
  }
  throw new AdvisorError('internal', `the device runtime for ${platform} is missing (looked in ${runtimeRoots().join(', ')}; run "npm run build")`);
}

/** Runtime folders the advisor could install, for the probe to check in one call. */
export function knownRemoteDirs(): string[] {
  const out: string[] = [];
  for (const p of ['linux-x64', 'linux-arm64']) { try { out.push(localRuntime(p).remoteDir); } catch { /* not carried */ } }
  return out;
}

/** Makes sure the device has this runtime; returns its absolute folder there. */
export async function ensureRuntime(target: DeviceTarget, probe: DeviceProbe, signal?: AbortSignal): Promise<{ dir: string; installedNow: boolean }> {
  const rt = localRuntime(probe.platform);
  const dir = `${probe.home}/${CACHE_DIR}/${rt.remoteDir}`;
  if (probe.installed.includes(rt.remoteDir)) return { dir, installedNow: false };
  const neededMB = Math.ceil(rt.manifest.files.reduce((s, f) => s + f.bytes, 0) / 2 ** 20) + 1;
  if (probe.freeDiskMB >= 0 && probe.freeDiskMB < neededMB) {
    throw new AdvisorError('device', `${deviceLabel(target)}: out of disk space in ~/${CACHE_DIR} (the runner needs ${neededMB} MB, ${probe.freeDiskMB} MB free): free some space there`);
  }
  const tar = spawn('tar', ['-c', '-C', rt.dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  tar.on('error', () => undefined);
  const script = `set -e
d=${shq(dir)}; t="$d.partial.$$"
rm -rf "$t"; mkdir -p "$t"
trap 'rm -rf "$t"' EXIT
tar -x -f - -C "$t"
touch "$t/.complete"
rm -rf "$d"; mv "$t" "$d"
trap - EXIT`;
  await sshRun(target, script, { input: tar.stdout!, timeoutMs: 600_000, what: 'installing the runner', ...(signal ? { signal } : {}) })
    .finally(() => tar.kill());
  return { dir, installedNow: true };
}
