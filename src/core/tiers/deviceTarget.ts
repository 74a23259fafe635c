/**
 * A tier's device from what a tier file or the `edgeAdvisor.devices` setting says (both go through
 * here): the destination checked before it can reach a command line, `sshConfig` resolved (`~/` from
 * the home folder, a relative path from `baseDir`), the execution provider defaulting to cpu.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { destinationProblem } from '../devices/destination';
import type { AdvisorError } from '../errors';
import type { DeviceTarget } from './types';

export interface DeviceEntry { ssh: string; sshConfig?: string; executionProvider?: string }

/** `bad` turns a problem with the destination into the error its caller names the source in. */
export function deviceTarget(e: DeviceEntry, baseDir: string, bad: (problem: string) => AdvisorError): DeviceTarget {
  const problem = destinationProblem(e.ssh);
  if (problem) throw bad(problem);
  return {
    ssh: e.ssh, executionProvider: e.executionProvider?.trim() || 'cpu',
    ...(e.sshConfig !== undefined ? { sshConfig: resolvePath(e.sshConfig.trim(), baseDir) } : {}),
  };
}

function resolvePath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}
