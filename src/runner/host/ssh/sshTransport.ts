/**
 * The SSH transport: runners on a device, reached with the system `ssh` (sshCommand.ts). The first
 * runner probes the device and installs the runtime there (probe.ts, install.ts); every runner is
 * then `node runner.js` in that folder, talking frames over the ssh channel's stdio, with a private
 * TMPDIR inside the cache folder. Models named by a job are copied content-addressed (models.ts) and
 * the job sees their remote paths.
 *
 * Cancel = kill: the local ssh client is killed, which closes the channel; the runner's watchdog
 * sees its parent (the ssh session) gone and kills itself, and a second ssh call kills the remote
 * process group (the session's: sshd makes the command a session leader) and removes its temp folder.
 */
import type { JobKind, JobParams } from '../../../core/protocol/runner';
import type { DeviceTarget } from '../../../core/tiers/types';
import { localRuntimeVersion } from '../localTransport';
import type { RunnerProcess, Transport } from '../transport';
import { ensureRuntime, knownRemoteDirs } from './install';
import { modelSync, type ModelSync } from './models';
import { CACHE_DIR, probeDevice, type DeviceProbe } from './probe';
import { deviceLabel, shq, spawnSsh, sshFailure, sshRun } from './sshCommand';

const PID_MARK = 'edge-advisor-remote-pid=';

export interface DeviceSetup {
  probe: DeviceProbe;
  /** The runtime folder on the device. */
  dir: string;
  /** True when this session installed it (the first use of this version there). */
  installedNow: boolean;
  setupMs: number;
  models: ModelSync;
}

export class SshTransport implements Transport {
  readonly label: string;
  /** Probing and a first install over a slow link take a while. */
  readonly startTimeoutMs = 10 * 60_000;
  readonly runtimeVersion = localRuntimeVersion();
  private setupP?: Promise<DeviceSetup>;
  /** Clean-up calls still running (settled() waits for them). */
  private readonly reaping = new Set<Promise<unknown>>();

  constructor(readonly target: DeviceTarget) {
    this.label = deviceLabel(target);
  }

  /** Probes the device and installs the runner there, once per transport (a failure is retried next time). */
  setup(signal?: AbortSignal): Promise<DeviceSetup> {
    this.setupP ??= (async () => {
      const t0 = Date.now();
      const probe = await probeDevice(this.target, { checkDirs: knownRemoteDirs(), onnxruntime: this.runtimeVersion, ...(signal ? { signal } : {}) });
      const { dir, installedNow } = await ensureRuntime(this.target, probe, signal);
      return { probe, dir, installedNow, setupMs: Date.now() - t0, models: modelSync(this.target, probe.home) };
    })();
    this.setupP.catch(() => { this.setupP = undefined; });
    return this.setupP;
  }

  async open(signal: AbortSignal): Promise<RunnerProcess> {
    const s = await this.setup(signal);
    const tmpRoot = `${s.probe.home}/${CACHE_DIR}/tmp`;
    // temp folders are named after their runner's pid; those of runners that are gone are swept
    const script = `T=${shq(tmpRoot)}; mkdir -p "$T"
for p in "$T"/*; do [ -d "$p" ] || continue; kill -0 "\${p##*/}" 2>/dev/null || rm -rf "$p"; done
mkdir -p "$T/$$" && cd ${shq(s.dir)} || exit 1
echo "${PID_MARK}$$" >&2
TMPDIR="$T/$$" exec node runner.js`;
    const child = spawnSsh(this.target, script);
    let remotePid: number | undefined;
    let head = '';
    const onErr = (b: Buffer) => {
      head += b.toString();
      const m = new RegExp(`${PID_MARK}(\\d+)`).exec(head);
      if (m) { remotePid = Number(m[1]); child.stderr!.off('data', onErr); } else if (head.length > 4096) child.stderr!.off('data', onErr);
    };
    child.stderr!.on('data', onErr);
    let killed = false;
    const reap = () => {
      if (remotePid === undefined) return;
      const pid = remotePid;
      remotePid = undefined;
      // best effort: the channel is closing anyway, and the runner's watchdog follows its parent
      const call = sshRun(this.target, `kill -9 -- -${pid} ${pid} 2>/dev/null; rm -rf ${shq(`${tmpRoot}/${pid}`)}; exit 0`, { timeoutMs: 20_000, what: 'stopping the runner' })
        .catch(() => undefined)
        .finally(() => this.reaping.delete(call));
      this.reaping.add(call);
    };
    return {
      child,
      kill: () => { if (!killed) { killed = true; child.kill('SIGKILL'); reap(); } },
      describeExit: (code, _signal, tail) => sshFailure(this.target, code, tail),
      cleanup: () => { if (!killed) reap(); },
    };
  }

  async settled(): Promise<void> {
    while (this.reaping.size > 0) await Promise.all([...this.reaping]);
  }

  async prepareJob<K extends JobKind>(_kind: K, params: JobParams<K>, signal: AbortSignal): Promise<JobParams<K>> {
    const paths = new Set<string>();
    visitModelPaths(params, (p) => { paths.add(p); return p; });
    if (paths.size === 0) return params;
    const s = await this.setup(signal);
    const remote = await s.models.place([...paths], signal);
    return visitModelPaths(structuredClone(params), (p) => remote.get(p) ?? p);
  }
}

/** Every `modelPath` string in a job's params, replaced by `map`'s answer (in place). */
function visitModelPaths<T>(v: T, map: (p: string) => string): T {
  if (Array.isArray(v)) v.forEach((x) => visitModelPaths(x, map));
  else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (k === 'modelPath' && typeof x === 'string') o[k] = map(x);
      else visitModelPaths(x, map);
    }
  }
  return v;
}
