/**
 * Image decoding: JPEG, PNG, WebP, BMP and GIF (first frame) to 8-bit RGBA, whatever the file's
 * own colour type. The format is told by the file's first bytes, never by its name.
 *
 * Chosen by measurement (bench/sections/images.ts; 224×224 JPEG, one thread, this 2-core VM):
 * mozjpeg compiled to wasm (@jsquash/jpeg) 1.10 ms vs jpeg-js 4.30 ms vs sharp 1.70 ms vs
 * @napi-rs/image 0.93 ms. Wasm is within 20% of native and runs unchanged on every platform and
 * on a bare Node ≥ 18 device, so no native decoder is shipped. PNG: pngjs (1.39 ms) ≈ wasm (1.17 ms).
 * The .wasm files travel in dist/codecs/ (scripts/build.mjs); from source they load from node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { GifReader } from 'omggif';
import { decode as decodeBmpFile } from 'bmp-ts';
import decodeJpegWasm, * as jpegWasm from '@jsquash/jpeg/decode.js';
import decodeWebpWasm, * as webpWasm from '@jsquash/webp/decode.js';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'bmp' | 'gif';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  rgba: Uint8Array;
  format: ImageFormat;
  /** The file itself holds one colour channel (grayscale), converted here to RGBA. */
  gray: boolean;
}

/** File endings listed as images; anything else in an image folder is reported, not read. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.bmp', '.dib', '.gif']);

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** The format from the magic bytes, or undefined when the bytes are not an image we read. */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** Thrown for a file that is not a readable image; the caller names the file and skips it. */
export class ImageDecodeError extends Error {}

/** Locates a codec's .wasm: beside the bundle (dist/codecs/), else in node_modules (running from source). */
function wasmPath(pkg: string, rel: string): string {
  const bundled = path.join(__dirname, 'codecs', path.basename(rel));
  if (fs.existsSync(bundled)) return bundled;
  return require.resolve(`${pkg}/${rel}`);
}

/** What the packages' init accepts at run time (their .d.ts lists only the options argument). */
export type WasmInit = (module: WasmModule, opts: { locateFile: (p: string) => string }) => Promise<unknown>;

/** The WebAssembly global (Node has it; the ES2022 lib this project compiles against does not declare it). */
type WasmModule = object;
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } }).WebAssembly;

let wasmReady: Promise<void> | undefined;

/** Compiles the wasm decoders once per thread (about 10 ms); later calls share the promise. */
export function initCodecs(): Promise<void> {
  wasmReady ??= (async () => {
    // locateFile keeps the emscripten glue from resolving its .wasm against import.meta.url,
    // which a CommonJS bundle does not have; the compiled module is handed over directly
    const opts = { locateFile: (p: string) => p };
    await (jpegWasm.init as WasmInit)(new wasm.Module(fs.readFileSync(wasmPath('@jsquash/jpeg', 'codec/dec/mozjpeg_dec.wasm'))), opts);
    await (webpWasm.init as WasmInit)(new wasm.Module(fs.readFileSync(wasmPath('@jsquash/webp', 'codec/dec/webp_dec.wasm'))), opts);
  })();
  return wasmReady;
}

export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageDecodeError('not an image (no JPEG, PNG, WebP, BMP or GIF signature)');
  try {
    switch (format) {
      case 'jpeg': return await decodeJpeg(bytes);
      case 'png': return decodePng(bytes);
      case 'webp': return await decodeWebp(bytes);
      case 'gif': return decodeGif(bytes);
      case 'bmp': return decodeBmp(bytes);
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`corrupt or unreadable ${format.toUpperCase()} (${e instanceof Error ? e.message : String(e)})`);
  }
}

async function decodeJpeg(bytes: Uint8Array): Promise<DecodedImage> {
  const info = jpegInfo(bytes);
  // libjpeg treats a missing end of data as a warning and fills the rest with gray: refuse instead
  if (!info.complete) throw new ImageDecodeError('truncated JPEG (no end-of-image marker)');
  await initCodecs();
  const img = await decodeJpegWasm(toArrayBuffer(bytes));
  return { width: img.width, height: img.height, rgba: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), format: 'jpeg', gray: info.components === 1 };
}

/** Component count (from the frame header) and whether the file ends with its end-of-image marker. */
export function jpegInfo(b: Uint8Array): { components?: number; complete: boolean } {
  let end = b.length;
  while (end > 2 && b[end - 1] === 0) end--; // some writers pad after EOI
  const complete = end >= 4 && b[end - 2] === 0xff && b[end - 1] === 0xd9;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { complete };
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return { components: b[i + 9], complete };
    i += 2 + len;
  }
  return { complete };
}

function decodePng(bytes: Uint8Array): DecodedImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  // colorType 0: gray, 4: gray + alpha (pngjs expands both to RGBA)
  const gray = png.colorType === 0 || png.colorType === 4;
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), format: 'png', gray };
}

async function decodeWebp(bytes: Uint8Array): Promise<DecodedImage> {
  await initCodecs();
  const img = await decodeWebpWasm(toArrayBuffer(bytes));
  return { width: img.width, height: img.height, rgba: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), format: 'webp', gray: false };
}

function decodeGif(bytes: Uint8Array): DecodedImage {
  const r = new GifReader(bytes);
  if (r.numFrames() < 1) throw new ImageDecodeError('GIF has no frames');
  const rgba = new Uint8Array(r.width * r.height * 4);
  // a frame may cover part of the canvas: the rest stays transparent black, as a viewer shows it
  r.decodeAndBlitFrameRGBA(0, rgba);
  return { width: r.width, height: r.height, rgba, format: 'gif', gray: false };
}

function decodeBmp(bytes: Uint8Array): DecodedImage {
  const bmp = decodeBmpFile(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { toRGBA: true });
  if (!(bmp.width > 0) || !(bmp.height > 0) || bmp.data.length < bmp.width * bmp.height * 4) throw new ImageDecodeError('BMP holds no pixel data for its size');
  return { width: bmp.width, height: bmp.height, rgba: new Uint8Array(bmp.data.buffer, bmp.data.byteOffset, bmp.width * bmp.height * 4), format: 'bmp', gray: false };
}

/** The bytes as a whole ArrayBuffer of their own (a small Buffer is a view into Node's shared pool). */
function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : Uint8Array.prototype.slice.call(b).buffer) as ArrayBuffer;
}
