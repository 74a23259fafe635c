/**
 * Label-free fidelity of a quantized model: runs the float and the quantized model on the same
 * samples and accumulates, streaming, the output's argmax per sample and Σx², Σ(x−y)² for the
 * output and for each per-layer pair (float tensor vs its dequantized counterpart, both exposed
 * as outputs of the models the host wrote). Nothing per sample is kept but two argmaxes.
 */
import { AdvisorError } from '../../core/errors';
import { ort, toOrtFeeds } from '../ort';
import type { JobHandler } from './context';

async function open(path: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${msg}`, path);
  }
}

/** The tensor's values as numbers (int64 outputs arrive as BigInt64Array). */
function numbers(t: ort.Tensor): ArrayLike<number> {
  return t.data instanceof BigInt64Array ? Float64Array.from(t.data, Number) : (t.data as Float32Array);
}

function argmaxLast(t: ort.Tensor): number {
  const d = numbers(t);
  if (d.length === 1) {
    const v = d[0]!;
    if (t.type !== 'float32' && t.type !== 'float64') return v; // a class id
    return v > (v >= 0 && v <= 1 ? 0.5 : 0) ? 1 : 0; // one binary score: probability or logit
  }
  const n = Number(t.dims[t.dims.length - 1] ?? d.length) || d.length;
  let best = 0;
  for (let i = 1; i < Math.min(n, d.length); i++) if (d[i]! > d[best]!) best = i;
  return best;
}

/** Adds one sample's Σx², Σ(x−y)²; a sample whose sizes differ (a variable number of detections) is skipped. */
function accumulate(acc: { signal: number; noise: number }, a: ort.Tensor, b: ort.Tensor): void {
  const x = numbers(a);
  const y = numbers(b);
  if (x.length !== y.length) return;
  for (let i = 0; i < x.length; i++) { const d = x[i]! - y[i]!; acc.signal += x[i]! * x[i]!; acc.noise += d * d; }
}

export const fidelityJob: JobHandler<'fidelity'> = async (params, ctx) => {
  const sessions: ort.InferenceSession[] = [];
  try {
    const f = await open(params.floatModelPath); sessions.push(f);
    const q = await open(params.quantModelPath); sessions.push(q);
    const outputName = params.outputName ?? q.outputNames[0]!;
    if (!f.outputNames.includes(outputName) || !q.outputNames.includes(outputName)) {
      throw new AdvisorError('input', `both models need the output "${outputName}"`, params.quantModelPath);
    }
    const layers = (params.layers ?? []).map(([fl, ql]) => ({ float: fl, quant: ql, signal: 0, noise: 0 }));
    const floatFetch = [outputName, ...layers.map((l) => l.float)];
    const quantFetch = [outputName, ...layers.map((l) => l.quant)];
    const output = { signal: 0, noise: 0 };
    const floatTop1: number[] = [];
    const quantTop1: number[] = [];
    let last = 0;
    for (let i = 0; i < params.samples.length; i++) {
      const feeds = toOrtFeeds(params.samples[i]!);
      const a = await f.run(feeds, floatFetch);
      const b = await q.run(feeds, quantFetch);
      const fa = a[outputName] as ort.Tensor;
      const qb = b[outputName] as ort.Tensor;
      accumulate(output, fa, qb);
      floatTop1.push(argmaxLast(fa));
      quantTop1.push(argmaxLast(qb));
      for (const l of layers) accumulate(l, a[l.float] as ort.Tensor, b[l.quant] as ort.Tensor);
      const now = Date.now();
      if (now - last > 250) { last = now; ctx.progress(`compared ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length); }
    }
    return { outputName, floatTop1, quantTop1, output, layers };
  } finally {
    for (const s of sessions) await s.release().catch(() => undefined);
  }
};
