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
}
