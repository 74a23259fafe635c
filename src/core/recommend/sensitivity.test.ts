import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlacementId, ResultRow } from '../results';
import type { Transfer } from '../tiers/network';
import { runEngine } from './engine';
import { rank } from './rank';
import { bandwidthSensitivity, candidateBandwidths, retimeRows, type LinkSettings } from './sensitivity';

const MB14 = 1_400_000; // the study's median image upload, bytes

/** An Identity row whose latency is compute + its transfers priced at `links` (all accurate). */
function identityRow(placement: PlacementId, computeMs: number, transfers: Transfer[], links: LinkSettings): ResultRow {
  const transferMs = transfers.reduce((s, t) => s + links[t.link].rttMs / 2 + (t.bytes * 8) / (links[t.link].mbps * 1e6) * 1000, 0);
  return { operator: 'identity', placement, latencyMs: { median: computeMs + transferMs }, computeMs: { median: computeMs }, transferMs, transfers, accuracy: 80, flags: [] };
}

const STUDY_LINKS: LinkSettings = { 'mobile-edge': { mbps: 200, rttMs: 0 }, 'edge-cloud': { mbps: 1, rttMs: 0 } };
const upload = (link: Transfer['link']): Transfer => ({ link, bytes: MB14, what: 'input' });

// Hand-worked example (study links: Mobile↔Edge 200 Mbit/s, Edge↔Cloud 1 Mbit/s, no RTT):
//   Mobile: compute 300 ms, nothing sent                     → 300 ms
//   Edge:   compute 100 ms + 1.4 MB over Mobile↔Edge           → 100 + 11200/200 = 156 ms
//   Cloud:  compute  10 ms + 1.4 MB over both links           → 10 + 56 + 11200/1 = 11266 ms
// (1.4 MB = 11.2 Mbit, i.e. 11200 ms at 1 Mbit/s.)
// Edge↔Cloud: Cloud beats Edge when 10 + 56 + 11200/b < 156 → b > 11200/90 = 124.44 Mbit/s.
// Mobile↔Edge: Edge beats Mobile when 100 + 11200/b < 300 → b > 56 Mbit/s.
const rows = [
  identityRow('mobile', 300, [], STUDY_LINKS),
  identityRow('edge', 100, [upload('mobile-edge')], STUDY_LINKS),
  identityRow('cloud', 10, [upload('mobile-edge'), upload('edge-cloud')], STUDY_LINKS),
];

test('the bandwidth at which the recommendation changes, per link, matches the hand computation', () => {
  const out = runEngine({ rows, modality: 'image', metric: 'top1', links: STUDY_LINKS });
  assert.equal(out.recommendation!.placement, 'edge');
  const [me, ec] = out.sensitivity;

  assert.equal(me!.link, 'mobile-edge');
  assert.equal(me!.crossovers.length, 1);
  assert.ok(Math.abs(me!.crossovers[0]!.mbps - 56) < 1e-9, `got ${me!.crossovers[0]!.mbps}`);
  assert.deepEqual(me!.crossovers[0]!.below, { operator: 'identity', placement: 'mobile' });
  assert.deepEqual(me!.crossovers[0]!.above, { operator: 'identity', placement: 'edge' });
  assert.equal(me!.summary, 'At 200 Mbit/s Mobile↔Edge (as measured) the pick is Edge Identity. Mobile Identity becomes best below 56.0 Mbit/s Mobile↔Edge.');

  assert.equal(ec!.link, 'edge-cloud');
  assert.equal(ec!.currentMbps, 1);
  assert.equal(ec!.crossovers.length, 1);
  assert.ok(Math.abs(ec!.crossovers[0]!.mbps - 11200 / 90) < 1e-9, `got ${ec!.crossovers[0]!.mbps}`);
  assert.deepEqual(ec!.crossovers[0]!.above, { operator: 'identity', placement: 'cloud' });
  assert.equal(ec!.summary, 'At 1.00 Mbit/s Edge↔Cloud (as measured) the pick is Edge Identity. Cloud Identity becomes best above 124 Mbit/s Edge↔Cloud.');
});

test('RTT shifts the crossover: 20 ms each way per Edge↔Cloud hop (RTT 40 ms) moves it to 11200/70 = 160 Mbit/s', () => {
  const links: LinkSettings = { ...STUDY_LINKS, 'edge-cloud': { mbps: 1, rttMs: 40 } };
  const withRtt = [rows[0]!, rows[1]!, identityRow('cloud', 10, [upload('mobile-edge'), upload('edge-cloud')], links)];
  const ec = runEngine({ rows: withRtt, modality: 'image', metric: 'top1', links }).sensitivity.find((p) => p.link === 'edge-cloud')!;
  assert.equal(ec.crossovers.length, 1);
  assert.ok(Math.abs(ec.crossovers[0]!.mbps - 160) < 1e-9, `got ${ec.crossovers[0]!.mbps}`);
});

test('every pairwise crossing is a candidate, including ones that never change the pick', () => {
  // Edge↔Cloud: Cloud vs Mobile cross at 11200/(300 − 66) = 47.86 Mbit/s, Cloud vs Edge at 124.44.
  const c = candidateBandwidths(rows, STUDY_LINKS, 'edge-cloud');
  assert.deepEqual(c.map((b) => Number(b.toFixed(2))), [47.86, 124.44]);
});

test('re-pricing shifts the whole row by the change in transfer time, samples and CI included', () => {
  const r: ResultRow = { ...rows[1]!, latencyMs: { median: 156, ciLow: 150, ciHigh: 160, sd: 3 }, samplesMs: [150, 156, 160] };
  const faster: LinkSettings = { ...STUDY_LINKS, 'mobile-edge': { mbps: 400, rttMs: 0 } }; // 56 ms → 28 ms
  const [moved] = retimeRows([r], STUDY_LINKS, faster);
  assert.deepEqual(moved!.latencyMs, { median: 128, ciLow: 122, ciHigh: 132, sd: 3 });
  assert.deepEqual(moved!.samplesMs, [122, 128, 132]);
  assert.equal(moved!.transferMs, 28);
});

test('rows measured elsewhere without transfers: no sensitivity, and a note says why', () => {
  const bare = rows.map(({ transfers: _t, ...r }) => r);
  const s = bandwidthSensitivity(bare, STUDY_LINKS, { maxAccuracyDrop: 2 });
  assert.deepEqual(s.points, []);
  assert.match(s.note!, /needs each row's network transfers, and 2 row\(s\) \(e\.g\. Edge Identity\) have none/);
});

test('with CIs, the change comes where the tie ends, not where the medians cross', () => {
  // Edge SPTQ: 64 ms compute + 1.4 MB over Mobile↔Edge, 95% CI ±2 ms, 0.5-point drop.
  // Mobile Identity: 300 ms (CI 290–310), no drop. The medians cross at 11200/(300 − 64) = 47.5 Mbit/s,
  // but below 11200/(290 − 66) = 50 Mbit/s the CIs overlap: a tie, which the smaller drop (Identity) wins.
  const tied: ResultRow[] = [
    { ...identityRow('mobile', 300, [], STUDY_LINKS), latencyMs: { median: 300, ciLow: 290, ciHigh: 310 } },
    { ...identityRow('edge', 64, [upload('mobile-edge')], STUDY_LINKS), operator: 'sptq', latencyMs: { median: 120, ciLow: 118, ciHigh: 122 }, accuracy: 79.5 },
  ];
  const [me] = runEngine({ rows: tied, modality: 'image', metric: 'top1', links: STUDY_LINKS }).sensitivity;
  assert.equal(me!.crossovers.length, 1);
  assert.ok(Math.abs(me!.crossovers[0]!.mbps - 50) < 1e-6, `got ${me!.crossovers[0]!.mbps}`);
  assert.deepEqual(me!.crossovers[0]!.below, { operator: 'identity', placement: 'mobile' });
  assert.deepEqual(me!.crossovers[0]!.above, { operator: 'sptq', placement: 'edge' });
});

test('re-pricing a whole report at a crossover bandwidth flips its recommendation, as the sensitivity said', () => {
  const report = rank({
    model: { path: 'm.onnx', name: 'm', modality: 'image' }, metric: 'top1', results: rows,
    tiers: { name: 'study', description: '', tiers: {
      mobile: { id: 'mobile', cpus: 4, memoryMB: 4096, speed: 1 }, edge: { id: 'edge', cpus: 8, memoryMB: 16384, speed: 1 },
      cloud: { id: 'cloud', cpus: 16, memoryMB: 65536, speed: 1 } },
    links: { 'mobile-edge': { id: 'mobile-edge', mbps: 200, rttMs: 0 }, 'edge-cloud': { id: 'edge-cloud', mbps: 1, rttMs: 0 } } },
    environment: { host: 'h', cpus: 2, node: 'v20', advisor: '0', date: '' },
  });
  assert.equal(report.recommendation!.placement, 'edge');
  assert.equal(rank(report, { mbps: { 'edge-cloud': 124 } }).recommendation!.placement, 'edge');
  const fast = rank(report, { mbps: { 'edge-cloud': 125 } });
  assert.equal(fast.recommendation!.placement, 'cloud');
  assert.equal(fast.tiers.links['edge-cloud'].mbps, 125);
  // Cloud at 125 Mbit/s: 10 + 56 + 11200/125 = 155.6 ms.
  assert.ok(Math.abs(fast.recommendation!.latencyMs.median - 155.6) < 1e-9);
});
