/**
 * Calibration state: what survives between batches. MinMax keeps two numbers per tensor; the
 * histogram methods keep one bounded histogram per tensor. The state is plain data, so the runner
 * can return it after a chunk of samples and take it back with the next chunk (as plain data in
 * the runner's frames) — neither side ever holds more than one sample's activations.
 */
import { AdvisorError } from '../errors';
import { entropyRange } from './entropy';
import { addToHistogram, emptyHistogram, type Histogram } from './histogram';
import { DEFAULT_PERCENTILE, percentileRange } from './percentile';

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';

export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy'];

export interface CalibrationState {
  method: CalibrationMethod;
  samples: number;
  /** tensor → [min, max] over every sample seen. */
  minmax: Record<string, [number, number]>;
  /** tensor → streaming histogram (percentile, entropy). */
  histograms: Record<string, Histogram>;
}

export type TensorRanges = Record<string, [number, number]>;

export function emptyState(method: CalibrationMethod): CalibrationState {
  return { method, samples: 0, minmax: {}, histograms: {} };
}

export function usesHistogram(method: CalibrationMethod): boolean {
  return method !== 'minmax';
}

/** Folds one batch's min/max of `tensor` into the state. */
export function addMinMax(s: CalibrationState, tensor: string, min: number, max: number): void {
  const cur = s.minmax[tensor];
  if (!cur) s.minmax[tensor] = [min, max];
  else s.minmax[tensor] = [Math.min(cur[0], min), Math.max(cur[1], max)];
}

/** Folds one batch of values of `tensor` (histogram methods; min/max kept too). */
export function addValues(s: CalibrationState, tensor: string, data: ArrayLike<number>): void {
  const h = s.histograms[tensor] ?? (s.histograms[tensor] = emptyHistogram());
  addToHistogram(h, data);
  if (h.total > 0) addMinMax(s, tensor, h.min, h.max);
}

/** The range of every tensor seen, by the state's method. */
export function computeRanges(s: CalibrationState, opts: { percentile?: number } = {}): TensorRanges {
  if (s.samples === 0) throw new AdvisorError('input', 'calibration saw no samples');
  const out: TensorRanges = {};
  if (s.method === 'minmax') {
    for (const [k, v] of Object.entries(s.minmax)) out[k] = [v[0], v[1]];
    return out;
  }
  for (const [k, h] of Object.entries(s.histograms)) {
    out[k] = s.method === 'percentile' ? percentileRange(h, opts.percentile ?? DEFAULT_PERCENTILE) : entropyRange(h);
  }
  return out;
}
