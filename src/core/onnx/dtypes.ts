/** TensorProto.DataType numbers, their onnx-style names and storage sizes. */

export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
  FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22,
  FLOAT4E2M1: 23, FLOAT8E8M0: 24, UINT2: 25, INT2: 26,
} as const;

interface DtypeInfo { name: string; bits: number; float: boolean }

const INFO: Record<number, DtypeInfo> = {
  1: { name: 'float32', bits: 32, float: true },
  2: { name: 'uint8', bits: 8, float: false },
  3: { name: 'int8', bits: 8, float: false },
  4: { name: 'uint16', bits: 16, float: false },
  5: { name: 'int16', bits: 16, float: false },
  6: { name: 'int32', bits: 32, float: false },
  7: { name: 'int64', bits: 64, float: false },
  8: { name: 'string', bits: 0, float: false },
  9: { name: 'bool', bits: 8, float: false },
  10: { name: 'float16', bits: 16, float: true },
  11: { name: 'float64', bits: 64, float: true },
  12: { name: 'uint32', bits: 32, float: false },
  13: { name: 'uint64', bits: 64, float: false },
  14: { name: 'complex64', bits: 64, float: false },
  15: { name: 'complex128', bits: 128, float: false },
  16: { name: 'bfloat16', bits: 16, float: true },
  17: { name: 'float8e4m3fn', bits: 8, float: true },
  18: { name: 'float8e4m3fnuz', bits: 8, float: true },
  19: { name: 'float8e5m2', bits: 8, float: true },
  20: { name: 'float8e5m2fnuz', bits: 8, float: true },
  21: { name: 'uint4', bits: 4, float: false },
  22: { name: 'int4', bits: 4, float: false },
  23: { name: 'float4e2m1', bits: 4, float: true },
  24: { name: 'float8e8m0', bits: 8, float: true },
  25: { name: 'uint2', bits: 2, float: false },
  26: { name: 'int2', bits: 2, float: false },
};

export function dtypeName(t: number | undefined): string {
  return (t !== undefined && INFO[t]?.name) || `unknown(${t ?? 'none'})`;
}

export function dtypeFromName(name: string): number | undefined {
  for (const [k, v] of Object.entries(INFO)) if (v.name === name) return Number(k);
  return undefined;
}

export function isKnownDtype(t: number | undefined): boolean {
  return t !== undefined && INFO[t] !== undefined;
}

export function isFloatDtype(t: number | undefined): boolean {
  return t !== undefined && (INFO[t]?.float ?? false);
}

/** Bits per element (4-bit types pack two per byte); 0 for strings. */
export function dtypeBits(t: number | undefined): number {
  return (t !== undefined && INFO[t]?.bits) || 0;
}

/** Bytes needed to store `count` elements of type t. */
export function byteLength(t: number | undefined, count: number): number {
  return Math.ceil((count * dtypeBits(t)) / 8);
}
