/**
 * An independent, minimal protobuf wire-format scanner used by tests to check our decoder's
 * reading of real files (it shares no code with src/core/onnx).
 */
export interface Field { no: number; wire: number; start: number; end: number; value?: bigint }

export function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const byte = b[pos++]!;
    v |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [v, pos];
    shift += 7n;
  }
}

export function fields(b: Uint8Array, start = 0, end = b.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const [tag, p1] = readVarint(b, pos);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) { const [v, p2] = readVarint(b, p1); out.push({ no, wire, start: p1, end: p2, value: v }); pos = p2; }
    else if (wire === 2) { const [len, p2] = readVarint(b, p1); out.push({ no, wire, start: p2, end: p2 + Number(len) }); pos = p2 + Number(len); }
    else if (wire === 5) { out.push({ no, wire, start: p1, end: p1 + 4 }); pos = p1 + 4; }
    else if (wire === 1) { out.push({ no, wire, start: p1, end: p1 + 8 }); pos = p1 + 8; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

export function sub(b: Uint8Array, f: Field, no: number): Field[] {
  return fields(b, f.start, f.end).filter((x) => x.no === no);
}

export function str(b: Uint8Array, f: Field): string {
  return new TextDecoder().decode(b.subarray(f.start, f.end));
}

/** Node count and op-type histogram of the top-level graph, read straight from the bytes. */
export function wireSummary(b: Uint8Array): { nodes: number; ops: Record<string, number>; initializers: number; parameterElements: number } {
  const graph = fields(b).find((f) => f.no === 7)!;
  const gf = fields(b, graph.start, graph.end);
  const ops: Record<string, number> = {};
  let nodes = 0;
  let parameterElements = 0;
  for (const n of gf.filter((f) => f.no === 1)) {
    nodes++;
    const nf = fields(b, n.start, n.end);
    const op = str(b, nf.find((f) => f.no === 4)!);
    const dom = nf.find((f) => f.no === 7);
    const key = dom && str(b, dom) && str(b, dom) !== 'ai.onnx' ? `${str(b, dom)}.${op}` : op;
    ops[key] = (ops[key] ?? 0) + 1;
    if (op === 'Constant') {
      for (const a of nf.filter((f) => f.no === 5)) {
        const t = sub(b, a, 5)[0];
        if (t) parameterElements += parameterCount(b, t);
      }
    }
  }
  const inits = gf.filter((f) => f.no === 5);
  for (const t of inits) parameterElements += parameterCount(b, t);
  return { nodes, ops, initializers: inits.length, parameterElements };
}

function parameterCount(b: Uint8Array, t: Field): number {
  const tf = fields(b, t.start, t.end);
  const dt = Number(tf.find((f) => f.no === 2)?.value ?? 0n);
  // floats, and the 8/4-bit integers quantized weights are stored in (int64/int32 are shapes and indices)
  if (![1, 10, 11, 16, 2, 3, 21, 22].includes(dt)) return 0;
  let n = 1;
  for (const d of tf.filter((f) => f.no === 1)) {
    if (d.wire === 0) n *= Number(d.value);
    else { let p = d.start; while (p < d.end) { const [v, q] = readVarint(b, p); n *= Number(v); p = q; } }
  }
  return n;
}
