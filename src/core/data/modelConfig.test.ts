import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModelDataConfig, updateModelDataConfig } from './modelConfig';

test('a model\'s data settings are remembered in edge-advisor.json, relative, atomically, keeping everything else', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const file = path.join(root, 'edge-advisor.json');
  const model = path.join(root, 'models', 'net.onnx');
  fs.writeFileSync(file, JSON.stringify({ variants: { distilled: 'd.onnx' }, custom: 42, models: { 'models/net.onnx': { variants: { qat: 'q.onnx' }, note: 'mine' }, 'other.onnx': { data: 'x' } } }));
  updateModelDataConfig(file, model, { data: path.join(root, 'data', 'val'), calib: path.join(root, 'data', 'calib'), preprocess: 'imagenet' });
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(raw, {
    variants: { distilled: 'd.onnx' }, custom: 42,
    models: { 'models/net.onnx': { variants: { qat: 'q.onnx' }, note: 'mine', data: 'data/val', calib: 'data/calib', preprocess: 'imagenet' }, 'other.onnx': { data: 'x' } },
  });
  assert.deepEqual(readModelDataConfig(file, model), { data: path.join(root, 'data', 'val'), calib: path.join(root, 'data', 'calib'), preprocess: 'imagenet' });
  updateModelDataConfig(file, model, { calib: undefined });
  assert.equal(readModelDataConfig(file, model).calib, undefined, 'undefined removes a setting');
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
  const fresh = path.join(root, 'sub', 'edge-advisor.json');
  fs.mkdirSync(path.dirname(fresh));
  updateModelDataConfig(fresh, model, { preprocess: { preset: 'caffe', crop: 224 } });
  assert.deepEqual(readModelDataConfig(fresh, model).preprocess, { preset: 'caffe', crop: 224 });
});
