/**
 * Bulk side channel for the runner boundary. Node's IPC channel (advanced serialization) moves
 * about 270 MB/s on our machines: one 600 KB image sample costs ~4.5 ms to send, about a whole
 * mobilenet_v2 inference. So large typed arrays in a message travel through a file in the
 * runner's private temp folder instead: `pack` moves them out and leaves `{ $bulk }` references,
 * `unpack` reads the file once (one copy) and turns the references back into views on it. The
 * message types stay what the protocol says; only the transport changes.
 * Each direction reuses one file, overwritten in place (never truncated): a fresh file per message
 * made the kernel allocate and free its page-cache pages every time, ~0.8 ms per MB here. Jobs run
 * one at a time, so a file is never written while the other side reads it. The runner's temp
 * folder, files included, is removed when the runner exits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BulkLocation } from '../../core/protocol/runner';

/** Typed arrays smaller than this stay in the message (a file costs a few syscalls). */
export const BULK_MIN_BYTES = 64 * 1024;
const ALIGN = 8;

const VIEWS = {
  Float32Array, Float64Array, BigInt64Array, Int32Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, BigUint64Array,
} as const;
type ViewName = keyof typeof VIEWS;

interface ArrayRef { $bulk: { view: ViewName; offset: number; length: number } }

/** A message whose large arrays were moved out (`bulk` absent when nothing was large). */
export interface Packed<T> { message: T; bulk?: BulkLocation }

function isRef(v: unknown): v is ArrayRef {
  return typeof v === 'object' && v !== null && '$bulk' in v;
}

function viewName(v: ArrayBufferView): ViewName | undefined {
  const name = v.constructor.name as ViewName;
  return VIEWS[name] && v instanceof VIEWS[name] ? name : undefined;
}

/**
 * Replaces every typed array of at least `minBytes` in `message` (plain objects and arrays,
 * walked recursively; the input is not modified) with a reference into `file`, which is created
 * or overwritten from its start.
 */
export function pack<T>(message: T, file: string, minBytes = BULK_MIN_BYTES): Packed<T> {
  const parts: ArrayBufferView[] = [];
  let size = 0;
  const walk = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      const view = viewName(v);
      if (!view || v.byteLength < minBytes) return v;
      const offset = size;
      parts.push(v);
      size += Math.ceil(v.byteLength / ALIGN) * ALIGN;
      return { $bulk: { view, offset, length: v.byteLength / VIEWS[view].BYTES_PER_ELEMENT } } satisfies ArrayRef;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const packed = walk(message) as T;
  if (parts.length === 0) return { message };
  // no O_TRUNC: the pages the file already has are overwritten, not freed and allocated again
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
  try {
    let pos = 0;
    for (const p of parts) {
      writeAll(fd, new Uint8Array(p.buffer, p.byteOffset, p.byteLength), pos);
      pos += Math.ceil(p.byteLength / ALIGN) * ALIGN;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { message: packed, bulk: { file, bytes: size } };
}

/**
 * Restores the arrays `pack` moved out. They are views on one buffer read from the file: a fresh
 * one, or `reuse` when it is large enough (see BulkReader).
 */
export function unpack<T>(packed: Packed<T>, reuse?: (size: number) => ArrayBuffer): T {
  if (!packed.bulk) return packed.message;
  const { file, bytes } = packed.bulk;
  const buffer = reuse ? reuse(bytes) : new ArrayBuffer(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    readAll(fd, new Uint8Array(buffer, 0, bytes));
  } finally {
    fs.closeSync(fd);
  }
  const walk = (v: unknown): unknown => {
    if (isRef(v)) {
      const { view, offset, length } = v.$bulk;
      return new VIEWS[view](buffer, offset, length);
    }
    if (ArrayBuffer.isView(v)) return v;
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(packed.message) as T;
}

/**
 * The runner's reader: one buffer, grown when needed, reused for every request. Fresh memory is
 * expensive where pages are faulted in lazily (a VM that returns freed pages to its host took
 * ~12 µs per 4 KiB page on first touch: 30 ms for a 9.6 MB chunk of samples, 1 ms once warm).
 * So a request's arrays are valid until the next request is read; jobs run one at a time and
 * keep nothing from their params.
 */
export class BulkReader {
  private buffer = new ArrayBuffer(0);

  read<T>(packed: Packed<T>): T {
    return unpack(packed, (size) => {
      if (this.buffer.byteLength < size) this.buffer = new ArrayBuffer(size);
      return this.buffer;
    });
  }
}

/** The file each direction reuses in a runner's temp folder: 'in' to the runner, 'out' from it. */
export function bulkFile(dir: string, direction: 'in' | 'out'): string {
  return path.join(dir, `bulk-${direction}.bin`);
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function readAll(fd: number, into: Uint8Array): void {
  for (let done = 0; done < into.length;) {
    const n = fs.readSync(fd, into, done, into.length - done, done);
    if (n === 0) throw new Error(`bulk file ended after ${done} of ${into.length} bytes`);
    done += n;
  }
}
