/**
 * An image folder (or one image) as a SampleSource. Opening it decodes every selected file once to
 * find what is usable — corrupt, truncated and non-image files are skipped with a warning that
 * names them, grayscale/colour conversions and mixed sizes are counted — so the count and the
 * labels are final before any operator runs. Reads decode again, a batch at a time; when all the
 * tensors fit a small budget they are kept from the first pass instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import type { Feeds, TensorData } from '../../protocol/tensor';
import type { InputSpec } from '../inputs';
import type { SampleSource } from '../source';
import { decodeImage, ImageDecodeError, type DecodedImage } from './codecs';
import { evenlySpaced, listImages, type ImageEntry } from './folder';
import { preprocessImage } from './preprocess';
import type { PreprocessChoice } from './preprocessSpec';

export interface ImageSourceOptions {
  /** Use at most this many images (evenly spaced over the sorted listing, so every class is seen). */
  limit?: number;
  /** Classes the model scores: images of a class index at or beyond it are skipped. */
  classCount?: number;
  /** Keep the first pass's tensors when all of them fit in this many bytes (default 64 MiB). */
  cacheBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

export const IMAGE_CACHE_BYTES = 64 * 2 ** 20;

/** One image file → the input tensor (throws ImageDecodeError for unreadable files). */
export async function loadImageTensor(file: string, choice: PreprocessChoice): Promise<{ tensor: TensorData; image: DecodedImage }> {
  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(file); } catch (e) { throw new ImageDecodeError(`cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`); }
  const image = await decodeImage(bytes);
  return { tensor: preprocessImage(image, choice.spec), image };
}

export async function openImageSource(target: string, input: InputSpec, choice: PreprocessChoice, opts: ImageSourceOptions = {}): Promise<SampleSource> {
  const listing = listImages(target);
  const warnings = [...listing.warnings];
  let entries = listing.entries;
  const beyond = new Map<string, number>();
  if (opts.classCount !== undefined && listing.classes) {
    const keep: ImageEntry[] = [];
    for (const e of entries) {
      if (e.label !== undefined && e.label >= opts.classCount) beyond.set(listing.classes[e.label]!, (beyond.get(listing.classes[e.label]!) ?? 0) + 1);
      else keep.push(e);
    }
    entries = keep;
    if (beyond.size) {
      warnings.push(`the model scores ${opts.classCount} classes (0–${opts.classCount - 1}); class folder${beyond.size > 1 ? 's' : ''} ${[...beyond].map(([c, n]) => `"${c}" (index ${listing.classes!.indexOf(c)}, ${n} image${n > 1 ? 's' : ''})`).join(', ')} ${beyond.size > 1 ? 'are' : 'is'} beyond them and skipped`);
    }
  }
  if (entries.length === 0) throw new AdvisorError('input', `no usable images: ${warnings.join('; ')}`, target);
  const total = entries.length;
  if (opts.limit !== undefined && entries.length > opts.limit) {
    entries = evenlySpaced(entries.length, opts.limit).map((i) => entries[i]!);
    warnings.push(`using ${entries.length} of ${total} images, evenly spaced over the sorted listing so every class is represented`);
  }

  // first pass: what decodes, what it took to fit the input
  const usable: ImageEntry[] = [];
  const skipped: string[] = [];
  const sizes = new Map<string, number>();
  let grayToColour = 0;
  let colourToGray = 0;
  const budget = opts.cacheBytes ?? IMAGE_CACHE_BYTES;
  let cache: TensorData[] | undefined = [];
  for (const [i, e] of entries.entries()) {
    try {
      const { tensor, image } = await loadImageTensor(e.file, choice);
      usable.push(e);
      sizes.set(`${image.width}×${image.height}`, (sizes.get(`${image.width}×${image.height}`) ?? 0) + 1);
      if (image.gray && choice.spec.color !== 'gray') grayToColour++;
      if (!image.gray && choice.spec.color === 'gray' && !isGrayPixels(image)) colourToGray++;
      // every tensor has the same size: the first says whether all of them fit the budget
      if (cache && tensor.data.byteLength * entries.length > budget) cache = undefined;
      cache?.push(tensor);
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      skipped.push(`${path.relative(listing.root, e.file) || path.basename(e.file)}: ${err.message}`);
    }
    opts.onProgress?.(i + 1, entries.length);
  }
  if (skipped.length) {
    warnings.push(`${skipped.length} file${skipped.length > 1 ? 's' : ''} could not be read as images and ${skipped.length > 1 ? 'are' : 'is'} skipped: ${skipped.slice(0, 5).join('; ')}${skipped.length > 5 ? `; and ${skipped.length - 5} more` : ''}`);
  }
  if (usable.length === 0) throw new AdvisorError('input', `no usable images (${skipped.length} unreadable${beyond.size ? ', others beyond the model\'s classes' : ''}): ${warnings.join('; ')}`, target);
  const out = choice.spec.crop ?? choice.spec.size;
  if (grayToColour) warnings.push(`${grayToColour} grayscale image${grayToColour > 1 ? 's were' : ' was'} converted to ${choice.spec.color.toUpperCase()} for input "${input.name}" (gray repeated in every channel)`);
  if (colourToGray) warnings.push(`${colourToGray} colour image${colourToGray > 1 ? 's were' : ' was'} converted to gray for input "${input.name}" (ITU-R 601 luma, as Pillow's convert("L"))`);
  if (sizes.size > 1) {
    const list = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([s, n]) => `${s} ×${n}`).join(', ');
    warnings.push(`images come in ${sizes.size} sizes (${list}${sizes.size > 4 ? ', …' : ''}); each is resized by the preprocessing to ${out[0]}×${out[1]}`);
  }
  const labelled = usable.every((e) => e.label !== undefined);
  const files = usable.map((e) => e.file);
  const kept = cache;
  return {
    kind: 'images',
    path: target,
    count: usable.length,
    payloadBytes: usable.map((e) => e.bytes),
    ...(labelled && listing.classes ? { labels: { shape: [usable.length], data: Int32Array.from(usable, (e) => e.label!) }, classes: listing.classes } : {}),
    files,
    preprocess: choice,
    describe: `${usable.length} image${usable.length > 1 ? 's' : ''}${listing.classes ? ` in ${listing.classes.length} classes (order: ${listing.classOrder})` : ''}`,
    warnings,
    read: async (start, end) => {
      if (kept) return kept.slice(start, end).map((t) => ({ [input.name]: t }));
      const batch: Feeds[] = [];
      for (const f of files.slice(start, end)) {
        try {
          batch.push({ [input.name]: (await loadImageTensor(f, choice)).tensor });
        } catch (err) {
          if (err instanceof ImageDecodeError) throw new AdvisorError('input', `changed since it was first read: ${err.message}`, f);
          throw err;
        }
      }
      return batch;
    },
  };
}

/** A colour-typed file whose pixels are all gray (a gray image saved as RGB) needs no conversion note. */
function isGrayPixels(img: DecodedImage): boolean {
  const p = img.rgba;
  for (let i = 0; i < p.length; i += 4) if (p[i] !== p[i + 1] || p[i] !== p[i + 2]) return false;
  return true;
}
