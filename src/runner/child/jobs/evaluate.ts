/**
 * Runs every sample once through a model (or a partition's stages) and returns one output per
 * sample. Accuracy, fidelity and SQNR are computed by the host from these (src/core/accuracy).
 */
import { AdvisorError } from '../../../core/errors';
import type { TensorData } from '../../../core/protocol/tensor';
import type { EvaluateParams } from '../../../core/protocol/evaluate';
import { fromOrtTensor, loadStage, releaseAll, runChain, toOrtFeeds, type LoadedStage, type ort } from '../ort';
import type { JobHandler } from './context';

/** Sessions kept between the chunks of one evaluation (EvaluateParams.keepSession). */
let kept: { key: string; stages: LoadedStage[] } | undefined;

async function stagesFor(params: EvaluateParams): Promise<LoadedStage[]> {
  const key = JSON.stringify(params.stages);
  if (kept?.key === key) return kept.stages;
  if (kept) { const old = kept.stages; kept = undefined; await releaseAll(old); }
  const stages: LoadedStage[] = [];
  try {
    for (const spec of params.stages) stages.push(await loadStage(spec));
  } catch (e) {
    await releaseAll(stages);
    throw e;
  }
  kept = { key, stages };
  return stages;
}

export const evaluateJob: JobHandler<'evaluate'> = async (params, ctx) => {
  let stages: LoadedStage[] = [];
  let release = !params.keepSession;
  try {
    stages = await stagesFor(params);
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
  } catch (e) {
    release = true;
    throw e;
  } finally {
    if (release && kept) { kept = undefined; await releaseAll(stages); }
  }
};

/** Output buffers may be views into onnxruntime memory; copy so only what is needed is framed and sent. */
function copy(t: TensorData): TensorData {
  return { type: t.type, dims: t.dims, data: t.data.slice() as TensorData['data'] };
}
