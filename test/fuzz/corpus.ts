/**
 * The seed models the fuzzer mutates: the fixture family (CNN, MLP, transformer, two-input,
 * external data), a model with an If subgraph and Constant/QDQ nodes, and the bundled digits
 * models. Encoded once per process; mutators start from these bytes or from a decoded copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cnn, mlp, transformer, twoInput } from '../fixtures/models';
import { DataType } from '../../src/core/onnx/dtypes';
import { ModelBuilder, emptyGraph, makeNode, valueInfo } from '../../src/core/onnx/builder';
import { makeTensor } from '../../src/core/onnx/tensor';
import { encodeModel } from '../../src/core/onnx/codec';
import type { ModelProto } from '../../src/core/onnx/types';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Weights stored in `weights.bin` beside the model (the worker writes that file). */
  external?: Uint8Array;
}

/** If with then/else subgraphs reading an outer value, a Constant weight and a Q/DQ pair. */
function controlFlow(): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 21 });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  const cond = b.input('cond', DataType.BOOL, []);
  const w = b.node('Constant', [], { value: makeTensor('w', DataType.FLOAT, [4, 4], b.random(16)) });
  const branch = (op: string) => {
    const g = emptyGraph(`${op}_branch`);
    g.node.push(makeNode(op, [x, w], [`${op}_y`], {}, `${op}_in_branch`));
    g.output.push(valueInfo(`${op}_y`, DataType.FLOAT, [1, 4]));
    return g;
  };
  const y = b.node('If', [cond], { then_branch: branch('MatMul'), else_branch: branch('Add') });
  const scale = b.initializer('scale', DataType.FLOAT, [], new Float32Array([0.05]));
  const zp = b.initializer('zp', DataType.INT8, [], new Int8Array([0]));
  const q = b.node('QuantizeLinear', [y, scale, zp]);
  const dq = b.node('DequantizeLinear', [q, scale, zp]);
  b.output(dq, DataType.FLOAT, [1, 4]);
  return b.build();
}

/** The CNN with every initializer moved to weights.bin (what writeExternalDataModel does, in memory). */
function externalCnn(): Seed {
  const model = cnn();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph!.initializer) {
    const data = t.raw_data!;
    t.external_data = [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(data.length) }];
    t.data_location = 1;
    delete t.raw_data;
    chunks.push(data);
    offset += data.length;
  }
  return { name: 'external', bytes: plain(encodeModel(model)), external: plain(Buffer.concat(chunks)) };
}

const SAMPLES = path.resolve(__dirname, '../../samples/digits');

/**
 * A plain Uint8Array copy: encodeModel hands back a Node Buffer, whose slice() is a view, so a
 * mutation of a "copy" would otherwise corrupt the seed for every later case.
 */
function plain(b: Uint8Array): Uint8Array { return new Uint8Array(b); }

let cache: Seed[] | undefined;

export function seeds(): Seed[] {
  if (cache) return cache;
  cache = [
    { name: 'cnn', bytes: plain(encodeModel(cnn())) },
    { name: 'mlp', bytes: plain(encodeModel(mlp())) },
    { name: 'transformer', bytes: plain(encodeModel(transformer())) },
    { name: 'twoInput', bytes: plain(encodeModel(twoInput())) },
    { name: 'controlFlow', bytes: plain(encodeModel(controlFlow())) },
    externalCnn(),
  ];
  // the real exports (PyTorch-produced) where the checkout has them; the distilled one is small
  for (const f of ['digits_distilled.onnx', 'digits_qat.onnx']) {
    const p = path.join(SAMPLES, f);
    if (fs.existsSync(p)) cache.push({ name: f.replace('.onnx', ''), bytes: plain(fs.readFileSync(p)) });
  }
  return cache;
}
