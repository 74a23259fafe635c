/**
 * KL-divergence threshold search (TensorRT style, as onnxruntime's entropy calibrator): for each
 * candidate threshold, the clipped distribution p (outliers folded into the edge bins) is compared
 * with its quantized version q (merged into `levels` bins, expanded back over non-empty bins);
 * the threshold with the smallest KL(p‖q) wins. One-sided tensors (never negative) search the
 * positive half with all 255 uint8 levels instead of wasting half of them on an empty side.
 * onnxruntime's defaults (128 bins, 128 levels) leave a single candidate, so we use 2048 bins.
 */
import { binEdge, type Histogram } from './histogram';

const EPS = 1e-4;

export function entropyRange(h: Histogram, levels = 255): [number, number] {
  if (h.total === 0) return [0, 0];
  const n = h.counts.length;
  const half = n / 2;
  if (h.min >= 0) {
    const pos = h.counts.subarray(half);
    const best = search(pos, levels, (i) => ({ start: 0, end: i }), levels, pos.length);
    return [h.min, Math.min(h.max, binEdge(h, half + best))];
  }
  const nq = Math.min(levels, n);
  const halfLevels = Math.ceil(nq / 2);
  const best = search(h.counts, nq, (i) => ({ start: half - i, end: half + i }), halfLevels, half);
  return [Math.max(h.min, binEdge(h, half - best)), Math.min(h.max, binEdge(h, half + best))];
}

/** Returns the best candidate i in [from, to] (bin count from the centre). */
function search(counts: Float64Array, levels: number, window: (i: number) => { start: number; end: number }, from: number, to: number): number {
  let best = to;
  let bestKl = Infinity;
  // bound the work to ~256 candidates: ranges move by whole bins, so finer steps change little
  const step = Math.max(1, Math.floor((to - from) / 256));
  for (let i = Math.min(from, to); i <= to; i += step) {
    const { start, end } = window(i);
    const kl = klForWindow(counts, start, end, levels);
    if (kl < bestKl) { bestKl = kl; best = i; }
  }
  return best;
}

function klForWindow(counts: Float64Array, start: number, end: number, levels: number): number {
  const w = end - start;
  if (w <= 0) return Infinity;
  // p: the window with everything outside it folded into its edge bins
  const p = new Float64Array(w);
  for (let k = 0; k < w; k++) p[k] = counts[start + k]!;
  for (let k = 0; k < start; k++) p[0]! += counts[k]!;
  for (let k = end; k < counts.length; k++) p[w - 1]! += counts[k]!;
  // q: the window without the outliers, merged into `levels` bins of `per` histogram bins (the
  // remainder joins the last, as in the MXNet/TensorRT reference) and spread back over the bins
  // where p is non-zero
  const q = new Float64Array(w);
  const nq = Math.min(levels, w);
  const per = Math.floor(w / nq);
  for (let j = 0; j < nq; j++) {
    const a = j * per;
    const b = j === nq - 1 ? w : a + per;
    let sum = 0;
    let nonzero = 0;
    for (let k = a; k < b; k++) { sum += counts[start + k]!; if (p[k]! !== 0) nonzero++; }
    if (nonzero === 0) continue;
    const v = sum / nonzero;
    for (let k = a; k < b; k++) if (p[k]! !== 0) q[k] = v;
  }
  return kl(smooth(p), smooth(q));
}

/**
 * `smooth_distribution` of the MXNet/onnxruntime calibrators, on raw counts: eps onto empty bins,
 * taken from the others. On counts, eps is negligible; applied to the normalised distribution it
 * outweighed whole bins, so wide windows (many empty tail bins) lost and N(0, 1) was clipped at
 * ±1.9 instead of the reference ±4.2.
 */
function smooth(d: Float64Array): Float64Array {
  let zeros = 0;
  for (let k = 0; k < d.length; k++) if (d[k] === 0) zeros++;
  const out = new Float64Array(d.length);
  const nonzeros = d.length - zeros;
  if (nonzeros === 0) return out;
  const eps1 = (EPS * zeros) / nonzeros;
  for (let k = 0; k < d.length; k++) out[k] = d[k] === 0 ? EPS : d[k]! - eps1;
  return out;
}

function kl(p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) { sp += p[k]!; sq += q[k]!; }
  if (sp <= 0 || sq <= 0) return Infinity;
  let s = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k]! / sp;
    if (a <= 0) continue;
    const b = q[k]! / sq;
    if (b <= 0) return Infinity;
    s += a * Math.log(a / b);
  }
  return s;
}
