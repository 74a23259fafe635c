/**
 * Image preprocessing as data: what turns a decoded image into the model's input tensor. A spec is
 * plain JSON (edge-advisor.json's "preprocess", a --preprocess file, or a named preset) laid over
 * defaults read from the model's input: channels 1 → gray, 3 → RGB; its layout and spatial size;
 * values scaled to [0, 1]. The defaults are a guess (no graph says how its model was trained), and
 * every run says which preprocessing it used and where it came from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import type { InputSpec } from '../inputs';

export interface PreprocessSpec {
  /** 'shorter': the shorter side to `size` (aspect kept); 'exact': to `size` [h, w]; 'none': as decoded. */
  resize: 'shorter' | 'exact' | 'none';
  /** Shorter-side length ('shorter') or [height, width] ('exact'). */
  size: [number, number];
  /** Center crop [height, width] after resizing (zero-padded where the image is smaller). */
  crop?: [number, number];
  color: 'gray' | 'rgb' | 'bgr';
  layout: 'nchw' | 'nhwc';
  /** Pixel values 0..255 are multiplied by this first (1/255 → [0, 1]). */
  scale: number;
  /** Then (v − mean[c]) / std[c], per output channel (one value: every channel). */
  mean: number[];
  std: number[];
  dtype: 'float32' | 'float64' | 'uint8' | 'int8';
}

/** The spec a run uses, where it came from, and whether it is only inferred from the input's shape. */
export interface PreprocessChoice {
  spec: PreprocessSpec;
  /** e.g. "inferred from input \"image\" [batch, 1, 32, 32]", "preset imagenet (--preprocess)", "edge-advisor.json". */
  origin: string;
  guess: boolean;
}

type Values = Pick<PreprocessSpec, 'scale' | 'mean' | 'std'> & { color?: 'bgr'; cropRatio?: number };

/** Named presets: value ranges of common training pipelines (and their usual eval geometry). */
export const PRESETS: Record<string, Values> = {
  unit: { scale: 1 / 255, mean: [0], std: [1] },
  '[0,1]': { scale: 1 / 255, mean: [0], std: [1] },
  '[-1,1]': { scale: 1 / 255, mean: [0.5], std: [0.5] },
  // torchvision's reference evaluation: shorter side to 256, center crop 224 (ratio 0.875)
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], cropRatio: 0.875 },
  inception: { scale: 1 / 255, mean: [0.5], std: [0.5], cropRatio: 0.875 },
  clip: { scale: 1 / 255, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
  // Keras "caffe" mode (VGG16, ResNet50): BGR, 0..255 minus the ImageNet mean
  caffe: { scale: 1, mean: [103.939, 116.779, 123.68], std: [1], color: 'bgr' },
  raw: { scale: 1, mean: [0], std: [1] },
  '[0,255]': { scale: 1, mean: [0], std: [1] },
};

const CHANNELS = new Set([1, 3]);
const DEFAULT_SIDE = 224;

interface Geometry { layout: 'nchw' | 'nhwc'; channels: number | undefined; h: number | undefined; w: number | undefined }

/** Layout, channels and fixed spatial size of an image input; throws for inputs no image can feed. */
export function imageGeometry(input: InputSpec): Geometry {
  const s = input.shape;
  if (input.unknownRank || s.length !== 4) {
    throw new AdvisorError('input', `input "${input.name}" ${input.unknownRank ? 'declares no shape' : `has rank ${s.length}`}: images feed a rank-4 input [N, C, H, W] or [N, H, W, C]`);
  }
  const num = (d: number | string | null) => (typeof d === 'number' && d > 0 ? d : undefined);
  const nhwc = CHANNELS.has(num(s[3]) ?? -1) && !CHANNELS.has(num(s[1]) ?? -1);
  return nhwc ? { layout: 'nhwc', channels: num(s[3]), h: num(s[1]), w: num(s[2]) } : { layout: 'nchw', channels: num(s[1]), h: num(s[2]), w: num(s[3]) };
}

/** The default preprocessing for `input` (always a guess) with the given value preset. */
export function inferPreprocess(input: InputSpec, preset = 'unit'): PreprocessSpec {
  const g = imageGeometry(input);
  const values = PRESETS[preset];
  if (!values) throw unknownPreset(preset);
  const h = g.h ?? g.w ?? DEFAULT_SIDE;
  const w = g.w ?? g.h ?? DEFAULT_SIDE;
  const dtype = input.type === 'float32' || input.type === 'float64' || input.type === 'uint8' || input.type === 'int8' ? input.type : undefined;
  if (!dtype) throw new AdvisorError('input', `input "${input.name}" takes ${input.type}; images can feed float32, float64, uint8 or int8 inputs`);
  const short = Math.round(Math.min(h, w) / (values.cropRatio ?? 1));
  return {
    resize: 'shorter', size: [short, short], crop: [h, w],
    color: g.channels === 1 ? 'gray' : values.color ?? 'rgb', layout: g.layout,
    // an 8-bit input cannot hold [0, 1]: raw values unless a preset says otherwise
    scale: dtype === 'uint8' || dtype === 'int8' ? (preset === 'unit' ? 1 : values.scale) : values.scale,
    mean: values.mean, std: values.std, dtype,
  };
}

function unknownPreset(name: string): AdvisorError {
  return new AdvisorError('usage', `unknown preprocessing preset "${name}" (one of ${Object.keys(PRESETS).join(', ')}, or a .json file)`);
}

/**
 * A preprocessing setting as a user writes it — a preset name, a path to a .json file, or an object
 * `{ "preset"?, "resize"?, "size"?, "crop"?, "color"?, "layout"?, "scale"?, "mean"?, "std"?, "dtype"? }`
 * whose fields override the preset over the model's defaults — resolved and checked against the input.
 */
export function resolvePreprocess(setting: unknown, input: InputSpec, origin: string, baseDir = process.cwd()): PreprocessChoice {
  if (setting === undefined || setting === null) {
    return { spec: inferPreprocess(input), origin: `inferred from input "${input.name}" [${input.shape.map((d) => d ?? '?').join(', ')}]`, guess: true };
  }
  if (typeof setting === 'string') {
    if (PRESETS[setting]) return { spec: checkSpec(inferPreprocess(input, setting), input, origin), origin: `preset ${setting} (${origin})`, guess: false };
    if (/\.json$/i.test(setting)) return resolvePreprocess(readJson(setting, baseDir), input, `${setting} (${origin})`, baseDir);
    throw unknownPreset(setting);
  }
  if (typeof setting !== 'object' || Array.isArray(setting)) throw new AdvisorError('usage', `${origin}: "preprocess" must be a preset name, a .json file or an object`);
  const o = setting as Record<string, unknown>;
  const known = new Set(['preset', 'resize', 'size', 'crop', 'color', 'layout', 'scale', 'mean', 'std', 'dtype']);
  const extra = Object.keys(o).filter((k) => !known.has(k));
  if (extra.length) throw new AdvisorError('usage', `${origin}: unknown preprocess field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} (known: ${[...known].join(', ')})`);
  const preset = o['preset'] === undefined ? 'unit' : String(o['preset']);
  const spec = inferPreprocess(input, preset);
  const bad = (field: string, want: string) => new AdvisorError('usage', `${origin}: preprocess "${field}" must be ${want}, got ${JSON.stringify(o[field])}`);
  const pair = (field: string): [number, number] => {
    const v = o[field];
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
    if (ok(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every(ok)) return [v[0], v[1]];
    throw bad(field, 'a positive whole number or [height, width]');
  };
  const oneOf = <T extends string>(field: string, values: readonly T[]): T => {
    if (!values.includes(o[field] as T)) throw bad(field, values.map((v) => `"${v}"`).join(' or '));
    return o[field] as T;
  };
  const numbers = (field: string): number[] => {
    const v = o[field];
    const arr = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(arr) || arr.length === 0 || !arr.every((n) => typeof n === 'number' && Number.isFinite(n))) throw bad(field, 'a number or a list of numbers');
    return arr as number[];
  };
  if (o['resize'] !== undefined) spec.resize = oneOf('resize', ['shorter', 'exact', 'none'] as const);
  if (o['size'] !== undefined) spec.size = pair('size');
  if (o['crop'] !== undefined) { if (o['crop'] === false || o['crop'] === null) delete spec.crop; else spec.crop = pair('crop'); }
  if (o['color'] !== undefined) spec.color = oneOf('color', ['gray', 'rgb', 'bgr'] as const);
  if (o['layout'] !== undefined) spec.layout = oneOf('layout', ['nchw', 'nhwc'] as const);
  if (o['dtype'] !== undefined) spec.dtype = oneOf('dtype', ['float32', 'float64', 'uint8', 'int8'] as const);
  if (o['scale'] !== undefined) { const [s] = numbers('scale'); if (!(s! > 0)) throw bad('scale', 'a positive number'); spec.scale = s!; }
  if (o['mean'] !== undefined) spec.mean = numbers('mean');
  if (o['std'] !== undefined) { spec.std = numbers('std'); if (spec.std.some((v) => v === 0)) throw bad('std', 'non-zero'); }
  // an exact size given without a crop: the output is that size, so no default crop to the model's
  if (o['resize'] === 'exact' && o['crop'] === undefined && o['size'] !== undefined) delete spec.crop;
  return { spec: checkSpec(spec, input, origin), origin: o['preset'] !== undefined ? `preset ${preset} with overrides (${origin})` : origin, guess: false };
}

function readJson(file: string, baseDir: string): unknown {
  const p = path.resolve(baseDir, file);
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code === 'ENOENT' ? 'preprocessing file not found' : `preprocessing file is not valid JSON (${(e as Error).message})`, p);
  }
}

/** The [height, width] a spec produces, or undefined when it depends on each image. */
export function outputSize(spec: PreprocessSpec): [number, number] | undefined {
  if (spec.crop) return spec.crop;
  return spec.resize === 'exact' ? spec.size : undefined;
}

export function channelsOf(spec: PreprocessSpec): number {
  return spec.color === 'gray' ? 1 : 3;
}

/** Refuses specs that cannot produce the input's tensor, before any file is read. */
export function checkSpec(spec: PreprocessSpec, input: InputSpec, origin: string): PreprocessSpec {
  const g = imageGeometry(input);
  const c = channelsOf(spec);
  const size = outputSize(spec);
  const fail = (why: string) => new AdvisorError('input', `${origin}: ${why}`);
  if (g.channels !== undefined && g.channels !== c) throw fail(`colour "${spec.color}" gives ${c} channel${c > 1 ? 's' : ''}, input "${input.name}" takes ${g.channels}`);
  if (spec.layout !== g.layout && g.channels !== undefined) throw fail(`layout ${spec.layout.toUpperCase()} does not match input "${input.name}" [${input.shape.join(', ')}] (${g.layout.toUpperCase()})`);
  if (!size) throw fail('the output size must be fixed: give a "crop" or an "exact" resize');
  if ((g.h !== undefined && g.h !== size[0]) || (g.w !== undefined && g.w !== size[1])) {
    throw fail(`produces ${size[0]}×${size[1]} images, input "${input.name}" takes ${g.h ?? '?'}×${g.w ?? '?'}`);
  }
  for (const [k, v] of [['mean', spec.mean], ['std', spec.std]] as const) {
    if (v.length !== 1 && v.length !== c) throw fail(`"${k}" has ${v.length} values for ${c} channel${c > 1 ? 's' : ''}`);
  }
  return spec;
}

/** One line a report can show, e.g. "RGB, shorter side → 256, center crop 224×224, NCHW float32, (x/255 − mean) / std". */
export function describePreprocess(spec: PreprocessSpec): string {
  const parts = [spec.color === 'gray' ? 'gray' : spec.color.toUpperCase()];
  if (spec.resize === 'shorter') parts.push(`shorter side → ${spec.size[0]}`);
  else if (spec.resize === 'exact') parts.push(`resize to ${spec.size[0]}×${spec.size[1]}`);
  if (spec.crop) parts.push(`center crop ${spec.crop[0]}×${spec.crop[1]}`);
  parts.push(`${spec.layout.toUpperCase()} ${spec.dtype}`);
  const scale = spec.scale === 1 ? 'x' : Math.abs(1 / spec.scale - Math.round(1 / spec.scale)) < 1e-9 ? `x/${Math.round(1 / spec.scale)}` : `x·${+spec.scale.toPrecision(4)}`;
  const list = (v: number[]) => (v.length === 1 ? `${+v[0]!.toPrecision(4)}` : `[${v.map((x) => +x.toPrecision(4)).join(', ')}]`);
  const noMean = spec.mean.every((v) => v === 0);
  const noStd = spec.std.every((v) => v === 1);
  parts.push(noMean && noStd ? scale : noStd ? `${scale} − ${list(spec.mean)}` : `(${scale} − ${list(spec.mean)}) / ${list(spec.std)}`);
  return parts.join(', ');
}
