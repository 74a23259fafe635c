// Variant discovery beside a model and declarations in edge-advisor.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import { discoverVariants, readDeclaration } from './variants';

function folder(files: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ea-variants-'));
  for (const f of files) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), 'x'); }
  return dir;
}

test('finds name.kind.onnx and name_kind.onnx beside the model', (t) => {
  const dir = folder(['net.onnx', 'net.distilled.onnx', 'net_pruned.onnx', 'other_qat.onnx']);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.deepEqual(discoverVariants(path.join(dir, 'net.onnx')), {
    distilled: path.join(dir, 'net.distilled.onnx'),
    pruned: path.join(dir, 'net_pruned.onnx'),
  });
});

test('a teacher model finds its family: digits_teacher.onnx → digits_distilled.onnx', (t) => {
  const dir = folder(['digits_teacher.onnx', 'digits_distilled.onnx', 'digits_pruned.onnx', 'digits_qat.onnx']);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  const v = discoverVariants(path.join(dir, 'digits_teacher.onnx'));
  assert.deepEqual(Object.keys(v).sort(), ['distilled', 'pruned', 'qat']);
  assert.equal(v.qat, path.join(dir, 'digits_qat.onnx'));
  // ...but a variant is never its own variant, and an unrelated suffix is not a family.
  assert.deepEqual(discoverVariants(path.join(dir, 'digits_distilled.onnx')), {});
});

test('edge-advisor.json declares variants and data per model, relative to the workspace root', (t) => {
  const dir = folder(['m/a.onnx']);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  fs.writeFileSync(path.join(dir, 'edge-advisor.json'), JSON.stringify({ models: { 'm/a.onnx': { variants: { qat: 'm/a-int8.onnx' }, data: 'data/x.npy' } } }));
  assert.deepEqual(readDeclaration(dir, path.join(dir, 'm', 'a.onnx')), {
    variants: { qat: path.join(dir, 'm', 'a-int8.onnx') }, data: path.join(dir, 'data', 'x.npy'), labels: undefined,
  });
  assert.equal(readDeclaration(dir, path.join(dir, 'm', 'b.onnx')), undefined);
});

test('a malformed edge-advisor.json is an input error naming the file', (t) => {
  const dir = folder([]);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  const file = path.join(dir, 'edge-advisor.json');
  fs.writeFileSync(file, '{ "models": ');
  assert.throws(() => readDeclaration(dir, path.join(dir, 'a.onnx')), (e: unknown) => e instanceof AdvisorError && e.category === 'input' && e.message.startsWith(file));
  fs.writeFileSync(file, JSON.stringify({ models: { 'a.onnx': { variants: { teacher: 'b.onnx' } } } }));
  assert.throws(() => readDeclaration(dir, path.join(dir, 'a.onnx')), /not a variant kind/);
});
