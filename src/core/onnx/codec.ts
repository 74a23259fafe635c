/**
 * ModelProto <-> bytes, through protobufjs reflection over our pinned schema (onnx.proto).
 * The one adapter between protobufjs and our plain objects lives here: int64 as bigint, bytes
 * copied out of the file buffer (protobufjs hands out unaligned views), proto2 presence kept.
 */
import protobuf from 'protobufjs';
import { AdvisorError } from '../errors';
import { onnxSchema } from './onnx-schema.generated';
import type { ModelProto } from './types';

const root = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace);
const modelType = root.lookupType('onnx.ModelProto');

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
type FieldKind = 'long' | 'ulong' | 'bytes' | 'message' | 'plain';
interface FieldPlan { name: string; kind: FieldKind; repeated: boolean; type?: protobuf.Type }
const plans = new Map<protobuf.Type, FieldPlan[]>();

function planOf(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = type.fieldsArray.map((f) => {
    f.resolve();
    const rt = f.resolvedType;
    let kind: FieldKind = 'plain';
    if (rt instanceof protobuf.Type) kind = 'message';
    else if (LONG_TYPES.has(f.type)) kind = f.type.startsWith('u') || f.type === 'fixed64' ? 'ulong' : 'long';
    else if (f.type === 'bytes') kind = 'bytes';
    return { name: f.name, kind, repeated: f.repeated, ...(rt instanceof protobuf.Type ? { type: rt } : {}) };
  });
  plans.set(type, plan);
  return plan;
}

interface LongLike { low: number; high: number }

function longToBigint(v: unknown, unsigned: boolean): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  const l = v as LongLike;
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned ? u : BigInt.asIntN(64, u);
}

function bigintToLong(v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  const u = BigInt.asUintN(64, v);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: false };
}

function decodeValue(v: unknown, p: FieldPlan): unknown {
  switch (p.kind) {
    case 'long': return longToBigint(v, false);
    case 'ulong': return longToBigint(v, true);
    case 'bytes': return new Uint8Array(v as Uint8Array); // aligned copy, detached from the file buffer
    case 'message': return toPlain(v as Record<string, unknown>, p.type!);
    default: return v;
  }
}

function toPlain(msg: Record<string, unknown>, type: protobuf.Type): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of planOf(type)) {
    if (p.repeated) {
      const arr = (msg[p.name] as unknown[] | undefined) ?? [];
      out[p.name] = p.kind === 'plain' ? arr : arr.map((x) => decodeValue(x, p));
    } else if (Object.prototype.hasOwnProperty.call(msg, p.name) && msg[p.name] != null) {
      out[p.name] = decodeValue(msg[p.name], p);
    }
  }
  return out;
}

function toWire(obj: Record<string, unknown>, type: protobuf.Type): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of planOf(type)) {
    const v = obj[p.name];
    if (v == null) continue;
    const conv = (x: unknown) =>
      p.kind === 'message' ? toWire(x as Record<string, unknown>, p.type!) : p.kind === 'long' || p.kind === 'ulong' ? bigintToLong(x) : x;
    out[p.name] = p.repeated ? (p.kind === 'plain' || p.kind === 'bytes' ? v : (v as unknown[]).map(conv)) : conv(v);
  }
  return out;
}

/** Protobuf decode errors, translated into what a user can act on. */
function decodeError(e: unknown, size: number, file?: string): AdvisorError {
  const msg = e instanceof Error ? e.message : String(e);
  const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(msg);
  if (range) {
    const at = Number(range[1]);
    const need = Number(range[2]);
    return new AdvisorError('input', `truncated at byte ${size}: a field at byte ${at} needs ${need} bytes (file cut short or a length field points past the end)`, file);
  }
  if (/index out of range/.test(msg)) {
    return new AdvisorError('input', `truncated at byte ${size}: the file ends inside a field`, file);
  }
  const wire = /invalid wire type (\d+) at offset (\d+)/.exec(msg);
  if (wire) return new AdvisorError('input', `not an ONNX model (invalid protobuf wire type ${wire[1]} at byte ${wire[2]})`, file);
  if (e instanceof RangeError && /call stack/.test(msg)) {
    return new AdvisorError('input', 'not an ONNX model (nesting too deep)', file);
  }
  return new AdvisorError('input', `not an ONNX model (${msg})`, file);
}

/** Expected wire type of each ModelProto field, to sniff the first tag the way Netron does. */
function expectedWire(f: protobuf.Field): number {
  if (f.repeated || f.resolvedType instanceof protobuf.Type || f.type === 'string' || f.type === 'bytes') return 2;
  return 0; // every scalar ModelProto field is a varint (int64 ir_version, model_version)
}

/** True when the first tag is a known ModelProto field with the right wire type. */
function looksLikeModel(bytes: Uint8Array): boolean {
  let tag = 0;
  let shift = 0;
  for (let i = 0; i < Math.min(bytes.length, 5); i++) {
    tag |= (bytes[i]! & 0x7f) << shift;
    if (!(bytes[i]! & 0x80)) {
      const f = modelType.fieldsById[tag >>> 3];
      if (!f) return false;
      f.resolve();
      return expectedWire(f) === (tag & 7);
    }
    shift += 7;
  }
  return false;
}

/** Decodes a serialized ModelProto. `file` only names the source in errors. */
export function decodeModel(bytes: Uint8Array, file?: string): ModelProto {
  if (bytes.length === 0) throw new AdvisorError('input', 'not an ONNX model (empty file)', file);
  if (!looksLikeModel(bytes)) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new AdvisorError('input', `not an ONNX model (starts with bytes ${head})`, file);
  }
  let msg: protobuf.Message;
  try {
    msg = modelType.decode(bytes);
  } catch (e) {
    throw decodeError(e, bytes.length, file);
  }
  const model = toPlain(msg as unknown as Record<string, unknown>, modelType) as unknown as ModelProto;
  if (!model.graph) throw new AdvisorError('input', 'not an ONNX model (no graph)', file);
  if (model.ir_version === undefined || model.ir_version <= 0n) {
    throw new AdvisorError('input', 'not an ONNX model (no IR version)', file);
  }
  return model;
}

/** Encodes a ModelProto. Throws `unsupported` past protobuf's 2 GB message limit. */
export function encodeModel(model: ModelProto): Uint8Array {
  const wire = toWire(model as unknown as Record<string, unknown>, modelType);
  try {
    return modelType.encode(wire).finish();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new AdvisorError('unsupported', 'model is larger than the 2 GB protobuf limit: store its weights as external data');
    }
    throw e;
  }
}
