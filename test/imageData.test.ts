/**
 * Real data as users hold it, end to end with a real runner: the digits test split written as a PNG
 * class-folder tree scores every operator as the .npy split does (within 0.5 points), the same tree
 * as 64×64 RGB JPEG/PNG files (resized and converted by the preprocessing) within 1 point, and SPTQ
 * calibrated on an image folder matches SPTQ calibrated on digits_calib_x.npy within 0.5 points.
 * A text model runs from a .jsonl with its tokenizer.json. Needs only the bundled sample.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import type { AdvisorRequest } from '../src/core/pipeline/types';
import type { AdvisorReport, OperatorId } from '../src/core/results';
import { resolveTiers } from '../src/core/tiers/presets';
import { digitsImages, upscaleToRgb, writeTree } from '../src/core/data/images/testdata/fixtures';
import { sentimentModel, wordPieceTokenizer } from '../src/core/data/text/testdata/fixtures';
import { RunnerClient } from '../src/runner/host/client';
import { SAMPLE_DIR, tempDir } from './support/shared';

const runner = new RunnerClient();
after(() => runner.dispose());
const dir = tempDir('image-data-');
const tree = { png: path.join(dir, 'png'), mix: path.join(dir, 'mix'), calib: path.join(dir, 'calib') };

before(async () => {
  const test = digitsImages('test', SAMPLE_DIR);
  await writeTree(tree.png, test, () => 'png');
  await writeTree(tree.mix, test.map((d) => ({ ...d, pixels: upscaleToRgb(d.pixels, 2) })), (i) => (i % 2 ? 'jpeg' : 'png'), 90);
  await writeTree(tree.calib, digitsImages('calib', SAMPLE_DIR), () => 'png');
});

const request = (over: Partial<AdvisorRequest>): AdvisorRequest => ({
  modelPath: path.join(SAMPLE_DIR, 'digits_teacher.onnx'),
  variants: {}, tiers: resolveTiers('study', { cores: 2, memoryMB: 8192 }), maxAccuracyDrop: 2, budgetSeconds: 1,
  // one single-tier and one split placement: every operator is built and scored (accuracy does not depend on the tier)
  placements: ['mobile', 'mobile-edge'], outDir: path.join(dir, 'out', String(Math.random()).slice(2)), useCache: false,
  ...over,
});

function accuracies(r: AdvisorReport): Map<OperatorId, number> {
  return new Map(r.results.filter((x) => x.accuracy !== undefined).map((x) => [x.operator, x.accuracy!]));
}

let npy: Map<OperatorId, number>;

test('the digits test split as a PNG class-folder tree scores every operator as the .npy split does (±0.5 points)', { timeout: 600_000 }, async (t) => {
  const fromNpy = await runAdvisor(request({
    dataPath: path.join(SAMPLE_DIR, 'digits_test_x.npy'), labelsPath: path.join(SAMPLE_DIR, 'digits_test_y.npy'),
    calibrationPath: path.join(SAMPLE_DIR, 'digits_calib_x.npy'),
  }), runner);
  const fromPng = await runAdvisor(request({ dataPath: tree.png, calibrationPath: tree.calib }), runner);
  npy = accuracies(fromNpy);
  const png = accuracies(fromPng);
  assert.deepEqual([...png.keys()].sort(), [...npy.keys()].sort());
  assert.ok(npy.size >= 8, `every operator scored: ${[...npy.keys()].join(', ')}`);
  t.diagnostic(`top-1 .npy → PNG tree: ${[...npy].map(([op, a]) => `${op} ${a.toFixed(2)} → ${png.get(op)?.toFixed(2)}`).join(', ')}`);
  for (const [op, a] of npy) assert.ok(Math.abs(png.get(op)! - a) <= 0.5, `${op}: PNG ${png.get(op)}% vs .npy ${a}%`);
  assert.equal(fromPng.metric, 'top1', 'labels came from the class folders');
  // the report says what it read, how, and what a request uploads (a PNG file, not a float tensor)
  assert.equal(fromPng.data?.kind, 'images');
  assert.match(fromPng.data?.describe ?? '', /450 images in 10 classes \(order: sorted folder names\)/);
  assert.equal(fromPng.data?.preprocessing?.guess, true);
  assert.ok(fromPng.data!.payloadBytes < 4096, `${fromPng.data!.payloadBytes} B per request`);
  const row = fromPng.results.find((r) => r.operator === 'identity' && r.placement === 'mobile')!;
  assert.ok(row.preprocessMs! > 0 && row.payloadBytes === fromPng.data!.payloadBytes);
  assert.ok(fromPng.data!.preprocessTiming!.every((t) => t.msPerRequest > 0 && t.perSecond > 0));
  assert.equal(fromNpy.results[0]!.preprocessMs, undefined, 'tensor data has nothing to decode');
  assert.match(fromPng.warnings!.join('\n'), /preprocessing is a guess/);
});

test('the same tree as 64×64 RGB JPEG/PNG files, resized and converted to gray by the preprocessing, within 1 point', { timeout: 600_000 }, async (t) => {
  const mix = accuracies(await runAdvisor(request({ dataPath: tree.mix, calibrationPath: tree.calib }), runner));
  t.diagnostic(`top-1 .npy → 64×64 RGB JPEG/PNG tree: ${[...npy].map(([op, a]) => `${op} ${a.toFixed(2)} → ${mix.get(op)?.toFixed(2)}`).join(', ')}`);
  for (const [op, a] of npy) assert.ok(Math.abs(mix.get(op)! - a) <= 1, `${op}: JPEG/PNG ${mix.get(op)}% vs .npy ${a}%`);
});

test('SPTQ calibrated on an image folder scores as SPTQ calibrated on digits_calib_x.npy (±0.5 points)', { timeout: 600_000 }, async (t) => {
  const data = { dataPath: path.join(SAMPLE_DIR, 'digits_test_x.npy'), labelsPath: path.join(SAMPLE_DIR, 'digits_test_y.npy'), operators: ['identity', 'sptq'] as OperatorId[], placements: ['mobile' as const] };
  const fromFolder = accuracies(await runAdvisor(request({ ...data, calibrationPath: tree.calib }), runner));
  const fromNpyCalib = npy.get('sptq')!;
  t.diagnostic(`SPTQ top-1: calibrated on digits_calib_x.npy ${fromNpyCalib.toFixed(2)}, on the PNG calibration folder ${fromFolder.get('sptq')?.toFixed(2)}`);
  assert.ok(Math.abs(fromFolder.get('sptq')! - fromNpyCalib) <= 0.5, `SPTQ: image-folder calibration ${fromFolder.get('sptq')}% vs .npy ${fromNpyCalib}%`);
});

test('a text model runs from a .jsonl with the tokenizer.json beside it, scored on its labels', { timeout: 300_000 }, async () => {
  const modelPath = path.join(dir, 'sentiment.onnx');
  writeModel(sentimentModel(16), modelPath);
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizer()));
  const lines = ['the movie was good', 'a bad film', 'the film is very good', 'was the movie bad', 'good', 'bad . bad .', 'a very good movie', 'the film was not good . bad'];
  const labels = [1, 0, 1, 0, 1, 0, 1, 0];
  fs.writeFileSync(path.join(dir, 'reviews.jsonl'), lines.map((t, i) => JSON.stringify({ text: t, label: labels[i] })).join('\n') + '\n');
  const r = await runAdvisor(request({ modelPath, dataPath: path.join(dir, 'reviews.jsonl'), operators: ['identity', 'sptq'], placements: ['mobile'] }), runner);
  const identity = r.results.find((x) => x.operator === 'identity')!;
  assert.equal(r.metric, 'f1', 'two classes: F1');
  assert.ok(identity.accuracy! >= 85, `identity ${identity.accuracy}`);
  assert.equal(r.data?.kind, 'text');
  assert.match(r.data?.describe ?? '', /8 texts from reviews\.jsonl; tokenizer\.json \(WordPiece, 16 tokens\), padded\/cut to 16/);
  assert.ok(r.data!.payloadBytes < 30, 'a request uploads the text, not 2 × 16 int64');
});
