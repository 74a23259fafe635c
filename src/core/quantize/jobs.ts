/** Parameters and results of the runner jobs the SPTQ operator uses: `optimize` and `fidelity`. */
import type { Feeds } from '../protocol/tensor';

export interface OptimizeParams {
  modelPath: string;
  /** Where onnxruntime writes the optimised graph (optimizedModelFilePath). */
  outPath: string;
  /** 'extended' is where QDQ fusion happens and the result stays plain (no NCHWc layouts). */
  level?: 'basic' | 'extended' | 'all';
}

export interface OptimizeResult {
  outPath: string;
  sessionMs: number;
}

export interface FidelityParams {
  floatModelPath: string;
  quantModelPath: string;
  samples: Feeds[];
  /** Output compared for top-1 agreement and SQNR (default: the first output). */
  outputName?: string;
  /** Per-layer pairs [float tensor, quantized tensor] exposed as outputs of both models. */
  layers?: Array<[string, string]>;
  /**
   * Per-channel means of [float tensor, quantized tensor] pairs along `axis` (bias correction,
   * biasCorrection.ts): each channel averaged over the other axes and all samples.
   */
  channelMeans?: Array<{ float: string; quant: string; axis: number }>;
}

export interface FidelityResult {
  outputName: string;
  /** Float and quantized top class of the output per sample (topClass; -1 when it is not class scores). */
  floatTop1: number[];
  quantTop1: number[];
  /** Σ x² and Σ (x - y)² of the output over all samples. */
  output: { signal: number; noise: number };
  layers: Array<{ float: string; quant: string; signal: number; noise: number }>;
  /** One entry per requested pair, in order; empty means when a tensor's shape varied between the models. */
  channelMeans?: Array<{ float: string; quant: string; floatMean: number[]; quantMean: number[] }>;
}

/** Per-kernel times of one model from onnxruntime's profiler, with the session options a deployment uses. */
export interface KernelProfileParams {
  modelPath: string;
  threads: number;
  samples: Feeds[];
  /** Measured runs (after `warmupRuns` unmeasured ones); default 20. */
  runs?: number;
  warmupRuns?: number;
  /** Where the same session writes the graph it runs (kernel names are that graph's node names); the profiler trace goes beside it. */
  optimizedPath: string;
}

export interface KernelProfileResult {
  /** Kernels in the order they ran in the first measured run: profiler name (onnxruntime's, after its rewrites) and op. */
  kernels: Array<{ name: string; op: string }>;
  /** ms[r][k]: time of kernel k in measured run r (0 where it did not run). */
  ms: number[][];
  /** Whole `session.run` time of each measured run (profiler's model_run events), ms. */
  runMs: number[];
}

/** One-at-a-time quantization: how far each candidate model's output is from the float model's. */
export interface SensitivityParams {
  floatModelPath: string;
  candidates: string[];
  samples: Feeds[];
  outputName: string;
}

export interface SensitivityResult {
  /** Per candidate: Σx², Σ(x−y)² of the output and how many samples keep the float top class (-1 entries: not class scores). */
  candidates: Array<{ signal: number; noise: number; sameTop1: number }>;
}
