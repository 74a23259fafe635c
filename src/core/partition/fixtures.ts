/**
 * Small models built with ModelBuilder that exercise the shapes cut search must handle: a chain,
 * a residual block, a BERT-like two-input encoder with a static Shape chain, a QDQ CNN and an If
 * node reading outer values. Used by the partition tests (core and runner); deterministic.
 */
import { DataType } from '../onnx/dtypes';
import { ModelBuilder, makeNode, emptyGraph, valueInfo } from '../onnx/builder';
import { makeTensor } from '../onnx/tensor';
import type { ModelProto } from '../onnx/types';

const F = DataType.FLOAT;

/** x[N,3,16,16] → Conv → Clip → MaxPool → Conv → Clip → GAP → Flatten → Gemm; Clip bounds are shared Constants. */
export function chainCnn(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 21 });
  const lo = b.node('Constant', [], { value: makeTensor('lo', F, [], new Float32Array([0])) }, 'clip_lo');
  const hi = b.node('Constant', [], { value: makeTensor('hi', F, [], new Float32Array([6])) }, 'clip_hi');
  let x = b.input('x', F, ['N', 3, 16, 16]);
  x = b.node('Conv', [x, b.weight('w', [8, 3, 3, 3], 0.3), b.weight('b', [8])], { pads: [1, 1, 1, 1] });
  x = b.node('Clip', [x, lo, hi]);
  x = b.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  x = b.node('Conv', [x, b.weight('w', [16, 8, 3, 3], 0.3), b.weight('b', [16])], { pads: [1, 1, 1, 1] });
  x = b.node('Clip', [x, lo, hi]);
  x = b.node('GlobalAveragePool', [x]);
  x = b.node('Flatten', [x]);
  x = b.node('Gemm', [x, b.weight('fc', [10, 16], 0.3), b.weight('fcb', [10])], { transB: 1 }, 'y');
  b.output(x, F, ['N', 10]);
  return b.build();
}

/** A residual block: a = Relu(Conv(x)); y = Conv(a + Conv(Relu(Conv(a)))). Only the Add output is a 1-tensor cut inside. */
export function residualCnn(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 22 });
  const x = b.input('x', F, [1, 4, 8, 8]);
  const conv = (v: string) => b.node('Conv', [v, b.weight('w', [4, 4, 3, 3], 0.3)], { pads: [1, 1, 1, 1] });
  const a = b.node('Relu', [conv(x)], {}, 'a');
  const inner = conv(b.node('Relu', [conv(a)]));
  const s = b.node('Add', [a, inner], {}, 'sum');
  const y = b.node('GlobalAveragePool', [conv(s)], {}, 'y');
  b.output(y, F, [1, 4, 1, 1]);
  return b.build();
}

/**
 * BERT-like: embeddings of ids[1,8] plus an additive mask from mask[1,8], two attention-like
 * layers that both read the mask, a static Shape→Gather→Unsqueeze→Concat→Reshape chain, a classifier.
 * The cut after the embeddings transfers the hidden state and the mask bias.
 */
export function bertLike(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 23 });
  const d = 16;
  const ids = b.input('ids', DataType.INT64, [1, 8]);
  const mask = b.input('mask', DataType.INT64, [1, 8]);
  const table = b.weight('emb', [50, d], 0.5);
  let h = b.node('Add', [b.node('Gather', [table, ids]), b.weight('pos', [1, 8, d], 0.5)], {}, 'embeddings');
  const one = b.initializer('one', F, [], new Float32Array([1]));
  const big = b.initializer('neg', F, [], new Float32Array([-10000]));
  const axes = b.initializer('axes1', DataType.INT64, [1], new BigInt64Array([1n]));
  const m = b.node('Unsqueeze', [b.node('Cast', [mask], { to: F }), axes]);
  const bias = b.node('Mul', [b.node('Sub', [one, m]), big], {}, 'mask_bias');
  for (let layer = 0; layer < 2; layer++) {
    const q = b.node('MatMul', [h, b.weight('wq', [d, d], 0.3)]);
    const scores = b.node('Add', [b.node('MatMul', [q, b.node('Transpose', [h], { perm: [0, 2, 1] })]), bias]);
    const ctx = b.node('MatMul', [b.node('Softmax', [scores], { axis: -1 }), h]);
    h = b.node('Add', [h, ctx], {}, `layer${layer}`);
  }
  // static shape chain: Reshape to [-1, d] with d read from Shape(h)
  const dim = b.node('Gather', [b.node('Shape', [h]), b.initializer('two', DataType.INT64, [], new BigInt64Array([2n]))]);
  const target = b.node('Concat', [b.initializer('minus1', DataType.INT64, [1], new BigInt64Array([-1n])), b.node('Unsqueeze', [dim, b.initializer('axes0', DataType.INT64, [1], new BigInt64Array([0n]))])], { axis: 0 });
  const flat = b.node('Reshape', [h, target]);
  const pooled = b.node('ReduceMean', [flat], { axes: [0], keepdims: 1 });
  const y = b.node('Gemm', [pooled, b.weight('cls', [2, d], 0.3)], { transB: 1 }, 'logits');
  b.output(y, F, [1, 2]);
  return b.build();
}

/**
 * A QDQ CNN as the SPTQ quantizer writes it: uint8 activations (Q→DQ pairs), int8 per-tensor
 * weights behind DequantizeLinear, Conv → Relu → Conv → GAP.
 */
export function qdqCnn(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 24 });
  const x = b.input('x', F, [1, 3, 8, 8]);
  const qdq = (v: string, scale: number, zp: number, tag: string) => {
    const s = b.initializer(b.fresh(`${tag}_scale`), F, [], new Float32Array([scale]));
    const z = b.initializer(b.fresh(`${tag}_zp`), DataType.UINT8, [], new Uint8Array([zp]));
    const q = b.node('QuantizeLinear', [v, s, z], {}, `${tag}_q`);
    return b.node('DequantizeLinear', [q, s, z], {}, `${tag}_dq`);
  };
  const weight = (name: string, dims: number[]) => {
    const n = dims.reduce((a, c) => a * c, 1);
    const w = b.initializer(`${name}_q`, DataType.INT8, dims, Int8Array.from({ length: n }, (_, i) => ((i * 37) % 200) - 100));
    const s = b.initializer(`${name}_s`, F, [], new Float32Array([0.004]));
    const z = b.initializer(`${name}_z`, DataType.INT8, [], new Int8Array([0]));
    return b.node('DequantizeLinear', [w, s, z], {}, `${name}_dq`);
  };
  let v = qdq(x, 0.02, 128, 'in');
  v = b.node('Conv', [v, weight('w1', [8, 3, 3, 3])], { pads: [1, 1, 1, 1] }, 'conv1');
  v = qdq(b.node('Relu', [v], {}, 'relu1'), 0.01, 0, 'act1');
  v = b.node('Conv', [v, weight('w2', [8, 8, 3, 3])], { pads: [1, 1, 1, 1] }, 'conv2');
  v = qdq(v, 0.02, 128, 'act2');
  v = b.node('GlobalAveragePool', [v], {}, 'y');
  b.output(v, F, [1, 8, 1, 1]);
  return b.build();
}

/**
 * A QDQ residual block: the skip tensor's DequantizeLinear feeds both the second Conv and the
 * Add, so a fully 8-bit cut inside the block sends two uint8 tensors and runs that DQ on both sides.
 */
export function qdqResidual(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 26 });
  const x = b.input('x', F, [1, 4, 8, 8]);
  const scale = (v: number) => b.initializer(b.fresh('s'), F, [], new Float32Array([v]));
  const zp = (v: number) => b.initializer(b.fresh('z'), DataType.UINT8, [], new Uint8Array([v]));
  const qdq = (v: string, tag: string) => {
    const s = scale(0.02);
    const z = zp(128);
    return b.node('DequantizeLinear', [b.node('QuantizeLinear', [v, s, z], {}, `${tag}_q`), s, z], {}, `${tag}_dq`);
  };
  const weight = (i: number) => {
    const w = b.initializer(`w${i}_q`, DataType.INT8, [4, 4, 3, 3], Int8Array.from({ length: 144 }, (_, k) => ((k * 29 + i * 7) % 160) - 80));
    return b.node('DequantizeLinear', [w, scale(0.005), b.initializer(`w${i}_z`, DataType.INT8, [], new Int8Array([0]))]);
  };
  const a = qdq(b.node('Relu', [b.node('Conv', [qdq(x, 'in'), weight(1)], { pads: [1, 1, 1, 1] })]), 'a');
  const c = qdq(b.node('Conv', [a, weight(2)], { pads: [1, 1, 1, 1] }), 'c');
  const y = b.node('GlobalAveragePool', [qdq(b.node('Add', [a, c]), 'sum')], {}, 'y');
  b.output(y, F, [1, 4, 1, 1]);
  return b.build();
}

/** A Tile, which static shape inference does not model: cut sizes after it need a measurement. */
export function tiledCnn(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 27 });
  const x = b.input('x', F, [1, 2, 4, 4]);
  const c = b.node('Conv', [x, b.weight('w', [4, 2, 1, 1], 0.5)]);
  const t = b.node('Tile', [c, b.initializer('reps', DataType.INT64, [4], new BigInt64Array([1n, 1n, 2n, 2n]))], {}, 'tiled');
  const y = b.node('GlobalAveragePool', [b.node('Conv', [b.node('Relu', [t], {}, 'act'), b.weight('w', [3, 4, 3, 3], 0.5)], { pads: [1, 1, 1, 1] })], {}, 'y');
  b.output(y, F, [1, 3, 1, 1]);
  return b.build();
}

/** An If node whose branches read two outer values (a, c): the sweep must keep both live up to it. */
export function withIf(branchOutput: ReadonlyArray<number | string> = [1, 4]): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 25 });
  const x = b.input('x', F, [1, 4]);
  const a = b.node('Relu', [x], {}, 'a');
  const c = b.node('Sigmoid', [a], {}, 'c');
  const cond = b.node('Greater', [b.node('ReduceSum', [c], { keepdims: 0 }), b.initializer('zero', F, [], new Float32Array([0]))], {}, 'cond');
  const branch = (op: string, name: string) => {
    const g = emptyGraph(name);
    g.node.push(makeNode(op, ['a', 'c'], [`${name}_out`], {}, `${name}_op`));
    g.output.push(valueInfo(`${name}_out`, F, branchOutput));
    return g;
  };
  const r = b.node('If', [cond], { then_branch: branch('Add', 'then'), else_branch: branch('Sub', 'else') }, 'r');
  const y = b.node('Mul', [r, b.initializer('k', F, [1, 4], new Float32Array([1, 2, 3, 4]))], {}, 'y');
  b.output(y, F, [1, 4]);
  return b.build();
}

/**
 * A CNN whose value_info lies, as some exporters' does (PaddleOCR's direction classifier declares
 * `[-1,32,1,-1]` for a `[1,32,3,96]` tensor): a Paddle-style -1 beside a wrong static dim, swapped
 * static dims, a wrong rank, one right declaration, and a wrong one behind a Tile that static
 * inference does not model (only a measurement can tell). Inputs x[1,3,6,8] → y[1,5].
 */
export function misannotatedCnn(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 28 });
  const x = b.input('x', F, [1, 3, 6, 8]);
  const c1 = b.node('Conv', [x, b.weight('w', [4, 3, 3, 3], 0.4), b.weight('b', [4])], { pads: [1, 1, 1, 1] }, 'conv1');
  const r1 = b.node('Relu', [c1], {}, 'relu1');
  const p1 = b.node('MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1');
  const c2 = b.node('Conv', [p1, b.weight('w', [8, 4, 3, 3], 0.3)], { pads: [1, 1, 1, 1] }, 'conv2');
  const t = b.node('Tile', [c2, b.initializer('reps', DataType.INT64, [4], new BigInt64Array([1n, 1n, 1n, 2n]))], {}, 'tiled');
  const r2 = b.node('Relu', [t], {}, 'relu2');
  const g = b.node('Flatten', [b.node('GlobalAveragePool', [r2], {}, 'gap')], {}, 'flat');
  const y = b.node('Gemm', [g, b.weight('fc', [5, 8], 0.3)], { transB: 1 }, 'y');
  b.output(y, F, [1, 5]);
  const m = b.build();
  m.graph!.value_info.push(
    valueInfo('conv1', F, [-1, 4, 1, -1]), // truly [1,4,6,8]
    valueInfo('relu1', F, [1, 4, 8, 6]), // truly [1,4,6,8]
    valueInfo('pool1', F, [1, 4, 12]), // truly [1,4,3,4]
    valueInfo('conv2', F, [1, 8, 3, 4]), // right
    valueInfo('tiled', F, [1, 8, 3, 4]), // truly [1,8,3,8]; static inference stops at Tile
  );
  return m;
}

/**
 * No value_info, and shapes static inference cannot follow: a Reshape whose target is computed
 * from the Shape of a Tile output, so every value after the Tile needs measuring. x[1,2,4,4] → y[1,3].
 */
export function computedReshape(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 29 });
  const x = b.input('x', F, [1, 2, 4, 4]);
  const c = b.node('Conv', [x, b.weight('w', [4, 2, 1, 1], 0.5)], {}, 'conv');
  const t = b.node('Tile', [c, b.initializer('reps', DataType.INT64, [4], new BigInt64Array([1n, 1n, 2n, 1n]))], {}, 'tiled');
  const lead = b.node('Slice', [b.node('Shape', [t], {}, 'tshape'), b.initializer('s0', DataType.INT64, [1], new BigInt64Array([0n])), b.initializer('s2', DataType.INT64, [1], new BigInt64Array([2n]))], {}, 'lead');
  const target = b.node('Concat', [lead, b.initializer('m1', DataType.INT64, [1], new BigInt64Array([-1n]))], { axis: 0 }, 'target');
  const r = b.node('Reshape', [b.node('Relu', [t], {}, 'act'), target], {}, 'flat'); // [1,4,32]
  const y = b.node('Gemm', [b.node('ReduceMean', [r], { axes: [1], keepdims: 0 }, 'pooled'), b.weight('fc', [3, 32], 0.3)], { transB: 1 }, 'y');
  b.output(y, F, [1, 3]);
  return b.build();
}

/** withIf whose branches declare their output [?, ?] (as Silero VAD's do): the If output's size is only known by running it. */
export function ifSymbolicBranches(): ModelProto {
  return withIf(['n', 'm']);
}

export const PARTITION_FIXTURES = { chainCnn, residualCnn, bertLike, qdqCnn, qdqResidual, tiledCnn, withIf, ifSymbolicBranches, misannotatedCnn, computedReshape };
