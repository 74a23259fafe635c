/** `recommend --measurements` end to end through dist/cli.js: real files, exit codes, one-line errors, reports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdvisorReport } from '../src/core/results';
import { assertMatchesSchema } from './support/schemas';
import { REPO_ROOT, tempDir, runCli } from './support/shared';

const RESNEXT = path.join(REPO_ROOT, 'test/fixtures/study-measurements/resnext.json');

const cli = (...args: string[]) => runCli(args, { timeoutMs: 60_000 });

test('recommend --measurements --json emits an AdvisorReport whose choice follows from its own rows', () => {
  const r = cli('recommend', '--measurements', RESNEXT, '--max-accuracy-drop', '3.5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as AdvisorReport;
  assertMatchesSchema('report', report);
  assert.equal(report.maxAccuracyDrop, 3.5);
  assert.equal(report.model.modality, 'image');
  assert.equal(report.results.length, 20);
  const rec = report.recommendation!;
  assert.equal(`${rec.operator}@${rec.placement}`, 'dsptq@edge');
  // Re-derive: the fastest row by median within the budget is the pick (nothing was tied with it).
  const within = report.results.filter((row) => row.accuracyDrop! <= report.maxAccuracyDrop);
  const fastest = within.sort((a, b) => a.latencyMs.median - b.latencyMs.median)[0]!;
  assert.deepEqual([fastest.operator, fastest.placement], [rec.operator, rec.placement]);
  assert.deepEqual(rec.tiedWith, []);
  assert.ok(rec.studyFindings.some((s) => s.startsWith('Agrees with the study (arXiv 2411.00907): DSPTQ')));
  assert.ok(report.pareto.includes(report.results.findIndex((x) => x.operator === 'dsptq' && x.placement === 'edge')));
  assert.match(report.sensitivityNote!, /not computed/);
});

test('the default budget is 2 points, and --report writes Markdown or CSV by the file name', () => {
  const dir = tempDir();
  const md = path.join(dir, 'advice.md');
  const csv = path.join(dir, 'advice.csv');
  const r = cli('recommend', '--measurements', RESNEXT, '--report', md);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Recommendation: Edge SPTQ — 2\.67 s median, 0\.16-point accuracy drop/);
  assert.match(r.stdout, /Edge DSPTQ would be 2\.43× faster \(1\.10 s\) at a 2\.78-point drop \(medium\)/);
  assert.match(fs.readFileSync(md, 'utf8'), /^# Deployment advice: ResNeXt-101 64x4d/);
  assert.equal(cli('recommend', '--measurements', RESNEXT, '--report', csv, '--json').code, 0);
  assert.equal(fs.readFileSync(csv, 'utf8').split('\r\n').length, 1 + 20 + 1);
});

test('a bad measurements file is a one-line error naming the file and the JSON path (exit 1)', () => {
  const dir = tempDir();
  const bad = path.join(dir, 'bad.json');
  const json = JSON.parse(fs.readFileSync(RESNEXT, 'utf8'));
  json.results[4].placement = 'phone';
  fs.writeFileSync(bad, JSON.stringify(json));
  const r = cli('recommend', '--measurements', bad);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `edge-advisor recommend: ${bad}: $.results[4].placement: must be one of mobile, edge, cloud, mobile-edge, edge-cloud, got "phone"\n`);

  fs.writeFileSync(bad, '{"model": ');
  assert.match(cli('recommend', '--measurements', bad).stderr, /bad\.json: not valid JSON/);
  assert.match(cli('recommend', '--measurements', path.join(dir, 'none.json')).stderr, /none\.json: measurements file not found/);
});

test('usage errors exit 2; a missing model is an input error (exit 1)', () => {
  assert.equal(cli('recommend').code, 2);
  assert.equal(cli('recommend', '--measurements', RESNEXT, 'model.onnx').code, 2);
  assert.equal(cli('recommend', '--measurements', RESNEXT, '--max-accuracy-drop', 'lots').code, 2);
  assert.equal(cli('recommend', '--measurements', RESNEXT, '--data', 'x.npy').code, 2);
  assert.equal(cli('recommend', '--measurements', RESNEXT, '--report', 'out.txt').code, 2);
  assert.equal(cli('recommend', 'model.onnx', '--variant', 'student=x.onnx').code, 2);
  const model = cli('recommend', 'model.onnx');
  assert.equal(model.code, 1);
  assert.match(model.stderr, /model\.onnx: file not found/);
});
