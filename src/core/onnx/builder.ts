/**
 * A small ONNX model builder: used by the test fixtures and by passes that emit new graphs.
 *
 *   const b = new ModelBuilder({ opset: 13 });
 *   const x = b.input('x', DataType.FLOAT, [1, 3, 32, 32]);
 *   const w = b.initializer('w', DataType.FLOAT, [8, 3, 3, 3], b.random(8 * 27));
 *   const y = b.node('Conv', [x, w], { pads: [1, 1, 1, 1] });
 *   b.output(y, DataType.FLOAT);
 *   const model = b.build();
 */
import { seededRandom } from '../stats/bootstrap';
import { DataType } from './dtypes';
import { makeTensor, type TypedArray } from './tensor';
import { AttributeType, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type TypeProto, type ValueInfoProto } from './types';

/** Forces a FLOAT attribute (plain integers become INT). */
export class FloatAttr { constructor(readonly value: number) {} }
export const float = (v: number) => new FloatAttr(v);
export class FloatsAttr { constructor(readonly value: number[]) {} }
export const floats = (v: number[]) => new FloatsAttr(v);

export type AttrValue = number | FloatAttr | FloatsAttr | number[] | string | TensorProto | GraphProto | string[];

export type Dim = number | string;

export function tensorType(elemType: number, shape?: readonly Dim[]): TypeProto {
  return {
    tensor_type: {
      elem_type: elemType,
      ...(shape ? { shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: BigInt(d) } : { dim_param: d })) } } : {}),
    },
  };
}

export function valueInfo(name: string, elemType?: number, shape?: readonly Dim[]): ValueInfoProto {
  return elemType === undefined ? { name } : { name, type: tensorType(elemType, shape) };
}

export function makeAttribute(name: string, v: AttrValue): AttributeProto {
  const a: AttributeProto = { name, floats: [], ints: [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] };
  if (v instanceof FloatAttr) return { ...a, type: AttributeType.FLOAT, f: v.value };
  if (v instanceof FloatsAttr) return { ...a, type: AttributeType.FLOATS, floats: v.value };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { ...a, type: AttributeType.INT, i: BigInt(v) } : { ...a, type: AttributeType.FLOAT, f: v };
  }
  if (typeof v === 'string') return { ...a, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { ...a, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = v as number[];
    return nums.every(Number.isInteger)
      ? { ...a, type: AttributeType.INTS, ints: nums.map((x) => BigInt(x)) }
      : { ...a, type: AttributeType.FLOATS, floats: nums };
  }
  if ('node' in v) return { ...a, type: AttributeType.GRAPH, g: v as GraphProto };
  return { ...a, type: AttributeType.TENSOR, t: v };
}

export function makeNode(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string, domain?: string): NodeProto {
  return {
    op_type: opType, input: inputs, output: outputs,
    attribute: Object.entries(attrs).map(([k, v]) => makeAttribute(k, v)),
    ...(name ? { name } : {}), ...(domain ? { domain } : {}),
  };
}

export function emptyGraph(name = 'main'): GraphProto {
  return { name, node: [], initializer: [], sparse_initializer: [], input: [], output: [], value_info: [] };
}

export interface BuilderOptions { opset?: number; irVersion?: number; producer?: string; extraOpsets?: Record<string, number>; seed?: number }

export class ModelBuilder {
  readonly graph = emptyGraph();
  private readonly counters = new Map<string, number>();
  private readonly rand: () => number;
  constructor(private readonly opts: BuilderOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 1);
  }

  /** A fresh name with the given prefix (`conv_0`, `conv_1`, ...). */
  fresh(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix}_${n}`;
  }

  input(name: string, elemType: number, shape: readonly Dim[]): string {
    this.graph.input.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, elemType?: number, shape?: readonly Dim[]): string {
    this.graph.output.push(valueInfo(name, elemType, shape));
    return name;
  }

  initializer(name: string, dataType: number, dims: readonly number[], data: TypedArray): string {
    this.graph.initializer.push(makeTensor(name, dataType, dims, data));
    return name;
  }

  /** Float32 initializer filled with uniform values in [-scale, scale). */
  weight(prefix: string, dims: readonly number[], scale = 0.1): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.initializer(this.fresh(prefix), DataType.FLOAT, dims, this.random(n, scale));
  }

  random(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (this.rand() * 2 - 1) * scale;
    return a;
  }

  /** Adds a node; returns its single output name (use `nodeMulti` for several). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.nodeMulti(opType, inputs, 1, attrs, output ? [output] : undefined)[0]!;
  }

  nodeMulti(opType: string, inputs: string[], nOutputs: number, attrs: Record<string, AttrValue> = {}, outputs?: string[], domain?: string): string[] {
    const name = this.fresh(opType.toLowerCase());
    const outs = outputs ?? Array.from({ length: nOutputs }, (_, i) => (nOutputs === 1 ? `${name}_out` : `${name}_out${i}`));
    this.graph.node.push(makeNode(opType, inputs, outs, attrs, name, domain));
    return outs;
  }

  build(): ModelProto {
    const opset = this.opts.opset ?? 13;
    return {
      ir_version: BigInt(this.opts.irVersion ?? (opset >= 21 ? 10 : opset >= 19 ? 9 : 8)),
      producer_name: this.opts.producer ?? 'edge-advisor-fixtures',
      producer_version: '0.1.0',
      opset_import: [
        { domain: '', version: BigInt(opset) },
        ...Object.entries(this.opts.extraOpsets ?? {}).map(([domain, v]) => ({ domain, version: BigInt(v) })),
      ],
      graph: this.graph,
      metadata_props: [],
      functions: [],
    };
  }
}
