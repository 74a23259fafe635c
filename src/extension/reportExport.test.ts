// Changing the budget re-ranks the recorded rows without a benchmark; exports follow the sliders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdvisorReport } from '../core/results';
import { rebudgeted, renderExport, repriced } from './reportExport';

const report = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;

test('a zero budget excludes every configuration that lost accuracy; a wide one admits them', () => {
  const strict = rebudgeted(report, 0);
  assert.equal(strict.maxAccuracyDrop, 0);
  assert.ok(strict.recommendation, 'identity-level configurations still qualify');
  assert.ok(strict.recommendation.accuracyDrop <= 0);
  const wide = rebudgeted(report, 5);
  assert.ok(wide.recommendation);
  assert.ok(wide.recommendation.latencyMs.median <= strict.recommendation.latencyMs.median, 'a wider budget never picks something slower');
  assert.equal(wide.results.length, report.results.length, 'same measurements, no new rows');
});

test('exports use the bandwidth the user set on the slider', () => {
  const slow = repriced(report, { 'mobile-edge': 0.5 });
  assert.equal(slow.tiers.links['mobile-edge'].mbps, 0.5);
  const i = report.results.findIndex((r) => r.placement === 'mobile-edge');
  assert.ok(slow.results[i].latencyMs.median > report.results[i].latencyMs.median, 'a slower link makes the partition slower');
  const mobile = report.results.findIndex((r) => r.placement === 'mobile');
  assert.equal(slow.results[mobile].latencyMs.median, report.results[mobile].latencyMs.median, 'on-device rows do not move');
  assert.equal(repriced(report, undefined), report);
  const csv = renderExport(slow, 'csv').split('\n');
  assert.equal(csv.filter((l) => l && !l.startsWith('operator')).length, report.results.length);
  assert.match(renderExport(slow, 'md'), /^# /);
  assert.deepEqual(JSON.parse(renderExport(slow, 'json')), JSON.parse(JSON.stringify(slow)));
});
