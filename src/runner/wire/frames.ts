/**
 * The runner's wire format: one frame per protocol message, over any byte stream (a local child's
 * pipes, an SSH channel's stdio). JSON carries the structure and typed arrays travel as raw bytes
 * after it, so a 600 KB image sample costs a memcpy, not a JSON number list.
 *
 *   frame  = MAGIC "EAW1" | u32 LE header bytes | u32 LE body bytes | header | body
 *   header = UTF-8 JSON of the message; a typed array becomes {"$t": [view, offset, length]} into
 *            the body, a non-finite number {"$n": "NaN" | "Infinity" | "-Infinity"}, a bigint {"$b": "…"}
 *   body   = the typed arrays' bytes, each at an 8-byte aligned offset
 *
 * Why not v8.serialize: a device may run an older Node whose V8 cannot read a newer V8's format;
 * this format is plain JSON + bytes on every Node ≥ 18, little-endian hosts (every platform we ship).
 * Bytes outside a frame (a login script printing to stdout, say) are handed to `onStray`, and the
 * decoder resynchronises on the next MAGIC, so a chatty shell cannot corrupt a message.
 */

export const MAGIC = Buffer.from('EAW1', 'latin1');
const HEADER = 12;
const ALIGN = 8;
/** A frame larger than this is refused (a corrupt length field must not allocate gigabytes). */
export const MAX_FRAME_BYTES = 4 * 2 ** 30;

const VIEWS = {
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array,
} as const;
type ViewName = keyof typeof VIEWS;

function viewName(v: ArrayBufferView): ViewName | undefined {
  const name = v.constructor.name as ViewName;
  return VIEWS[name] && v instanceof VIEWS[name] ? name : undefined;
}

/** Encodes one message as a frame (a list of buffers, written back to back). */
export function encodeFrame(message: unknown): Buffer[] {
  const parts: ArrayBufferView[] = [];
  let size = 0;
  const header = JSON.stringify(message, function replacer(this: unknown, key: string, value: unknown) {
    // JSON.stringify has already turned typed arrays into objects by the time `value` arrives; read the holder
    const raw = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(raw)) {
      const view = viewName(raw);
      if (!view) throw new TypeError(`cannot send a ${raw.constructor.name}`);
      const offset = size;
      parts.push(raw);
      size = Math.ceil((offset + raw.byteLength) / ALIGN) * ALIGN;
      return { $t: [view, offset, raw.byteLength / VIEWS[view].BYTES_PER_ELEMENT] };
    }
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { $n: String(raw) };
    if (typeof raw === 'bigint') return { $b: raw.toString() };
    return value;
  }) ?? 'null';
  const head = Buffer.from(header, 'utf8');
  const prefix = Buffer.alloc(HEADER);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(head.byteLength, 4);
  prefix.writeUInt32LE(size, 8);
  const body = Buffer.alloc(size);
  let at = 0;
  for (const p of parts) {
    body.set(new Uint8Array(p.buffer as ArrayBuffer, p.byteOffset, p.byteLength), at);
    at = Math.ceil((at + p.byteLength) / ALIGN) * ALIGN;
  }
  return size > 0 ? [prefix, head, body] : [prefix, head];
}

function decodeHeader(json: string, body: Uint8Array): unknown {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const v = value as { $t?: [ViewName, number, number]; $n?: string; $b?: string };
    if (v.$t) {
      const [name, offset, length] = v.$t;
      const View = VIEWS[name];
      if (!View) throw new Error(`unknown array type ${String(name)}`);
      return new View(body.buffer as ArrayBuffer, body.byteOffset + offset, length);
    }
    if (v.$n !== undefined) return Number(v.$n);
    if (v.$b !== undefined) return BigInt(v.$b);
    return value;
  });
}

/**
 * Reassembles frames from chunks of a byte stream. Each decoded message's arrays are views on one
 * fresh buffer per frame (aligned, so every view type is valid).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onStray: (bytes: Buffer) => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    for (;;) {
      if (this.buffered < HEADER) return;
      const head = this.peek(HEADER);
      const at = head.indexOf(MAGIC);
      if (at !== 0) {
        // not at a frame start: everything before the next possible MAGIC is stray output
        const all = this.take(this.buffered);
        const next = all.indexOf(MAGIC);
        const keepFrom = next >= 0 ? next : Math.max(0, all.byteLength - (MAGIC.byteLength - 1));
        if (keepFrom > 0) this.onStray(all.subarray(0, keepFrom));
        this.unshift(all.subarray(keepFrom));
        if (next < 0) return;
        continue;
      }
      const headerBytes = head.readUInt32LE(4);
      const bodyBytes = head.readUInt32LE(8);
      if (HEADER + headerBytes + bodyBytes > MAX_FRAME_BYTES) throw new Error(`a frame of ${headerBytes + bodyBytes} bytes is too large`);
      if (this.buffered < HEADER + headerBytes + bodyBytes) return;
      this.skip(HEADER);
      const json = this.take(headerBytes).toString('utf8');
      // a fresh ArrayBuffer: offset 0, so every typed-array view on it is aligned
      const body = new Uint8Array(new ArrayBuffer(bodyBytes));
      this.copyInto(body);
      this.onMessage(decodeHeader(json, body));
    }
  }

  /** Bytes received but not yet part of a complete frame (a stream that ends mid-frame leaves some). */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.byteLength < n) this.unshift(this.take(n));
    return this.chunks[0]!.subarray(0, n);
  }

  /** Removes and returns the first `n` bytes, copying only the chunks they span. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    this.copyInto(out);
    return out;
  }

  private skip(n: number): void {
    this.take(n);
  }

  private unshift(b: Buffer): void {
    if (b.byteLength === 0) return;
    this.chunks.unshift(b);
    this.buffered += b.byteLength;
  }

  private copyInto(target: Uint8Array): void {
    let at = 0;
    while (at < target.byteLength) {
      const c = this.chunks[0]!;
      const n = Math.min(c.byteLength, target.byteLength - at);
      target.set(c.subarray(0, n), at);
      at += n;
      if (n === c.byteLength) this.chunks.shift();
      else this.chunks[0] = c.subarray(n);
      this.buffered -= n;
    }
  }
}
