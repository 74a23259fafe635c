/** A runner client for a device tier: the SSH transport, plus what the device is (core/protocol/runner.ts DeviceRunnerHost). */
import type { DeviceSession } from '../../../core/protocol/device';
import type { DeviceRunnerHost } from '../../../core/protocol/runner';
import type { DeviceTarget } from '../../../core/tiers/types';
import { RunnerClient, type RunnerClientOptions } from '../client';
import { SshTransport } from './sshTransport';

export class DeviceClient extends RunnerClient implements DeviceRunnerHost {
  private readonly ssh: SshTransport;

  constructor(target: DeviceTarget, opts: Omit<RunnerClientOptions, 'transport'> = {}) {
    const ssh = new SshTransport(target);
    super({ ...opts, transport: ssh });
    this.ssh = ssh;
  }

  async device(signal?: AbortSignal): Promise<DeviceSession> {
    const s = await this.ssh.setup(signal);
    const { platform: _p, home: _h, freeDiskMB: _d, installed: _i, ...facts } = s.probe;
    return { facts, setupMs: s.setupMs, installedNow: s.installedNow, sentBytes: () => s.models.sentBytes };
  }
}
