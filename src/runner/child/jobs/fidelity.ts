/**
 * Label-free fidelity of a quantized model: runs the float and the quantized model on the same
 * samples and accumulates, streaming, the output's top class per sample and Σx², Σ(x−y)² for the
 * output and for each per-layer pair (float tensor vs its dequantized counterpart, both exposed
 * as outputs of the models the host wrote). Nothing per sample is kept but two class ids.
 * Optionally per-channel sums of tensor pairs, for the host's bias correction.
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

/** Running per-channel sums of one tensor along `axis`; `bad` once its shape changes between samples. */
interface ChannelSums { axis: number; sums?: Float64Array; count: number; bad: boolean }

function addChannels(acc: ChannelSums, t: TensorData): void {
  if (acc.bad) return;
  const x = asNumbers(t);
  const axis = acc.axis < 0 ? acc.axis + t.dims.length : acc.axis;
  const channels = t.dims[axis];
  if (channels === undefined || axis < 0) { acc.bad = true; return; }
  if (!acc.sums) acc.sums = new Float64Array(channels);
  if (acc.sums.length !== channels) { acc.bad = true; return; }
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < x.length; i++) acc.sums[Math.floor(i / inner) % channels]! += x[i]!;
  acc.count += x.length / channels;
}

const means = (acc: ChannelSums): number[] => (acc.bad || !acc.sums ? [] : Array.from(acc.sums, (v) => v / acc.count));

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
    const channels = (params.channelMeans ?? []).map((c) => ({ ...c, f: { axis: c.axis, count: 0, bad: false } as ChannelSums, q: { axis: c.axis, count: 0, bad: false } as ChannelSums }));
    const floatFetch = [...new Set([outputName, ...layers.map((l) => l.float), ...channels.map((c) => c.float)])];
    const quantFetch = [...new Set([outputName, ...layers.map((l) => l.quant), ...channels.map((c) => c.quant)])];
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
      for (const c of channels) { addChannels(c.f, fromOrtTensor(a[c.float]!, c.float)); addChannels(c.q, fromOrtTensor(b[c.quant]!, c.quant)); }
      const now = Date.now();
      if (now - last > 250) { last = now; ctx.progress(`compared ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length); }
    }
    const channelMeans = channels.map((c) => {
      const [fm, qm] = [means(c.f), means(c.q)];
      return { float: c.float, quant: c.quant, floatMean: fm.length === qm.length ? fm : [], quantMean: fm.length === qm.length ? qm : [] };
    });
    return { outputName, floatTop1, quantTop1, output, layers, ...(params.channelMeans ? { channelMeans } : {}) };
  } finally {
    for (const s of sessions) await s.release().catch(() => undefined);
  }
};
