/**
 * Batched calibration: several samples stacked along axis 0 in one onnxruntime run. Per sample
 * this costs ~1.26–1.32× a float inference on mobilenet_v2 at batches of 2–16 instead of ~1.5× one
 * by one (the measuring kernels' fixed cost is shared; in-process, 1 thread), and the ranges are
 * the same: min/max reduce over every axis, histograms over every value.
 * Only where the model says it is safe: every input and output declares a symbolic leading
 * dimension, every sample has 1 there, and shape inference with a probe batch keeps it as the
 * leading dimension of every measured tensor (a reshape baked to batch 1 would not).
 */
import { inferShapes } from '../graph/shapes';
import type { ModelProto, ValueInfoProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';

export const MAX_CALIBRATION_BATCH = 8;
/**
 * The largest measured tensor of a whole batch stays under this: onnxruntime's arena grows with the
 * batch, and fresh memory is not free (first-touch page faults cost ~12 µs per 4 KiB page in our
 * VM: a batch of 8 on mobilenet_v2 took 0.74 s before its first result, a batch of 2 0.14 s).
 */
export const CALIBRATION_BATCH_BYTES = 16 * 2 ** 20;
/** A batch size no real leading dimension is likely to equal by accident. */
const PROBE = 13;

export interface BatchDecision {
  batch: number;
  /** Why batching was not used (batch 1), for the report. */
  reason?: string;
}

function leadingSymbolic(v: ValueInfoProto): boolean | undefined {
  const dims = v.type?.tensor_type?.shape?.dim;
  if (!dims?.length) return undefined;
  return dims[0]!.dim_value === undefined;
}

export function calibrationBatch(model: ModelProto, tensors: readonly string[], sample: Feeds): BatchDecision {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input.filter((i) => !inits.has(i.name));
  if (inputs.length === 0 || tensors.length === 0) return { batch: 1, reason: 'nothing to batch' };
  for (const i of inputs) {
    const s = sample[i.name ?? ''];
    if (leadingSymbolic(i) !== true) return { batch: 1, reason: `input "${i.name}" has a fixed leading dimension` };
    if (!s || s.dims[0] !== 1 || s.dims.length !== i.type!.tensor_type!.shape!.dim.length) {
      return { batch: 1, reason: `the samples of input "${i.name}" do not have a leading dimension of 1` };
    }
  }
  const fixedOut = g.output.find((o) => leadingSymbolic(o) === false);
  if (fixedOut) return { batch: 1, reason: `output "${fixedOut.name}" has a fixed leading dimension` };

  // inputs at the samples' own shape with the probe batch; value_info may pin other symbols, so it goes
  const probe = {
    ...g,
    input: g.input.map((i) => {
      const s = i.name ? sample[i.name] : undefined;
      if (!s) return i;
      return { ...i, type: { tensor_type: { ...i.type!.tensor_type!, shape: { dim: [PROBE, ...s.dims.slice(1)].map((d) => ({ dim_value: BigInt(d) })) } } } };
    }),
    value_info: [],
  };
  const shapes = inferShapes(probe, PROBE);
  let largest = 0;
  for (const t of tensors) {
    const s = shapes.get(t);
    if (!s || s[0] !== PROBE) return { batch: 1, reason: `the batch does not reach "${t}" as its leading dimension` };
    largest = Math.max(largest, s.slice(1).reduce((a, b) => a * b, 1) * 4);
  }
  const batch = Math.max(1, Math.min(MAX_CALIBRATION_BATCH, Math.floor(CALIBRATION_BATCH_BYTES / Math.max(1, largest))));
  return batch > 1 ? { batch } : { batch: 1, reason: 'one sample\'s activations already fill the batch budget' };
}
