/**
 * Which values of a graph are constants: initializers, Constant outputs, anything computed only
 * from constants, and the output of a Shape node whose input has a static shape. Constants never
 * cross a cut: each side recomputes (or stores) its own copy. Static Shape outputs matter for
 * exported transformers, whose Shape→Gather→…→Reshape chains would otherwise turn every cut
 * into a many-tensor one (design-facts §3.2).
 */
import type { GraphProto, NodeProto } from '../onnx/types';
import { hasSubgraph, implicitInputs, indexGraph, topologicalOrder } from '../graph/graph';
import { inferShapes } from '../graph/shapes';

/** Nodes whose output is not a function of their inputs: never fold them into constants. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

export interface ConstantAnalysis {
  /** Value names that are constants. */
  values: Set<string>;
  /** Node indexes all of whose outputs are constants (they may run on both sides). */
  nodes: Set<number>;
  /** Shape-node outputs with their static value: replaced by initializers when a part is extracted. */
  staticShapes: Map<string, number[]>;
  /** Per value, its dims that do not depend on symbolic input dims (null where they do). */
  valueDims: Map<string, (number | null)[]>;
}

/**
 * Every value's shape with the dims that do not depend on symbolic input dims (others null):
 * inference runs with two different values for the symbolic dims and keeps the dims that agree.
 * The graph's value_info is left out: declared shapes can be wrong at run time, and a Shape
 * folded from a wrong declaration would be a wrong constant in both parts.
 */
export function staticDims(graph: GraphProto): Map<string, (number | null)[]> {
  const clean = { ...graph, value_info: [] };
  const a = inferShapes(clean, 1);
  const b = inferShapes(clean, 7);
  const out = new Map<string, (number | null)[]>();
  for (const [name, s] of a) {
    const t = b.get(name);
    if (t && t.length === s.length) out.set(name, s.map((d, i) => (d === t[i] ? d : null)));
  }
  return out;
}

function shapeNodeValue(n: NodeProto, inputShape: number[]): number[] {
  const rank = inputShape.length;
  const get = (name: string) => n.attribute.find((a) => a.name === name)?.i;
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const start = clamp(Number(get('start') ?? 0n));
  const endAttr = get('end');
  const end = endAttr === undefined ? rank : clamp(Number(endAttr));
  return inputShape.slice(start, end);
}

export function analyzeConstants(graph: GraphProto): ConstantAnalysis {
  const idx = indexGraph(graph);
  const values = new Set<string>([...graph.initializer.map((t) => t.name ?? ''), ...graph.sparse_initializer.map((t) => t.values?.name ?? '')]);
  for (const v of idx.inputs) values.delete(v.name ?? ''); // overridable inputs are not constants
  const nodes = new Set<number>();
  const shapesOut = new Map<string, number[]>();
  const stat = staticDims(graph);
  for (const i of topologicalOrder(idx)) {
    const n = graph.node[i]!;
    const op = n.op_type ?? '';
    let constant = false;
    if (op === 'Shape' && !n.domain) {
      const s = stat.get(n.input[0] ?? '');
      if (s && s.every((d) => d !== null)) { constant = true; shapesOut.set(n.output[0]!, shapeNodeValue(n, s as number[])); }
    } else if (!NONDETERMINISTIC.has(op) && !hasSubgraph(n)) {
      const reads = [...n.input.filter((v) => v !== ''), ...implicitInputs(n)];
      constant = reads.every((v) => values.has(v));
    }
    if (constant) {
      nodes.add(i);
      for (const o of n.output) if (o) values.add(o);
    }
  }
  return { values, nodes, staticShapes: shapesOut, valueDims: stat };
}
