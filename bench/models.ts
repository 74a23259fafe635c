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
