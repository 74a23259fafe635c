/**
 * The `edgeAdvisor.devices` setting: `{ "<tier id>": { ssh, sshConfig?, executionProvider? } }`,
 * applied on top of a tier preset or tier file (the setting wins, as the most specific place).
 * The value comes from settings.json as it is, so every field is checked here and a mistake is a
 * usage error naming the setting and the key.
 */
import { AdvisorError } from '../errors';
import { deviceTarget, type DeviceEntry } from './deviceTarget';
import { TIER_IDS } from './presets';
import type { TierId, TierSet } from './types';

export const DEVICES_SETTING = 'edgeAdvisor.devices';

/** One tier's entry, as the Add Device command writes it. */
export interface DeviceSetting {
  ssh: string;
  sshConfig?: string;
  executionProvider?: string;
}

const FIELDS = new Set(['ssh', 'sshConfig', 'executionProvider']);

/**
 * `tiers` with the devices set; `tiers` itself is not changed (presets are frozen).
 * `baseDir`: where a relative `sshConfig` is resolved (the workspace root); `~/` is the home folder.
 */
export function withDevices(tiers: TierSet, devices: unknown, opts: { baseDir?: string; setting?: string } = {}): TierSet {
  const setting = opts.setting ?? DEVICES_SETTING;
  const bad = (msg: string) => new AdvisorError('usage', `${setting}: ${msg}`);
  if (devices === undefined || devices === null) return tiers;
  if (typeof devices !== 'object' || Array.isArray(devices)) throw bad('must be an object keyed by tier id (mobile, edge, cloud)');
  const entries = Object.entries(devices as Record<string, unknown>);
  if (entries.length === 0) return tiers;
  const out = structuredClone(tiers) as TierSet;
  for (const [id, raw] of entries) {
    if (!(TIER_IDS as readonly string[]).includes(id)) throw bad(`unknown tier "${id}" (use mobile, edge or cloud)`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`${id} must be an object like { "ssh": "user@host" }`);
    const e = raw as Record<string, unknown>;
    const unknown = Object.keys(e).find((k) => !FIELDS.has(k));
    if (unknown) throw bad(`${id}.${unknown} is not a device field (ssh, sshConfig, executionProvider)`);
    if (typeof e.ssh !== 'string') throw bad(`${id}.ssh must be an SSH destination (an alias from your SSH config, user@host or ssh://user@host:port)`);
    for (const k of ['sshConfig', 'executionProvider'] as const) {
      if (e[k] !== undefined && (typeof e[k] !== 'string' || e[k].trim() === '')) throw bad(`${id}.${k} must be a non-empty string`);
    }
    const device = deviceTarget(e as unknown as DeviceEntry, opts.baseDir ?? process.cwd(), (problem) => bad(`${id}.ssh ${problem}`));
    out.tiers[id as TierId].device = device;
  }
  return out;
}
