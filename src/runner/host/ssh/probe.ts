/**
 * What a device is, asked over one ssh call with a POSIX sh script (no Node needed to answer): OS,
 * architecture, CPU model, the cores and memory a process there may use (affinity, cgroup CPU quota
 * and memory limit considered), Node's version, free disk in the cache folder and which runtimes are
 * already installed there. Devices the runner cannot run on get one error naming the host and what to do.
 */
import { AdvisorError } from '../../../core/errors';
import type { DeviceFacts, DeviceTarget } from '../../../core/tiers/types';
import { localRuntimeVersion } from '../localTransport';
import { deviceLabel, shq, sshRun } from './sshCommand';

/** Everything the transport needs beyond the report's facts. */
export interface DeviceProbe extends DeviceFacts {
  /** `linux-x64` / `linux-arm64`: which bundled runtime the device takes. */
  platform: string;
  /** The device user's home (remote paths are absolute). */
  home: string;
  /** Free space in the cache folder's file system, MB. */
  freeDiskMB: number;
  /** Of the runtime folders asked about, those complete there. */
  installed: string[];
}

export const MIN_NODE_MAJOR = 18;
const SUPPORTED = ['linux-x64', 'linux-arm64'];

/** The device's cache folder, relative to its home. */
export const CACHE_DIR = '.cache/edge-advisor';

function script(checkDirs: readonly string[]): string {
  return `
echo "os=$(uname -s)"; echo "arch=$(uname -m)"; echo "home=$HOME"
m=$(grep -m1 -E '^(model name|Model|Hardware)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*:[[:space:]]*//')
[ -n "$m" ] || m=$(sysctl -n machdep.cpu.brand_string 2>/dev/null)
echo "cpu=$m"
echo "nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
# CPU quota: cgroup v2 cpu.max, else v1 cpu.cfs_quota_us / cpu.cfs_period_us
g=$(sed -n 's/^0::\\(.*\\)/\\1/p' /proc/self/cgroup 2>/dev/null)
if [ -n "$g" ] && [ -r "/sys/fs/cgroup$g/cpu.max" ]; then echo "cpumax=$(cat "/sys/fs/cgroup$g/cpu.max")"; fi
g1=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3; exit}' /proc/self/cgroup 2>/dev/null)
for d in /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpu; do
  if [ -r "$d$g1/cpu.cfs_quota_us" ]; then echo "cfs=$(cat "$d$g1/cpu.cfs_quota_us") $(cat "$d$g1/cpu.cfs_period_us")"; break; fi
done
echo "memkb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)"
if [ -n "$g" ] && [ -r "/sys/fs/cgroup$g/memory.max" ]; then echo "memlimit=$(cat "/sys/fs/cgroup$g/memory.max")"; fi
m1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup 2>/dev/null)
if [ -r "/sys/fs/cgroup/memory$m1/memory.limit_in_bytes" ]; then echo "memlimit=$(cat "/sys/fs/cgroup/memory$m1/memory.limit_in_bytes")"; fi
echo "node=$(node --version 2>/dev/null)"
mkdir -p "$HOME/${CACHE_DIR}" 2>/dev/null
echo "diskkb=$(df -Pk "$HOME/${CACHE_DIR}" 2>/dev/null | awk 'NR==2 {print $4}')"
for d in ${checkDirs.map(shq).join(' ')}; do [ -f "$HOME/${CACHE_DIR}/$d/.complete" ] && echo "installed=$d"; done
exit 0
`;
}

/** Cores a process may use: affinity (nproc), lowered by a CPU quota if one is set; may be fractional. */
export function effectiveCores(nproc: number, cpumax?: string, cfs?: string): number {
  let cores = nproc > 0 ? nproc : 1;
  const [q2, p2] = (cpumax ?? '').split(/\s+/);
  if (q2 && q2 !== 'max' && Number(p2) > 0) cores = Math.min(cores, Number(q2) / Number(p2));
  const [q1, p1] = (cfs ?? '').split(/\s+/).map(Number);
  if (q1 !== undefined && q1 > 0 && p1! > 0) cores = Math.min(cores, q1 / p1!);
  return Math.round(cores * 100) / 100;
}

const ARCH: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' };

export function parseProbe(target: DeviceTarget, text: string, onnxruntime: string): DeviceProbe {
  const kv = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), [...(kv.get(line.slice(0, i)) ?? []), line.slice(i + 1).trim()]);
  }
  const one = (k: string) => kv.get(k)?.[0] ?? '';
  const host = deviceLabel(target);
  const os = one('os');
  const arch = ARCH[one('arch')] ?? one('arch');
  const platform = `${os.toLowerCase()}-${arch}`;
  if (!SUPPORTED.includes(platform)) {
    throw new AdvisorError('device', `${host}: ${os || 'unknown OS'} on ${one('arch') || 'unknown CPU'} is not supported as a device (the advisor brings onnxruntime for ${SUPPORTED.join(' and ')})`);
  }
  const node = one('node');
  const major = Number(/^v(\d+)/.exec(node)?.[1] ?? NaN);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new AdvisorError('device', `${host}: ${node ? `Node ${node} is too old` : 'Node is not installed (or not on the PATH of a non-interactive ssh session)'}: install Node ${MIN_NODE_MAJOR} or newer there; the advisor brings everything else`);
  }
  const memTotal = Number(one('memkb')) / 1024;
  const limits = (kv.get('memlimit') ?? []).map((v) => Number(v) / 2 ** 20).filter((v) => v > 0 && v < memTotal);
  return {
    host: target.ssh, os: 'linux', arch, platform, cpuModel: one('cpu') || 'unknown',
    cores: effectiveCores(Number(one('nproc')), kv.get('cpumax')?.[0], kv.get('cfs')?.[0]),
    memoryMB: Math.round(Math.min(memTotal || Infinity, ...limits)),
    node, onnxruntime, executionProvider: target.executionProvider,
    home: one('home'), freeDiskMB: Math.round(Number(one('diskkb')) / 1024), installed: kv.get('installed') ?? [],
  };
}

/**
 * Probes a device: one ssh call. `checkDirs` are runtime folders (relative to the cache folder)
 * whose presence the answer reports. Throws AdvisorError('device') naming the host and the cause.
 */
export async function probeDevice(
  target: DeviceTarget,
  opts: { signal?: AbortSignal; timeoutMs?: number; checkDirs?: readonly string[]; onnxruntime?: string } = {},
): Promise<DeviceProbe> {
  const r = await sshRun(target, script(opts.checkDirs ?? []), {
    timeoutMs: opts.timeoutMs ?? 30_000, what: 'probing the device',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return parseProbe(target, r.stdout.toString('utf8'), opts.onnxruntime ?? localRuntimeVersion());
}
