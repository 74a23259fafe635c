/**
 * Times decode + preprocess of encoded image files on this thread: what one request costs the tier
 * that receives it. Used by the runner's `preprocess` job (one call per worker thread) and the benchmark.
 */
import { decodeImage } from './codecs';
import { preprocessImage } from './preprocess';
import { channelsOf, outputSize, type PreprocessSpec } from './preprocessSpec';

export const WARMUP_IMAGES = 4;

export async function timeDecode(files: Uint8Array[], spec: PreprocessSpec, budgetMs: number, minImages = files.length): Promise<number[]> {
  if (files.length === 0) return [];
  // one input buffer reused request after request, as a serving loop keeps its input tensor
  const [h, w] = outputSize(spec) ?? [0, 0];
  const n = h * w * channelsOf(spec);
  const into = spec.dtype === 'float32' ? new Float32Array(n) : spec.dtype === 'float64' ? new Float64Array(n) : spec.dtype === 'uint8' ? new Uint8Array(n) : new Int8Array(n);
  for (let i = 0; i < Math.min(WARMUP_IMAGES, files.length); i++) preprocessImage(await decodeImage(files[i]!), spec, into);
  const out: number[] = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; out.length < minImages || performance.now() < end; i++) {
    const t0 = performance.now();
    preprocessImage(await decodeImage(files[i % files.length]!), spec, into);
    out.push(performance.now() - t0);
  }
  return out;
}
