/** The runner's `evaluate` job: run samples through a chain and return one output per sample. */
import type { Feeds, TensorData } from './tensor';
import type { StageSpec } from './stage';

export interface EvaluateParams {
  stages: StageSpec[];
  samples: Feeds[];
  /** Output to return (default: the last stage's first output). */
  outputName?: string;
  /**
   * Keep the sessions open for the next evaluate job on the same stages (a source read chunk by
   * chunk); the chunk without it releases them.
   */
  keepSession?: boolean;
}

export interface EvaluateResult {
  outputName: string;
  /** One tensor per sample, in sample order. */
  outputs: TensorData[];
  /**
   * Peak RSS of a runner holding only this chain, MB: the runner's base plus its growth while loading
   * the chain and running one sample to steady state. In a fresh runner that is what a deployment
   * of this chain alone needs (its sessions, arena and the runtime); in a runner that freed other
   * sessions before, reused memory hides part of it. Only from the job that loaded the sessions
   * (not a later chunk that kept them).
   */
  peakRssMB?: number;
}
