/**
 * Checks a partition: every sample runs through the full model and through head then tail, and
 * each original output is compared element by element. Outputs the head computes itself (an
 * original output that is also a cut tensor) are taken from the head.
 */
import { AdvisorError, firstLine } from '../../../core/errors';
import type { OutputComparison } from '../../../core/partition/jobs';
import { loadStage, releaseAll, toOrtFeeds, type LoadedStage, type ort } from '../ort';
import type { JobHandler } from './context';
import { median } from './profile';

type Outputs = Record<string, ort.Tensor>;

async function timedRun(stage: LoadedStage, feeds: Outputs): Promise<{ out: Outputs; ms: number }> {
  const input: Outputs = {};
  for (const name of stage.session.inputNames) {
    const t = feeds[name];
    if (!t) throw new AdvisorError('input', `no value for model input "${name}"`, stage.spec.modelPath);
    input[name] = t;
  }
  const t0 = process.hrtime.bigint();
  let out: Outputs;
  try {
    out = (await stage.session.run(input)) as Outputs;
  } catch (e) {
    throw new AdvisorError('runtime', `onnxruntime failed to run the model: ${firstLine(e)}`, stage.spec.modelPath);
  }
  return { out, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Largest absolute difference and exact equality of two tensors of the same type and shape. */
export function compareTensors(a: ort.Tensor, b: ort.Tensor): { maxAbsDiff: number; maxAbs: number; identical: boolean } {
  if (a.type !== b.type || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    return { maxAbsDiff: Infinity, maxAbs: 0, identical: false };
  }
  const x = a.data as ArrayLike<number | bigint>;
  const y = b.data as ArrayLike<number | bigint>;
  let max = 0;
  let maxAbs = 0;
  let identical = true;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    const m = Math.abs(Number(p));
    if (m > maxAbs) maxAbs = m;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') {
      if (Number.isNaN(p) && Number.isNaN(q)) continue;
      identical = false;
      const d = Math.abs(p - q);
      max = Number.isNaN(d) ? Infinity : Math.max(max, d);
    } else {
      identical = false;
      max = Math.max(max, Math.abs(Number(p) - Number(q)));
    }
  }
  return { maxAbsDiff: max, maxAbs, identical };
}

export const verifyPartitionJob: JobHandler<'verifyPartition'> = async (params, ctx) => {
  if (params.samples.length === 0) throw new AdvisorError('usage', 'checking a partition needs at least one input sample');
  const threads = params.threads ?? 1;
  const stages: LoadedStage[] = [];
  try {
    const load = async (modelPath: string) => {
      const s = await loadStage({ modelPath, threads, spinning: false });
      stages.push(s);
      return s;
    };
    const full = await load(params.model);
    const head = await load(params.head);
    const tail = await load(params.tail);
    const results = new Map<string, OutputComparison>();
    const times = { full: [] as number[], head: [] as number[], tail: [] as number[] };
    for (const [i, sample] of params.samples.entries()) {
      const feeds = toOrtFeeds(sample);
      const f = await timedRun(full, feeds);
      const h = await timedRun(head, feeds);
      const t = await timedRun(tail, { ...feeds, ...h.out });
      times.full.push(f.ms); times.head.push(h.ms); times.tail.push(t.ms);
      const split: Outputs = { ...h.out, ...t.out };
      for (const name of full.session.outputNames) {
        const got = split[name];
        if (!got) throw new AdvisorError('input', `the partition does not produce output "${name}"`, params.tail);
        const c = compareTensors(f.out[name]!, got);
        const prev = results.get(name);
        results.set(name, {
          name, dtype: f.out[name]!.type,
          maxAbsDiff: Math.max(prev?.maxAbsDiff ?? 0, c.maxAbsDiff),
          maxAbs: Math.max(prev?.maxAbs ?? 0, c.maxAbs),
          identical: (prev?.identical ?? true) && c.identical,
        });
      }
      ctx.progress(`checked ${i + 1}/${params.samples.length} samples`, (i + 1) / params.samples.length);
    }
    const outputs = [...results.values()];
    return {
      samples: params.samples.length, outputs,
      maxAbsDiff: Math.max(0, ...outputs.map((o) => o.maxAbsDiff)),
      identical: outputs.every((o) => o.identical),
      withinTolerance: outputs.every((o) => o.maxAbsDiff <= 1e-5 * Math.max(1, o.maxAbs)),
      fullMs: median(times.full), headMs: median(times.head), tailMs: median(times.tail),
    };
  } finally {
    await releaseAll(stages);
  }
};
