/**
 * Graph IR over an ONNX GraphProto: who produces and who consumes each value, topological order,
 * and validation with errors that name the node and the value. Passes (quantize, partition) read
 * the GraphProto through this index and write new protos; the index is rebuilt, never patched.
 */
import { AdvisorError } from '../errors';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/types';

export interface GraphIndex {
  graph: GraphProto;
  /** Value name → index of the node producing it. */
  producer: Map<string, number>;
  /** Value name → indexes of nodes consuming it (explicitly or from inside a subgraph). */
  consumers: Map<string, number[]>;
  initializers: Map<string, TensorProto>;
  /** Graph inputs that are not initializers (what a caller feeds). */
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  /** value_info, inputs and outputs by name. */
  valueInfo: Map<string, ValueInfoProto>;
}

export function nodeLabel(n: NodeProto, i: number): string {
  return n.name ? `node "${n.name}" (${n.op_type})` : `node #${i} (${n.op_type})`;
}

/** Names a node reads from the enclosing scope inside its subgraphs (If/Loop/Scan bodies). */
export function implicitInputs(n: NodeProto): string[] {
  const out = new Set<string>();
  for (const a of n.attribute) {
    for (const g of [...(a.g ? [a.g] : []), ...a.graphs]) {
      const defined = new Set<string>([...g.input.map((v) => v.name ?? ''), ...g.initializer.map((t) => t.name ?? '')]);
      for (const sn of g.node) for (const o of sn.output) defined.add(o);
      for (const sn of g.node) {
        for (const i of [...sn.input, ...implicitInputs(sn)]) if (i && !defined.has(i)) out.add(i);
      }
    }
  }
  return [...out];
}

export function hasSubgraph(n: NodeProto): boolean {
  return n.attribute.some((a) => a.g !== undefined || a.graphs.length > 0);
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer) initializers.set(t.name ?? '', t);
  graph.node.forEach((n, i) => {
    for (const o of n.output) if (o) producer.set(o, i);
    const reads = new Set([...n.input.filter((x) => x !== ''), ...implicitInputs(n)]);
    for (const v of reads) {
      const c = consumers.get(v);
      if (c) c.push(i); else consumers.set(v, [i]);
    }
  });
  const valueInfo = new Map<string, ValueInfoProto>();
  for (const v of [...graph.value_info, ...graph.input, ...graph.output]) if (v.name) valueInfo.set(v.name, v);
  return {
    graph, producer, consumers, initializers,
    inputs: graph.input.filter((v) => !initializers.has(v.name ?? '')),
    outputs: graph.output,
    valueInfo,
  };
}

/**
 * Kahn's algorithm, stable (ties keep file order). Throws naming a node on a cycle.
 */
export function topologicalOrder(idx: GraphIndex): number[] {
  const nodes = idx.graph.node;
  const indeg = new Array<number>(nodes.length).fill(0);
  const deps: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const v of [...n.input, ...implicitInputs(n)]) {
      const p = v ? idx.producer.get(v) : undefined;
      if (p !== undefined && p !== i && !seen.has(p)) { seen.add(p); deps[p]!.push(i); indeg[i]!++; }
      if (p === i) throw new AdvisorError('input', `graph has a cycle: ${nodeLabel(n, i)} reads its own output "${v}"`);
    }
  });
  // a min-heap on index keeps the original order where the graph allows it; a heap, not a
  // scan, because wide graphs (thousands of ready nodes) made a linear scan quadratic
  const ready = new MinHeap();
  indeg.forEach((d, i) => { if (d === 0) ready.push(i); });
  const order: number[] = [];
  while (ready.size) {
    const i = ready.pop();
    order.push(i);
    for (const c of deps[i]!) if (--indeg[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = indeg.findIndex((d) => d > 0);
    throw new AdvisorError('input', `graph has a cycle through ${nodeLabel(nodes[stuck]!, stuck)}`);
  }
  return order;
}

/**
 * Structural checks: unique value and node names, every input defined, outputs produced, acyclic.
 * `file` names the model in errors.
 */
export function validateGraph(graph: GraphProto, file?: string): GraphIndex {
  const fail = (msg: string) => new AdvisorError('input', msg, file);
  const idx = indexGraph(graph);
  const defined = new Set<string>();
  for (const v of graph.input) defined.add(v.name ?? '');
  for (const t of graph.initializer) defined.add(t.name ?? '');
  for (const s of graph.sparse_initializer) defined.add(s.values?.name ?? '');
  const nodeNames = new Set<string>();
  graph.node.forEach((n, i) => {
    if (!n.op_type) throw fail(`${nodeLabel(n, i)} has no op_type`);
    if (n.name) {
      if (nodeNames.has(n.name)) throw fail(`duplicate node name "${n.name}"`);
      nodeNames.add(n.name);
    }
    for (const o of n.output) {
      if (!o) continue;
      if (defined.has(o)) throw fail(`value "${o}" is defined twice (again by ${nodeLabel(n, i)})`);
      defined.add(o);
    }
  });
  graph.node.forEach((n, i) => {
    for (const v of [...n.input, ...implicitInputs(n)]) {
      if (v && !defined.has(v)) throw fail(`${nodeLabel(n, i)} reads "${v}", which nothing defines`);
    }
  });
  for (const o of graph.output) {
    if (!defined.has(o.name ?? '')) throw fail(`graph output "${o.name}" is not produced by any node`);
  }
  topologicalOrder(idx);
  return idx;
}

/** Binary min-heap of node indexes. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
