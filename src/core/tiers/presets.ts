/**
 * Tier presets and user overrides. `study` is the set-up of the Singh/Adams/Hassan study
 * (paper-facts §4.1): Docker CPU/memory limits per tier and tc bandwidth caps, no added delay.
 * `local` makes every tier this machine. A JSON file can override any field of a preset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateConfig } from '../config/validate';
import { AdvisorError } from '../errors';
import { deviceTarget } from './deviceTarget';
import type { LinkId, LinkProfile, TierId, TierProfile, TierSet } from './types';
import type { HostFacts } from '../hostFacts';

export const TIER_IDS: readonly TierId[] = ['mobile', 'edge', 'cloud'];
export const LINK_IDS: readonly LinkId[] = ['mobile-edge', 'edge-cloud'];

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export const STUDY_TIERS: TierSet = deepFreeze({
  name: 'study',
  description:
    'The study\'s containers: Mobile 4 CPU/4 GB, Edge 8 CPU/16 GB, Cloud 16 CPU/64 GB (its A100 is not emulated); ' +
    'Mobile↔Edge 200 Mbit/s, Edge↔Cloud 1 Mbit/s, no added delay; Cloud requests travel Mobile→Edge→Cloud.',
  tiers: {
    mobile: { id: 'mobile', cpus: 4, memoryMB: 4096, speed: 1 },
    edge: { id: 'edge', cpus: 8, memoryMB: 16384, speed: 1 },
    cloud: { id: 'cloud', cpus: 16, memoryMB: 65536, speed: 1, accelerator: 'A100 (not emulated)' },
  },
  links: {
    'mobile-edge': { id: 'mobile-edge', mbps: 200, rttMs: 0 },
    'edge-cloud': { id: 'edge-cloud', mbps: 1, rttMs: 0 },
  },
});

/** What a preset needs of the machine (core/hostFacts.ts computes it). */
export type HostSize = Pick<HostFacts, 'cores' | 'memoryMB'>;

/** Every tier is this machine; links default to a fast LAN until the user sets them. */
export function localTiers(host: HostSize, links: Partial<Record<LinkId, Partial<LinkProfile>>> = {}): TierSet {
  const tier = (id: TierId): TierProfile => ({ id, cpus: host.cores, memoryMB: host.memoryMB, speed: 1 });
  const link = (id: LinkId): LinkProfile => ({ id, mbps: links[id]?.mbps ?? 1000, rttMs: links[id]?.rttMs ?? 0 });
  return {
    name: 'local',
    description: `Every tier is this machine (${host.cores} cores, ${Math.round(host.memoryMB / 1024)} GB); links are assumptions (set them in a tier file).`,
    tiers: { mobile: tier('mobile'), edge: tier('edge'), cloud: tier('cloud') },
    links: { 'mobile-edge': link('mobile-edge'), 'edge-cloud': link('edge-cloud') },
  };
}

/**
 * A user tier file (`TierFile`, schemas/tiers.schema.json): a preset (default `study`) with any
 * field overridden. Checked against the schema first, so a wrong field is named with its path.
 */
export function parseTierOverrides(json: unknown, host: HostSize, file?: string): TierSet {
  const t = validateConfig('tiers', json, file);
  const base = presetTiers(t.preset ?? 'study', host);
  const out: TierSet = structuredClone(base) as TierSet;
  out.name = t.name ?? `${base.name} (customised)`;
  if (t.description !== undefined) out.description = t.description;
  for (const id of TIER_IDS) {
    const o = t.tiers?.[id];
    if (!o) continue;
    const tier = out.tiers[id];
    if (o.ssh !== undefined) {
      tier.device = deviceTarget({ ...o, ssh: o.ssh }, file ? path.dirname(path.resolve(file)) : process.cwd(),
        (problem) => new AdvisorError('usage', `tiers.${id}.ssh ${problem}`, file));
    } else if (o.sshConfig !== undefined || (o.executionProvider ?? 'cpu') !== 'cpu') {
      // this machine's tiers run onnxruntime's CPU provider: anything else would be measured wrongly
      throw new AdvisorError('usage', `tiers.${id}: ${o.sshConfig !== undefined ? 'sshConfig' : `executionProvider "${o.executionProvider}"`} needs "ssh" (a device to run on); tiers on this machine run on "cpu"`, file);
    }
    if (o.cpus !== undefined) tier.cpus = o.cpus;
    if (o.memoryMB !== undefined) tier.memoryMB = o.memoryMB;
    if (o.speed !== undefined) tier.speed = o.speed;
    if (o.accelerator) tier.accelerator = o.accelerator;
    else if (o.accelerator !== undefined) delete tier.accelerator;
  }
  for (const id of LINK_IDS) {
    const l = t.links?.[id];
    if (l?.mbps !== undefined) out.links[id].mbps = l.mbps;
    if (l?.rttMs !== undefined) out.links[id].rttMs = l.rttMs;
  }
  return out;
}

export function presetTiers(name: 'study' | 'local', host: HostSize): TierSet {
  return name === 'study' ? STUDY_TIERS : localTiers(host);
}

/** `study`, `local`, or a path to a JSON tier file. */
export function resolveTiers(spec: string, host: HostSize): TierSet {
  if (spec === 'study' || spec === 'local') return presetTiers(spec, host);
  let text: string;
  try {
    text = fs.readFileSync(spec, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('usage', `--tiers must be "study", "local" or a JSON file; cannot read it (${code === 'ENOENT' ? 'file not found' : code})`, spec);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AdvisorError('input', `tier file is not valid JSON (${(e as Error).message})`, spec);
  }
  return parseTierOverrides(json, host, spec);
}
