/**
 * Protobuf wire-format walking and writing for the fuzzer, independent of src/core/onnx: finds every
 * field boundary (tag, length prefix, payload, end) so mutations can cut and corrupt exactly there.
 */

export interface WireField {
  /** Offset of the tag varint. */
  tag: number;
  fieldNo: number;
  wire: number;
  /** Offset of the length varint (wire type 2 only). */
  lenAt?: number;
  /** Payload [start, end). */
  start: number;
  end: number;
  depth: number;
}

function varint(b: Uint8Array, pos: number, end: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10 && pos < end; i++) {
    const byte = b[pos++]!;
    v += (byte & 0x7f) * mul;
    mul *= 128;
    if (!(byte & 0x80)) return [v, pos];
  }
  return undefined;
}

/**
 * Every field of the message in [start, end), recursing into length-delimited payloads that parse
 * cleanly as messages themselves (strings and packed arrays usually do not, and are left alone).
 */
export function walk(b: Uint8Array, start = 0, end = b.length, depth = 0, out: WireField[] = []): WireField[] {
  const mine = parseFlat(b, start, end, depth);
  if (!mine) return out;
  for (const f of mine) {
    out.push(f);
    if (f.wire === 2 && depth < 64 && f.end > f.start && parseFlat(b, f.start, f.end, depth + 1)) walk(b, f.start, f.end, depth + 1, out);
  }
  return out;
}

function parseFlat(b: Uint8Array, start: number, end: number, depth: number): WireField[] | undefined {
  const out: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const t = varint(b, pos, end);
    if (!t) return undefined;
    const [tagv, p1] = t;
    const fieldNo = Math.floor(tagv / 8);
    const wire = tagv % 8;
    if (fieldNo === 0) return undefined;
    let f: WireField;
    if (wire === 0) {
      const v = varint(b, p1, end);
      if (!v) return undefined;
      f = { tag: pos, fieldNo, wire, start: p1, end: v[1], depth };
    } else if (wire === 2) {
      const l = varint(b, p1, end);
      if (!l || l[1] + l[0] > end) return undefined;
      f = { tag: pos, fieldNo, wire, lenAt: p1, start: l[1], end: l[1] + l[0], depth };
    } else if (wire === 5 || wire === 1) {
      const n = wire === 5 ? 4 : 8;
      if (p1 + n > end) return undefined;
      f = { tag: pos, fieldNo, wire, start: p1, end: p1 + n, depth };
    } else {
      return undefined;
    }
    out.push(f);
    pos = f.end;
  }
  return out;
}

/** Every offset where a field begins or ends, or a payload begins: where truncation is most telling. */
export function boundaries(fields: readonly WireField[]): number[] {
  const s = new Set<number>();
  for (const f of fields) {
    s.add(f.tag);
    if (f.lenAt !== undefined) s.add(f.lenAt);
    s.add(f.start);
    s.add(f.end);
  }
  return [...s].sort((a, b) => a - b);
}

export function encodeVarint(v: bigint | number): Uint8Array {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? byte | 0x80 : byte);
  } while (x);
  return Uint8Array.from(out);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function tagBytes(fieldNo: number, wire: number): Uint8Array { return encodeVarint(fieldNo * 8 + wire); }
export function lenField(fieldNo: number, payload: Uint8Array): Uint8Array {
  return concat([tagBytes(fieldNo, 2), encodeVarint(payload.length), payload]);
}
export function varintField(fieldNo: number, v: bigint | number): Uint8Array {
  return concat([tagBytes(fieldNo, 0), encodeVarint(v)]);
}
export const utf8 = (s: string) => new TextEncoder().encode(s);
