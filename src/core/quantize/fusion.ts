/**
 * "Will int8 be faster here?": reads the graph onnxruntime actually runs (written by the runner's
 * `optimize` job through optimizedModelFilePath) and counts how many Conv/MatMul/Gemm became
 * integer kernels, and which float ops still sit between a DequantizeLinear and a QuantizeLinear
 * (fake-quant islands: extra work, no integer speed-up).
 */
import type { GraphProto } from '../onnx/types';

const HEAVY = new Set(['Conv', 'MatMul', 'Gemm']);
const INTEGER_HEAVY = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm', 'MatMulIntegerToFloat', 'ConvInteger', 'MatMulInteger', 'DynamicQuantizeMatMul', 'NhwcQLinearConv']);
const FLOAT_HEAVY = new Set(['Conv', 'MatMul', 'Gemm', 'FusedConv', 'FusedGemm', 'FusedMatMul', 'NchwcConv']);

export interface FusionReport {
  /** Conv/MatMul/Gemm of the float model that run as integer kernels. */
  integerKernels: number;
  /** Conv/MatMul/Gemm in the float model. */
  total: number;
  share: number;
  /** Integer kernels by op type in the optimised graph. */
  kernels: Record<string, number>;
  /** Float ops sandwiched between a DequantizeLinear and a QuantizeLinear (fake-quant islands), by op type. */
  qdqAroundFloat: Record<string, number>;
  /** Float Conv/MatMul/Gemm left in the optimised graph. */
  floatHeavy: number;
}

export function countHeavy(g: GraphProto): number {
  return g.node.filter((n) => (n.domain ?? '') === '' && HEAVY.has(n.op_type ?? '')).length;
}

export function fusionReport(floatGraph: GraphProto, optimized: GraphProto): FusionReport {
  const total = countHeavy(floatGraph);
  const kernels: Record<string, number> = {};
  let integerKernels = 0;
  let floatHeavy = 0;
  const producer = new Map<string, string>();
  for (const n of optimized.node) for (const o of n.output) producer.set(o, n.op_type ?? '');
  const consumers = new Map<string, string[]>();
  for (const n of optimized.node) for (const i of n.input) { const c = consumers.get(i); if (c) c.push(n.op_type ?? ''); else consumers.set(i, [n.op_type ?? '']); }
  const qdqAroundFloat: Record<string, number> = {};
  for (const n of optimized.node) {
    const op = n.op_type ?? '';
    if (INTEGER_HEAVY.has(op)) { integerKernels++; kernels[op] = (kernels[op] ?? 0) + 1; continue; }
    if (op.startsWith('QLinear') || op === 'QuantizeLinear' || op === 'DequantizeLinear') {
      if (op.startsWith('QLinear')) kernels[op] = (kernels[op] ?? 0) + 1;
      continue;
    }
    if (FLOAT_HEAVY.has(op)) floatHeavy++;
    const readsDq = n.input.some((i) => producer.get(i) === 'DequantizeLinear');
    const feedsQ = n.output.some((o) => (consumers.get(o) ?? []).includes('QuantizeLinear'));
    if (readsDq && feedsQ) qdqAroundFloat[op] = (qdqAroundFloat[op] ?? 0) + 1;
  }
  return { integerKernels: Math.min(integerKernels, total), total, share: total ? Math.min(integerKernels, total) / total : 0, kernels, qdqAroundFloat, floatHeavy };
}
