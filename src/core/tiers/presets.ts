/**
 * Tier presets and user overrides. `study` is the set-up of the Singh/Adams/Hassan study
 * (paper-facts §4.1): Docker CPU/memory limits per tier and tc bandwidth caps, no added delay.
 * `local` makes every tier this machine. A JSON file can override any field of a preset.
 */
import * as fs from 'node:fs';
import { AdvisorError } from '../errors';
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
 * A user tier file: `{ "preset"?: "study"|"local", "name"?, "description"?, "tiers"?: {mobile?: {cpus?,
 * memoryMB?, speed?, accelerator?}, ...}, "links"?: {"mobile-edge"?: {mbps?, rttMs?}, ...} }`.
 * Fields not given come from the preset (default `study`).
 */
export function parseTierOverrides(json: unknown, host: HostSize, file?: string): TierSet {
  const bad = (msg: string) => new AdvisorError('input', `tier file: ${msg}`, file);
  if (!isObject(json)) throw bad('expected a JSON object');
  allowKeys(json, ['preset', 'name', 'description', 'tiers', 'links'], '', bad);
  const presetName = json.preset ?? 'study';
  if (presetName !== 'study' && presetName !== 'local') throw bad(`"preset" must be "study" or "local", got ${JSON.stringify(presetName)}`);
  const base = presetTiers(presetName, host);
  const out: TierSet = structuredClone(base) as TierSet;
  out.name = typeof json.name === 'string' ? json.name : `${base.name} (customised)`;
  if (json.description !== undefined) {
    if (typeof json.description !== 'string') throw bad('"description" must be a string');
    out.description = json.description;
  }
  if (json.tiers !== undefined) {
    if (!isObject(json.tiers)) throw bad('"tiers" must be an object');
    allowKeys(json.tiers, TIER_IDS, 'tiers.', bad);
    for (const id of TIER_IDS) {
      const t = json.tiers[id];
      if (t === undefined) continue;
      if (!isObject(t)) throw bad(`tiers.${id} must be an object`);
      allowKeys(t, ['cpus', 'memoryMB', 'speed', 'accelerator'], `tiers.${id}.`, bad);
      const tier = out.tiers[id];
      if (t.cpus !== undefined) tier.cpus = positive(t.cpus, `tiers.${id}.cpus`, bad);
      if (t.memoryMB !== undefined) tier.memoryMB = positive(t.memoryMB, `tiers.${id}.memoryMB`, bad);
      if (t.speed !== undefined) tier.speed = positive(t.speed, `tiers.${id}.speed`, bad);
      if (t.accelerator !== undefined) {
        if (t.accelerator !== null && typeof t.accelerator !== 'string') throw bad(`tiers.${id}.accelerator must be a string or null`);
        if (t.accelerator) tier.accelerator = t.accelerator;
        else delete tier.accelerator;
      }
    }
  }
  if (json.links !== undefined) {
    if (!isObject(json.links)) throw bad('"links" must be an object');
    allowKeys(json.links, LINK_IDS, 'links.', bad);
    for (const id of LINK_IDS) {
      const l = json.links[id];
      if (l === undefined) continue;
      if (!isObject(l)) throw bad(`links.${id} must be an object`);
      allowKeys(l, ['mbps', 'rttMs'], `links.${id}.`, bad);
      if (l.mbps !== undefined) out.links[id].mbps = positive(l.mbps, `links.${id}.mbps`, bad);
      if (l.rttMs !== undefined) out.links[id].rttMs = nonNegative(l.rttMs, `links.${id}.rttMs`, bad);
    }
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

type Obj = Record<string, unknown>;
function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function allowKeys(o: Obj, allowed: readonly string[], prefix: string, bad: (m: string) => Error): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`unknown field "${prefix}${k}" (allowed: ${allowed.join(', ')})`);
}
function positive(v: unknown, what: string, bad: (m: string) => Error): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad(`${what} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}
function nonNegative(v: unknown, what: string, bad: (m: string) => Error): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`${what} must be a number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}
