/**
 * Pipeline gates through the built CLI, on measurements taken elsewhere (the study's ResNeXt rows):
 * exit 3 with one line naming the failed target and by how much, 0 when met, 2 for a bad --require.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli, skipWithoutCli, tempDir } from '../../test/support/shared';
import { assertMatchesSchema } from '../../test/support/schemas';
import { parseRequire } from './gates';

const RESNEXT = path.join(REPO_ROOT, 'test/fixtures/study-measurements/resnext.json');
const recommend = (...args: string[]) => runCli(['recommend', '--measurements', RESNEXT, '--max-accuracy-drop', '3.5', ...args], { timeoutMs: 60_000 });
const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

test('a latency target nothing meets: exit 3, one line with the target and the overshoot; the report still comes out', { skip: skipWithoutCli }, () => {
  const out = path.join(tempDir(), 'report.md');
  const r = recommend('--latency-target-ms', '1000', '--report', out, '--json');
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  // the fastest within 3.5 points is Edge DSPTQ at 1.10 s (1098 ms): 98 ms (10%) over a 1 s target
  assert.match(r.stderr, /^edge-advisor recommend: gate not met: latency target 1\.00 s not met: the fastest configuration within the 3\.5-point accuracy budget, dsptq@edge, has a 1\.10 s median \(98\.0 ms over, \+10%\)\n$/);
  const report = JSON.parse(r.stdout) as { recommendation: unknown; latencyTargetMs: number };
  assertMatchesSchema('report', report);
  assert.equal(report.recommendation, null);
  assert.equal(report.latencyTargetMs, 1000);
  assert.match(fs.readFileSync(out, 'utf8'), /No recommendation/);
});

test('a latency target that is met: exit 0 and nothing on stderr', { skip: skipWithoutCli }, () => {
  const r = recommend('--latency-target-ms', '1200');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  // the most accurate configuration within the budget whose median meets 1.2 s
  assert.match(r.stdout, /^Recommendation: Edge Distilled — 1\.18 s median/);
});

test('an accuracy budget nothing meets: exit 3 naming the smallest drop and how far over it is', { skip: skipWithoutCli }, () => {
  const file = path.join(tempDir(), 'm.json');
  fs.writeFileSync(file, JSON.stringify({
    model: 'net', modality: 'image', metric: 'top1', baselineAccuracy: 90,
    results: [
      { operator: 'sptq', placement: 'edge', latencyMs: { median: 5 }, accuracy: 87 },
      { operator: 'distilled', placement: 'mobile', latencyMs: { median: 4 }, accuracy: 85 },
    ],
  }));
  const r = runCli(['recommend', '--measurements', file], { timeoutMs: 60_000 });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(lastLine(r.stderr), 'edge-advisor recommend: gate not met: accuracy budget 2 points not met: the smallest drop, sptq@edge, is 3.00 points (1.00 over)');
});

test('--require: exit 3 when the pick differs, with both configurations\' numbers; 0 when it is the pick or one of several', { skip: skipWithoutCli }, () => {
  const r = recommend('--require', 'sptq@edge');
  assert.equal(r.code, 3);
  assert.equal(lastLine(r.stderr), 'edge-advisor recommend: gate not met: required sptq@edge, but the pick is dsptq@edge (1.10 s, 2.78-point drop); sptq@edge: 2.67 s (+143% vs the pick), 0.16-point drop');
  assert.equal(recommend('--require', 'dsptq@edge').code, 0);
  assert.equal(recommend('--require', 'sptq@edge', '--require', 'dsptq@edge').code, 0);
});

test('a malformed --require is a usage error (exit 2)', { skip: skipWithoutCli }, () => {
  const r = recommend('--require', 'sptq-edge');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--require sptq-edge: expected <operator>@<placement>/);
});

test('parseRequire accepts any case and rejects unknown operators or placements', () => {
  assert.deepEqual(parseRequire('DSPTQ@Edge'), { operator: 'dsptq', placement: 'edge' });
  assert.deepEqual(parseRequire('sptq-partition@mobile-edge'), { operator: 'sptq-partition', placement: 'mobile-edge' });
  assert.throws(() => parseRequire('int8@edge'), /expected <operator>@<placement>/);
  assert.throws(() => parseRequire('sptq@fog'), /expected <operator>@<placement>/);
});

test('--version prints the package version alone', { skip: skipWithoutCli }, () => {
  const r = runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
});
