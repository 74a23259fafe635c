/**
 * Neurosurgeon-style pricing of cuts: from one profiled run per tier (per-node times), estimate
 * head latency on the first tier, tail latency on the second, add the link transfer of the cut
 * tensors and of the result sent back, and rank. The two single-tier placements are priced too,
 * so at a low enough bandwidth the best "cut" is to run everything on the first tier.
 * Estimates only: the best few are then measured for real by the benchmark job.
 */
import type { GraphProto, ModelProto } from '../onnx/types';
import { transferMs } from '../tiers/network';
import { enumerateCuts } from './cuts';
import type { CutListing, CutOptions, CutPlan, LinkSpec, NodeTimes, PricedCut } from './types';

export interface PriceOptions {
  /** Send the model's outputs back over the link after a split or remote run (default true). */
  returnResult?: boolean;
  /** Keep a float cut even when its 8-bit twin (cut between Q and DQ) is listed (default false). */
  keepFloatTwins?: boolean;
}

/** Key of a node in NodeTimes.nodeMs: its name, or `#<index>` when it has none. */
export function nodeKey(graph: GraphProto, i: number): string {
  return graph.node[i]!.name || `#${i}`;
}

/**
 * Per-node ms on one tier, scaled so they add up to the measured whole-model time: fused
 * kernels, session overhead and unattributed time are spread in proportion to node time.
 */
export function nodeCosts(graph: GraphProto, times: NodeTimes, computeNodes: readonly number[]): Float64Array {
  const raw = new Float64Array(graph.node.length);
  graph.node.forEach((_, i) => { raw[i] = Math.max(0, times.nodeMs[nodeKey(graph, i)] ?? 0); });
  const sum = raw.reduce((a, b) => a + b, 0);
  if (sum > 0) return raw.map((v) => (v * times.totalMs) / sum);
  // no per-node data: spread the total evenly over the compute nodes
  const even = new Float64Array(graph.node.length);
  for (const i of computeNodes) even[i] = times.totalMs / Math.max(1, computeNodes.length);
  return even;
}

const sumOver = (cost: Float64Array, nodes: readonly number[]) => nodes.reduce((s, i) => s + cost[i]!, 0);

/** Every cut and both single-tier placements, priced and sorted fastest first. */
export function priceCuts(
  graph: GraphProto, listing: CutListing, headTier: NodeTimes, tailTier: NodeTimes, link: LinkSpec, opts: PriceOptions = {},
): PricedCut[] {
  const a = nodeCosts(graph, headTier, listing.computeNodes);
  const b = nodeCosts(graph, tailTier, listing.computeNodes);
  const back = opts.returnResult === false ? 0 : listing.outputBytes ?? 0;
  const out: PricedCut[] = [
    { placement: 'all-head-tier', headMs: headTier.totalMs, transferMs: 0, tailMs: 0, totalMs: headTier.totalMs, bytes: 0 },
  ];
  if (listing.inputBytes !== null) {
    const bytes = listing.inputBytes + back;
    const t = transferMs(bytes, link);
    out.push({ placement: 'all-tail-tier', headMs: 0, transferMs: t, tailMs: tailTier.totalMs, totalMs: t + tailTier.totalMs, bytes });
  }
  const replaced = new Set(opts.keepFloatTwins ? [] : listing.cuts.map((c) => c.floatTwin).filter((x): x is string => !!x));
  for (const c of listing.cuts) {
    if (c.bytes === null || replaced.has(c.id)) continue;
    const headMs = sumOver(a, c.head);
    const tailMs = sumOver(b, c.tail);
    const bytes = c.bytes + back;
    const t = transferMs(bytes, link);
    out.push({ placement: 'split', cut: publicCut(c), headMs, transferMs: t, tailMs, totalMs: headMs + t + tailMs, bytes });
  }
  // stable: ties keep topological order, single-tier placements first
  return out.map((p, i) => ({ p, i })).sort((x, y) => x.p.totalMs - y.p.totalMs || x.i - y.i).map((x) => x.p);
}

function publicCut(c: CutPlan) {
  const { head: _h, tail: _t, ...cut } = c;
  return cut;
}

/**
 * The `k` best placements of `model` for a head tier, a tail tier and the link between them:
 * splits at listed cuts and the two single-tier placements, fastest first.
 */
export function bestCuts(
  model: ModelProto, headTier: NodeTimes, tailTier: NodeTimes, link: LinkSpec, k = 5, opts: CutOptions & PriceOptions = {},
): PricedCut[] {
  const listing = enumerateCuts(model, opts);
  return priceCuts(model.graph!, listing, headTier, tailTier, link, opts).slice(0, k);
}
