/** Tier and link profiles: what a deployment target is, as data. Presets live in presets.ts. */

export type TierId = 'mobile' | 'edge' | 'cloud';
export type LinkId = 'mobile-edge' | 'edge-cloud';

export interface TierProfile {
  id: TierId;
  /** CPU cores available to the model on this tier. */
  cpus: number;
  memoryMB: number;
  /** Speed of one core relative to one core of this host (1.0 = same). */
  speed: number;
  /** Free-text note on an accelerator that is not emulated (e.g. the study's A100). */
  accelerator?: string;
}

export interface LinkProfile {
  id: LinkId;
  mbps: number;
  rttMs: number;
}

export interface TierSet {
  name: string;
  tiers: Record<TierId, TierProfile>;
  links: Record<LinkId, LinkProfile>;
  /** One-line description shown with results (assumptions, what is not emulated). */
  description: string;
}
