/**
 * Parameters and results of the runner jobs the partition pass uses (registered in
 * src/core/protocol/runner.ts, handled in src/runner/child/jobs/profile.ts and verifyPartition.ts).
 */
import type { Feeds } from '../protocol/tensor';
import type { StageSpec } from '../protocol/stage';
import type { NodeTimes } from './types';

export interface ProfileParams {
  /** The model and the tier's thread settings. */
  stage: StageSpec;
  /** Inputs, cycled through. */
  samples: Feeds[];
  /** Measured runs (default 10); the median of each node and of the whole run is reported. */
  runs?: number;
  /** Untimed runs first (default 2). */
  warmupRuns?: number;
}

/**
 * Per-node times come from onnxruntime's profiler on a session at 'extended' optimisation (QDQ
 * fusion on, node names kept; at 'all', layout transforms rename every kernel), or at 'basic' when
 * that attributes more of the kernel time to the model's nodes; `totalMs` is the median whole-run
 * time with the full optimisation the benchmark uses. Pricing scales node times to `totalMs`.
 */
export interface ProfileResult extends NodeTimes {
  runs: number;
  /** Optimisation level the per-node times were taken at. */
  level: 'basic' | 'extended';
  /** Median sum of all kernel times per run at that level, ms. */
  kernelMs: number;
  /** Kernel time that could not be attributed to a node of the model, ms per run (median). */
  unattributedMs: number;
}

export interface VerifyPartitionParams {
  model: string;
  head: string;
  tail: string;
  samples: Feeds[];
  /** intra-op threads for all three sessions (default 1). */
  threads?: number;
}

export interface OutputComparison {
  name: string;
  dtype: string;
  /** Largest |full − head∘tail| over all samples (0 for identical integer outputs). */
  maxAbsDiff: number;
  /** Largest |full| over all samples: float32 rounding differences scale with it. */
  maxAbs: number;
  /** Every element equal (NaN equals NaN). */
  identical: boolean;
}

export interface VerifyPartitionResult {
  samples: number;
  outputs: OutputComparison[];
  maxAbsDiff: number;
  identical: boolean;
  /**
   * Every output within 1e-5 × max(1, |full|): the head and the tail are optimised separately, so
   * kernels may differ by a float32 rounding step on large values (2⁻¹⁶ ≈ 1.5e-5 at 128).
   */
  withinTolerance: boolean;
  /** Median ms of one run of the full model, the head and the tail (sessions at 'all'). */
  fullMs: number;
  headMs: number;
  tailMs: number;
}

export interface TensorShapesParams {
  modelPath: string;
  /** One input sample (the first is used). */
  samples: Feeds[];
  /** Values to measure: exposed as extra graph outputs of a temporary copy of the model. */
  names: string[];
}

export interface TensorShapesResult {
  /** Measured dims and onnxruntime type name ('float32', 'uint8', …) per requested value. */
  shapes: Record<string, { dims: number[]; type: string }>;
}
