/**
 * Facts about the machine this process runs on, computed one way everywhere. Cores are the ones
 * this process may use (`availableParallelism` honours CPU affinity, which `cpus().length` does not).
 */
import * as os from 'node:os';
import { version } from '../../package.json';

/** The advisor's version, from package.json: reports, cache keys and `--version` agree. */
export const ADVISOR_VERSION: string = version;

export interface HostFacts {
  hostname: string;
  cores: number;
  memoryMB: number;
  cpuModel: string;
  node: string;
}

export function hostFacts(): HostFacts {
  return {
    hostname: os.hostname(),
    cores: os.availableParallelism(),
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    cpuModel: os.cpus()[0]?.model?.trim() || 'unknown',
    node: process.version,
  };
}
