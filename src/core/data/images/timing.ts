/**
 * Times decode + preprocess of encoded image files on this thread: what one request costs the tier
 * that receives it. Used by the runner's `preprocess` job (one call per worker thread) and the benchmark.
 */
import { decodeImage } from './codecs';
import { preprocessImage } from './preprocess';
import type { PreprocessSpec } from './preprocessSpec';

export const WARMUP_IMAGES = 4;

export async function timeDecode(files: Uint8Array[], spec: PreprocessSpec, budgetMs: number, minImages = files.length): Promise<number[]> {
  if (files.length === 0) return [];
  for (let i = 0; i < Math.min(WARMUP_IMAGES, files.length); i++) preprocessImage(await decodeImage(files[i]!), spec);
  const out: number[] = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; out.length < minImages || performance.now() < end; i++) {
    const t0 = performance.now();
    preprocessImage(await decodeImage(files[i % files.length]!), spec);
    out.push(performance.now() - t0);
  }
  return out;
}
