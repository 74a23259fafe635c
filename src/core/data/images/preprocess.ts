/**
 * Applies a PreprocessSpec to a decoded image: colour (Pillow's ITU-R 601 luma for gray), resize,
 * center crop (torchvision's rounding), scale, mean/std, layout and dtype — one batch-1 tensor.
 */
import type { TensorArray, TensorData } from '../../protocol/tensor';
import type { DecodedImage } from './codecs';
import { channelsOf, outputSize, type PreprocessSpec } from './preprocessSpec';
import { resizeWindow, Scratch } from './resize';

const shared = new Scratch();

/** Python's round(): half to even, as torchvision's CenterCrop rounds its offsets. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Colour planes (channels × h × w, values 0..255) in the spec's channel order. Alpha is dropped, as Pillow's convert does. */
function colourPlanes(img: DecodedImage, color: PreprocessSpec['color'], scratch: Scratch): Float32Array {
  const n = img.width * img.height;
  const px = img.rgba;
  if (color === 'gray') {
    const out = scratch.get('planes', n);
    // Pillow's integer luma (L = R·299/1000 + G·587/1000 + B·114/1000, rounded): a gray pixel keeps its value
    for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = (px[j]! * 19595 + px[j + 1]! * 38470 + px[j + 2]! * 7471 + 0x8000) >> 16;
    return out;
  }
  const out = scratch.get('planes', 3 * n);
  const [r, b] = color === 'bgr' ? [2 * n, 0] : [0, 2 * n];
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[r + i] = px[j]!;
    out[n + i] = px[j + 1]!;
    out[b + i] = px[j + 2]!;
  }
  return out;
}

/** The resized size for a spec (before the crop). */
export function resizedSize(spec: PreprocessSpec, w: number, h: number): [number, number] {
  if (spec.resize === 'exact') return [spec.size[1], spec.size[0]];
  if (spec.resize === 'none') return [w, h];
  const s = spec.size[0];
  // torchvision: the shorter side becomes s, the longer int(s · long / short)
  return w <= h ? [s, Math.floor((s * h) / w)] : [Math.floor((s * w) / h), s];
}

/**
 * One image → one batch-1 tensor. `into` (optional) receives the values (of the spec's dtype,
 * exactly the tensor's length), so a batch can fill one buffer; otherwise a new array is made.
 */
export function preprocessImage(img: DecodedImage, spec: PreprocessSpec, into?: TensorArray, scratch = shared): TensorData {
  const c = channelsOf(spec);
  const planes = colourPlanes(img, spec.color, scratch);
  const [rw, rh] = resizedSize(spec, img.width, img.height);
  const [oh, ow] = outputSize(spec) ?? [rh, rw];
  // crop offsets in the resized image; negative where the crop is larger (zero padding, as torchvision pads)
  const top = roundHalfEven((rh - oh) / 2);
  const left = roundHalfEven((rw - ow) / 2);
  const y0 = Math.max(0, top);
  const x0 = Math.max(0, left);
  const winH = Math.min(rh, top + oh) - y0;
  const winW = Math.min(rw, left + ow) - x0;
  let win: Float32Array;
  if (rw === img.width && rh === img.height) {
    win = scratch.get('win', c * winH * winW);
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < winH; y++) {
      const s = ch * rw * rh + (y0 + y) * rw + x0;
      win.set(planes.subarray(s, s + winW), (ch * winH + y) * winW);
    }
  } else {
    win = resizeWindow(planes, c, img.width, img.height, rw, rh, x0, y0, winW, winH, scratch);
  }
  const n = oh * ow;
  const float = spec.dtype === 'float32' || spec.dtype === 'float64';
  const out = float && into ? (into as Float32Array) : float ? newArray(spec.dtype, c * n) : scratch.get('values', c * n);
  const padY = y0 - top;
  const padX = x0 - left;
  const nchw = spec.layout === 'nchw';
  for (let ch = 0; ch < c; ch++) {
    const mean = spec.mean.length === 1 ? spec.mean[0]! : spec.mean[ch]!;
    const inv = 1 / (spec.std.length === 1 ? spec.std[0]! : spec.std[ch]!);
    // v·scale − mean, then ·inv, folded into one multiply-add
    const a = spec.scale * inv;
    const b = -mean * inv;
    if (padX === 0 && padY === 0 && winW === ow && winH === oh) {
      // no padding (the usual case): straight runs
      const src = ch * n;
      if (nchw) for (let i = 0; i < n; i++) out[src + i] = win[src + i]! * a + b;
      else for (let i = 0, o = ch; i < n; i++, o += c) out[o] = win[src + i]! * a + b;
      continue;
    }
    for (let y = 0; y < oh; y++) {
      const wy = y - padY;
      const rowInside = wy >= 0 && wy < winH;
      const src = (ch * winH + wy) * winW - padX;
      for (let x = 0; x < ow; x++) {
        const wx = x - padX;
        const v = rowInside && wx >= 0 && wx < winW ? win[src + x]! * a + b : b;
        if (nchw) out[ch * n + y * ow + x] = v;
        else out[(y * ow + x) * c + ch] = v;
      }
    }
  }
  const dims = spec.layout === 'nchw' ? [1, c, oh, ow] : [1, oh, ow, c];
  return { type: spec.dtype, dims, data: float ? out : toInt(out, spec.dtype as 'uint8' | 'int8', into) };
}

function newArray(dtype: PreprocessSpec['dtype'], n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Rounded and clamped to the 8-bit range. */
function toInt(a: Float32Array | Float64Array, dtype: 'uint8' | 'int8', into?: TensorArray): TensorArray {
  const out = (into as Uint8Array | Int8Array | undefined) ?? (dtype === 'uint8' ? new Uint8Array(a.length) : new Int8Array(a.length));
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  for (let i = 0; i < a.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(a[i]!)));
  return out;
}
