/**
 * What the Add Device command offers and writes, without VS Code: the host list's labels and the
 * new `edgeAdvisor.devices` value. The command (addDevice.ts) only asks and shows.
 */
import type { SshHost } from '../core/devices/sshHosts';
import type { DeviceSetting } from '../core/tiers/devices';
import type { DeviceTarget, TierId } from '../core/tiers/types';

export const TIER_LABELS: Record<TierId, string> = { mobile: 'Mobile', edge: 'Edge', cloud: 'Cloud' };

/** "pi@192.168.1.20:2222" beside an alias, from its block's User/HostName/Port (empty when it sets none). */
export function hostDescription(h: SshHost): string {
  if (!h.hostName && !h.user && !h.port) return '';
  return `${h.user ? `${h.user}@` : ''}${h.hostName ?? h.alias}${h.port ? `:${h.port}` : ''}`;
}

/** The device the probe tests and the setting will hold; an execution provider already set for the tier is kept. */
export function deviceTargetFor(ssh: string, tier: TierId, current: unknown, sshConfig?: string): DeviceTarget {
  const prev = entryOf(current, tier);
  const ep = typeof prev?.executionProvider === 'string' && prev.executionProvider.trim() ? prev.executionProvider : 'cpu';
  return { ssh, executionProvider: ep, ...(sshConfig ? { sshConfig } : {}) };
}

/**
 * The setting's new value at one level (workspace or user): the other tiers' entries kept as they
 * are, this tier's replaced. Facts are not stored: they are probed again on each run.
 */
export function updatedDevices(current: unknown, tier: TierId, target: DeviceTarget): Record<string, DeviceSetting> {
  const base = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, DeviceSetting>) : {};
  const entry: DeviceSetting = { ssh: target.ssh, ...(target.sshConfig ? { sshConfig: target.sshConfig } : {}), executionProvider: target.executionProvider };
  return { ...JSON.parse(JSON.stringify(base)) as Record<string, DeviceSetting>, [tier]: entry };
}

/** The destination a tier is set to now (shown in the tier picker), if any. */
export function currentDestination(current: unknown, tier: TierId): string | undefined {
  const ssh = entryOf(current, tier)?.ssh;
  return typeof ssh === 'string' && ssh ? ssh : undefined;
}

function entryOf(current: unknown, tier: TierId): Partial<Record<keyof DeviceSetting, unknown>> | undefined {
  if (typeof current !== 'object' || current === null) return undefined;
  const e = (current as Record<string, unknown>)[tier];
  return typeof e === 'object' && e !== null ? (e as Partial<Record<keyof DeviceSetting, unknown>>) : undefined;
}
