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
}

export interface FidelityResult {
  outputName: string;
  /** Float and quantized top class of the output per sample (topClass; -1 when it is not class scores). */
  floatTop1: number[];
  quantTop1: number[];
  /** Σ x² and Σ (x - y)² of the output over all samples. */
  output: { signal: number; noise: number };
  layers: Array<{ float: string; quant: string; signal: number; noise: number }>;
}
