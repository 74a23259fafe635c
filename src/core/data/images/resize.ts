/**
 * Bilinear resampling with antialiasing, the way Pillow's `Image.resize(BILINEAR)` and
 * torchvision's `Resize(antialias=True)` compute it: a triangle filter whose support widens with
 * the downscale factor, applied separably (rows, then columns), on float planes with no
 * intermediate rounding. Written here because it is a few lines and must match the training
 * pipelines exactly; a library would add a dependency for less control.
 * Only the output window that survives the center crop is computed.
 */

/** Filter taps of every output index in [from, from + count) of a resize from `inSize` to `outSize`. */
interface Taps { start: Int32Array; count: Int32Array; weights: Float32Array; stride: number }

function taps(inSize: number, outSize: number, from: number, count: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle filter's support is 1, widened when downscaling
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(count);
  const n = new Int32Array(count);
  const weights = new Float32Array(count * stride);
  for (let o = 0; o < count; o++) {
    const center = (from + o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let x = lo; x < hi; x++) {
      const t = Math.abs((x - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[o * stride + x - lo] = w;
      sum += w;
    }
    if (sum > 0) for (let x = 0; x < hi - lo; x++) weights[o * stride + x] = weights[o * stride + x]! / sum;
    // zero taps at either end cost a multiply each; drop them
    let a = 0;
    let b = hi - lo;
    while (b > a + 1 && weights[o * stride + b - 1] === 0) b--;
    while (a < b - 1 && weights[o * stride + a] === 0) a++;
    if (a > 0) weights.copyWithin(o * stride, o * stride + a, o * stride + b);
    start[o] = lo + a;
    n[o] = b - a;
  }
  return { start, count: n, weights, stride };
}

/**
 * Resizes `planes` (channels × h × w floats) to `outH` × `outW` and returns only the window
 * rows [top, top + winH) × columns [left, left + winW) of the result (channels × winH × winW).
 * The window must lie inside the resized image.
 */
export function resizeWindow(
  planes: Float32Array, channels: number, w: number, h: number,
  outW: number, outH: number, left: number, top: number, winW: number, winH: number,
  scratch: Scratch = new Scratch(),
): Float32Array {
  const hx = taps(w, outW, left, winW);
  const vy = taps(h, outH, top, winH);
  // rows of the input the vertical taps read
  const rowLo = vy.start[0]!;
  const rowHi = vy.start[winH - 1]! + vy.count[winH - 1]!;
  const rows = rowHi - rowLo;
  const mid = scratch.get('mid', channels * rows * winW);
  const hs = hx.start, hn = hx.count, hw = hx.weights, stride = hx.stride;
  for (let c = 0; c < channels; c++) {
    const src = c * w * h;
    const dst = c * rows * winW;
    for (let y = 0; y < rows; y++) {
      const row = src + (rowLo + y) * w;
      const o = dst + y * winW;
      for (let x = 0; x < winW; x++) {
        const s = row + hs[x]!;
        const k = x * stride;
        let acc = 0;
        for (let t = 0, n = hn[x]!; t < n; t++) acc += planes[s + t]! * hw[k + t]!;
        mid[o + x] = acc;
      }
    }
  }
  const out = scratch.get('win', channels * winH * winW, true);
  // row by row: each output row is a weighted sum of whole input rows (contiguous, cache-friendly)
  for (let c = 0; c < channels; c++) {
    const src = c * rows * winW;
    const dst = c * winH * winW;
    for (let y = 0; y < winH; y++) {
      const o = dst + y * winW;
      const k = y * vy.stride;
      for (let t = 0, n = vy.count[y]!; t < n; t++) {
        const w = vy.weights[k + t]!;
        if (w === 0) continue;
        const s = src + (vy.start[y]! - rowLo + t) * winW;
        for (let x = 0; x < winW; x++) out[o + x] += mid[s + x]! * w;
      }
    }
  }
  return out;
}

/**
 * Reusable float buffers by role. Fresh memory is slow here (first-touch page faults: a new 600 KB
 * Float32Array cost ~1.5 ms in this VM, more than the arithmetic that fills it), so the
 * intermediate planes of one image are kept for the next. Not shared across threads.
 */
export class Scratch {
  private readonly buffers = new Map<string, Float32Array>();
  get(role: string, n: number, zeroed = false): Float32Array {
    let b = this.buffers.get(role);
    if (!b || b.length < n) {
      b = new Float32Array(Math.max(n, Math.ceil((b?.length ?? 0) * 1.5)));
      this.buffers.set(role, b);
    } else if (zeroed) {
      b.fill(0, 0, n);
    }
    return b.subarray(0, n);
  }
}
