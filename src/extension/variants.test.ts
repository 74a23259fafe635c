// The setup step's view of a model: variants found beside it and data declared in edge-advisor.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import { surroundingsOf } from './variants';

function folder(files: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ea-variants-'));
  for (const f of files) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), 'x'); }
  return dir;
}

test('a teacher model finds its family beside it: digits_teacher.onnx → digits_distilled.onnx, …', (t) => {
  const dir = folder(['digits_teacher.onnx', 'digits_distilled.onnx', 'digits_pruned.onnx', 'digits_qat.onnx']);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.deepEqual(surroundingsOf(path.join(dir, 'digits_teacher.onnx'), dir), {
    variants: { distilled: path.join(dir, 'digits_distilled.onnx'), pruned: path.join(dir, 'digits_pruned.onnx'), qat: path.join(dir, 'digits_qat.onnx') },
  });
});

test('edge-advisor.json declares variants, data and labels per model, relative to the workspace root', (t) => {
  const dir = folder(['m/a.onnx']);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  fs.writeFileSync(path.join(dir, 'edge-advisor.json'), JSON.stringify({ models: { 'm/a.onnx': { variants: { qat: 'm/a-int8.onnx' }, data: 'data/x.npy', labels: 'data/y.npy' } } }));
  assert.deepEqual(surroundingsOf(path.join(dir, 'm', 'a.onnx'), dir), {
    variants: { qat: path.join(dir, 'm', 'a-int8.onnx') }, data: path.join(dir, 'data', 'x.npy'), labels: path.join(dir, 'data', 'y.npy'),
  });
  assert.deepEqual(surroundingsOf(path.join(dir, 'm', 'b.onnx'), dir), { variants: {} });
});

test('a malformed edge-advisor.json is an input error naming the file', (t) => {
  const dir = folder([]);
  t.after(() => fs.rmSync(dir, { recursive: true }));
  const file = path.join(dir, 'edge-advisor.json');
  fs.writeFileSync(file, '{ "models": ');
  assert.throws(() => surroundingsOf(path.join(dir, 'a.onnx'), dir), (e: unknown) => e instanceof AdvisorError && e.category === 'input' && e.message.startsWith(file));
});
