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
 *
 * Fresh memory is slow to fault in on the VMs we measured (0.8 ms per MB, far worse under load), so
 * bytes are copied as little as possible: the encoder sends views of the arrays themselves, and the
 * decoder copies each incoming chunk straight into the frame's body (no chunk is kept), into memory
 * its caller may reuse from one frame to the next (`allocBody`).
 */

export const MAGIC = Buffer.from('EAW1', 'latin1');
const PREFIX = 12;
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

const PAD = Buffer.alloc(ALIGN);

/**
 * Encodes one message as a frame: a list of buffers to write back to back. The body parts are views
 * of the message's own typed arrays (no copy): do not change them until the frame is written.
 */
export function encodeFrame(message: unknown): Buffer[] {
  const body: Buffer[] = [];
  let size = 0;
  const header = JSON.stringify(message, function replacer(this: unknown, key: string, value: unknown) {
    // JSON.stringify has already turned typed arrays into objects by the time `value` arrives; read the holder
    const raw = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(raw)) {
      const view = viewName(raw);
      if (!view) throw new TypeError(`cannot send a ${raw.constructor.name}`);
      const offset = size;
      body.push(Buffer.from(raw.buffer as ArrayBuffer, raw.byteOffset, raw.byteLength));
      size += raw.byteLength;
      const pad = (ALIGN - (size % ALIGN)) % ALIGN;
      if (pad) { body.push(PAD.subarray(0, pad)); size += pad; }
      return { $t: [view, offset, raw.byteLength / VIEWS[view].BYTES_PER_ELEMENT] };
    }
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { $n: String(raw) };
    if (typeof raw === 'bigint') return { $b: raw.toString() };
    return value;
  }) ?? 'null';
  const head = Buffer.from(header, 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(head.byteLength, 4);
  prefix.writeUInt32LE(size, 8);
  return [prefix, head, ...body];
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

/** Fresh, zero-offset memory for a body: every typed-array view on it is aligned. */
export const freshBody = (bytes: number): Uint8Array => new Uint8Array(new ArrayBuffer(bytes));

/**
 * One reused body buffer, grown as needed: for a reader that is done with a message's arrays
 * before the next message arrives (the runner handles one request at a time).
 */
export function reusedBody(): (bytes: number) => Uint8Array {
  let buf = new Uint8Array(0);
  return (bytes) => {
    if (buf.byteLength < bytes) buf = new Uint8Array(new ArrayBuffer(Math.max(bytes, Math.floor(buf.byteLength * 1.5))));
    return buf.subarray(0, bytes);
  };
}

/** Reassembles frames from chunks of a byte stream. */
export class FrameDecoder {
  /** Bytes of the prefix and header of the frame being read (small). */
  private head = Buffer.alloc(0);
  private frame?: { headerBytes: number; json?: string; body?: Uint8Array; filled: number; bodyBytes: number };

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onStray: (bytes: Buffer) => void = () => undefined,
    private readonly allocBody: (bytes: number) => Uint8Array = freshBody,
  ) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.byteLength) {
      const f = this.frame;
      if (f?.body) {
        // the body: copied straight from the chunk, nothing kept
        const n = Math.min(chunk.byteLength - at, f.bodyBytes - f.filled);
        f.body.set(chunk.subarray(at, at + n), f.filled);
        f.filled += n;
        at += n;
        if (f.filled === f.bodyBytes) this.finish();
        continue;
      }
      // prefix and header: gathered until complete
      const want = f ? PREFIX + f.headerBytes : PREFIX;
      const n = Math.min(chunk.byteLength - at, want - this.head.byteLength);
      this.head = Buffer.concat([this.head, chunk.subarray(at, at + n)]);
      at += n;
      if (this.head.byteLength < want) continue;
      if (!f) { this.startFrame(); continue; }
      f.json = this.head.subarray(PREFIX).toString('utf8');
      f.body = this.allocBody(f.bodyBytes);
      if (f.bodyBytes === 0) this.finish();
    }
  }

  /** Bytes received but not yet part of a complete frame (a stream that ends mid-frame leaves some). */
  get pending(): number {
    return this.head.byteLength + (this.frame?.filled ?? 0);
  }

  /** The 12 prefix bytes are in: a frame starts here, or they are stray output to skip past. */
  private startFrame(): void {
    const i = this.head.indexOf(MAGIC);
    if (i !== 0) {
      // keep from the next possible MAGIC (a partial one at the end included); the rest is stray
      const from = i > 0 ? i : this.partialMagicAt(this.head);
      this.onStray(this.head.subarray(0, from));
      this.head = this.head.subarray(from);
      return;
    }
    const headerBytes = this.head.readUInt32LE(4);
    const bodyBytes = this.head.readUInt32LE(8);
    if (PREFIX + headerBytes + bodyBytes > MAX_FRAME_BYTES) throw new Error(`a frame of ${headerBytes + bodyBytes} bytes is too large`);
    this.frame = { headerBytes, bodyBytes, filled: 0 };
  }

  private partialMagicAt(b: Buffer): number {
    for (let k = Math.max(1, b.byteLength - MAGIC.byteLength + 1); k < b.byteLength; k++) {
      if (MAGIC.subarray(0, b.byteLength - k).equals(b.subarray(k))) return k;
    }
    return b.byteLength;
  }

  private finish(): void {
    const f = this.frame!;
    this.frame = undefined;
    this.head = Buffer.alloc(0);
    this.onMessage(decodeHeader(f.json!, f.body!));
  }
}
