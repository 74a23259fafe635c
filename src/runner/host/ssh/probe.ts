/**
 * TEMPORARY (ui branch only): a placeholder with the signature of the lead's probe, so the Add Device
 * command typechecks before the SSH transport is merged. The lead's src/runner/host/ssh/probe.ts
 * replaces this file entirely when the branches meet; it probes nothing.
 */
import { AdvisorError } from '../../../core/errors';
import type { DeviceFacts, DeviceTarget } from '../../../core/tiers/types';

export async function probeDevice(target: DeviceTarget, _opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<DeviceFacts> {
  throw new AdvisorError('device', `${target.ssh}: this build cannot reach devices yet (the SSH transport is not merged)`);
}
