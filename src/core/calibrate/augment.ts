/**
 * The calibration model: the (pre-processed) float model with the tensors to measure exposed as
 * extra outputs. For minmax each tensor gets ReduceMin/ReduceMax (all axes, keepdims 0) so only
 * two scalars per tensor cross from onnxruntime to JavaScript, as onnxruntime's MinMaxCalibrater
 * does; histogram methods need the values themselves, so the tensor is exposed as is.
 * (ReduceMin/Max reduce every axis when `axes` is absent, at every opset.)
 */
import { makeNode } from '../onnx/builder';
import { tensorToFloat32 } from '../onnx/tensor';
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
  const m = structuredClone(model);
  const g = m.graph!;
  const outNames = new Set(g.output.map((o) => o.name));
  const outputs: CalibrationOutputs = { reduced: {}, exposed: {} };
  const nonNeg = method === 'minmax' ? nonNegativeTensors(g) : new Set<string>();
  for (const t of tensors) {
    if (method === 'minmax') {
      const hi = `${t}${MAX_SUFFIX}`;
      g.node.push(makeNode('ReduceMax', [t], [hi], { keepdims: 0 }, hi));
      g.output.push({ name: hi });
      // the quantization range always includes 0, so a tensor that cannot go negative needs no min
      if (nonNeg.has(t)) { outputs.reduced[t] = [null, hi]; continue; }
      const lo = `${t}${MIN_SUFFIX}`;
      g.node.push(makeNode('ReduceMin', [t], [lo], { keepdims: 0 }, lo));
      g.output.push({ name: lo });
      outputs.reduced[t] = [lo, hi];
    } else {
      if (!outNames.has(t)) g.output.push({ name: t });
      outNames.add(t);
      outputs.exposed[t] = t;
    }
  }
  return { model: m, outputs };
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
