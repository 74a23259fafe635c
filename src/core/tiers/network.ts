/**
 * The analytic network model: per hop, time = RTT + bytes × 8 / bandwidth. Requests start on
 * Mobile; Cloud is reached through Edge (Mobile→Edge→Cloud), as in the study's set-up.
 */
import type { LinkId, LinkProfile, TierId } from './types';

/** One transfer over one link, e.g. the input upload or a partition's cut tensor. */
export interface Transfer {
  link: LinkId;
  bytes: number;
  /** What travels: 'input' upload, 'cut' tensor, 'output' result. */
  what: 'input' | 'cut' | 'output';
}

/**
 * Milliseconds to move `bytes` one way over `link`: half the round trip (the propagation one way)
 * plus serialisation at the link's rate. A request and its answer together pay one round trip, as a
 * partition run for real across a measured link confirmed (pricing a full RTT per direction
 * overestimated it by one RTT).
 */
export function transferMs(bytes: number, link: Pick<LinkProfile, 'mbps' | 'rttMs'>): number {
  return link.rttMs / 2 + (bytes * 8) / (link.mbps * 1e6) * 1000;
}

/** The links between Mobile and a tier (empty for Mobile itself). */
export function linksFromMobile(tier: TierId): LinkId[] {
  return tier === 'mobile' ? [] : tier === 'edge' ? ['mobile-edge'] : ['mobile-edge', 'edge-cloud'];
}

/** Links crossed going from tier `a` to tier `b` (a before b in mobile→edge→cloud). */
export function linksBetween(a: TierId, b: TierId): LinkId[] {
  const order: TierId[] = ['mobile', 'edge', 'cloud'];
  const i = order.indexOf(a);
  const j = order.indexOf(b);
  const out: LinkId[] = [];
  for (let k = Math.min(i, j); k < Math.max(i, j); k++) out.push(k === 0 ? 'mobile-edge' : 'edge-cloud');
  return out;
}

export function totalTransferMs(transfers: readonly Transfer[], links: Record<LinkId, Pick<LinkProfile, 'mbps' | 'rttMs'>>): number {
  return transfers.reduce((s, t) => s + transferMs(t.bytes, links[t.link]), 0);
}
