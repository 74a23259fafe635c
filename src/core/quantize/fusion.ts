/**
 * "Will int8 be faster here?": reads the graph onnxruntime actually runs (written by the runner's
 * `optimize` job through optimizedModelFilePath) and counts how many Conv/MatMul/Gemm became
 * integer kernels, and which float ops still sit between a DequantizeLinear and a QuantizeLinear
 * (fake-quant islands: extra work, no integer speed-up).
 */
import { readModel } from '../onnx/io';
import type { GraphProto, NodeProto } from '../onnx/types';
import type { JobOptions, RunnerHost } from '../protocol/runner';

const HEAVY = new Set(['Conv', 'MatMul', 'Gemm']);
const INTEGER_HEAVY = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm', 'MatMulIntegerToFloat', 'ConvInteger', 'MatMulInteger', 'DynamicQuantizeMatMul', 'NhwcQLinearConv']);
const FLOAT_HEAVY = new Set(['Conv', 'MatMul', 'Gemm', 'FusedConv', 'FusedGemm', 'FusedMatMul', 'NchwcConv']);
/** Ops that only move data between layouts: part of an island, not counted in it. */
const LAYOUT = new Set(['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'ReorderInput', 'ReorderOutput']);

/** Below this share of Conv/MatMul/Gemm running as integer kernels, int8 rarely pays off. */
export const LOW_FUSION_SHARE = 0.5;

export interface FusionReport {
  /** Conv/MatMul/Gemm of the float model that run as integer kernels. */
  integerKernels: number;
  /** Conv/MatMul/Gemm in the float model. */
  total: number;
  share: number;
  /** Integer kernels by op type in the optimised graph. */
  kernels: Record<string, number>;
  /**
   * Float ops in fake-quant islands, by op type: connected float regions that read a
   * DequantizeLinear and feed a QuantizeLinear (layout ops not counted).
   */
  qdqAroundFloat: Record<string, number>;
  /** Float Conv/MatMul/Gemm left in the optimised graph. */
  floatHeavy: number;
}

/**
 * Has the runner write the graph onnxruntime runs for `modelPath` to `optPath` and reports its
 * fusion against `reference` (the float graph the heavy ops are counted in).
 */
export async function onnxruntimeFusion(host: RunnerHost, modelPath: string, reference: GraphProto, optPath: string, job?: JobOptions): Promise<FusionReport> {
  await host.run('optimize', { modelPath, outPath: optPath, level: 'extended' }, job);
  return fusionReport(reference, readModel(optPath).model.graph!);
}

export function countHeavy(g: GraphProto): number {
  return g.node.filter((n) => (n.domain ?? '') === '' && HEAVY.has(n.op_type ?? '')).length;
}

export function fusionReport(floatGraph: GraphProto, optimized: GraphProto): FusionReport {
  const total = countHeavy(floatGraph);
  const kernels: Record<string, number> = {};
  let integerKernels = 0;
  let floatHeavy = 0;
  const nodes = optimized.node;
  const isFloat = (n: NodeProto) => {
    const op = n.op_type ?? '';
    return !INTEGER_HEAVY.has(op) && !op.startsWith('QLinear') && op !== 'QuantizeLinear' && op !== 'DequantizeLinear';
  };
  for (const n of nodes) {
    const op = n.op_type ?? '';
    if (INTEGER_HEAVY.has(op)) { integerKernels++; kernels[op] = (kernels[op] ?? 0) + 1; }
    else if (op.startsWith('QLinear')) kernels[op] = (kernels[op] ?? 0) + 1;
    else if (FLOAT_HEAVY.has(op)) floatHeavy++;
  }
  // float regions: float nodes joined by the tensors between them; a region that reads a
  // DequantizeLinear and feeds a QuantizeLinear is a fake-quant island (several ops, layout
  // Transposes included: onnxruntime puts them between NHWC integer kernels and NCHW float ops)
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => producer.set(o, i)));
  const root = nodes.map((_, i) => i);
  const find = (i: number): number => { while (root[i] !== i) { root[i] = root[root[i]!]!; i = root[i]!; } return i; };
  const readsDq = new Set<number>();
  const feedsQ = new Set<number>();
  nodes.forEach((n, i) => {
    if (!isFloat(n)) return;
    for (const input of n.input) {
      const p = producer.get(input);
      if (p === undefined) continue;
      const pn = nodes[p]!;
      if (pn.op_type === 'DequantizeLinear') readsDq.add(i);
      else if (isFloat(pn)) root[find(i)] = find(p);
    }
  });
  nodes.forEach((n) => {
    if (n.op_type !== 'QuantizeLinear') return;
    const p = producer.get(n.input[0] ?? '');
    if (p !== undefined && isFloat(nodes[p]!)) feedsQ.add(p);
  });
  const islandRoots = new Set([...readsDq].map(find).filter((r) => [...feedsQ].some((q) => find(q) === r)));
  const qdqAroundFloat: Record<string, number> = {};
  nodes.forEach((n, i) => {
    const op = n.op_type ?? '';
    if (isFloat(n) && !LAYOUT.has(op) && islandRoots.has(find(i))) qdqAroundFloat[op] = (qdqAroundFloat[op] ?? 0) + 1;
  });
  return { integerKernels: Math.min(integerKernels, total), total, share: total ? Math.min(integerKernels, total) / total : 0, kernels, qdqAroundFloat, floatHeavy };
}
