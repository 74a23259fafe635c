// An export says what the panel shows: both rank the recorded report at the panel's budget and bandwidths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rank } from '../core/recommend/rank';
import type { AdvisorReport } from '../core/results';
import { liveRows, recordedPick } from '../../webview/model';
import { renderExport } from './reportExport';

const report = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;

test('after a slider move and a budget change, the exported JSON, Markdown and CSV match the panel', () => {
  // the panel: the user drags Mobile↔Edge down to 0.5 Mbit/s and narrows the budget to 0.5 points
  const settings = { maxAccuracyDrop: 0.5, mbps: { 'mobile-edge': 0.5 } };
  const shown = rank(report, settings);
  const shownRows = liveRows(shown, { 'mobile-edge': 0.5, 'edge-cloud': report.tiers.links['edge-cloud'].mbps }, 0.5);

  const exported = JSON.parse(renderExport(report, 'json', settings)) as AdvisorReport;
  assert.deepEqual(exported.recommendation, JSON.parse(JSON.stringify(shown.recommendation)));
  assert.deepEqual(exported.pareto, shown.pareto);
  assert.deepEqual(exported.sensitivity, JSON.parse(JSON.stringify(shown.sensitivity)));
  assert.equal(exported.maxAccuracyDrop, 0.5);
  assert.equal(exported.tiers.links['mobile-edge'].mbps, 0.5);
  const partition = shownRows.find((r) => r.row.placement === 'mobile-edge')!;
  assert.equal(exported.results[partition.index]!.latencyMs.median, partition.latency.median, 'the partition row is re-timed as the panel shows it');
  assert.ok(partition.latency.median > report.results[partition.index]!.latencyMs.median, 'a slower link makes the partition slower');

  const md = renderExport(report, 'md', settings);
  const pick = shown.results[recordedPick(shown)!]!;
  assert.ok(md.includes('0.5'), 'the Markdown states the budget and bandwidth it was ranked at');
  assert.equal(md, renderExport(shown, 'md'), 'Markdown of the panel\'s report, byte for byte');
  assert.equal(renderExport(report, 'csv', settings), renderExport(shown, 'csv'));
  assert.ok(pick.accuracyDrop === undefined || pick.accuracyDrop <= 0.5 + 1e-9);
});

test('the budget decides the pick: a zero budget admits only lossless rows, a wide one may pick faster', () => {
  const strict = rank(report, { maxAccuracyDrop: 0 });
  assert.ok(strict.recommendation && strict.recommendation.accuracyDrop <= 0);
  const wide = rank(report, { maxAccuracyDrop: 5 });
  assert.ok(wide.recommendation && wide.recommendation.latencyMs.median <= strict.recommendation.latencyMs.median);
  assert.equal(wide.results.length, report.results.length, 'same measurements, no new rows');
});

test('an export without settings is the recorded report as it is', () => {
  assert.deepEqual(JSON.parse(renderExport(report, 'json')), JSON.parse(JSON.stringify(report)));
});
