import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import type { InputSpec } from './inputs';
import { describeSynthetic, parseShapeArgs, withInputShapes, withSyntheticHint } from './inputShapes';
import { readModelDataConfig } from './modelConfig';

const audio: InputSpec[] = [
  { name: 'input', type: 'float32', shape: ['batch', 'samples'] },
  { name: 'state', type: 'float32', shape: [2, null, 128] },
  { name: 'sr', type: 'int64', shape: [] },
];

test('--shape values: commas, × or x between sizes, nothing for a scalar', () => {
  assert.deepEqual(parseShapeArgs(['input=1,512', 'state=2x1×128', 'sr=']), { input: [1, 512], state: [2, 1, 128], sr: [] });
  assert.throws(() => parseShapeArgs(['input']), /--shape needs name=d,d,\.\.\. \(got "input"\)/);
  assert.throws(() => parseShapeArgs(['input=1,a']), (e: unknown) => e instanceof AdvisorError && e.category === 'usage');
});

test('given sizes replace the declared shape; every other input keeps its own', () => {
  const sized = withInputShapes(audio, { input: [1, 512] }, 'vad.onnx');
  assert.deepEqual(sized.map((i) => i.shape), [[1, 512], [2, null, 128], []]);
  assert.equal(withInputShapes(audio, undefined, 'vad.onnx'), audio);
});

test('a shape for no input, of another rank, or against a fixed size is a usage error naming the model', () => {
  const usage = (re: RegExp) => (e: unknown) => e instanceof AdvisorError && e.category === 'usage' && re.test(e.message);
  assert.throws(() => withInputShapes(audio, { audio: [1, 512] }, 'vad.onnx'), usage(/^vad\.onnx: a shape is given for "audio", which is not an input of the model \(input, state, sr\)$/));
  assert.throws(() => withInputShapes(audio, { input: [512] }, 'vad.onnx'), usage(/"input" has 1 dimensions; the model declares 2: \[batch, samples\]/));
  assert.throws(() => withInputShapes(audio, { state: [2, 1, 64] }, 'vad.onnx'), usage(/says 64 at dimension 2; the model fixes it to 128: \[2, \?, 128\]/));
  assert.throws(() => withInputShapes(audio, { input: [0, 512] }, 'vad.onnx'), usage(/needs positive sizes/));
});

test('the synthetic sizes are described only when one was guessed', () => {
  assert.equal(describeSynthetic(audio, 'tabular'), 'input [1, 1] (guessed), state [2, 1, 128] (guessed), sr []');
  assert.equal(describeSynthetic(withInputShapes(audio, { input: [1, 512], state: [2, 1, 128] }, 'm'), 'tabular'), undefined);
});

test('only a runtime error on guessed sizes gets the hint', () => {
  const runtime = new AdvisorError('runtime', 'onnxruntime failed to run the model: Pad reflect requires axis length >= 2', 'vad.onnx');
  const hinted = withSyntheticHint(runtime, 'input [1, 1] (guessed)') as AdvisorError;
  assert.equal(hinted.category, 'runtime');
  assert.match(hinted.message, /^vad\.onnx: onnxruntime failed .* \(synthetic samples were sized input \[1, 1\] \(guessed\): give the sizes the model expects with --shape/);
  assert.equal(withSyntheticHint(runtime, undefined), runtime);
  const oom = new AdvisorError('oom', 'out of memory');
  assert.equal(withSyntheticHint(oom, 'input [1, 1] (guessed)'), oom);
});

test('"shapes" in edge-advisor.json is read per model and checked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shapes-'));
  const cfg = path.join(dir, 'edge-advisor.json');
  fs.writeFileSync(cfg, JSON.stringify({ models: { 'vad.onnx': { shapes: { input: [1, 512] } }, 'bad.onnx': { shapes: { input: [1, -1] } } } }));
  assert.deepEqual(readModelDataConfig(cfg, path.join(dir, 'vad.onnx')).shapes, { input: [1, 512] });
  assert.throws(() => readModelDataConfig(cfg, path.join(dir, 'bad.onnx')), /models\["bad\.onnx"\]\.shapes must map input names to sizes, e\.g\. \{"input": \[1, 512\]\}/);
  fs.rmSync(dir, { recursive: true, force: true });
});
