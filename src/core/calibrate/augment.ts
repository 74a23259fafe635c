/**
 * The calibration model: the (pre-processed) float model with the tensors to measure exposed as
 * extra outputs. For minmax each tensor gets ReduceMin/ReduceMax (all axes, keepdims 0) so only
 * two scalars per tensor cross from onnxruntime to JavaScript, as onnxruntime's MinMaxCalibrater
 * does; histogram methods need the values themselves, so the tensor is exposed as is.
 * (ReduceMin/Max reduce every axis when `axes` is absent, at every opset.)
 */
import { makeNode } from '../onnx/builder';
import type { ModelProto } from '../onnx/types';
import type { CalibrationMethod } from './state';

export const MIN_SUFFIX = '__calib_min';
export const MAX_SUFFIX = '__calib_max';

export interface CalibrationOutputs {
  /** tensor → [min output, max output] (minmax) */
  reduced: Record<string, [string, string]>;
  /** tensor → output carrying its values (histogram methods) */
  exposed: Record<string, string>;
}

export function buildCalibrationModel(model: ModelProto, tensors: readonly string[], method: CalibrationMethod): { model: ModelProto; outputs: CalibrationOutputs } {
  const m = structuredClone(model);
  const g = m.graph!;
  const outNames = new Set(g.output.map((o) => o.name));
  const outputs: CalibrationOutputs = { reduced: {}, exposed: {} };
  for (const t of tensors) {
    if (method === 'minmax') {
      const lo = `${t}${MIN_SUFFIX}`;
      const hi = `${t}${MAX_SUFFIX}`;
      g.node.push(makeNode('ReduceMin', [t], [lo], { keepdims: 0 }, lo));
      g.node.push(makeNode('ReduceMax', [t], [hi], { keepdims: 0 }, hi));
      g.output.push({ name: lo }, { name: hi });
      outputs.reduced[t] = [lo, hi];
    } else {
      if (!outNames.has(t)) g.output.push({ name: t });
      outNames.add(t);
      outputs.exposed[t] = t;
    }
  }
  return { model: m, outputs };
}
