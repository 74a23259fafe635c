/**
 * What a caller (CLI `recommend`, the extension's job) asks the advisor for, and the progress it
 * hears back. The orchestrator (`advisor.ts`) drives core passes and the runner process.
 */
import type { InputShapes } from '../data/inputShapes';
import type { OperatorId, PlacementId } from '../results';
import type { TierSet } from '../tiers/types';
import type { VariantKind } from '../variants/kinds';


export interface AdvisorRequest {
  modelPath: string;
  /** Input samples (.npy file or folder); none → synthetic inputs and fidelity mode. */
  dataPath?: string;
  labelsPath?: string;
  /** Calibration samples for SPTQ; defaults to `dataPath` (or synthetic). */
  calibrationPath?: string;
  /**
   * Image preprocessing: a preset name, a .json file, or an object (src/core/data/images/preprocessSpec.ts).
   * Absent: the model's entry in `configFile`, else inferred from the input (a guess, and the report says so).
   */
  preprocess?: unknown;
  /** tokenizer.json for text data; default: the model's entry in `configFile`, else tokenizer.json beside the model. */
  tokenizerPath?: string;
  /**
   * Sizes of symbolic input dims for synthetic samples (`--shape`); default: the model's "shapes" in
   * `configFile`, else guessed (src/core/data/synthetic.ts). Real samples bring their own sizes.
   */
  inputShapes?: InputShapes;
  /** User-provided white-box variants; discovered beside the model when not given. */
  variants: Partial<Record<VariantKind, string>>;
  /** An `edge-advisor.json` to consult for variants (the workspace root's). */
  configFile?: string;
  /** Look for variants beside the model by name (default true). */
  discoverVariants?: boolean;
  tiers: TierSet;
  placements?: PlacementId[];
  operators?: OperatorId[];
  maxAccuracyDrop: number;
  latencyTargetMs?: number;
  /** Cap on intra-op threads (host cores used); default: every host core. */
  maxThreads?: number;
  /** Total time budget for benchmarking, seconds. */
  budgetSeconds: number;
  /** Folder for produced models, cache and reports (default `.edge-advisor/` beside the model). */
  outDir?: string;
  /** Reuse cached results when nothing changed (default true). */
  useCache?: boolean;
}

export type AdvisorStage = 'inspect' | 'variants' | 'calibrate' | 'quantize' | 'partition' | 'benchmark' | 'accuracy' | 'recommend';

export interface AdvisorProgress {
  stage: AdvisorStage;
  message: string;
  /** Overall completion 0..1. */
  fraction: number;
  current?: { operator: OperatorId; placement?: PlacementId };
  etaSeconds?: number;
  /** What the run will measure and how far each operator is; sent as soon as it is known, then as it changes. */
  plan?: RunPlan;
}

export type PlanState = 'waiting' | 'building' | 'measuring' | 'done' | 'skipped' | 'failed';

/** The run's plan: which operators on which placements, each with its state, and the time it should take. */
export interface RunPlan {
  model: string;
  tiers: string;
  operators: Array<{ operator: OperatorId; placements: PlacementId[]; state: PlanState; note?: string }>;
  /** Configurations (operator chain × thread count) in the latency race. */
  configurations: number;
  /** Whole run, from its start: building, accuracy and the benchmark budget. */
  estimatedSeconds: number;
}
