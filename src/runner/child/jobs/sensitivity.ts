/**
 * Sensitivity of each candidate (a model with one layer quantized): its output against the float
 * model's on a few samples. The float outputs are computed once; candidates load one at a time.
 */
import { asNumbers, topClass } from '../../../core/accuracy/predictions';
import { AdvisorError, firstLine } from '../../../core/errors';
import { fromOrtTensor, ort, toOrtFeeds } from '../ort';
import type { JobHandler } from './context';

async function open(p: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(p, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${firstLine(e)}`, p);
  }
}

export const sensitivityJob: JobHandler<'sensitivity'> = async (params, ctx) => {
  const feeds = params.samples.map(toOrtFeeds);
  const f = await open(params.floatModelPath);
  const reference: Array<{ x: ArrayLike<number>; top: number }> = [];
  try {
    for (const fd of feeds) {
      const t = fromOrtTensor((await f.run(fd, [params.outputName]))[params.outputName]!, params.outputName);
      reference.push({ x: asNumbers(t), top: topClass(t) ?? -1 });
    }
  } finally { await f.release().catch(() => undefined); }
  const out: Array<{ signal: number; noise: number; sameTop1: number }> = [];
  for (const [ci, c] of params.candidates.entries()) {
    const s = await open(c);
    try {
      let signal = 0;
      let noise = 0;
      let same = 0;
      for (const [i, fd] of feeds.entries()) {
        const t = fromOrtTensor((await s.run(fd, [params.outputName]))[params.outputName]!, params.outputName);
        const y = asNumbers(t);
        const x = reference[i]!.x;
        if (y.length === x.length) for (let k = 0; k < x.length; k++) { const d = x[k]! - y[k]!; signal += x[k]! * x[k]!; noise += d * d; }
        if (reference[i]!.top >= 0 && topClass(t) === reference[i]!.top) same++;
      }
      out.push({ signal, noise, sameTop1: same });
    } finally { await s.release().catch(() => undefined); }
    ctx.progress(`measured ${ci + 1}/${params.candidates.length} candidates`, (ci + 1) / params.candidates.length);
  }
  return { candidates: out };
};
