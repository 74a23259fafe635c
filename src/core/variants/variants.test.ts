import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateNames, discoverVariants } from './discover';
import { validateVariant } from './validate';
import { readModel, writeModel } from '../onnx/io';
import { inspectModel } from '../inspect/inspect';
import { cnn, mlp } from '../../../test/fixtures/models';
import { SAMPLE_DIR, tempDir } from '../../../test/support/shared';

test('variants beside the model are found by name, dropping a role suffix', () => {
  assert.ok(candidateNames('/m/digits_teacher.onnx', 'distilled').includes('digits_distilled.onnx'));
  const found = discoverVariants(path.join(SAMPLE_DIR, 'digits_teacher.onnx'));
  assert.deepEqual(found.map((v) => [v.kind, path.basename(v.path), v.source]), [
    ['distilled', 'digits_distilled.onnx', 'beside'],
    ['pruned', 'digits_pruned.onnx', 'beside'],
    ['qat', 'digits_qat.onnx', 'beside'],
  ]);
});

test('explicit paths win over edge-advisor.json, which wins over names', () => {
  const dir = tempDir();
  for (const f of ['net.onnx', 'net.distilled.onnx', 'other.onnx', 'x.onnx']) fs.writeFileSync(path.join(dir, f), '');
  const config = path.join(dir, 'edge-advisor.json');
  fs.writeFileSync(config, JSON.stringify({ models: { 'net.onnx': { variants: { distilled: 'other.onnx', pruned: 'x.onnx' } } } }));
  const found = discoverVariants(path.join(dir, 'net.onnx'), { configFile: config, explicit: { pruned: path.join(dir, 'net.distilled.onnx') } });
  assert.deepEqual(found.map((v) => [v.kind, path.basename(v.path), v.source]), [
    ['distilled', 'other.onnx', 'config'],
    ['pruned', 'net.distilled.onnx', 'explicit'],
  ]);
  fs.writeFileSync(config, JSON.stringify({ variants: { quantized: 'a.onnx' } }));
  assert.throws(() => discoverVariants(path.join(dir, 'net.onnx'), { configFile: config }), /unknown field "variants\.quantized" \(allowed: distilled, pruned, qat\)/);
});

test('a variant with different inputs is refused, naming the mismatch', () => {
  const dir = tempDir();
  writeModel(cnn(), path.join(dir, 'a.onnx'));
  writeModel(mlp(), path.join(dir, 'b.onnx'));
  const a = inspectModel(readModel(path.join(dir, 'a.onnx')));
  const b = inspectModel(readModel(path.join(dir, 'b.onnx')));
  assert.throws(() => validateVariant(a, b, 'distilled'), /distilled variant does not match the model: inputs are \[features\], the model's are \[image\]/);
});

test('the sample family: QAT must be quantized, pruned reports its sparsity', () => {
  const base = inspectModel(readModel(path.join(SAMPLE_DIR, 'digits_teacher.onnx')));
  const pruned = inspectModel(readModel(path.join(SAMPLE_DIR, 'digits_pruned.onnx')));
  const qat = inspectModel(readModel(path.join(SAMPLE_DIR, 'digits_qat.onnx')));
  const p = validateVariant(base, pruned, 'pruned');
  assert.ok(p.sparsity! > 0.55);
  assert.match(p.warnings[0]!, /no speed-up/);
  assert.deepEqual(validateVariant(base, qat, 'qat').warnings, []);
  assert.throws(() => validateVariant(base, base, 'qat'), /contains no quantization/);
});
