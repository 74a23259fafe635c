/**
 * The runner's `preprocess` job: times decoding + preprocessing of sample files on the tier that
 * receives a request (the encoded file is what a client sends). A leaf module.
 */
import type { PreprocessSpec } from '../data/images/preprocessSpec';

export interface PreprocessParams {
  /** The sample files' bytes, as a client would upload them. */
  files: Uint8Array[];
  spec: PreprocessSpec;
  /** Worker threads decoding at once: the tier's cores (one request is decoded by one thread). */
  threads: number;
  /** Time to spend measuring (each thread cycles through the files). */
  budgetMs: number;
}

export interface PreprocessResult {
  threads: number;
  /** Decode + preprocess time of each request measured, ms (all threads together). */
  samplesMs: number[];
  /** Requests finished per second by all threads together. */
  perSecond: number;
}
