/**
 * Calibration: runs the calibration model (float model + measuring outputs, see
 * core/calibrate/augment.ts) over this chunk's samples, `batch` at a time stacked along axis 0,
 * folding each run's statistics into the state right away — only one batch's activations ever
 * exist. minmax fetches just the reduced scalars. The session and the stacking buffers stay
 * between the chunks of one calibration.
 */
import { AdvisorError, firstLine } from '../../../core/errors';
import { addMinMax, addValues, emptyState, type CalibrationState } from '../../../core/calibrate/state';
import type { CalibrateParams } from '../../../core/calibrate/jobs';
import type { Feeds, TensorArray } from '../../../core/protocol/tensor';
import { ort, toOrtFeeds } from '../ort';
import type { JobHandler } from './context';

/**
 * The session stays open between the chunks of one calibration (same file and settings).
 * `verified`: the first stacked batch matched the same samples run one at a time.
 */
let cached: { key: string; session: ort.InferenceSession; batch: number; verified: boolean } | undefined;
/** Stacking buffers by input name, reused: fresh memory is slow to fault in (page faults on fresh buffers cost more than the copy). */
const stackBuffers = new Map<string, TensorArray>();

async function release(): Promise<void> {
  const c = cached;
  cached = undefined;
  stackBuffers.clear();
  await c?.session.release().catch(() => undefined);
}

type TypedArrayCtor = new (n: number) => TensorArray;

/** Samples stacked along axis 0 (each has 1 there); views on the reused buffers. */
function stack(samples: Feeds[]): Feeds {
  if (samples.length === 1) return samples[0]!;
  const out: Feeds = {};
  for (const [name, first] of Object.entries(samples[0]!)) {
    const per = first.data.length;
    const shape = first.dims.join('×');
    const n = per * samples.length;
    let buf = stackBuffers.get(name);
    if (!buf || buf.length < n || buf.constructor !== first.data.constructor) {
      buf = new (first.data.constructor as TypedArrayCtor)(n);
      stackBuffers.set(name, buf);
    }
    samples.forEach((s, i) => {
      const t = s[name];
      if (!t || t.data.length !== per || t.dims[0] !== 1 || t.dims.join('×') !== shape || t.data.constructor !== first.data.constructor) {
        throw new AdvisorError('input', `calibration samples differ in the shape or type of input "${name}", so they cannot be stacked`);
      }
      (buf as Float32Array).set(t.data as Float32Array, i * per);
    });
    out[name] = { type: first.type, dims: [samples.length, ...first.dims.slice(1)], data: buf.subarray(0, n) };
  }
  return out;
}

function fold(state: CalibrationState, params: CalibrateParams, out: ort.InferenceSession.OnnxValueMapType): void {
  for (const [t, [lo, hi]] of Object.entries(params.outputs.reduced)) {
    const b = (out[hi] as ort.Tensor).data as Float32Array;
    addMinMax(state, t, lo ? ((out[lo] as ort.Tensor).data as Float32Array)[0]! : 0, b[0]!);
  }
  for (const [t, o] of Object.entries(params.outputs.exposed)) {
    const tensor = out[o] as ort.Tensor;
    if (tensor.type !== 'float32') throw new AdvisorError('unsupported', `calibration tensor "${t}" is ${tensor.type}, not float32`, params.modelPath);
    addValues(state, t, tensor.data as Float32Array);
  }
}

/** Folds each measured tensor's [min, max] in one run's outputs (either method) into `into`. */
function addExtremes(into: CalibrationState, params: CalibrateParams, out: ort.InferenceSession.OnnxValueMapType): void {
  for (const [t, [lo, hi]] of Object.entries(params.outputs.reduced)) {
    addMinMax(into, t, lo ? ((out[lo] as ort.Tensor).data as Float32Array)[0]! : 0, ((out[hi] as ort.Tensor).data as Float32Array)[0]!);
  }
  for (const [t, o] of Object.entries(params.outputs.exposed)) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of (out[o] as ort.Tensor).data as Float32Array) { if (v < lo) lo = v; if (v > hi) hi = v; }
    addMinMax(into, t, lo, hi);
  }
}

/**
 * The first tensor whose extremes differ between a stacked run and the same samples run one at a
 * time, beyond float reordering. A symbolic leading axis that is not a batch (a sequence, say)
 * passes every static check but mixes the samples; this catches it.
 */
function disagreement(stacked: CalibrationState, singles: CalibrationState): string | undefined {
  for (const [t, [a, b]] of Object.entries(stacked.minmax)) {
    const [c, d] = singles.minmax[t] ?? [NaN, NaN];
    const tol = 1e-4 * Math.max(Math.abs(c), Math.abs(d), 1e-3);
    if (!(Math.abs(a - c) <= tol && Math.abs(b - d) <= tol)) return t;
  }
  return undefined;
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
        // the memory pattern makes the second run allocate one new block for all activations;
        // without it the arena reuses the first run's chunks (half the page faults, same speed after)
        enableMemPattern: false,
      });
      cached = { key, session, batch: Math.max(1, Math.floor(params.batch ?? 1)), verified: false };
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime cannot load the calibration model: ${firstLine(e)}`, params.modelPath);
    }
  }
  const c = cached!;
  const sessionMs = Number(process.hrtime.bigint() - t0) / 1e6;
  ctx.watchdog.resetPeak();
  const state = params.state;
  const fetches = [
    ...Object.values(params.outputs.reduced).flatMap(([lo, hi]) => (lo ? [lo, hi] : [hi])),
    ...Object.values(params.outputs.exposed),
  ];
  const inferenceMs: number[] = [];
  let batchFallback: string | undefined;
  let lastReport = 0;
  const runOnce = async (feeds: Feeds): Promise<ort.InferenceSession.OnnxValueMapType> => {
    const s = process.hrtime.bigint();
    const out = await c.session.run(toOrtFeeds(feeds), fetches);
    inferenceMs.push(Number(process.hrtime.bigint() - s) / 1e6);
    return out;
  };
  /** One sample alone; its failure names the sample. */
  const runSample = async (feeds: Feeds, n: number): Promise<ort.InferenceSession.OnnxValueMapType> => {
    try {
      return await runOnce(feeds);
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime failed on calibration sample ${n}: ${firstLine(e)}`, params.modelPath);
    }
  };
  const foldAndDispose = (out: ort.InferenceSession.OnnxValueMapType) => {
    try { fold(state, params, out); } finally { for (const v of Object.values(out)) (v as ort.Tensor).dispose?.(); }
  };
  try {
    for (let i = 0; i < params.samples.length;) {
      const group = params.samples.slice(i, i + c.batch);
      let out: ort.InferenceSession.OnnxValueMapType;
      try {
        out = group.length === 1 ? await runSample(group[0]!, state.samples + 1) : await runOnce(stack(group));
      } catch (e) {
        if (group.length === 1) throw e;
        // the model took a stacked batch on paper but not in onnxruntime: one sample at a time from here
        batchFallback = `a batch of ${group.length} failed (${firstLine(e)}); calibrated one sample at a time`;
        c.batch = 1;
        continue;
      }
      if (group.length > 1 && !c.verified) {
        // once per session: the same samples one at a time are what the state gets; the stacked
        // run only has to agree with them for batching to go on
        const stacked = emptyState('minmax');
        addExtremes(stacked, params, out);
        for (const v of Object.values(out)) (v as ort.Tensor).dispose?.();
        const singles = emptyState('minmax');
        for (const [k, sample] of group.entries()) {
          const one = await runSample(sample, state.samples + k + 1);
          addExtremes(singles, params, one);
          foldAndDispose(one);
        }
        const t = disagreement(stacked, singles);
        if (t) {
          batchFallback = `stacking ${group.length} samples changed the measured values of "${t}" (the leading axis is not a batch axis); calibrated one sample at a time`;
          c.batch = 1;
        }
        c.verified = true;
      } else {
        foldAndDispose(out);
      }
      state.samples += group.length;
      i += group.length;
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        ctx.progress(`calibrated ${state.samples} samples`, i / params.samples.length);
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  const batch = c.batch;
  if (params.last) await release();
  return { state, inferenceMs, sessionMs, batch, ...(batchFallback ? { batchFallback } : {}), peakRssMB: ctx.watchdog.peak() / 2 ** 20 };
};

