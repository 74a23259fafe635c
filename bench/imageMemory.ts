/**
 * Child process of the images benchmark: opens an image folder as the advisor does (every file,
 * no cap), reads it all in evaluation-sized chunks, and prints its peak RSS. Run once per folder
 * size, so each peak is its own process's.
 *   tsx bench/imageMemory.ts <folder>
 */
import { openImageSource } from '../src/core/data/images/imageSource';
import { resolvePreprocess } from '../src/core/data/images/preprocessSpec';
import { forEachChunk } from '../src/core/data/source';
import { EVAL_CHUNK } from '../src/core/pipeline/accuracy';

(async () => {
  const input = { name: 'input', type: 'float32' as const, shape: ['batch', 3, 224, 224] };
  const baseMB = process.memoryUsage.rss() / 2 ** 20;
  const t0 = performance.now();
  const src = await openImageSource(process.argv[2]!, input, resolvePreprocess('imagenet', input, 'bench'));
  const scanMs = performance.now() - t0;
  let n = 0;
  let checksum = 0;
  await forEachChunk(src, EVAL_CHUNK, async (batch) => { n += batch.length; checksum += (batch[0]!['input']!.data[0] as number); });
  const readMs = performance.now() - t0 - scanMs;
  const peakMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ files: src.count, read: n, baseMB, peakMB, scanMs, readMs, checksum }) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
