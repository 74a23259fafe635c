/**
 * Cut pricing with synthetic per-node times: a slow head tier (a phone) and a fast tail tier (an
 * edge server), so every number below can be worked out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestCuts, enumerateCuts, nodeCosts, priceCuts, type NodeTimes } from './index';
import { chainCnn, qdqCnn } from './fixtures';
import { transferMs } from '../tiers/network';

const model = chainCnn();
const graph = model.graph!;
const computeNames = graph.node.filter((n) => n.op_type !== 'Constant').map((n) => n.name!);

/** Every compute node costs `ms`; the profile total is their sum. */
function uniform(ms: number): NodeTimes {
  return { totalMs: ms * computeNames.length, nodeMs: Object.fromEntries(computeNames.map((n) => [n, ms])) };
}
const phone = uniform(10); // 80 ms on its own
const edge = uniform(1); // 8 ms on its own

test('per-node costs add up to the measured whole-run time (overhead spread in proportion)', () => {
  const listing = enumerateCuts(model);
  const times: NodeTimes = { totalMs: 100, nodeMs: { conv_0: 30, conv_1: 30, gemm_0: 20 } };
  const cost = nodeCosts(graph, times, listing.computeNodes);
  assert.ok(Math.abs(cost.reduce((a, b) => a + b, 0) - 100) < 1e-9);
  assert.ok(Math.abs(cost[graph.node.findIndex((n) => n.name === 'conv_0')]! - 37.5) < 1e-9);
  // no per-node data at all: the total is spread evenly over the compute nodes
  const even = nodeCosts(graph, { totalMs: 80, nodeMs: {} }, listing.computeNodes);
  assert.deepEqual(listing.computeNodes.map((i) => even[i]), new Array(8).fill(10));
});

test('a split is priced as head on the first tier + transfer of cut and result + tail on the second', () => {
  const link = { mbps: 100, rttMs: 2 };
  const ranked = priceCuts(graph, enumerateCuts(model), phone, edge, link);
  const c3 = ranked.find((p) => p.cut?.id === 'c3')!; // after MaxPool: 3 nodes on the phone, 5 on the edge, 2048 B
  assert.equal(c3.headMs, 30);
  assert.equal(c3.tailMs, 5);
  assert.equal(c3.bytes, 2048 + 40);
  assert.equal(c3.transferMs, transferMs(2088, link));
  assert.equal(c3.totalMs, 30 + 5 + transferMs(2088, link));
  const remote = ranked.find((p) => p.placement === 'all-tail-tier')!;
  assert.equal(remote.totalMs, 8 + transferMs(3072 + 40, link));
  assert.deepEqual(ranked.map((p) => p.totalMs), [...ranked.map((p) => p.totalMs)].sort((a, b) => a - b));
});

test('as bandwidth falls the best placement moves from the edge to a small cut to all on the phone', () => {
  const best = (mbps: number) => bestCuts(model, phone, edge, { mbps, rttMs: 1 }, 1)[0]!;
  // fast link: ship the input (3 KiB) and run everything on the 10× faster edge
  assert.equal(best(1000).placement, 'all-tail-tier');
  // slow link: the 3 KiB input costs more than computing until the 64-byte pooled vector
  const mid = best(0.05);
  assert.equal(mid.placement, 'split');
  assert.equal(mid.cut!.bytes, 64);
  // slower still: nothing beats keeping every byte on the phone
  const low = best(0.001);
  assert.equal(low.placement, 'all-head-tier');
  assert.equal(low.totalMs, 80);
  assert.equal(low.transferMs, 0);
});

test('on a QDQ model the 8-bit cut replaces its float twin in the ranking', () => {
  const q = qdqCnn();
  const names = q.graph!.node.map((n) => n.name!);
  const t = (ms: number): NodeTimes => ({ totalMs: ms * names.length, nodeMs: Object.fromEntries(names.map((n) => [n, ms])) });
  const ranked = bestCuts(q, t(10), t(1), { mbps: 10, rttMs: 1 }, 100);
  const ids = ranked.flatMap((p) => (p.cut ? [p.cut.id] : []));
  const listing = enumerateCuts(q);
  for (const c of listing.cuts.filter((x) => x.quantized)) {
    assert.ok(ids.includes(c.id));
    assert.ok(!ids.includes(c.floatTwin!), `${c.floatTwin} is dropped for ${c.id}`);
  }
  assert.equal(bestCuts(q, t(10), t(1), { mbps: 10, rttMs: 1 }, 100, { keepFloatTwins: true }).length, listing.cuts.length + 2);
});
