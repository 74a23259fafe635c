/**
 * Runs every sample once through a model (or a partition's stages) and returns one output per
 * sample. Accuracy, fidelity and SQNR are computed by the host from these (src/core/accuracy).
 * A source read chunk by chunk keeps its sessions between chunks (`keepSession`). The job that
 * loads the sessions also reports what holding them takes (`peakRssMB`).
 */
import { AdvisorError } from '../../../core/errors';
import type { TensorData } from '../../../core/protocol/tensor';
import type { EvaluateParams } from '../../../core/protocol/evaluate';
import { fromOrtTensor, loadStage, releaseAll, runChain, toOrtFeeds, type LoadedStage, type ort } from '../ort';
import type { JobHandler } from './context';

/** Runs of one sample after which a chain's memory is at its steady state. */
const STEADY_RUNS = 3;

/** Sessions kept between the chunks of one evaluation (EvaluateParams.keepSession). */
let kept: { key: string; stages: LoadedStage[] } | undefined;

async function stagesFor(params: EvaluateParams): Promise<{ stages: LoadedStage[]; loaded: boolean }> {
  const key = JSON.stringify(params.stages);
  if (kept?.key === key) return { stages: kept.stages, loaded: false };
  if (kept) { const old = kept.stages; kept = undefined; await releaseAll(old); }
  const stages: LoadedStage[] = [];
  try {
    for (const spec of params.stages) stages.push(await loadStage(spec));
  } catch (e) {
    await releaseAll(stages);
    throw e;
  }
  kept = { key, stages };
  return { stages, loaded: true };
}

export const evaluateJob: JobHandler<'evaluate'> = async (params, ctx) => {
  let stages: LoadedStage[] = [];
  let release = !params.keepSession;
  // what holding and running this chain takes — sessions loaded and one sample run, on top of the
  // runner's base: the request's own data (samples) and the outputs piling up are not a deployment's
  const beforeLoad = process.memoryUsage.rss();
  ctx.watchdog.resetPeak();
  let peakRssMB: number | undefined;
  try {
    const got = await stagesFor(params);
    stages = got.stages;
    const last = stages[stages.length - 1]!;
    const outputName = params.outputName ?? last.session.outputNames[0]!;
    if (!last.session.outputNames.includes(outputName)) {
      throw new AdvisorError('input', `the model has no output "${outputName}"`, last.spec.modelPath);
    }
    const outputs: TensorData[] = [];
    let lastReport = 0;
    for (let i = 0; i < params.samples.length; i++) {
      const r = await runChain(stages, toOrtFeeds(params.samples[i]!));
      if (i === 0 && got.loaded) {
        // onnxruntime's arena grows over the first runs: run twice more before reading the peak
        for (let k = 0; k < STEADY_RUNS - 1; k++) await runChain(stages, toOrtFeeds(params.samples[0]!));
        peakRssMB = (ctx.baseRssBytes + Math.max(0, ctx.watchdog.peak() - beforeLoad)) / 2 ** 20;
      }
      outputs.push(copy(fromOrtTensor(r.outputs[outputName] as ort.Tensor, outputName)));
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        ctx.progress(`evaluated ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length);
      }
    }
    return { outputName, outputs, ...(peakRssMB !== undefined ? { peakRssMB } : {}) };
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
