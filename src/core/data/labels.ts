/**
 * Ground-truth labels: class ids per sample ([N]) or per pixel ([N,H,W] segmentation masks), from
 * a `.npy` (integer or bool) or a `.json` array (numbers, or nested arrays for masks).
 */
import * as fs from 'node:fs';
import { AdvisorError } from '../errors';
import { readNpyFile } from './npy';

export interface Labels {
  /** [N] for classification, [N, ...] for masks. */
  shape: number[];
  /** Class ids, flattened in C order. */
  data: Int32Array;
}

export function loadLabels(file: string, expectedCount?: number): Labels {
  const labels = file.toLowerCase().endsWith('.json') ? fromJson(file) : fromNpy(file);
  if (expectedCount !== undefined && labels.shape[0] !== expectedCount) {
    throw new AdvisorError('input', `has ${labels.shape[0]} labels for ${expectedCount} samples`, file);
  }
  return labels;
}

/** Labels of sample i (one value for classification, a mask for segmentation). */
export function labelOf(l: Labels, i: number): Int32Array {
  const per = l.shape.slice(1).reduce((a, b) => a * b, 1);
  return l.data.subarray(i * per, (i + 1) * per);
}

function fromNpy(file: string): Labels {
  const a = readNpyFile(file);
  if (a.type === 'float32' || a.type === 'float64') {
    const f = a.data as Float32Array | Float64Array;
    if (!f.every((v) => Number.isInteger(v))) throw new AdvisorError('input', `labels must be class ids (integers), the file holds non-integer ${a.type}`, file);
  }
  if (a.shape.length === 0) throw new AdvisorError('input', 'labels must have a sample axis, got a scalar', file);
  const data = new Int32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number(a.data[i]);
  return { shape: a.shape, data };
}

function fromJson(file: string): Labels {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code ? `cannot read labels (${code === 'ENOENT' ? 'file not found' : code})` : `labels are not valid JSON (${(e as Error).message})`, file);
  }
  if (!Array.isArray(json) || json.length === 0) throw new AdvisorError('input', 'labels JSON must be a non-empty array of class ids', file);
  const shape: number[] = [];
  for (let level: unknown = json; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat = (json as unknown[]).flat(Infinity) as unknown[];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== expected) throw new AdvisorError('input', `labels JSON is ragged (shape ${shape.join('×')} needs ${expected} values, found ${flat.length})`, file);
  const data = new Int32Array(flat.length);
  flat.forEach((v, i) => {
    const n = typeof v === 'boolean' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new AdvisorError('input', `label ${i} is ${JSON.stringify(v)}, not a class id`, file);
    data[i] = n;
  });
  return { shape, data };
}
