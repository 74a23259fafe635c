/**
 * Already-quantized models (a QAT export with QuantizeLinear/DequantizeLinear, a QOperator model,
 * a dynamically quantized one) must not be quantized again: a second quantization stacks its
 * rounding error on the first and usually leaves fake-quant islands that run slower.
 */
import { AdvisorError } from '../errors';
import { quantizationOf } from '../inspect/inspect';
import type { GraphProto } from '../onnx/types';

const INTEGER_TYPES = new Set([2, 3, 4, 5, 21, 22]); // uint8 int8 uint16 int16 uint4 int4

/** Throws AdvisorError('unsupported') naming what was found; `file` names the model. */
export function refuseIfQuantized(g: GraphProto, file?: string): void {
  const q = quantizationOf(g);
  if (q.state !== 'float') {
    const what = q.state === 'qdq'
      ? `${q.qdqNodes} QuantizeLinear/DequantizeLinear nodes (a QDQ or quantization-aware-training export)`
      : q.state === 'qoperator'
        ? `${q.integerOps} integer operators (QLinearConv, QLinearMatMul, ...)`
        : `${q.integerOps} dynamic-quantization operators (MatMulInteger, DynamicQuantizeLinear, ...)`;
    throw new AdvisorError('unsupported', `the model is already quantized: it has ${what}; quantizing it again would stack a second rounding error — benchmark it as it is`, file);
  }
  const intWeights = g.initializer.filter((t) => INTEGER_TYPES.has(t.data_type ?? 0) && t.dims.length >= 2);
  if (intWeights.length > 0) {
    throw new AdvisorError('unsupported', `the model is already quantized: ${intWeights.length} weight tensors are stored as integers (e.g. "${intWeights[0]!.name}")`, file);
  }
}
