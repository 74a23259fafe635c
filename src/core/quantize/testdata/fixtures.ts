/**
 * Small float models for the quantizer's tests, built with ModelBuilder: a CNN (Conv, BatchNorm,
 * Relu, MaxPool, residual Add, GlobalAveragePool, Flatten, Gemm), an MLP (MatMul + bias Add + Relu)
 * and a transformer block (attention with Softmax, decomposed LayerNorm, Erf-GELU).
 */
import { DataType } from '../../onnx/dtypes';
import { float, ModelBuilder } from '../../onnx/builder';
import type { ModelProto } from '../../onnx/types';

/** `channels` input channels: 3 makes an RGB stem, left float. */
export function cnnModel(channels = 5): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 3 });
  const x = b.input('image', DataType.FLOAT, ['N', channels, 16, 16]);
  const c1 = b.node('Conv', [x, b.weight('w', [8, channels, 3, 3], 0.3), b.weight('b', [8], 0.1)], { pads: [1, 1, 1, 1] });
  const bn = b.node('BatchNormalization', [c1,
    b.initializer('bn_scale', DataType.FLOAT, [8], b.random(8, 0.5).map((v) => 1 + v)),
    b.initializer('bn_bias', DataType.FLOAT, [8], b.random(8, 0.1)),
    b.initializer('bn_mean', DataType.FLOAT, [8], b.random(8, 0.1)),
    b.initializer('bn_var', DataType.FLOAT, [8], b.random(8, 0.2).map((v) => 1 + v)),
  ], { epsilon: float(1e-5) });
  const r1 = b.node('Relu', [bn]);
  const p1 = b.node('MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] });
  const c2 = b.node('Conv', [p1, b.weight('w', [8, 8, 3, 3], 0.2), b.weight('b', [8], 0.1)], { pads: [1, 1, 1, 1] });
  const r2 = b.node('Relu', [c2]);
  const add = b.node('Add', [r2, p1]);
  const gap = b.node('GlobalAveragePool', [add]);
  const flat = b.node('Flatten', [gap], { axis: 1 });
  b.node('Gemm', [flat, b.weight('fc', [10, 8], 0.5), b.weight('fcb', [10], 0.1)], { transB: 1 }, 'logits');
  b.output('logits', DataType.FLOAT, ['N', 10]);
  return b.build();
}

export function mlpModel(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 5 });
  const x = b.input('x', DataType.FLOAT, [1, 32]);
  const h = b.node('MatMul', [x, b.weight('w', [32, 64], 0.3)]);
  const hb = b.node('Add', [h, b.weight('b', [64], 0.1)]);
  const r = b.node('Relu', [hb]);
  const o = b.node('MatMul', [r, b.weight('w', [64, 4], 0.3)]);
  b.node('Add', [o, b.weight('b', [4], 0.1)], {}, 'y');
  b.output('y', DataType.FLOAT, [1, 4]);
  return b.build();
}

/** One encoder block, sequence 8, width 16, one head; LayerNorm decomposed as PyTorch exports it. */
export function transformerModel(): ModelProto {
  const b = new ModelBuilder({ opset: 14, seed: 7 });
  const x = b.input('x', DataType.FLOAT, [1, 8, 16]);
  const c = (name: string, v: number) => b.initializer(b.fresh(name), DataType.FLOAT, [], Float32Array.of(v));
  const linear = (inp: string, n: number, k = 16) => b.node('Add', [b.node('MatMul', [inp, b.weight('w', [k, n], 0.3)]), b.weight('b', [n], 0.05)]);
  const q = linear(x, 16);
  const k = linear(x, 16);
  const v = linear(x, 16);
  const kt = b.node('Transpose', [k], { perm: [0, 2, 1] });
  const scores = b.node('Div', [b.node('MatMul', [q, kt]), c('sqrt_d', 4)]);
  const probs = b.node('Softmax', [scores], { axis: -1 });
  const attn = b.node('MatMul', [probs, v]);
  const res = b.node('Add', [linear(attn, 16), x]);
  const layerNorm = (inp: string) => {
    const mean = b.node('ReduceMean', [inp], { axes: [-1] });
    const d = b.node('Sub', [inp, mean]);
    const varr = b.node('ReduceMean', [b.node('Pow', [d, c('two', 2)])], { axes: [-1] });
    const norm = b.node('Div', [d, b.node('Sqrt', [b.node('Add', [varr, c('eps', 1e-5)])])]);
    return b.node('Add', [b.node('Mul', [norm, b.weight('g', [16], 0.1)]), b.weight('beta', [16], 0.1)]);
  };
  const ln = layerNorm(res);
  const h = linear(ln, 32);
  const gelu = b.node('Mul', [b.node('Mul', [h, b.node('Add', [b.node('Erf', [b.node('Div', [h, c('sqrt2', Math.SQRT2)])]), c('one', 1)])]), c('half', 0.5)]);
  const out = b.node('Add', [linear(gelu, 16, 32), ln]);
  b.node('ReduceMean', [out], { axes: [1], keepdims: 0 }, 'y');
  b.output('y', DataType.FLOAT, [1, 16]);
  return b.build();
}
