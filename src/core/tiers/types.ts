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
  /** A real machine this tier runs on, reached over SSH (issue 17): measured there, not scaled. */
  device?: DeviceTarget;
}

/** How to reach a device tier: what the tier file says. */
export interface DeviceTarget {
  /** Any destination the system `ssh` accepts: an alias from the user's config, user@host, ssh://user@host:port. */
  ssh: string;
  /** An OpenSSH config file (`ssh -F`). */
  sshConfig?: string;
  /** onnxruntime execution provider there (default cpu). */
  executionProvider: string;
  /** What the probe found, once the device was reached (the report's tiers carry it). */
  facts?: DeviceFacts;
}

/** A device as probed: where a tier's rows were measured. */
export interface DeviceFacts {
  host: string;
  os: string;
  arch: string;
  cpuModel: string;
  /** Cores available to one process there (affinity and CPU quota considered; may be fractional). */
  cores: number;
  /** Memory available there, MB (cgroup limit when lower than the machine's). */
  memoryMB: number;
  /** Node version there. */
  node: string;
  onnxruntime: string;
  executionProvider: string;
}

export interface LinkProfile {
  id: LinkId;
  /** Bandwidth transfers are priced with, Mbit/s (the measured one when `measured` is set). */
  mbps: number;
  rttMs: number;
  /** Measured between the two machines (a device at one end): these priced the transfers. */
  measured?: { mbps: number; rttMs: number; /** Up (towards the device) and down, Mbit/s. */ upMbps: number; downMbps: number };
  /** What the preset or tier file assumed before the link was measured. */
  assumed?: { mbps: number; rttMs: number };
}

export interface TierSet {
  name: string;
  tiers: Record<TierId, TierProfile>;
  links: Record<LinkId, LinkProfile>;
  /** One-line description shown with results (assumptions, what is not emulated). */
  description: string;
}
