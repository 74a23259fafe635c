/**
 * Scale / zero-point arithmetic, bit-exact with onnxruntime's Python quantizer
 * (`quant_utils.compute_scale_zp`, `quantize_nparray`, `quantize_bias_static_impl`):
 * - the range always includes 0; symmetric ranges use [-127, 127] for int8 and zero point
 *   round((qmin+qmax)/2) exactly;
 * - scale = float32((float32(rmax - rmin)) / (qmax - qmin) in float64), tiny scale → (1, 0);
 * - zero point = round_half_even(qmin - rmin / scale64);
 * - q = clip(round_half_even(float32(x / scale)) + zp, full type range).
 * JavaScript's Math.round rounds halves up, so everything here uses `roundHalfEven`.
 */
import { AdvisorError } from '../errors';

export type QuantType = 'uint8' | 'int8';

/** Smallest normal float32 (numpy.finfo(float32).tiny). */
export const FLOAT32_TINY = 1.1754943508222875e-38;

/** numpy.round / ONNX QuantizeLinear rounding: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** [qmin, qmax] as onnxruntime's `get_qmin_qmax_for_qType` (reduceRange wins over symmetric). */
export function qRange(type: QuantType, symmetric = false, reduceRange = false): [number, number] {
  if (type === 'uint8') return reduceRange ? [0, 127] : symmetric ? [0, 254] : [0, 255];
  return reduceRange ? [-64, 64] : symmetric ? [-127, 127] : [-128, 127];
}

/** The full storage range of a type (what QuantizeLinear saturates to). */
export function fullRange(type: QuantType): [number, number] {
  return type === 'uint8' ? [0, 255] : [-128, 127];
}

export interface ScaleZp {
  /** Exactly representable as float32 (it is stored as a float32 initializer). */
  scale: number;
  zeroPoint: number;
}

/**
 * onnxruntime's `compute_scale_zp`. `rmin`/`rmax` are float32 values (calibration results or
 * weight extremes); they are rounded to float32 first, as numpy would hold them.
 */
export function computeScaleZp(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean): ScaleZp {
  if (!Number.isFinite(rmin) || !Number.isFinite(rmax)) {
    throw new AdvisorError('input', `cannot quantize a range that is not finite ([${rmin}, ${rmax}])`);
  }
  let lo = Math.min(Math.fround(rmin), 0);
  let hi = Math.max(Math.fround(rmax), 0);
  if (symmetric) {
    const a = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -a;
    hi = a;
  }
  // rmax - rmin is a float32 subtraction in numpy before the float64 division
  const dr = Math.fround(hi - lo);
  const scale64 = dr / (qmax - qmin);
  if (scale64 < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale64);
  return { scale: Math.fround(scale64), zeroPoint };
}

/** Activation parameters: asymmetric over the full range of `type`. */
export function activationParams(rmin: number, rmax: number, type: QuantType = 'uint8'): ScaleZp {
  const [qmin, qmax] = qRange(type, false);
  return computeScaleZp(rmin, rmax, qmin, qmax, false);
}

/** `quantize_nparray`: q = clip(round(float32(x / scale)) + zp, full range). */
export function quantizeValues(
  x: ArrayLike<number>, scale: number, zeroPoint: number, type: QuantType,
  out?: Int8Array | Uint8Array, offset = 0, stride = 1,
): Int8Array | Uint8Array {
  const [lo, hi] = fullRange(type);
  const dst = out ?? (type === 'uint8' ? new Uint8Array(x.length) : new Int8Array(x.length));
  const s = Math.fround(scale);
  for (let i = 0; i < x.length; i++) {
    const q = roundHalfEven(Math.fround(Math.fround(x[i]!) / s)) + zeroPoint;
    dst[offset + i * stride] = q < lo ? lo : q > hi ? hi : q;
  }
  return dst;
}

export interface QuantizedWeight {
  data: Int8Array;
  /** One entry per channel when per-channel, else one. */
  scales: Float32Array;
  zeroPoints: Int8Array;
  /** Quantization axis, undefined for per-tensor. */
  axis?: number;
}

/**
 * Symmetric int8 weight quantization (scale = max|w| / 127, zero point 0), per tensor or per
 * channel along `axis` of `dims` (channel i = all elements whose index on `axis` is i).
 */
export function quantizeWeight(w: Float32Array, dims: readonly number[], axis?: number, reduceRange = false): QuantizedWeight {
  const [qmin, qmax] = qRange('int8', true, reduceRange);
  const data = new Int8Array(w.length);
  if (axis === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < w.length; i++) { const v = w[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    if (w.length === 0) { lo = 0; hi = 0; }
    const p = computeScaleZp(lo, hi, qmin, qmax, true);
    quantizeValues(w, p.scale, p.zeroPoint, 'int8', data);
    return { data, scales: Float32Array.of(p.scale), zeroPoints: Int8Array.of(p.zeroPoint) };
  }
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const zeroPoints = new Int8Array(channels);
  const slice = new Float32Array(outer * inner);
  for (let c = 0; c < channels; c++) {
    let k = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) slice[k++] = w[base + i]!;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < slice.length; i++) { const v = slice[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    if (slice.length === 0) { lo = 0; hi = 0; }
    const p = computeScaleZp(lo, hi, qmin, qmax, true);
    scales[c] = p.scale;
    zeroPoints[c] = p.zeroPoint;
    const q = quantizeValues(slice, p.scale, p.zeroPoint, 'int8');
    k = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) data[base + i] = q[k++]!;
    }
  }
  return { data, scales, zeroPoints, axis };
}

export interface QuantizedBias {
  data: Int32Array;
  /** float32(inputScale × weightScale[c]), one per weight channel (or one). */
  scales: Float32Array;
  /** Number of values that had to be clipped to the int32 range. */
  clipped: number;
}

/**
 * `quantize_bias_static_impl`: scale = inputScale × weightScale (float32 product), zero point 0,
 * q = clip(round(float64(b) / float64(scale)), int32).
 */
export function quantizeBias(b: Float32Array, inputScale: number, weightScales: Float32Array): QuantizedBias {
  const perChannel = weightScales.length > 1;
  if (perChannel && weightScales.length !== b.length) {
    throw new AdvisorError('input', `bias has ${b.length} values for ${weightScales.length} weight channels`);
  }
  const scales = new Float32Array(weightScales.length);
  for (let i = 0; i < weightScales.length; i++) scales[i] = Math.fround(Math.fround(inputScale) * weightScales[i]!);
  const data = new Int32Array(b.length);
  let clipped = 0;
  for (let i = 0; i < b.length; i++) {
    const s = scales[perChannel ? i : 0]!;
    let q = roundHalfEven(b[i]! / s);
    if (!Number.isFinite(q)) q = b[i]! === 0 ? 0 : b[i]! > 0 ? 2147483647 : -2147483648;
    if (q > 2147483647) { q = 2147483647; clipped++; } else if (q < -2147483648) { q = -2147483648; clipped++; }
    data[i] = q;
  }
  return { data, scales, clipped };
}
