/**
 * What a placement means on the tiers: which tier runs each stage, and what crosses which link
 * for one request. The request starts on Mobile and its result returns to Mobile; Cloud is
 * reached through Edge. A partition sends its cut tensor(s) between its two tiers.
 */
import type { PlacementId } from '../results';
import { linksBetween, linksFromMobile, type Transfer } from './network';
import type { TierId } from './types';

/** Tier of each stage: one for a whole model, head then tail for a partition. */
export function placementTiers(p: PlacementId): TierId[] {
  switch (p) {
    case 'mobile': case 'edge': case 'cloud': return [p];
    case 'mobile-edge': return ['mobile', 'edge'];
    case 'edge-cloud': return ['edge', 'cloud'];
  }
}

export function isPartitioned(p: PlacementId): boolean {
  return placementTiers(p).length === 2;
}

export interface RequestBytes {
  /** Payload uploaded from Mobile (input tensor bytes, or the raw sample file size). */
  inputBytes: number;
  /** Result returned to Mobile. */
  outputBytes: number;
  /** Partitions: bytes of the cut tensor(s) sent head → tail. */
  cutBytes?: number;
}

/** Every transfer of one request for a placement, in order. */
export function placementTransfers(p: PlacementId, bytes: RequestBytes): Transfer[] {
  const tiers = placementTiers(p);
  const first = tiers[0]!;
  const last = tiers[tiers.length - 1]!;
  const out: Transfer[] = [];
  for (const link of linksFromMobile(first)) out.push({ link, bytes: bytes.inputBytes, what: 'input' });
  if (tiers.length === 2) {
    for (const link of linksBetween(first, last)) out.push({ link, bytes: bytes.cutBytes ?? 0, what: 'cut' });
  }
  for (const link of [...linksFromMobile(last)].reverse()) out.push({ link, bytes: bytes.outputBytes, what: 'output' });
  return out;
}
