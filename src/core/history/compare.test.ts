// Two runs side by side: the pick, each configuration's latency ratio with a CI, accuracy; noise is not called a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdvisorReport } from '../results';
import { compareRuns, renderComparison } from './compare';

const report = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;

test('the same run compared with itself changes nothing', () => {
  const c = compareRuns(report, report);
  assert.equal(c.pickChanged, false);
  assert.equal(c.rows.length, report.results.length);
  for (const r of c.rows) { assert.equal(r.ratio, 1); assert.equal(r.significant, false); }
});

test('a configuration twice as slow with tight CIs is a change; a 1% move inside the CIs is not', () => {
  const slower: AdvisorReport = structuredClone(report);
  const i = slower.results.findIndex((r) => r.operator === 'sptq' && r.placement === 'edge');
  const row = slower.results[i]!;
  const m = row.latencyMs;
  row.latencyMs = { ...m, median: m.median * 2, ciLow: m.median * 1.98, ciHigh: m.median * 2.02 };
  const j = slower.results.findIndex((r) => r.operator === 'identity' && r.placement === 'mobile');
  const id = slower.results[j]!;
  id.latencyMs = { ...id.latencyMs, median: id.latencyMs.median * 1.01 };
  slower.recommendation = { ...slower.recommendation!, operator: 'sptq', placement: 'mobile' };
  slower.environment = { ...slower.environment, date: '2026-12-03T00:00:00.000Z' };
  const c = compareRuns(report, slower);
  assert.equal(c.pickChanged, true);
  const s = c.rows.find((r) => r.operator === 'sptq' && r.placement === 'edge')!;
  assert.ok(Math.abs(s.ratio! - 2) < 1e-9);
  assert.equal(s.significant, report.results[i]!.latencyMs.ciHigh! < m.median * 1.98);
  assert.equal(c.rows.find((r) => r.operator === 'identity' && r.placement === 'mobile')!.significant, false);
  const md = renderComparison(c, 'digits_teacher.onnx');
  assert.match(md, /\(changed\)/);
  assert.match(md, /2\.000×/);
  assert.match(md, /within noise/);
});
