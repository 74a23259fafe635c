import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdvisorReport } from '../src/core/results';
import { transferMs } from '../src/core/tiers/network';
import {
  crossoversOnSlider, deviceBadges, liveRows, mbpsToSlider, measuredLinkText, nextSort, recommendationSpeedup, recordedPick, reportBandwidths,
  sliderToMbps, sortRows, SLIDER_STEPS,
} from './model';
import type { SliderBandwidths, LiveRow } from './model';
import { rank } from '../src/core/recommend/rank';

/** What the panel shows at these settings: core's ranking and the index of its pick. */
function reprice(r: AdvisorReport, bw: SliderBandwidths, budget: number, o: { sensitivity: boolean }) {
  const ranked = rank(r, { mbps: bw, maxAccuracyDrop: budget, sensitivity: o.sensitivity });
  return { report: ranked, pick: recordedPick(ranked) };
}

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

test('at the recorded settings the engine re-derives exactly the recorded recommendation', () => {
  const again = reprice(report, recorded, report.maxAccuracyDrop, { sensitivity: true });
  assert.deepEqual(again.report.recommendation, report.recommendation);
  assert.deepEqual(again.report.pareto, report.pareto);
  assert.deepEqual(again.report.sensitivity, report.sensitivity);
  assert.equal(again.pick, recordedPick(report));
  assert.equal(name(liveRows(report, recorded, 1).find((r) => r.index === recordedPick(report))), 'sptq@edge');
});

test('moving a slider or the budget re-runs the engine: new pick, new reasons, same measurements', () => {
  // Below the Mobile↔Edge crossover (~126 Mbit/s) uploading no longer pays: SPTQ stays on the device.
  const slow = reprice(report, { ...recorded, 'mobile-edge': 50 }, 1, { sensitivity: false });
  assert.equal(`${slow.report.recommendation?.operator}@${slow.report.recommendation?.placement}`, 'sptq@mobile');
  assert.equal(slow.report.results[slow.pick as number].placement, 'mobile');
  assert.notDeepEqual(slow.report.recommendation?.rationale, report.recommendation?.rationale);
  assert.equal(slow.report.tiers.links['mobile-edge'].mbps, 50);
  assert.deepEqual(slow.report.sensitivity, [], 'the slow search is skipped while the slider moves');
  const i = report.results.findIndex((r) => r.operator === 'sptq' && r.placement === 'edge');
  const expected = transferMs(4096, { mbps: 50, rttMs: report.tiers.links['mobile-edge'].rttMs });
  assert.ok(Math.abs((slow.report.results[i].transferMs as number) - expected) < 1e-9);
  assert.equal(slow.report.results.length, report.results.length);
  // A 2-point budget admits the distilled student (1.33 points), far faster on the device.
  const wide = reprice(report, recorded, 2, { sensitivity: false });
  assert.equal(`${wide.report.recommendation?.operator}@${wide.report.recommendation?.placement}`, 'distilled@mobile');
  assert.equal(wide.report.maxAccuracyDrop, 2);
  // A negative budget leaves nothing, and the engine says why.
  const none = reprice(report, recorded, -1, { sensitivity: false });
  assert.equal(none.pick, undefined);
  assert.equal(none.report.recommendation, null);
  assert.match(none.report.noRecommendationReason ?? '', /budget/);
});

test('crossover marks come from the engine\'s sensitivity analysis, limited to the slider\'s range', () => {
  const [c, ...rest] = crossoversOnSlider(report, 'mobile-edge');
  assert.equal(rest.length, 0);
  assert.equal(`${c.below.operator}@${c.below.placement}`, 'sptq@mobile');
  assert.equal(`${c.above.operator}@${c.above.placement}`, 'sptq@edge');
  assert.ok(c.mbps > 50 && c.mbps < 200, String(c.mbps)); // below the recorded 200 Mbit/s: Edge still wins there
  // The crossover depends on the other link and the budget, not on where this slider sits.
  const moved = reprice(report, { ...recorded, 'mobile-edge': 10 }, 1, { sensitivity: true });
  assert.ok(Math.abs(crossoversOnSlider(moved.report, 'mobile-edge')[0].mbps - c.mbps) < 1e-6);
  const outOfRange: AdvisorReport = { ...report, sensitivity: [{ ...report.sensitivity[0], crossovers: [{ ...c, mbps: 5000 }] }] };
  assert.deepEqual(crossoversOnSlider(outOfRange, 'mobile-edge'), []);
  assert.deepEqual(crossoversOnSlider(report, 'edge-cloud'), [], 'a 20 ms RTT to Cloud never pays off');
});

test('rows over the budget or that do not fit are drawn hollow (infeasible), and the engine skips them', () => {
  const doctored: AdvisorReport = structuredClone(report);
  const i = doctored.results.findIndex((r) => r.operator === 'sptq' && r.placement === 'edge');
  doctored.results[i].flags.push('doesNotFit');
  const rows = liveRows(doctored, recorded, 1);
  assert.equal(rows.find((r) => r.index === i)?.feasible, false);
  assert.equal(find(rows, 'distilled', 'mobile').overBudget, true);
  assert.equal(find(rows, 'sptq', 'mobile').feasible, true);
  assert.notEqual(reprice(doctored, recorded, 1, { sensitivity: false }).pick, i);
});

test('the speed-up is the engine\'s, or computed the engine\'s way for reports without one', () => {
  const s = recommendationSpeedup(report, recordedPick(report));
  assert.ok(s && s.ratio > 1 && (s.ciLow as number) < s.ratio && s.ratio < (s.ciHigh as number));
  const old: AdvisorReport = structuredClone(report);
  delete old.recommendation?.speedup;
  assert.deepEqual(recommendationSpeedup(old, recordedPick(old)), s);
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

// A report whose Edge ran on a device behind a shaped link (issue 17): what the header and sliders say.
function withDevice(r: AdvisorReport): AdvisorReport {
  const out = structuredClone(r);
  out.tiers.tiers.edge.device = {
    ssh: 'pi@raspberrypi', executionProvider: 'cpu',
    facts: { host: 'raspberrypi', os: 'linux', arch: 'arm64', cpuModel: 'Cortex-A72', cores: 0.5, memoryMB: 3792, node: 'v20.11.1', onnxruntime: '1.30.0', executionProvider: 'cpu' },
  };
  out.tiers.links['mobile-edge'] = { id: 'mobile-edge', mbps: 18.73, rttMs: 2.114, measured: { mbps: 18.73, rttMs: 2.114, upMbps: 18.2, downMbps: 19.26 }, assumed: { mbps: 200, rttMs: 0 } };
  return out;
}

test('a tier measured on a device gets a badge with its facts; tiers on this machine get none', () => {
  assert.deepEqual(deviceBadges(report.tiers), [], 'the recorded study report ran every tier here');
  const [edge, ...rest] = deviceBadges(withDevice(report).tiers);
  assert.equal(rest.length, 0);
  assert.equal(edge!.tier, 'edge');
  assert.equal(edge!.label, 'Edge: raspberrypi');
  assert.equal(edge!.line, 'linux arm64 · Cortex-A72 · 0.5 cores · 3.7 GB · Node v20.11.1 · cpu');
  assert.match(edge!.title, /^Edge ran on pi@raspberrypi\n/);
  assert.match(edge!.title, /onnxruntime: 1\.30\.0\nExecution provider: cpu$/);
  // a device named in the settings but never reached has no facts: nothing claims it ran there
  const unreached = withDevice(report);
  delete unreached.tiers.tiers.edge.device!.facts;
  assert.deepEqual(deviceBadges(unreached.tiers), []);
});

test('a measured link reads "measured X, RTT Y (assumed Z)"; an assumed one says nothing extra', () => {
  const r = withDevice(report);
  const m = measuredLinkText(r.tiers.links['mobile-edge'])!;
  assert.equal(m.text, 'measured 18.7 Mbit/s, RTT 2.11 ms (assumed 200 Mbit/s, RTT 0 ms)');
  assert.match(m.title, /up \(towards the device\) 18\.2 Mbit\/s, down 19\.3 Mbit\/s/);
  assert.equal(measuredLinkText(r.tiers.links['edge-cloud']), undefined);
  // the slider starts at the measured figure: that is what priced the transfers
  assert.equal(reportBandwidths(r)['mobile-edge'], 18.73);
});
