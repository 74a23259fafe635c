/**
 * The tier file (`--tiers <file.json>`, the `edgeAdvisor.customTiersFile` setting): a preset with
 * any field overridden. These types are the source of `schemas/tiers.schema.json` (npm run
 * gen:json-schemas), which validates the file at run time and gives completion in the editor.
 */
import type { LinkId, TierId } from '../tiers/types';

/**
 * Deployment tiers for Edge AI Deployment Advisor: a preset (`study` by default) with any field
 * overridden. Fields not given come from the preset.
 */
export interface TierFile {
  /** The JSON Schema this file follows (for editors). */
  $schema?: string;
  /**
   * The preset the file starts from: `study` (the paper's Mobile/Edge/Cloud containers) or `local`
   * (every tier is this machine).
   * @default "study"
   */
  preset?: 'study' | 'local';
  /** Name shown with the results. */
  name?: string;
  /** One line shown with the results: what the tiers are, what is assumed. */
  description?: string;
  /** Per-tier overrides. */
  tiers?: Partial<Record<TierId, TierFileTier>>;
  /** Per-link overrides. */
  links?: Partial<Record<LinkId, TierFileLink>>;
}

export interface TierFileTier {
  /**
   * CPU cores available to the model on this tier.
   * @exclusiveMinimum 0
   */
  cpus?: number;
  /**
   * Memory available to the model on this tier, MB; a configuration whose peak memory exceeds it is flagged.
   * @exclusiveMinimum 0
   */
  memoryMB?: number;
  /**
   * Speed of one of this tier's cores relative to one core of the machine that measures (1 = same).
   * @exclusiveMinimum 0
   */
  speed?: number;
  /** Free-text note on an accelerator that is not emulated (null removes the preset's). */
  accelerator?: string | null;
  /**
   * Run this tier on a real device over SSH: any destination `ssh` accepts (an alias from your
   * OpenSSH config, `user@host`, `ssh://user@host:port`).
   * @minLength 1
   */
  ssh?: string;
  /**
   * An OpenSSH config file for this device (passed as `ssh -F`).
   * @minLength 1
   */
  sshConfig?: string;
  /**
   * onnxruntime execution provider on this tier (`cpu`; a device may offer `cuda`, `coreml`, `dml`).
   * @default "cpu"
   * @minLength 1
   */
  executionProvider?: string;
}

export interface TierFileLink {
  /**
   * Bandwidth, Mbit/s.
   * @exclusiveMinimum 0
   */
  mbps?: number;
  /**
   * Round-trip time, ms (each one-way transfer pays half of it).
   * @minimum 0
   */
  rttMs?: number;
}
