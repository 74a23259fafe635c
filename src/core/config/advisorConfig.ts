/**
 * `edge-advisor.json` at the workspace root (and in the CLI's current folder): what the advisor
 * should know about the models in it. These types are the source of
 * `schemas/edge-advisor.schema.json` (npm run gen:json-schemas), which validates the file at run
 * time and gives completion in the editor. Paths are relative to the file's folder.
 */
import type { VariantKind } from '../variants/kinds';

/** Edge AI Deployment Advisor: the models of this workspace, their variants, data and preprocessing. */
export interface AdvisorConfigFile {
  /** The JSON Schema this file follows (for editors). */
  $schema?: string;
  /** Variants for every model in the workspace (rarely right with several models). */
  variants?: VariantPaths;
  /** Per model, keyed by the model's path relative to this file (`models/net.onnx`). */
  models?: Record<string, ModelEntry>;
}

/** White-box variants you trained: paths to their ONNX files. */
export type VariantPaths = Partial<Record<VariantKind, string>>;

export interface ModelEntry {
  /** White-box variants of this model (distilled, pruned, QAT). */
  variants?: VariantPaths;
  /** Evaluation samples: a `.npy` file or a folder (images, text). */
  data?: string;
  /** Calibration samples for SPTQ: a `.npy` file or a folder (default: `data`). */
  calib?: string;
  /** Labels for `data`: `.npy` or `.json`. */
  labels?: string;
  /** A Hugging Face `tokenizer.json` for text models (default: the one beside the model). */
  tokenizer?: string;
  /** How samples become the model's input: a preset name (e.g. `imagenet`) or the steps. */
  preprocess?: string | Preprocess;
}

/** Preprocessing as data: applied in this order, each step optional. */
export interface Preprocess {
  /** Resize: one number sets the shorter side (aspect kept), `[height, width]` an exact size. Bilinear. */
  resize?: Pixels | [Pixels, Pixels];
  /** Center crop: one number for a square, or `[height, width]`. */
  crop?: Pixels | [Pixels, Pixels];
  /** Colour channels the model expects. */
  color?: 'gray' | 'rgb' | 'bgr';
  /** Tensor layout. */
  layout?: 'NCHW' | 'NHWC';
  /** Multiplier applied to the 0–255 pixel values before mean/std (e.g. 0.00392156862745098 for [0, 1]). */
  scale?: number;
  /** Subtracted per channel (one number for all channels). */
  mean?: number | number[];
  /** Divided per channel (one number for all channels). */
  std?: number | number[];
  /** Element type of the input tensor. */
  dtype?: 'float32' | 'float16' | 'uint8' | 'int8';
}

/**
 * A size in pixels.
 * @minimum 1
 */
export type Pixels = number;
