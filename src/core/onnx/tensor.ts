/**
 * Tensor data access: element counts with allocation guards, inline and external data, and
 * conversion to aligned typed arrays. External data is read lazily, only from inside the model's
 * folder (absolute paths, `..` and symlinks leaving it are refused).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { DataType, byteLength, dtypeName } from './dtypes';
import type { TensorProto } from './types';

/** Refuse anything bigger before allocating: Node's Buffer limit is 4 GiB. */
export const MAX_TENSOR_BYTES = 2 ** 32 - 1;

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

export function elementCount(dims: readonly (bigint | number)[], what = 'tensor'): number {
  let n = 1;
  for (const d of dims) {
    const v = Number(d);
    if (!Number.isSafeInteger(v) || v < 0) throw new AdvisorError('input', `${what} has an invalid dimension ${String(d)}`);
    n *= v;
    if (n > Number.MAX_SAFE_INTEGER) throw new AdvisorError('unsupported', `${what} declares more than 2^53 elements`);
  }
  return n;
}

export interface ExternalRef { location: string; offset: number; length?: number }

export function isExternal(t: TensorProto): boolean {
  return t.data_location === 1;
}

export function externalRef(t: TensorProto): ExternalRef | undefined {
  if (!isExternal(t)) return undefined;
  const kv = new Map(t.external_data.map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) throw new AdvisorError('input', `tensor "${t.name}" is external but has no location`);
  const num = (k: string) => {
    const s = kv.get(k);
    if (s === undefined || s === '') return undefined;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) throw new AdvisorError('input', `tensor "${t.name}" has an invalid external ${k} "${s}"`);
    return v;
  };
  const length = num('length');
  return { location, offset: num('offset') ?? 0, ...(length !== undefined ? { length } : {}) };
}

/**
 * Resolves an external-data location against the model's folder, refusing anything that would
 * read outside it: absolute paths, `..` segments that escape, and symlinks whose target escapes.
 */
export function resolveExternalPath(modelDir: string, location: string, modelFile?: string): string {
  const refuse = (why: string) =>
    new AdvisorError('security', `external data outside the model folder: "${location}" (${why})`, modelFile);
  if (location.includes('\0')) throw refuse('invalid character');
  if (path.isAbsolute(location) || path.win32.isAbsolute(location)) throw refuse('absolute path');
  const dir = path.resolve(modelDir);
  const full = path.resolve(dir, location);
  const rel = path.relative(dir, full);
  if (rel === '' || escapes(rel)) throw refuse('escapes with ..');
  let realDir: string;
  let realFull: string;
  try {
    realDir = fs.realpathSync(dir);
    realFull = fs.realpathSync(full);
  } catch {
    throw new AdvisorError('input', `external data file not found: ${location}`, modelFile);
  }
  const realRel = path.relative(realDir, realFull);
  if (escapes(realRel)) throw refuse('symlink leaves the folder');
  // a folder, FIFO or device is not weights: reading a FIFO would block forever
  if (!fs.statSync(realFull).isFile()) throw new AdvisorError('input', `external data location is not a regular file: ${location}`, modelFile);
  return realFull;
}

/** A relative path that climbs out of its base (`..`, `../x`), not one that merely starts with dots (`..x.bin`). */
function escapes(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}

/** Where a tensor's bytes live, for readers that need to stream them. */
export interface TensorSource { modelDir?: string; modelFile?: string }

/**
 * Opens an external tensor's data file (inside the model's folder only), checks its declared length
 * and range, and hands `read(into, at)` to `use`: reads `into.length` bytes starting `at` bytes into
 * the tensor's data. The file is closed afterwards.
 */
function withExternalData<T>(t: TensorProto, src: TensorSource, use: (length: number, read: (into: Uint8Array, at: number) => void) => T): T {
  const ref = externalRef(t);
  if (!ref) throw new AdvisorError('internal', `tensor "${t.name}" is not external`);
  if (!src.modelDir) throw new AdvisorError('input', `tensor "${t.name}" uses external data but the model's folder is unknown`, src.modelFile);
  const expected = tensorByteLength(t);
  const length = ref.length ?? expected;
  if (length !== expected) {
    throw new AdvisorError('input', `tensor "${t.name}": external length ${length} does not match its shape (${expected} bytes)`, src.modelFile);
  }
  const file = resolveExternalPath(src.modelDir, ref.location, src.modelFile);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new AdvisorError('input', `cannot read external data ${ref.location} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, src.modelFile);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (ref.offset + length > size) {
      throw new AdvisorError('input', `tensor "${t.name}": external data [${ref.offset}, ${ref.offset + length}) is past the end of ${ref.location} (${size} bytes)`, src.modelFile);
    }
    const read = (into: Uint8Array, at: number) => {
      for (let got = 0; got < into.length;) {
        const n = fs.readSync(fd, into, got, Math.min(into.length - got, 1 << 28), ref.offset + at + got);
        if (n <= 0) throw new AdvisorError('input', `tensor "${t.name}": short read from ${ref.location}`, src.modelFile);
        got += n;
      }
    };
    return use(length, read);
  } finally {
    fs.closeSync(fd);
  }
}

function readExternal(t: TensorProto, src: TensorSource): Uint8Array {
  return withExternalData(t, src, (length, read) => {
    const out = new Uint8Array(length);
    read(out, 0);
    return out;
  });
}

/**
 * Calls `visit` with successive pieces (≤ `chunkBytes`, whole elements) of an external tensor's
 * bytes, reusing one buffer: a multi-GB weight is scanned in bounded memory, never held whole.
 */
export function forEachExternalChunk(t: TensorProto, src: TensorSource, chunkBytes: number, visit: (bytes: Uint8Array) => void): void {
  withExternalData(t, src, (length, read) => {
    const step = Math.max(8, chunkBytes - (chunkBytes % 8));
    const buf = new Uint8Array(Math.min(step, Math.max(length, 8)));
    for (let done = 0; done < length;) {
      const piece = buf.subarray(0, Math.min(buf.length, length - done));
      read(piece, done);
      visit(piece);
      done += piece.length;
    }
  });
}

/** Expected byte size of a tensor's data, checked against the allocation limit. */
export function tensorByteLength(t: TensorProto): number {
  const n = elementCount(t.dims, `tensor "${t.name ?? ''}"`);
  const bytes = byteLength(t.data_type, n);
  if (bytes > MAX_TENSOR_BYTES) {
    throw new AdvisorError('unsupported', `tensor "${t.name}" declares ${n} elements (${bytes} bytes), more than the 4 GiB limit`);
  }
  return bytes;
}

/** Typed-data field and entries per element for the dtypes whose layout is unambiguous. */
const TYPED_FIELD: Record<number, keyof TensorProto> = {
  [DataType.FLOAT]: 'float_data', [DataType.DOUBLE]: 'double_data', [DataType.INT64]: 'int64_data',
  [DataType.UINT64]: 'uint64_data', [DataType.UINT32]: 'uint64_data', [DataType.INT32]: 'int32_data',
  [DataType.INT8]: 'int32_data', [DataType.UINT8]: 'int32_data', [DataType.INT16]: 'int32_data',
  [DataType.UINT16]: 'int32_data', [DataType.BOOL]: 'int32_data', [DataType.FLOAT16]: 'int32_data', [DataType.BFLOAT16]: 'int32_data',
};

/**
 * Checks an inline tensor's declared size against the data it holds, without reading or
 * allocating: a tensor declaring 10^12 elements is refused here, not when something reads it.
 */
export function checkInlineTensor(t: TensorProto, file?: string): void {
  if (isExternal(t)) return;
  const dt = t.data_type ?? 0;
  if (dt === DataType.STRING) return;
  const expected = tensorByteLength(t);
  if (t.raw_data && t.raw_data.length > 0) {
    if (t.raw_data.length !== expected) {
      throw new AdvisorError('input', `tensor "${t.name}" has ${t.raw_data.length} bytes of data for ${expected} expected (${dtypeName(dt)} ${t.dims.join('x')})`, file);
    }
    return;
  }
  const field = TYPED_FIELD[dt];
  const held = field ? (t[field] as unknown[] | undefined)?.length ?? 0 : 0;
  if (field && held > 0 && held !== elementCount(t.dims)) {
    throw new AdvisorError('input', `tensor "${t.name}" holds ${held} values for ${elementCount(t.dims)} declared (${dtypeName(dt)} ${t.dims.join('x')})`, file);
  }
}

/** The tensor's data as little-endian bytes, whatever field it was stored in. */
export function tensorBytes(t: TensorProto, src: TensorSource = {}): Uint8Array {
  const dt = t.data_type ?? 0;
  if (dt === DataType.STRING) throw new AdvisorError('unsupported', `tensor "${t.name}" holds strings`);
  const expected = tensorByteLength(t);
  if (isExternal(t)) return readExternal(t, src);
  if (t.raw_data && t.raw_data.length > 0) {
    if (t.raw_data.length !== expected) {
      throw new AdvisorError('input', `tensor "${t.name}" has ${t.raw_data.length} bytes of data for ${expected} expected (${dtypeName(dt)} ${t.dims.join('x')})`, src.modelFile);
    }
    return t.raw_data;
  }
  const n = elementCount(t.dims);
  const typed = fromTypedFields(t, n);
  if (typed.byteLength !== expected) {
    throw new AdvisorError('input', `tensor "${t.name}" has ${typed.byteLength} bytes of data for ${expected} expected`, src.modelFile);
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function fromTypedFields(t: TensorProto, n: number): TypedArray {
  const dt = t.data_type ?? 0;
  switch (dt) {
    case DataType.FLOAT: return Float32Array.from(t.float_data);
    case DataType.DOUBLE: return Float64Array.from(t.double_data);
    case DataType.INT64: return BigInt64Array.from(t.int64_data);
    case DataType.UINT64: return BigUint64Array.from(t.uint64_data);
    case DataType.UINT32: return Uint32Array.from(t.uint64_data, (v) => Number(v));
    case DataType.INT32: return Int32Array.from(t.int32_data);
    case DataType.INT8: return Int8Array.from(t.int32_data);
    case DataType.UINT8: case DataType.BOOL:
    case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2: case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return Uint8Array.from(t.int32_data);
    case DataType.INT16: return Int16Array.from(t.int32_data);
    case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return Uint16Array.from(t.int32_data);
    case DataType.INT4: case DataType.UINT4: case DataType.FLOAT4E2M1: {
      // int32_data holds one packed byte (two 4-bit values) per entry
      const out = Uint8Array.from(t.int32_data);
      if (out.length !== Math.ceil(n / 2)) throw new AdvisorError('input', `tensor "${t.name}" has a wrong 4-bit data length`);
      return out;
    }
    default:
      if (n === 0) return new Uint8Array(0);
      throw new AdvisorError('unsupported', `tensor "${t.name}" has data type ${dtypeName(dt)} without raw_data`);
  }
}

/** Typed-array view of a tensor's data (aligned copy when needed). 16/8/4-bit floats stay raw bits. */
export function tensorToArray(t: TensorProto, src: TensorSource = {}): TypedArray {
  const b = tensorBytes(t, src);
  const n = elementCount(t.dims);
  const dt = t.data_type ?? 0;
  const view = <T>(C: { new (buf: ArrayBufferLike, off: number, len: number): T; BYTES_PER_ELEMENT: number }): T => {
    const aligned = b.byteOffset % C.BYTES_PER_ELEMENT === 0 ? b : b.slice();
    return new C(aligned.buffer, aligned.byteOffset, n);
  };
  switch (dt) {
    case DataType.FLOAT: return view(Float32Array);
    case DataType.DOUBLE: return view(Float64Array);
    case DataType.INT64: return view(BigInt64Array);
    case DataType.UINT64: return view(BigUint64Array);
    case DataType.INT32: return view(Int32Array);
    case DataType.UINT32: return view(Uint32Array);
    case DataType.INT16: return view(Int16Array);
    case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return view(Uint16Array);
    case DataType.INT8: return view(Int8Array);
    default: return b;
  }
}

/** float16 bits → number (for statistics on fp16 weights). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Float data of a floating-point tensor as Float32Array (float16/bfloat16/float64 converted). */
export function tensorToFloat32(t: TensorProto, src: TensorSource = {}): Float32Array {
  const a = tensorToArray(t, src);
  switch (t.data_type) {
    case DataType.FLOAT: return a as Float32Array;
    case DataType.DOUBLE: return Float32Array.from(a as Float64Array);
    case DataType.FLOAT16: return Float32Array.from(a as Uint16Array, halfToFloat);
    case DataType.BFLOAT16: {
      const u = new Uint32Array((a as Uint16Array).length);
      (a as Uint16Array).forEach((v, i) => { u[i] = v << 16; });
      return new Float32Array(u.buffer);
    }
    default: throw new AdvisorError('unsupported', `tensor "${t.name}" is ${dtypeName(t.data_type)}, not floating point`);
  }
}

/** A new tensor with raw little-endian data (what onnxruntime and the quantizer write). */
export function makeTensor(name: string, dataType: number, dims: readonly number[], data: TypedArray | Uint8Array): TensorProto {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return {
    name, data_type: dataType, dims: dims.map((d) => BigInt(d)), raw_data: bytes,
    float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [],
  };
}
