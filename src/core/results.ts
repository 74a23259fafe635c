/**
 * The result row shape shared by `bench --json`, `recommend --json`, the measurements file
 * (`recommend --measurements`), the results cache and the results panel. One definition, so the
 * engine can be fed rows measured here or elsewhere (a real device, a paper).
 */

/** Operator ids used everywhere (CLI, JSON, UI). */
export const OPERATORS = ['identity', 'sptq', 'partition', 'sptq-partition', 'distilled', 'pruned', 'qat', 'dsptq'] as const;
export type OperatorId = (typeof OPERATORS)[number];

/** Where a configuration runs. Partitions run head on the first tier and tail on the second. */
export const PLACEMENTS = ['mobile', 'edge', 'cloud', 'mobile-edge', 'edge-cloud'] as const;
export type PlacementId = (typeof PLACEMENTS)[number];

export type ResultFlag =
  | 'extrapolated' // tier has more cores than the host: latency extrapolated from thread scaling
  | 'doesNotFit' // peak memory exceeded the tier's memory
  | 'syntheticCalibration' // SPTQ ranges came from synthetic inputs
  | 'lowFusionCoverage' // few Conv/MatMul/Gemm became integer kernels
  | 'outliers' // outliers present in the samples (flagged, never dropped)
  | 'ciNotReached' // the time budget ran out before the CI target was met
  | 'acceleratorNotEmulated' // tier has an accelerator (e.g. the study's A100) that is not emulated
  | 'fidelityOnly' // no labels: accuracy is agreement with the float model
  | 'estimated' // derived analytically rather than measured
  | 'notProvided'; // white-box variant missing: shown as a hint, never a measurement

import type { Transfer } from './tiers/network';
import type { TierSet } from './tiers/types';

export interface LatencyStats {
  median: number;
  mean?: number;
  sd?: number;
  p90?: number;
  p95?: number;
  min?: number;
  max?: number;
  mad?: number;
  /** 95% confidence interval of the median. */
  ciLow?: number;
  ciHigh?: number;
  n?: number;
}

export interface Fidelity {
  /** Percentage of samples whose top-1 class equals the float model's. */
  top1Agreement: number;
  /**
   * Signal-to-quantization-noise ratio of the outputs vs float, dB; Infinity (null in JSON) when they are identical.
   * @nullable
   */
  sqnrDb: number;
}

/** One quantized tensor's SQNR against the float model. */
export interface LayerSqnr {
  tensor: string;
  /**
   * dB; Infinity (null in JSON) when the tensor is reproduced exactly.
   * @nullable
   */
  sqnrDb: number;
}

export interface ResultRow {
  operator: OperatorId;
  placement: PlacementId;
  latencyMs: LatencyStats;
  /** Raw end-to-end samples (ms), kept for significance tests. */
  samplesMs?: number[];
  computeMs?: { median: number; head?: number; tail?: number };
  /** Sum of the transfers below, at the tier set's bandwidths. */
  transferMs?: number;
  /** Every network transfer of one request (analytic; recomputed when bandwidth changes). */
  transfers?: Transfer[];
  coldStartMs?: number;
  peakRssMB?: number;
  /** Accuracy in percent (top-1, F1 or mIoU per `metric`), or agreement with float when no labels. */
  accuracy?: number;
  /** Baseline minus this row's accuracy, in points; with a bootstrap CI when measured here. */
  accuracyDrop?: number;
  accuracyDropCi?: [number, number];
  fidelity?: Fidelity;
  /** Model file(s) this row measured. */
  modelPaths?: string[];
  /** For partitions: the cut tensors and bytes sent between the two tiers. */
  cut?: { tensors: string[]; bytes: number };
  flags: ResultFlag[];
  note?: string;
  /** How its latency was sampled: blocks measured, the CI reached, and why sampling stopped. */
  sampling?: Sampling;
  /**
   * When samples are files: the tier that receives the request (a placement's first tier) decodes
   * and preprocesses it; its measured time per request (ms), included in `latencyMs`.
   */
  preprocessMs?: number;
  /** Bytes one request uploads (the encoded file when samples are files, else the tensor). */
  payloadBytes?: number;
  /**
   * A partition with a device at one end, also run for real: head on its tier, the cut tensors sent
   * over the real link, tail on the other tier, the result back; wall time per request as this host
   * saw it, next to the priced `latencyMs` (which adds transfers computed from the link's figures).
   */
  realRun?: { medianMs: number; n: number; ciLow?: number; ciHigh?: number };
}

/** Why a row's sampling stopped (the race in src/core/pipeline/race.ts). */
export type StopReason =
  | 'ciReached' // its 95% CI (over blocks) reached the target
  | 'dominated' // another row is significantly faster at no larger accuracy drop and no more network traffic
  | 'budget' // the time budget ran out first
  | 'stopped' // the run was cancelled or failed
  | 'running'; // still being measured (a provisional report)

export interface Sampling {
  /** Blocks (turns of consecutive runs) its CI is computed over. */
  blocks: number;
  /**
   * Half-width of the 95% CI of the median relative to it; Infinity (null in JSON) until enough blocks.
   * @nullable
   */
  relHalfWidth: number;
  /**
   * An extrapolated row's `relHalfWidth` carries the Amdahl fit's uncertainty; this is the CI of the
   * measurement it is scaled from (the tier's thread count on this host), the part more sampling
   * shrinks and the race's target applies to. Infinity (null in JSON) until enough blocks.
   * @nullable
   */
  measuredRelHalfWidth?: number;
  stopped: StopReason;
  /** For 'dominated': the row that dominates it. */
  by?: { operator: OperatorId; placement: PlacementId };
  /** Times its sessions were loaded (more than once: reloaded to keep the runner's memory bounded). */
  loads?: number;
}

/** Where a run's samples came from and how they became tensors (shown in every report). */
export type DataKind = 'npy' | 'images' | 'text' | 'synthetic';

export interface DataSummary {
  kind: DataKind;
  path?: string;
  samples: number;
  /** e.g. "450 images in 10 classes (order: sorted folder names); gray, ..." */
  describe?: string;
  /** Median bytes one request uploads. */
  payloadBytes: number;
  preprocessing?: { description: string; origin: string; guess: boolean };
  calibration?: { kind: DataKind; path?: string; samples: number; describe?: string };
  /** Per tier: decode + preprocess time of one request measured at the tier's threads, and throughput. */
  preprocessTiming?: Array<{ tier: string; threads: number; msPerRequest: number; perSecond: number }>;
}

export type Modality = 'image' | 'text' | 'audio' | 'tabular' | 'unknown';
export type Metric = 'top1' | 'f1' | 'miou' | 'agreement';

/** The recommendation the engine makes from the rows. */
export interface Recommendation {
  operator: OperatorId;
  placement: PlacementId;
  latencyMs: LatencyStats;
  accuracyDrop: number;
  /** Plain sentences with the numbers (speed-up with CI, accuracy drop, why the others lost). */
  rationale: string[];
  /** Study findings this result agrees or disagrees with, e.g. "Agrees with: DSPTQ preferred on Edge ... (arXiv 2411.00907)". */
  studyFindings: string[];
  /** Configurations not significantly different from the pick. */
  tiedWith: Array<{ operator: OperatorId; placement: PlacementId }>;
  /** Speed-up over Identity on the same tier (a partition's head tier): ratio of medians, 95% CI. */
  speedup?: { vs: { operator: OperatorId; placement: PlacementId }; ratio: number; ciLow?: number; ciHigh?: number };
  accuracyDropCi?: [number, number];
  /** The same study findings as structured data, for the results panel. */
  findings?: Array<{ id: string; arxiv: string[]; verdict: 'agrees' | 'disagrees'; finding: string; evidence: string }>;
}

/** For one link: the bandwidth at which the recommendation changes, found analytically. */
export interface SensitivityPoint {
  link: 'mobile-edge' | 'edge-cloud';
  currentMbps: number;
  /** Bandwidths (Mbit/s) where the pick changes, with the pick above/below each. */
  crossovers: Array<{ mbps: number; below: { operator: OperatorId; placement: PlacementId }; above: { operator: OperatorId; placement: PlacementId } }>;
  summary: string;
}

/** Everything `recommend --json` emits; also what the results panel renders and the cache stores. */
export interface AdvisorReport {
  model: { path: string; name: string; modality: Modality; inputBytes?: number };
  metric: Metric;
  baselineAccuracy?: number;
  maxAccuracyDrop: number;
  latencyTargetMs?: number;
  recommendation: Recommendation | null;
  /** Why there is no recommendation (e.g. nothing within the accuracy budget). */
  noRecommendationReason?: string;
  results: ResultRow[];
  /** Indexes into `results` of the Pareto-optimal rows (latency vs accuracy drop). */
  pareto: number[];
  sensitivity: SensitivityPoint[];
  tiers: TierSet;
  /** Per-layer SQNR of the SPTQ model, for the quantization-error chart. */
  quantization?: {
    layers: LayerSqnr[]; fusionShare?: number; synthetic?: boolean;
    /** Samples the per-layer SQNR was taken over (the first of the fidelity samples). */
    layerSamples?: number;
    /** Measured placement: int8 regions the profiler found slower than float, returned to float. */
    placement?: {
      threads: number;
      /** p: Mann–Whitney p-value of the region's int8 against its float kernel times. */
      decisions: Array<{ nodes: string[]; ops: string[]; region: string[]; floatMs: number; int8Ms: number; p?: number; action: string }>;
    };
    /** The accuracy target SPTQ was held to, and the layers kept float to meet it. */
    accuracy?: { target: string; met: boolean; keptFloat: Array<{ node: string; op: string; sqnrDb: number }> };
  };
  /** Variants that were looked for but not provided, with the study's observed range as a hint. */
  missing?: Array<{ operator: OperatorId; hint: string }>;
  /** Rows the engine would not recommend and why (does not fit, outside the budget, ...). */
  excluded?: Array<{ operator: OperatorId; placement: PlacementId; reason: string }>;
  /** Why `sensitivity` is empty or partial (e.g. rows measured elsewhere carry no transfers). */
  sensitivityNote?: string;
  environment: {
    host: string; cpus: number; cpuModel?: string; node: string; onnxruntime?: string; advisor: string; date: string;
  };
  /** Set when the measurements came from the results cache: when they were taken (ISO date). */
  cachedAt?: string;
  /** Things the user should know about this run (synthetic calibration, skipped operators, ...). */
  warnings?: string[];
  /** Wall-clock time per stage of the run, ms. */
  timings?: Record<string, number>;
  /** A report of a run still measuring (rows so far, a provisional pick); the final one lacks this. */
  provisional?: true;
  /**
   * The latency benchmark's runner: its peak RSS while measuring and its base (onnxruntime loaded, no
   * session), MB. It holds at most the largest configuration's own peak + 25% of sessions at once.
   */
  benchmarkMemory?: {
    runnerPeakRssMB: number; baseRssMB: number;
    /** Times the runner was replaced mid-race because the heap earlier loads left behind neared the bound. */
    freshRunners?: number;
  };
  /** The data the run used (absent in reports from --measurements). */
  data?: DataSummary;
}
