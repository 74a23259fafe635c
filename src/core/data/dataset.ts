/**
 * Input samples for benchmarking and accuracy, from the user's files:
 * - one `.npy` with a leading sample axis (single-input models), e.g. float32 [450,1,32,32];
 * - a folder of per-sample `.npy` files (sorted by name), each one sample with or without batch 1;
 * - for multi-input models, a folder with one subfolder (or one `<input>.npy`) per input name.
 * Each sample becomes a batch-1 feed. Shapes are checked against the model; float64 → float32 and
 * int32 ↔ int64 are converted (NumPy's defaults), any other type mismatch is an input error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import type { Feeds, TensorArray, TensorData, TensorType } from '../protocol/tensor';
import type { InputSpec } from './inputs';
import { readNpyFile, type NpyArray } from './npy';

export interface Dataset {
  samples: Feeds[];
  /** Per sample, the bytes a client would upload: the sample file's size when each sample is a file, else tensor bytes. */
  payloadBytes: number[];
  source: string;
}

export interface LoadOptions {
  /** Keep only the first n samples. */
  limit?: number;
}

export function loadDataset(dataPath: string, inputs: InputSpec[], opts: LoadOptions = {}): Dataset {
  let st: fs.Stats;
  try {
    st = fs.statSync(dataPath);
  } catch {
    throw new AdvisorError('input', 'data file or folder not found', dataPath);
  }
  if (inputs.length === 0) throw new AdvisorError('input', 'the model has no inputs to feed', dataPath);
  const perInput = new Map<string, { tensors: TensorData[]; fileBytes?: number[] }>();
  if (st.isFile()) {
    if (inputs.length > 1) {
      throw new AdvisorError('input', `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); give a folder with one .npy or subfolder per input`, dataPath);
    }
    perInput.set(inputs[0]!.name, { tensors: splitSamples(readNpyFile(dataPath), inputs[0]!, dataPath) });
  } else if (inputs.length === 1 && !hasInputEntry(dataPath, inputs[0]!.name)) {
    perInput.set(inputs[0]!.name, loadPerSampleFolder(dataPath, inputs[0]!));
  } else {
    for (const input of inputs) {
      const asFile = path.join(dataPath, `${input.name}.npy`);
      const asDir = path.join(dataPath, input.name);
      if (fs.existsSync(asDir) && fs.statSync(asDir).isDirectory()) perInput.set(input.name, loadPerSampleFolder(asDir, input));
      else if (fs.existsSync(asFile)) perInput.set(input.name, { tensors: splitSamples(readNpyFile(asFile), input, asFile) });
      else throw new AdvisorError('input', `no data for model input "${input.name}" (expected ${input.name}.npy or a folder ${input.name}/)`, dataPath);
    }
  }
  const counts = [...perInput.entries()].map(([name, v]) => [name, v.tensors.length] as const);
  const n = Math.min(...counts.map(([, c]) => c));
  if (counts.some(([, c]) => c !== n)) {
    throw new AdvisorError('input', `inputs have different sample counts (${counts.map(([k, c]) => `${k}: ${c}`).join(', ')})`, dataPath);
  }
  if (n === 0) throw new AdvisorError('input', 'no samples found', dataPath);
  const keep = Math.min(n, opts.limit ?? n);
  const samples: Feeds[] = [];
  const payloadBytes: number[] = [];
  for (let i = 0; i < keep; i++) {
    const feeds: Feeds = {};
    let bytes = 0;
    for (const [name, v] of perInput) {
      feeds[name] = v.tensors[i]!;
      bytes += v.fileBytes ? v.fileBytes[i]! : v.tensors[i]!.data.byteLength;
    }
    samples.push(feeds);
    payloadBytes.push(bytes);
  }
  return { samples, payloadBytes, source: dataPath };
}

function hasInputEntry(dir: string, name: string): boolean {
  return fs.existsSync(path.join(dir, name)) || fs.existsSync(path.join(dir, `${name}.npy`));
}

function loadPerSampleFolder(dir: string, input: InputSpec): { tensors: TensorData[]; fileBytes?: number[] } {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.npy')).sort(naturalCompare);
  if (files.length === 0) throw new AdvisorError('input', `no .npy files for input "${input.name}"`, dir);
  if (files.length === 1) {
    // one file in the folder: a sample-axis array, like the single-file form
    const f = path.join(dir, files[0]!);
    return { tensors: splitSamples(readNpyFile(f), input, f) };
  }
  const tensors: TensorData[] = [];
  const fileBytes: number[] = [];
  for (const name of files) {
    const f = path.join(dir, name);
    const a = readNpyFile(f);
    // an input without a declared shape takes the sample as it is, batch 1 added when missing
    const rank = input.unknownRank ? (a.shape[0] === 1 ? a.shape.length : a.shape.length + 1) : input.shape.length;
    if (a.shape.length === rank - 1) a.shape = [1, ...a.shape];
    if (a.shape.length !== rank || a.shape[0] !== 1) {
      throw new AdvisorError('input', `one sample for input "${input.name}" must have shape ${fmtShape(input.shape)} with batch 1 (or without the batch axis), got (${a.shape.join(', ')})`, f);
    }
    tensors.push(toInput(a, input, f));
    fileBytes.push(fs.statSync(f).size);
  }
  return { tensors, fileBytes };
}

/** Splits an array with a leading sample axis into batch-1 samples. */
function splitSamples(a: NpyArray, input: InputSpec, file: string): TensorData[] {
  // an input without a declared shape: the leading axis counts samples, the rest is one sample
  const rank = input.unknownRank ? (a.shape[1] === 1 ? a.shape.length - 1 : a.shape.length) : input.shape.length;
  let sampleDims: number[];
  if (a.shape.length === rank) sampleDims = [1, ...a.shape.slice(1)];
  else if (a.shape.length === rank + 1 && a.shape[1] === 1) sampleDims = a.shape.slice(1);
  else {
    throw new AdvisorError('input', `array of shape (${a.shape.join(', ')}) does not fit input "${input.name}" ${fmtShape(input.shape)}: expected a leading sample axis then the input's dimensions`, file);
  }
  const n = a.shape[0] ?? 0;
  const per = sampleDims.reduce((x, y) => x * y, 1);
  const whole = toInput({ ...a, shape: [n * sampleDims[0]!, ...sampleDims.slice(1)] }, input, file, sampleDims);
  const out: TensorData[] = [];
  // slice(), not subarray(): structured clone would copy a view's whole buffer for every sample
  for (let i = 0; i < n; i++) out.push({ type: whole.type, dims: sampleDims, data: whole.data.slice(i * per, (i + 1) * per) as TensorArray });
  return out;
}

/** Checks fixed dimensions and converts the element type; `checkDims` overrides the dims checked. */
function toInput(a: NpyArray, input: InputSpec, file: string, checkDims?: number[]): TensorData {
  const dims = checkDims ?? a.shape;
  input.shape.forEach((d, i) => {
    if (typeof d === 'number' && i > 0 && dims[i] !== d) {
      throw new AdvisorError('input', `input "${input.name}" needs ${fmtShape(input.shape)}, a sample here is (${dims.join(', ')}) (dimension ${i} is ${dims[i]}, expected ${d})`, file);
    }
  });
  return { type: input.type, dims: a.shape, data: convert(a.data, a.type, input, file) };
}

function convert(data: TensorArray, from: TensorType, input: InputSpec, file: string): TensorArray {
  const to = input.type;
  if (from === to) return data;
  if (from === 'float64' && to === 'float32') return Float32Array.from(data as Float64Array);
  if (from === 'int32' && to === 'int64') return BigInt64Array.from(data as Int32Array, (v) => BigInt(v));
  if (from === 'int64' && to === 'int32') {
    const src = data as BigInt64Array;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (v > 2147483647n || v < -2147483648n) throw new AdvisorError('input', `value ${v} does not fit input "${input.name}" (int32)`, file);
      out[i] = Number(v);
    }
    return out;
  }
  throw new AdvisorError('input', `input "${input.name}" takes ${to}, the file holds ${from}`, file);
}

function fmtShape(s: InputSpec['shape']): string {
  return `[${s.map((d) => d ?? '?').join(', ')}]`;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
