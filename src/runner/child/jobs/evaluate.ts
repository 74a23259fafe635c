/**
 * Runs every sample once through a model (or a partition's stages) and returns one output per
 * sample. Accuracy, fidelity and SQNR are computed by the host from these (src/core/accuracy).
 */
import { AdvisorError } from '../../../core/errors';
import type { TensorData } from '../../../core/protocol/tensor';
import { fromOrtTensor, loadStage, releaseAll, runChain, toOrtFeeds, type ort } from '../ort';
import type { JobHandler } from './context';

export const evaluateJob: JobHandler<'evaluate'> = async (params, ctx) => {
  const stages = [];
  try {
    for (const spec of params.stages) stages.push(await loadStage(spec));
    const last = stages[stages.length - 1]!;
    const outputName = params.outputName ?? last.session.outputNames[0]!;
    if (!last.session.outputNames.includes(outputName)) {
      throw new AdvisorError('input', `the model has no output "${outputName}"`, last.spec.modelPath);
    }
    const outputs: TensorData[] = [];
    let lastReport = 0;
    for (let i = 0; i < params.samples.length; i++) {
      const r = await runChain(stages, toOrtFeeds(params.samples[i]!));
      outputs.push(copy(fromOrtTensor(r.outputs[outputName] as ort.Tensor, outputName)));
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        ctx.progress(`evaluated ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length);
      }
    }
    return { outputName, outputs };
  } finally {
    await releaseAll(stages);
  }
};

/** Output buffers may be views into onnxruntime memory; copy so only what is needed is framed and sent. */
function copy(t: TensorData): TensorData {
  return { type: t.type, dims: t.dims, data: t.data.slice() as TensorData['data'] };
}
