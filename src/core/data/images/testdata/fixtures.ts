/**
 * Test fixtures: real image files written with real encoders (pngjs, mozjpeg and libwebp as wasm,
 * omggif, bmp-ts), and the digits sample written as class-folder trees. Used by tests and the
 * benchmark only; nothing here ships in the bundles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { GifWriter } from 'omggif';
import { encode as encodeBmpFile } from 'bmp-ts';
import encodeJpegWasm, * as jpegEnc from '@jsquash/jpeg/encode.js';
import encodeWebpWasm, * as webpEnc from '@jsquash/webp/encode.js';
import { readNpyFile } from '../../npy';
import { loadLabels } from '../../labels';
import type { WasmInit } from '../codecs';

export type FixtureFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/** An 8-bit image: 1 (gray), 3 (RGB) or 4 (RGBA) channels, row-major. */
export interface Pixels { width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array }

const wasmModule = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;
let encodersReady: Promise<void> | undefined;
function initEncoders(): Promise<void> {
  encodersReady ??= (async () => {
    const opts = { locateFile: (p: string) => p };
    await (jpegEnc.init as unknown as WasmInit)(new wasmModule.Module(fs.readFileSync(require.resolve('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'))), opts);
    await (webpEnc.init as unknown as WasmInit)(new wasmModule.Module(fs.readFileSync(require.resolve('@jsquash/webp/codec/enc/webp_enc.wasm'))), opts);
  })();
  return encodersReady;
}

export function toRgba(p: Pixels): Uint8Array {
  if (p.channels === 4) return p.data;
  const out = new Uint8Array(p.width * p.height * 4);
  for (let i = 0; i < p.width * p.height; i++) {
    const [r, g, b] = p.channels === 1 ? [p.data[i]!, p.data[i]!, p.data[i]!] : [p.data[3 * i]!, p.data[3 * i + 1]!, p.data[3 * i + 2]!];
    out.set([r, g, b, 255], 4 * i);
  }
  return out;
}

export async function encodeImage(p: Pixels, format: FixtureFormat, quality = 95): Promise<Uint8Array> {
  const rgba = toRgba(p);
  switch (format) {
    case 'png': {
      const png = new PNG({ width: p.width, height: p.height, colorType: p.channels === 1 ? 0 : p.channels === 3 ? 2 : 6, inputColorType: 6, inputHasAlpha: true });
      png.data = Buffer.from(rgba);
      return PNG.sync.write(png, { colorType: p.channels === 1 ? 0 : p.channels === 3 ? 2 : 6, inputColorType: 6 });
    }
    case 'jpeg': {
      await initEncoders();
      const img = { data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width: p.width, height: p.height, colorSpace: 'srgb' };
      return new Uint8Array(await (encodeJpegWasm as unknown as (i: object, o: object) => Promise<ArrayBuffer>)(img, { quality, color_space: p.channels === 1 ? 1 : 3 }));
    }
    case 'webp': {
      await initEncoders();
      const img = { data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width: p.width, height: p.height, colorSpace: 'srgb' };
      return new Uint8Array(await (encodeWebpWasm as unknown as (i: object, o: object) => Promise<ArrayBuffer>)(img, { quality, lossless: 1 }));
    }
    case 'gif': {
      // a 256-level gray palette: exact for gray images (colour images are quantized to gray)
      const buf = new Uint8Array(p.width * p.height + 2048);
      const palette = Array.from({ length: 256 }, (_, v) => (v << 16) | (v << 8) | v);
      const w = new GifWriter(buf, p.width, p.height, { palette });
      const idx = Array.from({ length: p.width * p.height }, (_, i) => Math.round((rgba[4 * i]! * 299 + rgba[4 * i + 1]! * 587 + rgba[4 * i + 2]! * 114) / 1000));
      w.addFrame(0, 0, p.width, p.height, idx);
      return buf.slice(0, w.end());
    }
    case 'bmp': {
      // bmp-ts takes ABGR byte order
      const abgr = Buffer.alloc(rgba.length);
      for (let i = 0; i < rgba.length; i += 4) { abgr[i] = 255; abgr[i + 1] = rgba[i + 2]!; abgr[i + 2] = rgba[i + 1]!; abgr[i + 3] = rgba[i]!; }
      return new Uint8Array(encodeBmpFile({ width: p.width, height: p.height, data: abgr, bitPP: 24 }).data);
    }
  }
}

/** The digits sample's images as 8-bit gray [0,1] → 0..255, with their labels. */
export function digitsImages(split: 'test' | 'calib', dir: string, limit = Infinity): Array<{ pixels: Pixels; label?: number }> {
  const x = readNpyFile(path.join(dir, `digits_${split}_x.npy`));
  const n = Math.min(x.shape[0]!, limit);
  const y = split === 'test' ? loadLabels(path.join(dir, 'digits_test_y.npy')).data : undefined;
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  const d = x.data as Float32Array;
  return Array.from({ length: n }, (_, i) => {
    const data = new Uint8Array(h * w);
    for (let k = 0; k < h * w; k++) data[k] = Math.round(Math.min(1, Math.max(0, d[i * h * w + k]!)) * 255);
    return { pixels: { width: w, height: h, channels: 1 as const, data }, ...(y ? { label: y[i]! } : {}) };
  });
}

/** Nearest-neighbour upscale by an integer factor, gray → RGB (a colour file of a gray picture). */
export function upscaleToRgb(p: Pixels, factor: number): Pixels {
  const [w, h] = [p.width * factor, p.height * factor];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = p.data[Math.floor(y / factor) * p.width + Math.floor(x / factor)]!;
    data.set([v, v, v], 3 * (y * w + x));
  }
  return { width: w, height: h, channels: 3, data };
}

/** Writes `root/<label>/<index>.<ext>` (or `root/<index>.<ext>` without labels); returns the files. */
export async function writeTree(root: string, images: Array<{ pixels: Pixels; label?: number }>, format: (i: number) => FixtureFormat, quality = 95): Promise<string[]> {
  const files: string[] = [];
  for (const [i, im] of images.entries()) {
    const fmt = format(i);
    const dir = im.label !== undefined ? path.join(root, String(im.label)) : root;
    fs.mkdirSync(dir, { recursive: true });
    const f = path.join(dir, `${String(i).padStart(5, '0')}.${fmt === 'jpeg' ? 'jpg' : fmt}`);
    fs.writeFileSync(f, await encodeImage(im.pixels, fmt, quality));
    files.push(f);
  }
  return files;
}
