/**
 * The calibration model: the (pre-processed) float model with the tensors to measure exposed as
 * extra outputs. For minmax each tensor gets ReduceMin/ReduceMax (all axes, keepdims 0) so only
 * two scalars per tensor cross from onnxruntime to JavaScript, as onnxruntime's MinMaxCalibrater
 * does; histogram methods need the values themselves, so the tensor is exposed as is.
 * (ReduceMin/Max reduce every axis when `axes` is absent, at every opset.)
 */
import { makeNode } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { indexGraph, topologicalOrder } from '../graph/graph';
import { inferShapes } from '../graph/shapes';
import { makeTensor, tensorToFloat32 } from '../onnx/tensor';
import type { GraphProto, ModelProto } from '../onnx/types';
import type { CalibrationMethod } from './state';

export const MIN_SUFFIX = '__calib_min';
export const MAX_SUFFIX = '__calib_max';

export interface CalibrationOutputs {
  /** tensor → [min output, max output] (minmax); min is null for tensors that cannot be negative. */
  reduced: Record<string, [string | null, string]>;
  /** tensor → output carrying its values (histogram methods) */
  exposed: Record<string, string>;
}

export function buildCalibrationModel(model: ModelProto, tensors: readonly string[], method: CalibrationMethod): { model: ModelProto; outputs: CalibrationOutputs } {
  // a shallow copy: the lists it changes are new, the weights are shared (copying megabytes of
  // initializers cost 50–100 ms of fresh memory on mobilenet_v2)
  const src = model.graph!;
  const m: ModelProto = { ...model, graph: { ...src, node: [...src.node], initializer: [...src.initializer], output: [...src.output] } };
  const g = m.graph!;
  const outNames = new Set(g.output.map((o) => o.name));
  const outputs: CalibrationOutputs = { reduced: {}, exposed: {} };
  const nonNeg = method === 'minmax' ? nonNegativeTensors(g) : new Set<string>();
  const shapes = method === 'minmax' ? inferShapes(g, 1) : new Map<string, number[]>();
  for (const t of deepestFirst(g, tensors)) {
    if (method === 'minmax') {
      const hi = `${t}${MAX_SUFFIX}`;
      const lo = `${t}${MIN_SUFFIX}`;
      const shape = shapes.get(t);
      // the quantization range always includes 0, so a tensor that cannot go negative needs no min
      const needMin = !nonNeg.has(t);
      if (shape?.length === 4 && shape[1]! > 0) {
        // NCHW activations: GlobalMaxPool runs in onnxruntime's blocked (NCHWc) layout, so the
        // optimised float graph needs no layout reorder per measured tensor; min = -max(-x) with
        // the negation as a depthwise 1×1 Conv of weight -1 (exact, also NCHWc)
        const c = shape[1]!;
        g.node.push(makeNode('GlobalMaxPool', [t], [`${hi}_pool`], {}, `${hi}_pool`));
        g.node.push(makeNode('ReduceMax', [`${hi}_pool`], [hi], { keepdims: 0 }, hi));
        if (needMin) {
          const w = `${lo}_neg_weight`;
          g.initializer.push(makeTensor(w, DataType.FLOAT, [c, 1, 1, 1], new Float32Array(c).fill(-1)));
          g.node.push(makeNode('Conv', [t, w], [`${lo}_neg`], { group: c, kernel_shape: [1, 1] }, `${lo}_neg`));
          g.node.push(makeNode('GlobalMaxPool', [`${lo}_neg`], [`${lo}_pool`], {}, `${lo}_pool`));
          g.node.push(makeNode('ReduceMax', [`${lo}_pool`], [`${lo}_negmax`], { keepdims: 0 }, `${lo}_negmax`));
          g.node.push(makeNode('Neg', [`${lo}_negmax`], [lo], {}, lo));
        }
      } else {
        g.node.push(makeNode('ReduceMax', [t], [hi], { keepdims: 0 }, hi));
        if (needMin) g.node.push(makeNode('ReduceMin', [t], [lo], { keepdims: 0 }, lo));
      }
      g.output.push({ name: hi });
      if (needMin) g.output.push({ name: lo });
      outputs.reduced[t] = [needMin ? lo : null, hi];
    } else {
      if (!outNames.has(t)) g.output.push({ name: t });
      outNames.add(t);
      outputs.exposed[t] = t;
    }
  }
  pruneTo(g, [...Object.values(outputs.reduced).flat(), ...Object.values(outputs.exposed)].filter((o): o is string => !!o));
  return { model: m, outputs };
}

/**
 * The measured tensors, the deepest first. onnxruntime orders execution by a depth-first walk
 * from the graph's leaf nodes, the last-added leaf first: measuring nodes appended shallowest
 * first all ran after the last Conv, so every measured activation stayed alive (and out of cache)
 * until the end. Appended deepest first, each reduction runs right after its producer:
 * mobilenet_v2 at batch 3 went from 1.36× to 1.18× a float run (same process, interleaved).
 */
function deepestFirst(g: GraphProto, tensors: readonly string[]): string[] {
  const idx = indexGraph(g);
  const rank = new Map<number, number>();
  try {
    topologicalOrder(idx).forEach((n, i) => rank.set(n, i));
  } catch {
    return [...tensors]; // a cycle: validation reports it elsewhere; order is only about speed
  }
  const depth = (t: string) => rank.get(idx.producer.get(t) ?? -1) ?? -1;
  return [...tensors].sort((a, b) => depth(b) - depth(a));
}

/**
 * Keeps only the outputs calibration fetches and the nodes and initializers they need: onnxruntime
 * runs every node of a graph whatever is fetched (mobilenet_v2's classifier: ~2% of a run).
 * Graph inputs stay, so every sample still feeds.
 */
function pruneTo(g: GraphProto, fetched: string[]): void {
  const producer = new Map<string, number>();
  g.node.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const need = new Set<string>();
  const keep = new Set<number>();
  const stack = [...fetched];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (need.has(v)) continue;
    need.add(v);
    const i = producer.get(v);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    const n = g.node[i]!;
    stack.push(...n.input.filter(Boolean));
    // subgraphs (If/Loop bodies) may read outer values by name
    for (const a of n.attribute) for (const sub of [a.g, ...a.graphs]) for (const sn of sub?.node ?? []) stack.push(...sn.input.filter(Boolean));
  }
  const wanted = new Set(fetched);
  g.node = g.node.filter((_, i) => keep.has(i));
  g.output = g.output.filter((o) => wanted.has(o.name ?? ''));
  g.initializer = g.initializer.filter((t) => need.has(t.name ?? ''));
}

const KEEPS_SIGN = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Concat', 'Add', 'Mul']);

/** Tensors that are ≥ 0 by construction (Relu, Clip with min ≥ 0, Sigmoid, Softmax, and sign-keeping ops of those). */
export function nonNegativeTensors(g: GraphProto): Set<string> {
  const inits = new Map(g.initializer.map((t) => [t.name ?? '', t]));
  const scalar = (v: string | undefined): number | undefined => {
    const t = v ? inits.get(v) : undefined;
    if (!t) return undefined;
    try { const a = tensorToFloat32(t); return a.length === 1 ? a[0] : undefined; } catch { return undefined; }
  };
  const out = new Set<string>();
  for (const n of g.node) {
    if ((n.domain ?? '') !== '' || !n.output[0]) continue;
    const op = n.op_type ?? '';
    let yes = false;
    if (op === 'Relu' || op === 'Sigmoid' || op === 'Softmax') yes = true;
    else if (op === 'Clip') { const lo = scalar(n.input[1]); yes = lo !== undefined && lo >= 0; }
    else if (KEEPS_SIGN.has(op)) {
      const ins = op === 'Reshape' || op === 'Squeeze' || op === 'Unsqueeze' ? [n.input[0]!] : n.input.filter(Boolean);
      yes = ins.length > 0 && ins.every((i) => out.has(i) || (inits.has(i) && (scalar(i) ?? -1) >= 0));
    }
    if (yes) out.add(n.output[0]);
  }
  return out;
}
