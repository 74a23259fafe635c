/**
 * Tensors as plain data: what crosses the runner boundary (structured clone carries the typed
 * arrays) and what core passes read and write. A leaf module: it imports nothing.
 */
/** Element types a tensor can carry across the process boundary. */
export type TensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

export type TensorArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface TensorData {
  type: TensorType;
  dims: number[];
  data: TensorArray;
}

/** One model input (or output) by name. */
export type Feeds = Record<string, TensorData>;

/** Bytes of a sample's (or a run's) tensors. */
export function feedsBytes(f: Feeds): number {
  return Object.values(f).reduce((sum, t) => sum + t.data.byteLength, 0);
}
