// Run history: every run kept per model (newest first, bounded), models sharing a folder kept apart, damage tolerated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdvisorReport } from '../results';
import { latestRun, listRuns, loadRun, MAX_RUNS, runsDir, saveRun } from './runs';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-test-'));
process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));

const at = (i: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, i));
const reportFor = (model: string, drop: number): AdvisorReport => ({ ...fixture, model: { ...fixture.model, path: model, name: path.basename(model) }, maxAccuracyDrop: drop });

test('runs come back newest first with what the Runs view lists, and load whole', () => {
  const model = path.join(out, 'a', 'net.onnx');
  const first = saveRun(out, reportFor(model, 1), at(1));
  const second = saveRun(out, reportFor(model, 2), at(2));
  const runs = listRuns(out, model);
  assert.deepEqual(runs.map((r) => r.id), [second.id, first.id]);
  assert.equal(runs[0]!.model, 'net.onnx');
  assert.deepEqual(runs[0]!.pick, { operator: fixture.recommendation!.operator, placement: fixture.recommendation!.placement, medianMs: fixture.recommendation!.latencyMs.median });
  assert.equal(loadRun(out, model, first.id)!.maxAccuracyDrop, 1);
  assert.equal(latestRun(out, model)!.summary.id, second.id);
});

test('two models in one output folder keep separate histories', () => {
  const a = path.join(out, 'shared', 'teacher.onnx');
  const b = path.join(out, 'shared', 'student.onnx');
  saveRun(out, reportFor(a, 1), at(3));
  saveRun(out, reportFor(b, 1), at(4));
  assert.equal(listRuns(out, a).length, 1);
  assert.equal(listRuns(out, b).length, 1);
  assert.notEqual(runsDir(out, a), runsDir(out, b));
});

test(`only the newest ${MAX_RUNS} runs are kept; a damaged file is skipped`, () => {
  const model = path.join(out, 'many.onnx');
  for (let i = 0; i < MAX_RUNS + 5; i++) saveRun(out, reportFor(model, i), at(10 + i));
  const runs = listRuns(out, model);
  assert.equal(runs.length, MAX_RUNS);
  assert.equal(loadRun(out, model, runs[0]!.id)!.maxAccuracyDrop, MAX_RUNS + 4);
  fs.writeFileSync(path.join(runsDir(out, model), `${runs[0]!.id}.json`), '{ truncated');
  assert.equal(listRuns(out, model).length, MAX_RUNS - 1);
  assert.equal(latestRun(out, model)!.summary.id, runs[1]!.id);
  assert.equal(loadRun(out, model, '../../etc/passwd'), undefined, 'ids are checked before any path is built');
});
