import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, tensorType } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { ifSymbolicBranches, withIf } from '../partition/fixtures';
import { inferShapes, shapeOfType } from './shapes';

test('Pad grows each axis by its pads, given as an attribute (opset < 11) or as a constant input', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', DataType.FLOAT, [1, 3, 32, 32]);
  const old = b.node('Pad', [x], { pads: [0, 0, 1, 2, 0, 0, 3, 4] });
  const pads = b.initializer('pads', DataType.INT64, [8], BigInt64Array.from([0n, 1n, 0n, 0n, 0n, 1n, 0n, 0n]));
  const now = b.node('Pad', [x, pads]);
  const conv = b.node('Conv', [old, b.weight('w', [8, 3, 3, 3])], { strides: [2, 2] });
  b.output(conv, DataType.FLOAT);
  b.output(now, DataType.FLOAT);
  const shapes = inferShapes(b.build().graph!);
  assert.deepEqual(shapes.get(old), [1, 3, 36, 38]);
  assert.deepEqual(shapes.get(now), [1, 5, 32, 32]);
  assert.deepEqual(shapes.get(conv), [1, 8, 17, 18], 'and what follows is sized too');
});

test('a -1 dim as some exporters write it is read as symbolic, never as a size', () => {
  const t = tensorType(DataType.FLOAT, [-1, 32, 1, 'W']);
  assert.deepEqual(shapeOfType(t, 5), [5, 32, 1, 5]);
  assert.deepEqual(shapeOfType(t, -1), [-1, 32, 1, -1]);
});

test('an If output is sized by its branch only where the branch declares every dim', () => {
  assert.deepEqual(inferShapes(withIf().graph!).get('r'), [1, 4]);
  // [n, m] in the branch says nothing about the sizes at run time: left for a measurement, never read as [1, 1]
  assert.equal(inferShapes(ifSymbolicBranches().graph!).get('r'), undefined);
});
