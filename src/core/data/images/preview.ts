/**
 * What the model will be fed, as pictures: a few images of a folder decoded and preprocessed, then
 * turned back into 8-bit pixels (undoing mean/std and scale, in the spec's channel order and size)
 * and encoded as PNG data URLs for the model card.
 */
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { evenlySpaced, listImages } from './folder';
import { loadImageTensor } from './imageSource';
import { channelsOf, type PreprocessChoice, type PreprocessSpec } from './preprocessSpec';
import type { TensorData } from '../../protocol/tensor';

export interface ImagePreview {
  /** Path relative to the data folder. */
  file: string;
  /** Class name, when the folder layout gives one. */
  label?: string;
  /** The preprocessed tensor as a PNG (data: URL). */
  src: string;
  width: number;
  height: number;
}

/** The tensor back to RGBA bytes: v·std + mean, divided by scale, clamped to 0..255; BGR shown as RGB. */
export function tensorToRgba(t: TensorData, spec: PreprocessSpec): { width: number; height: number; rgba: Uint8Array } {
  const c = channelsOf(spec);
  const [h, w] = spec.layout === 'nchw' ? [t.dims[2]!, t.dims[3]!] : [t.dims[1]!, t.dims[2]!];
  const rgba = new Uint8Array(w * h * 4);
  const at = (ch: number, i: number) => Number(spec.layout === 'nchw' ? t.data[ch * w * h + i] : t.data[i * c + ch]);
  const value = (ch: number, i: number) => {
    const std = spec.std.length === 1 ? spec.std[0]! : spec.std[ch]!;
    const mean = spec.mean.length === 1 ? spec.mean[0]! : spec.mean[ch]!;
    const raw = spec.dtype === 'uint8' || spec.dtype === 'int8' ? at(ch, i) : at(ch, i) * std + mean;
    return Math.max(0, Math.min(255, Math.round(raw / spec.scale)));
  };
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = c === 1 ? [value(0, i), value(0, i), value(0, i)] : spec.color === 'bgr' ? [value(2, i), value(1, i), value(0, i)] : [value(0, i), value(1, i), value(2, i)];
    rgba.set([r, g, b, 255], 4 * i);
  }
  return { width: w, height: h, rgba };
}

export async function previewImages(dataPath: string, choice: PreprocessChoice, count = 3): Promise<ImagePreview[]> {
  const listing = listImages(dataPath);
  const out: ImagePreview[] = [];
  for (const i of evenlySpaced(listing.entries.length, Math.min(listing.entries.length, count * 3))) {
    if (out.length >= count) break;
    const e = listing.entries[i]!;
    try {
      const { tensor } = await loadImageTensor(e.file, choice);
      const img = tensorToRgba(tensor, choice.spec);
      const png = new PNG({ width: img.width, height: img.height });
      png.data = Buffer.from(img.rgba);
      const rel = path.relative(listing.root, e.file);
      out.push({
        file: rel || e.file, src: `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`, width: img.width, height: img.height,
        ...(e.label !== undefined && listing.classes ? { label: listing.classes[e.label]! } : {}),
      });
    } catch { /* an unreadable file: the next one is shown; the run itself reports it */ }
  }
  return out;
}
