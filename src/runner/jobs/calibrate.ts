/**
 * Calibration: runs the calibration model (float model + exposed tensors, see
 * core/calibrate/augment.ts) over this chunk's samples, one at a time, folding each sample's
 * statistics into the state right away — only one sample's activations ever exist. minmax fetches
 * just the ReduceMin/ReduceMax scalars. Graph optimisation defaults to 'disabled', as
 * onnxruntime's own calibrator runs.
 */
import { AdvisorError } from '../../core/errors';
import { addMinMax, addValues } from '../../core/calibrate/state';
import { ort, toOrtFeeds } from '../ort';
import type { JobHandler } from './context';

/** The session stays open between the chunks of one calibration (same file and settings). */
let cached: { key: string; session: ort.InferenceSession } | undefined;

async function release(): Promise<void> {
  const c = cached;
  cached = undefined;
  await c?.session.release().catch(() => undefined);
}

export const calibrateJob: JobHandler<'calibrate'> = async (params, ctx) => {
  const t0 = process.hrtime.bigint();
  const key = JSON.stringify([params.modelPath, params.optimization ?? 'disabled', params.threads ?? 1]);
  if (cached?.key !== key) {
    await release();
    try {
      const session = await ort.InferenceSession.create(params.modelPath, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: params.optimization ?? 'disabled',
        intraOpNumThreads: Math.max(1, params.threads ?? 1),
        interOpNumThreads: 1,
      });
      cached = { key, session };
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime cannot load the calibration model: ${firstLine(e)}`, params.modelPath);
    }
  }
  const session = cached!.session;
  const sessionMs = Number(process.hrtime.bigint() - t0) / 1e6;
  ctx.watchdog.resetPeak();
  const state = params.state;
  const reduced = Object.entries(params.outputs.reduced);
  const exposed = Object.entries(params.outputs.exposed);
  const fetches = [...reduced.flatMap(([, [lo, hi]]) => (lo ? [lo, hi] : [hi])), ...exposed.map(([, o]) => o)];
  const inferenceMs: number[] = [];
  let lastReport = 0;
  try {
    for (let i = 0; i < params.samples.length; i++) {
      const s = process.hrtime.bigint();
      let out: ort.InferenceSession.OnnxValueMapType;
      try {
        out = await session.run(toOrtFeeds(params.samples[i]!), fetches);
      } catch (e) {
        throw new AdvisorError('runtime', `onnxruntime failed on calibration sample ${state.samples + 1}: ${firstLine(e)}`, params.modelPath);
      }
      inferenceMs.push(Number(process.hrtime.bigint() - s) / 1e6);
      for (const [t, [lo, hi]] of reduced) {
        const b = (out[hi] as ort.Tensor).data as Float32Array;
        addMinMax(state, t, lo ? ((out[lo] as ort.Tensor).data as Float32Array)[0]! : 0, b[0]!);
      }
      for (const [t, o] of exposed) {
        const tensor = out[o] as ort.Tensor;
        if (tensor.type !== 'float32') throw new AdvisorError('unsupported', `calibration tensor "${t}" is ${tensor.type}, not float32`, params.modelPath);
        addValues(state, t, tensor.data as Float32Array);
      }
      for (const v of Object.values(out)) (v as ort.Tensor).dispose?.();
      state.samples++;
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        ctx.progress(`calibrated ${state.samples} samples`, (i + 1) / params.samples.length);
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  if (params.last) await release();
  return { state, inferenceMs, sessionMs, peakRssMB: ctx.watchdog.peak() / 2 ** 20 };
};

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}
