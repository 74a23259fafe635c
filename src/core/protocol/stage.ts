/** One model of a chain, as a job runs it: which file, at how many threads. A leaf module. */

/**
 * A chain of models run one after the other on one request: outputs of a stage feed the next stage
 * by name (a partition's head → tail). One stage for an unpartitioned model. Sessions use
 * onnxruntime's default options, as a deployment would, with the tier's intra-op thread count.
 */
export interface StageSpec {
  modelPath: string;
  /** Intra-op threads for this stage (the tier's core count on the machine measuring it). */
  threads: number;
  /** onnxruntime execution provider (default cpu); a device tier's, passed through as named. */
  executionProvider?: string;
}
