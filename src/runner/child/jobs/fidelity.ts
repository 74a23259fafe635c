/**
 * Label-free fidelity of a quantized model: runs the float and the quantized model on the same
 * samples and accumulates, streaming, the output's top class per sample and Σx², Σ(x−y)² for the
 * output and for each per-layer pair (float tensor vs its dequantized counterpart, both exposed
 * as outputs of the models the host wrote). Nothing per sample is kept but two class ids.
 */
import { asNumbers, topClass } from '../../../core/accuracy/predictions';
import { AdvisorError, firstLine } from '../../../core/errors';
import type { TensorData } from '../../../core/protocol/tensor';
import { fromOrtTensor, ort, toOrtFeeds } from '../ort';
import type { JobHandler } from './context';

async function open(path: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    const msg = firstLine(e);
    throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${msg}`, path);
  }
}

/** Adds one sample's Σx², Σ(x−y)²; a sample whose sizes differ (a variable number of detections) is skipped. */
function accumulate(acc: { signal: number; noise: number }, a: TensorData, b: TensorData): void {
  const x = asNumbers(a);
  const y = asNumbers(b);
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
      const fa = fromOrtTensor(a[outputName]!, outputName);
      const qb = fromOrtTensor(b[outputName]!, outputName);
      accumulate(output, fa, qb);
      // -1: not class scores (a detection grid, an embedding), so no top-1 to compare
      floatTop1.push(topClass(fa) ?? -1);
      quantTop1.push(topClass(qb) ?? -1);
      for (const l of layers) accumulate(l, fromOrtTensor(a[l.float]!, l.float), fromOrtTensor(b[l.quant]!, l.quant));
      const now = Date.now();
      if (now - last > 250) { last = now; ctx.progress(`compared ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length); }
    }
    return { outputName, floatTop1, quantTop1, output, layers };
  } finally {
    for (const s of sessions) await s.release().catch(() => undefined);
  }
};
