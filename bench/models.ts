/**
 * Realistic-size models built with our own fixture builder (no downloads): a ResNet-18-shaped CNN
 * (torchvision layout with BatchNorm folded into Conv, as torch.onnx.export produces), random
 * weights scaled so activations stay in a sane range. Used by the benchmark suite.
 */
import { DataType } from '../src/core/onnx/dtypes';
import { ModelBuilder } from '../src/core/onnx/builder';
import type { ModelProto } from '../src/core/onnx/types';

const F = DataType.FLOAT;

export function resnet18(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 18, producer: 'edge-advisor-bench' });
  const conv = (x: string, cin: number, cout: number, k: number, stride: number) => {
    const fanIn = cin * k * k;
    return b.node('Conv', [x, b.weight('conv_w', [cout, cin, k, k], Math.sqrt(3 / fanIn)), b.weight('conv_b', [cout], 0.05)], {
      kernel_shape: [k, k], strides: [stride, stride], pads: [(k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1],
    });
  };
  let x = b.input('input', F, ['batch', 3, 224, 224]);
  x = b.node('Relu', [conv(x, 3, 64, 7, 2)]);
  x = b.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let c = 64;
  for (const [out, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]] as const) {
    for (let block = 0; block < 2; block++) {
      const s = block === 0 ? stride : 1;
      const y = conv(b.node('Relu', [conv(x, c, out, 3, s)]), out, out, 3, 1);
      const shortcut = s !== 1 || c !== out ? conv(x, c, out, 1, s) : x;
      x = b.node('Relu', [b.node('Add', [y, shortcut])]);
      c = out;
    }
  }
  x = b.node('Flatten', [b.node('GlobalAveragePool', [x])], { axis: 1 });
  x = b.node('Gemm', [x, b.weight('fc_w', [1000, 512], Math.sqrt(3 / 512)), b.weight('fc_b', [1000], 0.01)], { transB: 1 }, 'logits');
  b.output(x, F, ['batch', 1000]);
  return b.build();
}

/**
 * A SqueezeNet 1.1 in torchvision's layout (Fire modules: 1×1 squeeze, 1×1 and 3×3 expand,
 * channel Concat; ceil-mode MaxPools; a 1×1 Conv classifier and global average pooling), random
 * weights. Its thin stem feeds a MaxPool: where onnxruntime runs that pool on uint8 data, int8 is
 * slower than float unless placement is measured.
 */
export function squeezenet11(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 11, producer: 'edge-advisor-bench' });
  const conv = (x: string, cin: number, cout: number, k: number, stride = 1) => b.node('Relu', [b.node('Conv', [x, b.weight('conv_w', [cout, cin, k, k], Math.sqrt(6 / (cin * k * k))), b.weight('conv_b', [cout], 0.05)], {
    kernel_shape: [k, k], strides: [stride, stride], pads: [(k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1],
  })]);
  const pool = (x: string) => b.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
  const fire = (x: string, cin: number, s: number, e: number) => {
    const sq = conv(x, cin, s, 1);
    return b.node('Concat', [conv(sq, s, e, 1), conv(sq, s, e, 3)], { axis: 1 });
  };
  let x = b.input('input', F, ['batch', 3, 224, 224]);
  x = pool(b.node('Relu', [b.node('Conv', [x, b.weight('conv_w', [64, 3, 3, 3], Math.sqrt(6 / 27)), b.weight('conv_b', [64], 0.05)], { kernel_shape: [3, 3], strides: [2, 2] })]));
  x = fire(fire(x, 64, 16, 64), 128, 16, 64);
  x = fire(fire(pool(x), 128, 32, 128), 256, 32, 128);
  x = fire(fire(fire(fire(pool(x), 256, 48, 192), 384, 48, 192), 384, 64, 256), 512, 64, 256);
  x = b.node('Flatten', [b.node('GlobalAveragePool', [conv(x, 512, 1000, 1)])], { axis: 1 }, 'logits');
  b.output(x, F, ['batch', 1000]);
  return b.build();
}
