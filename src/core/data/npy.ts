/**
 * NumPy `.npy` files (format versions 1–3), C order, for the element types models take:
 * float32, float64, int64, int32, int8, uint8, bool. Big-endian data is byte-swapped on read.
 */
import * as fs from 'node:fs';
import { AdvisorError } from '../errors';
import type { TensorArray, TensorType } from '../protocol/tensor';

export interface NpyArray {
  type: TensorType;
  shape: number[];
  data: TensorArray;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, { type: TensorType; size: number }> = {
  f4: { type: 'float32', size: 4 },
  f8: { type: 'float64', size: 8 },
  i8: { type: 'int64', size: 8 },
  i4: { type: 'int32', size: 4 },
  i1: { type: 'int8', size: 1 },
  u1: { type: 'uint8', size: 1 },
  b1: { type: 'bool', size: 1 },
};

const WRITE_DESCR: Record<TensorType, string> = {
  float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', int8: '|i1', uint8: '|u1', bool: '|b1',
};

export function readNpyFile(file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code === 'ENOENT' ? 'file not found' : `cannot read file (${code})`, file);
  }
  return parseNpy(bytes, file);
}

export function parseNpy(bytes: Uint8Array, file?: string): NpyArray {
  const bad = (msg: string) => new AdvisorError('input', `not a valid .npy file: ${msg}`, file);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing the \\x93NUMPY magic');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) { headerLen = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad('truncated header');
    headerLen = view.getUint32(8, true); headerStart = 12;
  } else throw bad(`unknown format version ${major}`);
  if (headerStart + headerLen > bytes.length) throw bad('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad('header lacks descr, fortran_order or shape');
  if (fortran === 'True') throw new AdvisorError('unsupported', 'Fortran-order arrays are not supported; save with np.ascontiguousarray', file);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`invalid shape (${shapeText})`);
  const order = descr[0];
  const kind = DESCR[descr.slice(1)];
  if (!kind || !['<', '>', '|', '='].includes(order ?? '')) {
    throw new AdvisorError('unsupported', `.npy element type ${descr} is not supported (use float32, float64, int64, int32, int8, uint8 or bool)`, file);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLen;
  const need = count * kind.size;
  if (bytes.length - dataStart < need) throw bad(`holds ${bytes.length - dataStart} data bytes, shape (${shape.join(', ')}) needs ${need}`);
  // an aligned copy of its own (a Buffer's slice() would be a view into the file's buffer)
  const raw = new Uint8Array(need);
  raw.set(bytes.subarray(dataStart, dataStart + need));
  if (order === '>' && kind.size > 1) swapBytes(raw, kind.size);
  return { type: kind.type, shape, data: typedView(kind.type, raw.buffer, count) };
}

export function typedView(type: TensorType, buf: ArrayBufferLike, count: number): TensorArray {
  switch (type) {
    case 'float32': return new Float32Array(buf, 0, count);
    case 'float64': return new Float64Array(buf, 0, count);
    case 'int64': return new BigInt64Array(buf, 0, count);
    case 'int32': return new Int32Array(buf, 0, count);
    case 'int8': return new Int8Array(buf, 0, count);
    case 'uint8': case 'bool': return new Uint8Array(buf, 0, count);
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

/** Serialises an array as a version-1 .npy file (little-endian, C order, 64-byte aligned header). */
export function encodeNpy(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (a.data.length !== count) throw new AdvisorError('internal', `npy: shape (${a.shape.join(', ')}) needs ${count} elements, got ${a.data.length}`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${WRITE_DESCR[a.type]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = (64 - ((10 + header.length + 1) % 64)) % 64;
  header += ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + header.length + a.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), 10 + header.length);
  return out;
}
