/**
 * Measured, kernel-aware placement: which int8 regions run slower than the float nodes they
 * replaced, from onnxruntime's own per-kernel times (runner job `kernelProfile`), never from a
 * rule that names an op.
 *
 * Both profiles come with the graph onnxruntime ran (optimizedModelFilePath of the profiled
 * session), so each kernel is mapped back to the source nodes it computes: its inputs and
 * outputs are traced to source values (through `_nchwc` / Q/DQ names and layout nodes), and the
 * source nodes between them are its cover (a float FusedConv covers Conv + Add + Relu; a
 * QLinearConv covers Conv + its folded Relu). Kernels that compute nothing of the source (layout
 * reorders, QuantizeLinear) are charged to the kernel that runs next, DequantizeLinear to the one
 * before — at one thread onnxruntime runs them right before their reader and right after their
 * writer. Covers that overlap are merged into regions, so a region is compared as a whole in
 * float and in int8: per run, the sum of its kernels' times.
 */
import type { GraphProto, NodeProto } from '../onnx/types';
import { median } from '../stats/describe';
import { mannWhitney } from '../stats/significance';
import type { KernelProfileResult } from './jobs';

export interface RegionTimes {
  /** Source node names in the region. */
  nodes: string[];
  /** Per measured run, ms. */
  floatMs: number[];
  int8Ms: number[];
}

export interface PlacementDecision {
  /** Quantized source nodes returned to float (the region's own, or its readers'). */
  nodes: string[];
  ops: string[];
  /** The source nodes whose kernels were measured slower. */
  region: string[];
  floatMs: number;
  int8Ms: number;
  /** Mann–Whitney p of the per-run times. */
  p: number;
  action: 'returned to float' | 'kept int8: returning it made the whole model slower' | 'kept int8: returning it missed the accuracy target';
}

/** Kernels that only move or convert data: they compute no source node. */
const TRANSPARENT = new Set(['ReorderInput', 'ReorderOutput', 'Transpose', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear']);
/** A kernel covering more groups than this is a walk that ran away: only its anchor counts. */
const MAX_COVER = 16;

/**
 * The source node an optimised node's name leads back to: onnxruntime names fused kernels after a
 * node (`conv_3_token_11`, `<node>/MatMulAddFusion`) or after the value they write (`relu_0_out_nchwc`).
 */
function anchorOf(name: string, nodes: ReadonlySet<string>, producer: ReadonlyMap<string, string>): string | undefined {
  let c = name.replace(/#\d+$/, '').replace(/_token_\d+$/, '').replace(/_nchwc$/, '');
  for (;;) {
    if (nodes.has(c)) return c;
    const p = producer.get(c);
    if (p) return p;
    const cut = c.lastIndexOf('/');
    if (cut <= 0) return undefined;
    c = c.slice(0, cut);
  }
}

/**
 * Source groups each kernel of `opt` computes (empty: layout / Q / DQ work). `groupOf` maps a
 * source node to its group (a quantized node and the Relu folded into it are one; any other node
 * is its own). A kernel covers the groups on the source paths from the groups its inputs come
 * from (exclusive) to its anchor's group (inclusive): a float FusedConv anchored at the Relu after
 * an Add covers Conv, Add and Relu.
 */
export function kernelCovers(opt: GraphProto, src: GraphProto, groupOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const nodes = new Set(src.node.map((n) => n.name ?? ''));
  const producer = new Map<string, string>();
  for (const n of src.node) for (const o of n.output) if (o) producer.set(o, n.name ?? '');
  const inits = new Set(src.initializer.map((t) => t.name ?? ''));
  const group = (n: string) => groupOf.get(n) ?? n;
  // group → source groups that feed it
  const feeds = new Map<string, Set<string>>();
  for (const n of src.node) {
    const g = group(n.name ?? '');
    const set = feeds.get(g) ?? new Set<string>();
    for (const i of n.input) { const p = producer.get(i); if (p && group(p) !== g && !inits.has(i)) set.add(group(p)); }
    feeds.set(g, set);
  }
  const optProducer = new Map<string, NodeProto>();
  for (const n of opt.node) for (const o of n.output) if (o) optProducer.set(o, n);
  const anchor = (n: NodeProto) => (TRANSPARENT.has(n.op_type ?? '') ? undefined : anchorOf(n.name ?? '', nodes, producer));
  /** Groups of the nearest anchored kernels upstream of `n`'s inputs. */
  const upstream = (n: NodeProto): Set<string> => {
    const out = new Set<string>();
    const stack = [...n.input];
    const seen = new Set<string>();
    while (stack.length) {
      const v = stack.pop()!;
      const p = optProducer.get(v);
      if (!p || seen.has(p.name ?? v)) continue;
      seen.add(p.name ?? v);
      const a = anchor(p);
      if (a) out.add(group(a)); else stack.push(...p.input);
    }
    return out;
  };
  const consumers = new Map<string, Set<string>>();
  for (const [g, fs] of feeds) for (const f of fs) consumers.set(f, (consumers.get(f) ?? new Set()).add(g));
  const covers = new Map<string, string[]>();
  for (const n of opt.node) {
    const a = anchor(n);
    if (!a) { covers.set(n.name ?? '', []); continue; }
    const stop = upstream(n);
    // ancestors of the anchor, not walking past the groups the kernel's inputs come from …
    const above = new Set<string>();
    const stack = [group(a)];
    while (stack.length && above.size <= 4 * MAX_COVER) {
      const g = stack.pop()!;
      if (above.has(g) || (stop.has(g) && g !== group(a))) continue;
      above.add(g);
      for (const f of feeds.get(g) ?? []) stack.push(f);
    }
    // … that are also downstream of those groups: a side branch (a residual's source) is not this kernel's work
    let cover = [...above];
    if (stop.size) {
      const below = new Set<string>();
      const fwd = [...stop].flatMap((g) => [...(consumers.get(g) ?? [])]);
      while (fwd.length) {
        const g = fwd.pop()!;
        if (below.has(g) || !above.has(g)) continue;
        below.add(g);
        fwd.push(...(consumers.get(g) ?? []));
      }
      cover = cover.filter((g) => below.has(g));
    }
    covers.set(n.name ?? '', cover.length > MAX_COVER || !cover.includes(group(a)) ? [group(a)] : cover);
  }
  return covers;
}

/** Per kernel of a profile: the source nodes it is charged to (neighbour rule for empty covers). */
function chargeKernels(p: KernelProfileResult, covers: Map<string, string[]>): string[][] {
  const base = p.kernels.map((k) => covers.get(k.name.replace(/#\d+$/, '')) ?? []);
  return p.kernels.map((k, i) => {
    if (base[i]!.length) return base[i]!;
    const step = k.op === 'DequantizeLinear' ? -1 : 1;
    for (let j = i + step; j >= 0 && j < base.length; j += step) if (base[j]!.length) return base[j]!;
    for (let j = i - step; j >= 0 && j < base.length; j -= step) if (base[j]!.length) return base[j]!;
    return [];
  });
}

/** Regions (merged covers of both profiles) with their per-run float and int8 times. */
export function regionTimes(
  floatProfile: KernelProfileResult, floatCovers: Map<string, string[]>,
  int8Profile: KernelProfileResult, int8Covers: Map<string, string[]>,
): RegionTimes[] {
  const fc = chargeKernels(floatProfile, floatCovers);
  const qc = chargeKernels(int8Profile, int8Covers);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    let r = x;
    while (parent.get(r)! !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const c of [...fc, ...qc]) {
    for (const n of c) if (!parent.has(n)) parent.set(n, n);
    for (const n of c.slice(1)) parent.set(find(n), find(c[0]!));
  }
  const regions = new Map<string, RegionTimes>();
  const region = (c: string[]) => {
    const r = find(c[0]!);
    if (!regions.has(r)) regions.set(r, { nodes: [], floatMs: [], int8Ms: [] });
    return regions.get(r)!;
  };
  for (const n of parent.keys()) region([n]).nodes.push(n);
  const sum = (p: KernelProfileResult, charged: string[][], key: 'floatMs' | 'int8Ms') => {
    for (const r of regions.values()) r[key] = p.ms.map(() => 0);
    p.ms.forEach((row, run) => row.forEach((ms, k) => { if (charged[k]!.length) region(charged[k]!)[key][run]! += ms; }));
  };
  sum(floatProfile, fc, 'floatMs');
  sum(int8Profile, qc, 'int8Ms');
  return [...regions.values()];
}

export interface SlowerOptions {
  /** A region is slower when its int8 median exceeds float by more than this share of float… (default 0.1) */
  relative?: number;
  /** …and by more than this many ms (default 0.01), with Mann–Whitney p below `alpha` (default 0.01). */
  absoluteMs?: number;
  alpha?: number;
}

/** Groups that read a region's outputs (`down`) and write its inputs (`up`), in the source graph. */
export function neighbours(src: GraphProto, groupOf: ReadonlyMap<string, string>): (region: readonly string[]) => { down: string[]; up: string[] } {
  const group = (n: string) => groupOf.get(n) ?? n;
  const producer = new Map<string, string>();
  for (const n of src.node) for (const o of n.output) if (o) producer.set(o, group(n.name ?? ''));
  const edges: Array<[string, string]> = [];
  for (const n of src.node) for (const i of n.input) { const p = producer.get(i); if (p && p !== group(n.name ?? '')) edges.push([p, group(n.name ?? '')]); }
  return (region) => {
    const inside = new Set(region);
    return {
      down: [...new Set(edges.filter(([a, b]) => inside.has(a) && !inside.has(b)).map(([, b]) => b))],
      up: [...new Set(edges.filter(([a, b]) => !inside.has(a) && inside.has(b)).map(([a]) => a))],
    };
  };
}

/**
 * Regions whose int8 time is measurably above their float time, and the quantized nodes to return
 * to float for each: its own, or — for a float region onnxruntime made slower by moving a
 * QuantizeLinear into it (QDQ propagation runs a MaxPool on uint8 data) — the quantized nodes that
 * read it (those that write it when none reads it).
 */
export function slowerRegions(regions: RegionTimes[], quantized: ReadonlyMap<string, string>, around: (region: readonly string[]) => { down: string[]; up: string[] }, opts: SlowerOptions = {}): PlacementDecision[] {
  const out: PlacementDecision[] = [];
  for (const r of regions) {
    const [f, i] = [median(r.floatMs), median(r.int8Ms)];
    if (i - f <= Math.max(opts.absoluteMs ?? 0.01, (opts.relative ?? 0.1) * f)) continue;
    const p = mannWhitney(r.floatMs, r.int8Ms).p;
    if (p >= (opts.alpha ?? 0.01)) continue;
    let q = r.nodes.filter((n) => quantized.has(n));
    if (!q.length) {
      const { down, up } = around(r.nodes);
      q = down.filter((n) => quantized.has(n));
      if (!q.length) q = up.filter((n) => quantized.has(n));
    }
    if (!q.length) continue;
    out.push({ nodes: q, ops: q.map((n) => quantized.get(n)!), region: r.nodes, floatMs: f, int8Ms: i, p, action: 'returned to float' });
  }
  return out.sort((a, b) => (b.int8Ms - b.floatMs) - (a.int8Ms - a.floatMs));
}
