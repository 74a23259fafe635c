/**
 * Our ONNX files are real: every fixture runs in onnxruntime-node, and a decode → encode round
 * trip of every fixture and shared model gives bit-identical onnxruntime outputs. (Tests may load
 * onnxruntime directly as an independent oracle; product code loads it only in src/runner.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readModel, writeModel } from '../src/core/onnx/io';
import { writeFixtures } from './fixtures/models';
import { sharedOnnxFiles, tempDir } from './support/shared';

function feedsFor(session: ort.InferenceSession, seed = 1): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
  for (const name of session.inputNames) {
    const meta = session.inputMetadata.find((m) => m.name === name)! as { shape?: (number | string)[]; type?: string };
    const shape = (meta.shape ?? [1]).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    if (meta.type === 'int64') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 90))), shape);
    else feeds[name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => rnd() * 2 - 1), shape);
  }
  return feeds;
}

async function outputs(file: string): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  const res = await session.run(feedsFor(session));
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(res)) out[k] = v.data as Float32Array;
  await session.release();
  return out;
}

test('every fixture model runs in onnxruntime-node', async () => {
  const files = writeFixtures(tempDir());
  for (const [name, file] of Object.entries(files)) {
    const out = await outputs(file);
    const values = Object.values(out)[0]!;
    assert.ok(values.length > 0, name);
    assert.ok(values.every(Number.isFinite), `${name} gives finite outputs`);
  }
});

test('re-encoded models give bit-identical onnxruntime outputs', async () => {
  const dir = tempDir();
  const files = [...Object.values(writeFixtures(path.join(dir, 'fx'))), ...sharedOnnxFiles()];
  for (const file of files) {
    const m = readModel(file);
    const copy = path.join(dir, 'rt', path.basename(path.dirname(file)) + '-' + path.basename(file));
    writeModel(m.model, copy, { sourceDir: m.dir });
    const [a, b] = [await outputs(file), await outputs(copy)];
    assert.deepEqual(Object.keys(b), Object.keys(a));
    for (const k of Object.keys(a)) assert.deepEqual(Buffer.from(b[k]!.buffer), Buffer.from(a[k]!.buffer), `${file}: ${k}`);
    if (!m.model.graph!.initializer.some((t) => t.data_location === 1)) {
      assert.deepEqual(fs.readFileSync(copy), fs.readFileSync(file), `${file} re-encodes to the same bytes`);
    }
  }
});
