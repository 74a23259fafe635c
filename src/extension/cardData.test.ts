import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cardDataFor } from './cardData';
import { renderModelCard, parseCardMessage } from './modelCardHtml';
import { digitsImages, upscaleToRgb, writeTree } from '../core/data/images/testdata/fixtures';
import type { RunOptions } from './runOptions';

const SAMPLES = path.resolve(__dirname, '../../samples/digits');

test('the model card previews three images as the model gets them, with their classes and the preprocessing', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'card-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  // 64×64 RGB files for a 32×32 gray model: the preview shows them resized and gray
  await writeTree(path.join(root, 'val'), digitsImages('test', SAMPLES, 30).map((d) => ({ ...d, pixels: upscaleToRgb(d.pixels, 2) })), () => 'jpeg');
  const o: RunOptions = { variants: {}, tierPreset: 'study', maxAccuracyDrop: 2, budgetSeconds: 60, dataPath: path.join(root, 'val') };
  const d = await cardDataFor(path.join(SAMPLES, 'digits_teacher.onnx'), o, undefined);
  assert.equal(d.previews?.length, 3);
  for (const p of d.previews!) {
    assert.deepEqual([p.width, p.height], [32, 32]);
    assert.match(p.src, /^data:image\/png;base64,/);
    assert.match(p.label ?? '', /^\d$/);
  }
  assert.match(d.preprocess ?? '', /^gray, shorter side → 32, center crop 32×32, NCHW float32, x\/255 — inferred .*\(a guess from the input shape\)$/);
  const html = renderModelCard({ fileName: 'm.onnx', inspection: { error: 'x' }, variants: {}, canRun: true, data: d, cspSource: 'vscode-resource:', nonce: 'n' });
  assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 3);
  assert.match(html, /id="choose-data"/);
  assert.deepEqual(parseCardMessage({ type: 'chooseCalib' }), { type: 'chooseCalib' });
  assert.equal(parseCardMessage({ type: 'chooseCalib', path: '/etc' }), null, 'the card never sends paths');
  const npy = await cardDataFor(path.join(SAMPLES, 'digits_teacher.onnx'), { ...o, dataPath: path.join(SAMPLES, 'digits_test_x.npy') }, undefined);
  assert.equal(npy.previews, undefined, 'no preview for tensor data');
});
