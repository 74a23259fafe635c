import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdvisorReport } from '../src/core/results';
import { transferMs } from '../src/core/tiers/network';
import {
  baselineRow, findCrossovers, liveRows, mbpsToSlider, nextSort, paretoFront, pickFastest, reportBandwidths,
  sliderToMbps, sortRows, speedup, SLIDER_STEPS,
} from './model';
import type { LiveRow } from './model';

// The recorded digits report the panel is developed against (study tiers: 200 / 1 Mbit/s).
const report = JSON.parse(readFileSync(join(__dirname, '../test/fixtures/reports/digits.report.json'), 'utf8')) as AdvisorReport;
const recorded = reportBandwidths(report);
const find = (rows: LiveRow[], op: string, pl: string) => rows.find((r) => r.row.operator === op && r.row.placement === pl) as LiveRow;
const name = (r: LiveRow | undefined) => (r ? `${r.row.operator}@${r.row.placement}` : 'none');

test('at the recorded bandwidths every row keeps its measured latency', () => {
  const rows = liveRows(report, recorded, report.maxAccuracyDrop);
  assert.equal(rows.length, report.results.length);
  for (const r of rows) {
    assert.ok(Math.abs(r.latency.median - r.row.latencyMs.median) < 1e-3, name(r));
    assert.ok(Math.abs(r.transferMs - (r.row.transferMs ?? 0)) < 1e-3, name(r));
  }
});

test('slowing Mobile↔Edge re-prices only the transfers that cross it', () => {
  const slow = liveRows(report, { ...recorded, 'mobile-edge': 1 }, 1);
  const fast = liveRows(report, recorded, 1);
  const edge = find(slow, 'sptq', 'edge');
  // One 4096-byte input upload: RTT + bytes·8/bw.
  const expected = transferMs(4096, { mbps: 1, rttMs: report.tiers.links['mobile-edge'].rttMs });
  assert.ok(Math.abs(edge.transferMs - expected) < 1e-9);
  const delta = edge.transferMs - find(fast, 'sptq', 'edge').transferMs;
  assert.ok(Math.abs(edge.latency.median - (find(fast, 'sptq', 'edge').latency.median + delta)) < 1e-9);
  assert.ok(Math.abs((edge.latency.ciHigh as number) - ((find(fast, 'sptq', 'edge').latency.ciHigh as number) + delta)) < 1e-9, 'the CI shifts with the median');
  assert.equal(find(slow, 'sptq', 'mobile').latency.median, find(fast, 'sptq', 'mobile').latency.median, 'on-device rows have no transfer');
  // The partition's cut tensor (32 KiB) is re-priced too.
  assert.ok(find(slow, 'partition', 'mobile-edge').transferMs > 250);
});

test('the live pick is the fastest configuration within the budget, and moves with bandwidth and budget', () => {
  assert.equal(name(pickFastest(liveRows(report, recorded, 1))), 'sptq@edge', 'the engine\'s recorded pick');
  // Below the ~109 Mbit/s crossover, uploading no longer pays: SPTQ stays on the device.
  assert.equal(name(pickFastest(liveRows(report, { ...recorded, 'mobile-edge': 50 }, 1))), 'sptq@mobile');
  // A 2-point budget admits DSPTQ (1.78 points), the fastest on the device.
  assert.equal(name(pickFastest(liveRows(report, recorded, 2))), 'dsptq@mobile');
  // Nothing but the lossless operators fits a zero budget; pruned (−0.22) improves accuracy.
  const strict = pickFastest(liveRows(report, recorded, 0));
  assert.ok(strict && (strict.drop as number) <= 0, name(strict));
});

test('rows over the budget or that do not fit are infeasible, never picked', () => {
  const doctored: AdvisorReport = structuredClone(report);
  const fastest = doctored.results.findIndex((r) => r.operator === 'sptq' && r.placement === 'edge');
  doctored.results[fastest].flags.push('doesNotFit');
  const rows = liveRows(doctored, recorded, 1);
  assert.equal(rows.find((r) => r.index === fastest)?.feasible, false);
  assert.notEqual(name(pickFastest(rows)), 'sptq@edge');
  assert.equal(find(rows, 'distilled', 'mobile').overBudget, true);
  assert.equal(pickFastest(liveRows(doctored, recorded, -1)), undefined, 'no pick when nothing qualifies');
});

test('the crossover on Mobile↔Edge matches the report\'s sensitivity analysis', () => {
  const [c, ...rest] = findCrossovers(report, 'mobile-edge', recorded, 1);
  assert.equal(rest.length, 0);
  assert.equal(`${c.below.operator}@${c.below.placement}`, 'sptq@mobile');
  assert.equal(`${c.above.operator}@${c.above.placement}`, 'sptq@edge');
  const recordedCrossover = report.sensitivity.find((s) => s.link === 'mobile-edge')?.crossovers[0].mbps as number;
  assert.ok(Math.abs(c.mbps - recordedCrossover) < 0.5, `${c.mbps} vs ${recordedCrossover}`);
  assert.deepEqual(findCrossovers(report, 'edge-cloud', recorded, 1), [], 'a 20 ms RTT to Cloud never pays off');
});

test('the Pareto front keeps exactly the rows nothing beats on both latency and accuracy drop', () => {
  const rows = liveRows(report, recorded, 1);
  const front = paretoFront(rows);
  assert.deepEqual(front, report.pareto);
  for (const r of rows) {
    const dominated = rows.some((o) => o !== r && o.latency.median <= r.latency.median && (o.drop as number) <= (r.drop as number)
      && (o.latency.median < r.latency.median || (o.drop as number) < (r.drop as number)));
    assert.equal(front.includes(r.index), !dominated, name(r));
  }
});

test('speed-up is quoted against Identity on Mobile with a conservative interval', () => {
  const rows = liveRows(report, recorded, 1);
  const base = baselineRow(rows) as LiveRow;
  assert.equal(name(base), 'identity@mobile');
  const s = speedup(base.latency, find(rows, 'sptq', 'edge').latency);
  assert.ok(s.value > 2 && s.value < 2.3, String(s.value));
  assert.ok((s.low as number) < s.value && s.value < (s.high as number));
});

test('the bandwidth slider is log-scaled over 0.1–1000 Mbit/s and round-trips', () => {
  assert.equal(sliderToMbps(0), 0.1);
  assert.equal(sliderToMbps(SLIDER_STEPS), 1000);
  assert.equal(sliderToMbps(SLIDER_STEPS / 2), 10);
  assert.equal(mbpsToSlider(1), SLIDER_STEPS / 4);
  for (const mbps of [0.1, 1, 5, 109, 200, 1000]) assert.ok(Math.abs(sliderToMbps(mbpsToSlider(mbps)) / mbps - 1) < 0.01, String(mbps));
  assert.equal(mbpsToSlider(1e6), SLIDER_STEPS, 'clamped');
});

test('grid sorting: by any column, stable, missing values last, header toggles direction', () => {
  const rows = liveRows(report, recorded, 1);
  const asc = sortRows(rows, { key: 'median', dir: 'asc' });
  for (let i = 1; i < asc.length; i++) assert.ok(asc[i - 1].latency.median <= asc[i].latency.median);
  const desc = sortRows(rows, { key: 'median', dir: 'desc' });
  assert.equal(name(desc[0]), name(asc[asc.length - 1]));
  const byDrop = sortRows(rows, { key: 'drop', dir: 'asc' });
  assert.equal(byDrop[0].row.operator, 'pruned', 'pruned improves accuracy (−0.22 points)');
  // Equal drops keep their original order (stable).
  const zero = byDrop.filter((r) => r.drop === 0).map((r) => r.index);
  assert.deepEqual(zero, [...zero].sort((a, b) => a - b));
  const byConfig = sortRows(rows, { key: 'config', dir: 'asc' });
  assert.equal(name(byConfig[0]), 'identity@mobile');
  // A row without p95 goes last whichever the direction.
  const partial: AdvisorReport = structuredClone(report);
  delete partial.results[0].latencyMs.p95;
  const partialRows = liveRows(partial, recorded, 1);
  assert.equal(sortRows(partialRows, { key: 'p95', dir: 'asc' }).at(-1)?.index, 0);
  assert.equal(sortRows(partialRows, { key: 'p95', dir: 'desc' }).at(-1)?.index, 0);
  assert.deepEqual(nextSort({ key: 'median', dir: 'asc' }, 'median'), { key: 'median', dir: 'desc' });
  assert.deepEqual(nextSort({ key: 'median', dir: 'desc' }, 'drop'), { key: 'drop', dir: 'asc' });
});
