import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from './io';
import { forEachExternalChunk, resolveExternalPath, tensorToArray, elementCount, tensorBytes, makeTensor } from './tensor';
import { writeExternalDataModel } from '../../../test/fixtures/models';
import { tempDir } from '../../../test/support/shared';
import { DataType } from './dtypes';

test('external data is read lazily from inside the model folder', () => {
  const file = writeExternalDataModel(path.join(tempDir(), 'ext'));
  const m = readModel(file);
  const w = m.model.graph!.initializer[0]!;
  assert.equal(w.raw_data, undefined);
  const a = tensorToArray(w, { modelDir: m.dir, modelFile: m.path }) as Float32Array;
  assert.equal(a.length, elementCount(w.dims));
});

test('external locations that leave the folder are refused before any read', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'ok.bin'), 'x');
  assert.equal(resolveExternalPath(dir, 'ok.bin'), fs.realpathSync(path.join(dir, 'ok.bin')));
  assert.throws(() => resolveExternalPath(dir, '/etc/passwd'), /outside the model folder.*absolute path/);
  assert.throws(() => resolveExternalPath(dir, '../x.bin'), /outside the model folder.*escapes/);
  assert.throws(() => resolveExternalPath(dir, 'sub/../../x.bin'), /outside the model folder/);
  fs.symlinkSync('/etc/hostname', path.join(dir, 'link.bin'));
  assert.throws(() => resolveExternalPath(dir, 'link.bin'), /symlink leaves the folder/);
});

test('offsets past the end of the data file are errors', () => {
  const file = writeExternalDataModel(path.join(tempDir(), 'short'));
  fs.truncateSync(path.join(path.dirname(file), 'weights.bin'), 100);
  // checked when the model is opened, before any weight is read
  assert.throws(() => readModel(file), /past the end of weights\.bin/);
});

test('a declared 10^12-element tensor is refused before allocating', () => {
  const t = makeTensor('huge', DataType.FLOAT, [1], new Float32Array(1));
  t.dims = [1_000_000n, 1_000_000n];
  assert.throws(() => tensorBytes(t), /more than the 4 GiB limit/);
});

test('writing a model with external data copies it beside the output', () => {
  const file = writeExternalDataModel(path.join(tempDir(), 'src'));
  const m = readModel(file);
  const out = path.join(tempDir(), 'copy.onnx');
  const r = writeModel(m.model, out, { sourceDir: m.dir, protect: [file] });
  assert.equal(r.dataFile, `${out}.data`);
  const back = readModel(out);
  const w0 = tensorToArray(back.model.graph!.initializer[0]!, { modelDir: back.dir }) as Float32Array;
  const s0 = tensorToArray(m.model.graph!.initializer[0]!, { modelDir: m.dir }) as Float32Array;
  assert.deepEqual(w0, s0);
  assert.throws(() => writeModel(m.model, file, { protect: [file] }), /refusing to overwrite the input model/);
});

test('external tensors stream in bounded chunks that add up to the whole tensor', () => {
  const file = writeExternalDataModel(path.join(tempDir(), 'chunks'));
  const m = readModel(file);
  const src = { modelDir: m.dir, modelFile: m.path };
  for (const t of m.model.graph!.initializer) {
    const whole = tensorBytes(t, src);
    const pieces: Uint8Array[] = [];
    forEachExternalChunk(t, src, 100, (b) => {
      assert.ok(b.length <= 96, `chunk of ${b.length}`);
      pieces.push(b.slice());
    });
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(whole));
  }
});
