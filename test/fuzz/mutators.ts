/**
 * Mutations of a seed model. Byte-level ones work on the encoded file through a wire-format walk
 * (bit flips, insertions, deletions, truncation at field boundaries, corrupted lengths); structural
 * ones edit a decoded copy and re-encode it (huge dims, cycles, duplicate names, unknown dtypes and
 * attribute types, hostile external-data references, deep nesting, very long graphs).
 */
import { decodeModel, encodeModel } from '../../src/core/onnx/codec';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../src/core/onnx/types';
import type { Rng } from './rng';
import type { Seed } from './corpus';
import { boundaries, concat, encodeVarint, lenField, utf8, varintField, walk, type WireField } from './wire';

/** Paths a mutation may point external data at (the worker lays these out on disk). */
export interface FuzzEnv {
  /** Absolute path of a file outside the model folder that must never be read. */
  secretAbs: string;
}

export type Mutator = (rng: Rng, seed: Seed, env: FuzzEnv) => Uint8Array;

// ---- byte level -------------------------------------------------------------------------------

const fieldsCache = new WeakMap<Uint8Array, WireField[]>();
function fieldsOf(b: Uint8Array): WireField[] {
  let f = fieldsCache.get(b);
  if (!f) { f = walk(b); fieldsCache.set(b, f); }
  return f;
}

const bitFlip: Mutator = (rng, s) => {
  const b = s.bytes.slice();
  for (let k = rng.int(1, 8); k > 0; k--) { const i = rng.int(0, b.length - 1); b[i]! ^= 1 << rng.int(0, 7); }
  return b;
};

const byteInsert: Mutator = (rng, s) => {
  // at a field boundary half the time: inserted bytes then read as a new tag
  const at = rng.chance(0.5) ? rng.pick(boundaries(fieldsOf(s.bytes))) : rng.int(0, s.bytes.length);
  return concat([s.bytes.subarray(0, at), rng.bytes(rng.int(1, 16)), s.bytes.subarray(at)]);
};

const byteDelete: Mutator = (rng, s) => {
  const at = rng.int(0, s.bytes.length - 1);
  return concat([s.bytes.subarray(0, at), s.bytes.subarray(Math.min(s.bytes.length, at + rng.int(1, 16)))]);
};

const truncateAtBoundary: Mutator = (rng, s) => {
  const cut = rng.pick(boundaries(fieldsOf(s.bytes))) + rng.pick([-1, 0, 0, 0, 1]);
  return s.bytes.slice(0, Math.max(0, Math.min(s.bytes.length, cut)));
};

/** Rewrites one length prefix: past the end, zero, off by one, or a 10-byte monster. */
const corruptLength: Mutator = (rng, s) => {
  const lens = fieldsOf(s.bytes).filter((f) => f.lenAt !== undefined);
  const f = rng.pick(lens);
  const len = f.end - f.start;
  const v = rng.pick<bigint>([0n, BigInt(len + 1), BigInt(Math.max(0, len - 1)), BigInt(len * 2 + 7), 2n ** 31n, 2n ** 32n + 5n, 2n ** 63n - 1n, 2n ** 64n - 1n]);
  return concat([s.bytes.subarray(0, f.lenAt!), encodeVarint(v), s.bytes.subarray(f.start)]);
};

/** Overwrites a varint value (not a length) with an edge value. */
const interestingVarint: Mutator = (rng, s) => {
  const vs = fieldsOf(s.bytes).filter((f) => f.wire === 0);
  const f = rng.pick(vs);
  const v = rng.pick<bigint>([0n, 1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n), 99n, 1000000n]);
  return concat([s.bytes.subarray(0, f.start), encodeVarint(v), s.bytes.subarray(f.end)]);
};

/** Repeats a whole field (tag + payload) in place: duplicate nodes, initializers, inputs, dims. */
const duplicateField: Mutator = (rng, s) => {
  const f = rng.pick(fieldsOf(s.bytes));
  const whole = s.bytes.subarray(f.tag, f.end);
  return concat([s.bytes.subarray(0, f.end), whole, s.bytes.subarray(f.end)]);
};

/** Changes a tag's wire type (a string read as a varint, a varint as a length prefix, ...). */
const wrongWireType: Mutator = (rng, s) => {
  const f = rng.pick(fieldsOf(s.bytes));
  const tag = encodeVarint(f.fieldNo * 8 + rng.pick([0, 1, 2, 3, 4, 5, 6, 7].filter((w) => w !== f.wire)));
  const tagEnd = f.lenAt ?? f.start;
  return concat([s.bytes.subarray(0, f.tag), tag, s.bytes.subarray(tagEnd)]);
};

/** Removes one whole field: a node's op_type, a graph's inputs, a tensor's data. */
const dropField: Mutator = (rng, s) => {
  const f = rng.pick(fieldsOf(s.bytes));
  // lengths of enclosing messages are now wrong, which is itself a test; fix them half the time
  const cut = concat([s.bytes.subarray(0, f.tag), s.bytes.subarray(f.end)]);
  return rng.chance(0.5) ? cut : structural((m) => removeFieldAt(m, rng))(rng, s, { secretAbs: '' }) ?? cut;
};

function removeFieldAt(m: ModelProto, rng: Rng): void {
  const g = m.graph!;
  const n = rng.pick(g.node);
  const key = rng.pick(['op_type', 'input', 'output', 'attribute', 'name'] as const);
  if (key === 'op_type' || key === 'name') delete n[key];
  else n[key] = [] as never;
}

// ---- structural: decode, edit, encode -----------------------------------------------------------

function structural(edit: (m: ModelProto, rng: Rng, env: FuzzEnv) => void): Mutator {
  return (rng, s, env) => {
    const m = decodeModel(s.bytes);
    edit(m, rng, env);
    return encodeModel(m);
  };
}

function allTensorsOf(g: GraphProto): TensorProto[] {
  const out: TensorProto[] = [...g.initializer];
  for (const n of g.node) for (const a of n.attribute) { if (a.t) out.push(a.t); out.push(...a.tensors); if (a.g) out.push(...allTensorsOf(a.g)); }
  return out;
}

function anyTensor(m: ModelProto, rng: Rng): TensorProto | undefined {
  const ts = allTensorsOf(m.graph!);
  return ts.length ? rng.pick(ts) : undefined;
}

/** Declared sizes far past anything allocatable: 10^12 elements, 2^62, overflowing products, negatives. */
const hugeDims = structural((m, rng) => {
  const choices: bigint[][] = [[10n ** 6n, 10n ** 6n], [10n ** 12n], [2n ** 62n], [2n ** 32n, 2n ** 32n], [-1n], [-(2n ** 63n)], [2n ** 63n - 1n, 2n],
    Array.from({ length: 64 }, () => 1024n), [0n, 10n ** 15n]];
  const dims = rng.pick(choices);
  if (rng.chance(0.7)) {
    const t = anyTensor(m, rng);
    if (t) { t.dims = dims; return; }
  }
  // or a graph input / output shape
  const vs = [...m.graph!.input, ...m.graph!.output];
  const v = rng.pick(vs);
  const shape = v.type?.tensor_type?.shape;
  if (shape) shape.dim = dims.map((d) => ({ dim_value: d }));
});

/** Feeds a node from its own output or from a later node's output. */
const cycle = structural((m, rng) => {
  const nodes = m.graph!.node.filter((n) => n.output.length > 0);
  if (nodes.length === 0) return;
  const i = rng.int(0, nodes.length - 1);
  const j = rng.int(i, nodes.length - 1);
  const target = nodes[i]!;
  const k = target.input.length ? rng.int(0, target.input.length - 1) : 0;
  target.input[k] = nodes[j]!.output[0]!;
});

const duplicateNames = structural((m, rng) => {
  const g = m.graph!;
  const a = rng.pick(g.node);
  const b = rng.pick(g.node);
  switch (rng.int(0, 3)) {
    case 0: b.name = a.name ?? 'dup'; a.name = b.name; break;
    case 1: if (a.output[0] !== undefined) b.output[0] = a.output[0]; break;
    case 2: if (g.initializer.length) g.initializer.push(structuredClone(rng.pick(g.initializer))); break;
    default: if (g.initializer.length && a.output[0] !== undefined) a.output[0] = rng.pick(g.initializer).name ?? ''; break;
  }
});

const unknownDtype = structural((m, rng) => {
  const dt = rng.pick([0, 8, 14, 15, 25, 26, 27, 99, 2 ** 31 - 1, -1]);
  if (rng.chance(0.6)) {
    const t = anyTensor(m, rng);
    if (t) { t.data_type = dt; return; }
  }
  const v = rng.pick([...m.graph!.input, ...m.graph!.output]);
  if (v.type?.tensor_type) v.type.tensor_type.elem_type = dt;
});

const unknownAttributeType = structural((m, rng) => {
  const withAttrs = m.graph!.node.filter((n) => n.attribute.length);
  const n = withAttrs.length ? rng.pick(withAttrs) : rng.pick(m.graph!.node);
  const a = n.attribute.length ? rng.pick(n.attribute) : undefined;
  if (a && rng.chance(0.5)) {
    a.type = rng.pick([0, 15, 99, 2 ** 31 - 1, -3]);
    // and sometimes the value in the wrong slot
    if (rng.chance(0.5)) { delete a.i; a.ints = []; a.floats = []; a.s = utf8('not an int'); }
    return;
  }
  n.attribute.push({ name: rng.pick(['strides', 'pads', 'kernel_shape', 'axis', 'perm', 'mystery']), type: rng.pick([1, 2, 3, 4, 5, 7, 42]),
    floats: [], ints: rng.chance(0.5) ? [0n, -1n, 2n ** 40n] : [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [],
    ...(rng.chance(0.3) ? { i: 0n } : {}) });
});

/** Hostile or broken external-data references. */
const externalData = structural((m, rng, env) => {
  const t = anyTensor(m, rng);
  if (!t) return;
  const location = rng.pick(['../secret.bin', env.secretAbs, 'sub/../../secret.bin', 'link.bin', 'linkdir/secret.bin', './../secret.bin',
    '', 'missing.bin', 'weights.bin\0.txt', '..', '.', 'C:\\Windows\\win.ini', '\\\\server\\share\\x', 'weights.bin', 'pipe.bin', 'emptydir', 'linkdir', 'sub/../weights.bin']);
  const offset = rng.pick(['0', '0', '-1', '1e3', 'abc', String(2 ** 53), '18446744073709551615', '', ' 4']);
  const length = rng.pick([undefined, '0', '4', '-5', String(2 ** 40), 'NaN']);
  t.data_location = 1;
  if (rng.chance(0.5)) delete t.raw_data;
  t.external_data = [
    ...(rng.chance(0.9) ? [{ key: 'location', value: location }] : []),
    { key: 'offset', value: offset },
    ...(length !== undefined ? [{ key: 'length', value: length }] : []),
  ];
});

/** Typed-data fields that disagree with the declared dtype and dims. */
const tensorDataMismatch = structural((m, rng) => {
  const t = anyTensor(m, rng);
  if (!t) return;
  switch (rng.int(0, 4)) {
    case 0: delete t.raw_data; t.float_data = [1, 2, 3]; break;
    case 1: delete t.raw_data; t.int64_data = [2n ** 63n - 1n, -1n]; t.data_type = rng.pick([1, 7, 6, 13]); break;
    case 2: t.raw_data = (t.raw_data ?? new Uint8Array(0)).subarray(0, Math.max(0, (t.raw_data?.length ?? 0) - 1)); break;
    case 3: delete t.raw_data; t.int32_data = [300, -300]; t.data_type = rng.pick([2, 3, 4, 9, 10, 21, 22]); break;
    default: t.string_data = [utf8('x')]; t.data_type = 8; break;
  }
});

/** Edge values in the attributes shape inference reads (strides 0, negative pads, empty perm, ...). */
const attributeValues = structural((m, rng) => {
  const n = rng.pick(m.graph!.node);
  const name = rng.pick(['strides', 'pads', 'kernel_shape', 'dilations', 'perm', 'axis', 'axes', 'group', 'transA', 'transB', 'keepdims']);
  const ints = rng.pick<bigint[]>([[], [0n], [0n, 0n], [-1n, -1n, -1n, -1n], [2n ** 40n], [99n], [-(2n ** 63n)], [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]]);
  n.attribute = n.attribute.filter((a) => a.name !== name);
  n.attribute.push(ints.length === 1 && rng.chance(0.5)
    ? { name, type: 2, i: ints[0]!, floats: [], ints: [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] }
    : { name, type: 7, floats: [], ints, strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] });
});

/** Names that point nowhere, empty op types, outputs nothing produces. */
const danglingRefs = structural((m, rng) => {
  const g = m.graph!;
  const n = rng.pick(g.node);
  switch (rng.int(0, 4)) {
    case 0: n.input.push('nowhere'); break;
    case 1: n.op_type = ''; break;
    case 2: g.output.push({ name: 'ghost' }); break;
    case 3: g.node = []; break;
    default: g.input = []; break;
  }
});

/** Tens of thousands of nodes, in a chain or all side by side: quadratic passes show up as hangs. */
const longGraph = structural((m, rng) => {
  const g = m.graph!;
  const len = rng.pick([2000, 5000, 20000]);
  const wide = rng.chance(0.5);
  const first = g.input[0]?.name ?? 'x';
  let prev = first;
  const nodes: NodeProto[] = [];
  for (let i = 0; i < len; i++) {
    nodes.push({ op_type: 'Identity', name: `id_${i}`, input: [prev], output: [`id_${i}_out`], attribute: [] });
    if (wide) g.output.push({ name: `id_${i}_out` }); else prev = `id_${i}_out`;
  }
  g.node.push(...nodes);
  if (!wide) g.output.push({ name: prev });
});

// ---- deep nesting, written straight as bytes (our own encoder would recurse as deep) -----------

/** Graph → If node → then_branch attribute → Graph ... `depth` levels, then a leaf graph. */
function nestedGraphBytes(depth: number): Uint8Array {
  let inner = lenField(2, utf8('leaf'));
  // innermost first: each level wraps the previous graph in attribute → node → graph
  const parts: Uint8Array[] = [];
  let size = inner.length;
  for (let d = 0; d < depth; d++) {
    // AttributeProto: name(1), type(20)=GRAPH, g(6)
    const attrHead = concat([lenField(1, utf8('then_branch')), varintField(20, 5), concat([Uint8Array.of(6 << 3 | 2), encodeVarint(size)])]);
    const attrSize = attrHead.length + size;
    // NodeProto: op_type(4), attribute(5)
    const nodeHead = concat([lenField(4, utf8('If')), concat([Uint8Array.of(5 << 3 | 2), encodeVarint(attrSize)])]);
    const nodeSize = nodeHead.length + attrSize;
    // GraphProto: node(1)
    const graphHead = concat([Uint8Array.of(1 << 3 | 2), encodeVarint(nodeSize)]);
    parts.push(attrHead, nodeHead, graphHead);
    size = graphHead.length + nodeSize;
  }
  parts.reverse();
  inner = concat([...parts, inner]);
  return inner;
}

const deepNesting: Mutator = (rng) => {
  const depth = rng.pick([8, 50, 200, 1000, 5000, 20000]);
  const graph = nestedGraphBytes(depth);
  // ModelProto: ir_version(1)=8, opset_import(8){version(2)=13}, graph(7)
  return concat([varintField(1, 8), lenField(8, varintField(2, 13)), lenField(7, graph)]);
};

/** sequence<sequence<...<float>>> as a graph input's type, nested `depth` deep. */
const deepType: Mutator = (rng, s) => {
  const depth = rng.pick([10, 500, 5000, 30000]);
  let type = lenField(1, varintField(1, 1)); // TypeProto.tensor_type { elem_type: FLOAT }
  for (let d = 0; d < depth; d++) type = lenField(4, lenField(1, type)); // sequence_type { elem_type: ... }
  const input = lenField(11, concat([lenField(1, utf8('deep')), lenField(2, type)]));
  // appended graph fields merge into the model's graph (protobuf merge semantics)
  return concat([s.bytes, lenField(7, input)]);
};

// ---- the table ---------------------------------------------------------------------------------

export const MUTATORS: Record<string, { weight: number; fn: Mutator }> = {
  bitFlip: { weight: 12, fn: bitFlip },
  byteInsert: { weight: 8, fn: byteInsert },
  byteDelete: { weight: 8, fn: byteDelete },
  truncateAtBoundary: { weight: 12, fn: truncateAtBoundary },
  corruptLength: { weight: 10, fn: corruptLength },
  interestingVarint: { weight: 8, fn: interestingVarint },
  duplicateField: { weight: 5, fn: duplicateField },
  wrongWireType: { weight: 5, fn: wrongWireType },
  dropField: { weight: 4, fn: dropField },
  hugeDims: { weight: 8, fn: hugeDims },
  cycle: { weight: 5, fn: cycle },
  duplicateNames: { weight: 5, fn: duplicateNames },
  unknownDtype: { weight: 5, fn: unknownDtype },
  unknownAttributeType: { weight: 5, fn: unknownAttributeType },
  externalData: { weight: 8, fn: externalData },
  tensorDataMismatch: { weight: 5, fn: tensorDataMismatch },
  attributeValues: { weight: 6, fn: attributeValues },
  danglingRefs: { weight: 4, fn: danglingRefs },
  longGraph: { weight: 1, fn: longGraph },
  deepNesting: { weight: 2, fn: deepNesting },
  deepType: { weight: 2, fn: deepType },
};

export function pickMutator(rng: Rng): string {
  const entries = Object.entries(MUTATORS);
  let r = rng.next() * entries.reduce((n, [, m]) => n + m.weight, 0);
  for (const [name, m] of entries) { r -= m.weight; if (r < 0) return name; }
  return entries[entries.length - 1]![0];
}
