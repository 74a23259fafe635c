/**
 * Cut enumeration: a sweep over one topological order of the compute nodes (constants left out,
 * they are duplicated) that records, at every boundary, the values computed before it and read
 * after it (design-facts §3.2). A boundary whose live set has at most `maxTensors` values is a
 * cut. A node with a subgraph is one step of the sweep, so control flow is never cut through.
 * On a QDQ model every cut at DequantizeLinear outputs also gets its twin at the QuantizeLinear
 * outputs, so the transferred tensor is 8-bit.
 */
import { AdvisorError } from '../errors';
import { byteLength, dtypeFromName, dtypeName, isFloatDtype } from '../onnx/dtypes';
import type { GraphProto, ModelProto, ValueInfoProto } from '../onnx/types';
import { implicitInputs, indexGraph, topologicalOrder, type GraphIndex } from '../graph/graph';
import { inferShapes } from '../graph/shapes';
import { checkAnnotations, type AnnotationCheck } from './annotations';
import { analyzeConstants, type ConstantAnalysis } from './constants';
import { inferElemTypes } from './elemTypes';
import type { CutListing, CutOptions, CutPlan, CutTensor } from './types';

/** Everything about a graph that cut search and extraction share; built once per model. */
export interface GraphFacts {
  graph: GraphProto;
  idx: GraphIndex;
  consts: ConstantAnalysis;
  /** Compute nodes in topological order, and each one's position in it. */
  compute: number[];
  position: Map<number, number>;
  elemTypes: Map<string, number>;
  /** Shapes the model computes: inferred from the inputs, or measured (never from value_info). */
  shapes: Map<string, number[]>;
  symbolicFixed: boolean;
  /** The model's value_info checked against `shapes`. */
  annotations: AnnotationCheck;
}

export function reads(g: GraphProto, i: number): string[] {
  const n = g.node[i]!;
  return [...n.input.filter((v) => v !== ''), ...implicitInputs(n)];
}

function withInputShapes(graph: GraphProto, shapes: Record<string, readonly number[]>): GraphProto {
  const input = graph.input.map((v): ValueInfoProto => {
    const s = v.name ? shapes[v.name] : undefined;
    const tt = v.type?.tensor_type;
    if (!s || !tt) return v;
    return { ...v, type: { ...v.type, tensor_type: { ...tt, shape: { dim: s.map((d) => ({ dim_value: BigInt(d) })) } } } };
  });
  return { ...graph, input };
}

function hasSymbolicDims(graph: GraphProto, resolved: Record<string, readonly number[]>): boolean {
  return graph.input.some((v) => !resolved[v.name ?? ''] && (v.type?.tensor_type?.shape?.dim ?? []).some((d) => d.dim_value === undefined));
}

export function graphFacts(model: ModelProto, opts: CutOptions = {}): GraphFacts {
  const graph = model.graph;
  if (!graph) throw new AdvisorError('input', 'the model has no graph');
  const idx = indexGraph(graph);
  const consts = analyzeConstants(graph);
  const compute = topologicalOrder(idx).filter((i) => !consts.nodes.has(i));
  const position = new Map(compute.map((n, p) => [n, p]));
  const inputShapes = opts.inputShapes ?? {};
  const elemTypes = inferElemTypes(graph);
  const measured = Object.entries(opts.measured ?? {});
  for (const [name, m] of measured) {
    const t = dtypeFromName(m.type);
    if (t && !elemTypes.has(name)) elemTypes.set(name, t);
  }
  // measured shapes seed inference (values downstream get sized too) and win over it; the
  // model's value_info does not seed it (declarations can be wrong at run time): it is checked
  const seeded = { ...withInputShapes(graph, inputShapes), value_info: [] };
  const extra: ValueInfoProto[] = measured.map(([name, m]) => ({ name, type: { tensor_type: { elem_type: elemTypes.get(name) ?? 0, shape: { dim: m.dims.map((d) => ({ dim_value: BigInt(d) })) } } } }));
  const shapes = inferShapes(extra.length ? { ...seeded, value_info: extra } : seeded, opts.symbolicDim ?? 1);
  for (const [name, m] of measured) shapes.set(name, [...m.dims]);
  return {
    graph, idx, consts, compute, position, elemTypes, shapes,
    symbolicFixed: hasSymbolicDims(graph, inputShapes),
    annotations: checkAnnotations(graph, shapes, new Set(measured.map(([n]) => n))),
  };
}

/** Tensors of listed cuts whose size static inference could not tell (measure them with the runner). */
export function unsizedTensors(listing: CutListing): string[] {
  return [...new Set(listing.cuts.flatMap((c) => c.tensors.filter((t) => t.bytes === null).map((t) => t.name)))];
}

export function cutTensor(f: GraphFacts, name: string): CutTensor {
  const elemType = f.elemTypes.get(name) ?? 0;
  const shape = f.shapes.get(name) ?? null;
  const count = shape ? shape.reduce((a, b) => a * b, 1) : null;
  return { name, dtype: dtypeName(elemType), elemType, shape, bytes: count === null || !elemType ? null : byteLength(elemType, count) };
}

export interface Closure {
  /** Node indexes (constants included), in graph order. */
  nodes: number[];
  /** Values read from outside the part (not produced in it, not constant). */
  needs: string[];
}

/**
 * Nodes needed to compute `targets`, walking producers backwards and stopping at `stop` values,
 * constants that are initializers, and static Shape outputs (folded into initializers).
 */
export function closure(f: GraphFacts, targets: readonly string[], stop: ReadonlySet<string>): Closure {
  const seen = new Set<number>();
  const needs = new Set<string>();
  const visited = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const v = stack.pop()!;
    if (visited.has(v)) continue;
    visited.add(v);
    if (stop.has(v)) { needs.add(v); continue; }
    if (f.consts.staticShapes.has(v)) continue;
    const p = f.idx.producer.get(v);
    // initializers (dense or sparse) are constants with no producer: each part keeps its own copy
    if (p === undefined) { if (!f.consts.values.has(v)) needs.add(v); continue; }
    if (seen.has(p)) continue;
    seen.add(p);
    stack.push(...reads(f.graph, p));
  }
  return { nodes: [...seen].sort((a, b) => a - b), needs: [...needs] };
}

/** Head and tail node sets of a cut, or an error naming why the tensor set is not a cut. */
export function planCut(f: GraphFacts, tensors: readonly string[]): { head: number[]; tail: number[] } {
  const set = new Set(tensors);
  for (const t of tensors) {
    if (f.consts.values.has(t)) throw new AdvisorError('usage', `"${t}" is a constant; constants are duplicated, not transferred`);
    if (!f.idx.producer.has(t) && !f.idx.inputs.some((v) => v.name === t)) throw new AdvisorError('usage', `the model has no value "${t}"`);
  }
  const inputNames = new Set(f.idx.inputs.map((v) => v.name ?? ''));
  const head = closure(f, tensors, inputNames);
  const outputs = f.graph.output.map((o) => o.name ?? '').filter((o) => !set.has(o));
  const tail = closure(f, outputs, set);
  const outside = tail.needs.filter((v) => !set.has(v));
  if (outside.length) {
    throw new AdvisorError('usage', `not a cut: the tail would also need ${outside.slice(0, 3).map((v) => `"${v}"`).join(', ')}`);
  }
  const headSet = new Set(head.nodes);
  const shared = tail.nodes.find((i) => headSet.has(i) && !f.consts.nodes.has(i) && !isDuplicableDequantize(f, i, set));
  if (shared !== undefined) {
    throw new AdvisorError('usage', `not a cut: node "${f.graph.node[shared]!.name ?? `#${shared}`}" would run on both sides`);
  }
  return { head: head.nodes, tail: tail.nodes };
}

/**
 * A DequantizeLinear of a transferred 8-bit tensor may run on both sides: inside an SPTQ residual
 * block the skip connection's DQ feeds both the next Conv (head) and the Add (tail), and sending
 * the 8-bit tensor once is 4× cheaper than sending its float copy.
 */
function isDuplicableDequantize(f: GraphFacts, i: number, cut: ReadonlySet<string>): boolean {
  const n = f.graph.node[i]!;
  return n.op_type === 'DequantizeLinear' && cut.has(n.input[0] ?? '') && n.input.slice(1).every((v) => !v || f.consts.values.has(v));
}

/** Live sets of size 1..max at every boundary of the compute order (deduplicated, in order). */
function liveSets(f: GraphFacts, max: number): string[][] {
  const m = f.compute.length;
  const lastUse = new Map<string, number>();
  const note = (v: string, p: number) => lastUse.set(v, Math.max(lastUse.get(v) ?? -1, p));
  f.compute.forEach((i, p) => { for (const v of reads(f.graph, i)) if (!f.consts.values.has(v)) note(v, p); });
  for (const o of f.graph.output) if (o.name && !f.consts.values.has(o.name)) note(o.name, m);
  const dies: string[][] = Array.from({ length: m + 1 }, () => []);
  for (const [v, p] of lastUse) dies[p]!.push(v);
  const live = new Set<string>();
  for (const v of f.idx.inputs) if (v.name && lastUse.has(v.name)) live.add(v.name);
  const out: string[][] = [];
  const keys = new Set<string>();
  for (let p = 0; p < m - 1; p++) {
    for (const o of f.graph.node[f.compute[p]!]!.output) if (o && (lastUse.get(o) ?? -1) > p) live.add(o);
    for (const v of dies[p]!) live.delete(v);
    if (live.size === 0 || live.size > max) continue;
    const set = [...live].sort();
    const key = set.join('\0');
    if (!keys.has(key)) { keys.add(key); out.push(set); }
  }
  return out;
}

/** The QuantizeLinear output feeding a DequantizeLinear that produces `t`, if any. */
function quantizedSource(f: GraphFacts, t: string): string | undefined {
  const dq = f.idx.producer.get(t);
  if (dq === undefined || f.graph.node[dq]!.op_type !== 'DequantizeLinear') return undefined;
  const q = f.graph.node[dq]!.input[0]!;
  const qn = f.idx.producer.get(q);
  return qn !== undefined && f.graph.node[qn]!.op_type === 'QuantizeLinear' && !f.consts.values.has(q) ? q : undefined;
}

/** For a QuantizeLinear output read by exactly one DequantizeLinear: that DQ's output. */
function floatSide(f: GraphFacts, t: string): string {
  const users = f.idx.consumers.get(t) ?? [];
  const dq = users.length === 1 ? f.graph.node[users[0]!]! : undefined;
  return isQuantizeOutput(f, t) && dq?.op_type === 'DequantizeLinear' ? dq.output[0]! : t;
}

function isQuantizeOutput(f: GraphFacts, t: string): boolean {
  const p = f.idx.producer.get(t);
  return p !== undefined && f.graph.node[p]!.op_type === 'QuantizeLinear';
}

/** A checked cut with its sizes and node sets; `id` is the tensor list until a listing numbers it. */
export function describeCut(f: GraphFacts, names: readonly string[]): CutPlan {
  const p = planCut(f, names);
  const compute = (ns: number[]) => ns.filter((i) => !f.consts.nodes.has(i)).length;
  const tensors = names.map((t) => cutTensor(f, t));
  const sizes = tensors.map((t) => t.bytes);
  const quantized = names.some((t) => isQuantizeOutput(f, t))
    && tensors.every((t) => isQuantizeOutput(f, t.name) || !isFloatDtype(t.elemType));
  return {
    id: names.join(','), tensors,
    bytes: sizes.some((b) => b === null) ? null : sizes.reduce<number>((a, b) => a + b!, 0),
    headNodes: compute(p.head), tailNodes: compute(p.tail), quantized,
    head: p.head, tail: p.tail,
  };
}

/** Lists every cut of `model` with at most `maxTensors` transferred tensors, in topological order. */
export function enumerateCuts(model: ModelProto, opts: CutOptions = {}): CutListing {
  const f = graphFacts(model, opts);
  return listCuts(f, opts.maxTensors ?? 3);
}

export function listCuts(f: GraphFacts, maxTensors: number): CutListing {
  const candidates: string[][] = [];
  const keys = new Set<string>();
  const add = (tensors: string[]) => {
    const key = [...tensors].sort().join('\0');
    if (keys.has(key)) return;
    keys.add(key);
    candidates.push(tensors);
  };
  for (const set of liveSets(f, maxTensors)) {
    add(set);
    const q = set.map((t) => quantizedSource(f, t) ?? t);
    if (q.some((t, i) => t !== set[i])) add(q);
  }
  const plans: (CutPlan & { frontier: number })[] = [];
  for (const c of candidates) {
    let d: CutPlan;
    try { d = describeCut(f, c); } catch { continue; }
    if (d.headNodes === 0 || d.tailNodes === 0) continue;
    plans.push({
      ...d,
      frontier: Math.max(...d.head.filter((i) => !f.consts.nodes.has(i)).map((i) => f.position.get(i)!)),
    });
  }
  plans.sort((a, b) => a.frontier - b.frontier || a.headNodes - b.headNodes);
  const idOf = new Map<string, string>();
  const setKey = (names: readonly string[]) => [...names].sort().join('\0');
  plans.forEach((p, i) => { p.id = `c${i + 1}`; idOf.set(setKey(p.tensors.map((t) => t.name)), p.id); });
  const cuts: CutPlan[] = plans.map(({ frontier: _f, ...p }) => {
    if (!p.quantized) return p;
    // the float cut this one replaces: each Q output swapped for the output of its single DQ
    const twin = idOf.get(setKey(p.tensors.map((t) => floatSide(f, t.name))));
    return twin && twin !== p.id ? { ...p, floatTwin: twin } : p;
  });
  const sum = (names: string[]) => {
    const b = names.map((n) => cutTensor(f, n).bytes);
    return b.some((x) => x === null) ? null : b.reduce<number>((a, x) => a + x!, 0);
  };
  return {
    cuts,
    computeNodes: f.compute,
    inputBytes: sum(f.idx.inputs.map((v) => v.name ?? '')),
    outputBytes: sum(f.graph.output.map((v) => v.name ?? '')),
    symbolicFixed: f.symbolicFixed,
    wrongAnnotations: f.annotations.wrong,
  };
}
