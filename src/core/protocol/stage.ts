/** One model of a chain, as a job runs it: which file, at how many threads. A leaf module. */
/**
 * A chain of models run one after the other on one request: outputs of a stage feed the next stage
 * by name (a partition's head → tail). One stage for an unpartitioned model.
 */
export interface StageSpec {
  modelPath: string;
  /** intra-op threads for this stage (the tier's emulated core count). */
  threads: number;
  /** Thread-pool spin-waiting; off when the tier is CPU-limited (design-facts §4). */
  spinning: boolean;
}
