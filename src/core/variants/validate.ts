/**
 * A variant must be a drop-in replacement for the model: same input/output names, dtypes and
 * ranks. QAT variants must already be quantized (never re-quantized); pruned variants report their
 * sparsity with the study's caveat that dense ONNX kernels gain nothing from it.
 */
import { AdvisorError } from '../errors';
import type { Inspection } from '../inspect/inspect';
import type { VariantKind } from './kinds';

export interface VariantCheck { warnings: string[]; sparsity?: number }

export function validateVariant(base: Inspection, variant: Inspection, kind: VariantKind): VariantCheck {
  const fail = (msg: string) => new AdvisorError('input', `${kind} variant does not match the model: ${msg}`, variant.path);
  for (const side of ['inputs', 'outputs'] as const) {
    const a = base[side];
    const b = variant[side];
    const names = (l: typeof a) => l.map((v) => v.name).join(', ');
    if (a.length !== b.length || a.some((v, i) => v.name !== b[i]!.name)) {
      throw fail(`${side} are [${names(b)}], the model's are [${names(a)}]`);
    }
    a.forEach((v, i) => {
      const w = b[i]!;
      if (v.dtype !== w.dtype) throw fail(`${side.slice(0, -1)} "${v.name}" is ${w.dtype}, the model's is ${v.dtype}`);
      if (v.shape && w.shape && v.shape.length !== w.shape.length) {
        throw fail(`${side.slice(0, -1)} "${v.name}" has rank ${w.shape.length}, the model's has rank ${v.shape.length}`);
      }
    });
  }
  const warnings: string[] = [];
  if (kind === 'qat' && variant.quantization.state === 'float') {
    throw new AdvisorError('input', 'qat variant contains no quantization (no QuantizeLinear/DequantizeLinear or integer ops): export it with its fake-quant nodes', variant.path);
  }
  if (kind !== 'qat' && variant.quantization.state !== 'float') {
    warnings.push(`${kind} variant is already quantized (${variant.quantization.state}); DSPTQ will not re-quantize it`);
  }
  if (kind === 'pruned') {
    warnings.push(
      `pruned variant has ${(variant.sparsity * 100).toFixed(1)}% zero weights; unstructured sparsity in a dense ONNX graph gives no speed-up on onnxruntime's CPU kernels (the study measured Pruned ≈ Identity latency on every tier)`,
    );
    return { warnings, sparsity: variant.sparsity };
  }
  return { warnings };
}
