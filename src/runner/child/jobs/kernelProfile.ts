/**
 * Per-kernel times of one model as a deployment runs it (the benchmark's session options: 'all'
 * optimisation, the given intra-op threads, as deployed), from onnxruntime's profiler. Kernels
 * keep onnxruntime's names after its rewrites (`<node>_token_7`, `<value>_nchwc`, unnamed layout
 * nodes); core/quantize/placement.ts maps them back to source nodes. Runs are told apart by the
 * profiler's model_run events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError, firstLine } from '../../../core/errors';
import { sessionOptions, toOrtFeeds, ort } from '../ort';
import type { JobHandler } from './context';

interface TraceEvent { cat?: string; name?: string; ts?: number; dur?: number; args?: { op_name?: string } }

const KERNEL_SUFFIX = '_kernel_time';

export const kernelProfileJob: JobHandler<'kernelProfile'> = async (params, ctx) => {
  if (params.samples.length === 0) throw new AdvisorError('usage', 'profiling needs at least one input sample');
  const runs = Math.max(1, params.runs ?? 20);
  const warmup = Math.max(1, params.warmupRuns ?? 5);
  // the trace goes beside the optimised graph, in the caller's temp folder (removed by the host even if this runner is killed)
  const dir = path.dirname(params.optimizedPath);
  const prefix = path.join(dir, `${path.basename(params.optimizedPath, '.onnx')}.profile`);
  let session: ort.InferenceSession | undefined;
  try {
    try {
      session = await ort.InferenceSession.create(params.modelPath, {
        ...sessionOptions({ threads: params.threads }), enableProfiling: true, profileFilePrefix: prefix, optimizedModelFilePath: params.optimizedPath,
      });
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${firstLine(e)}`, params.modelPath);
    }
    const feeds = params.samples.map(toOrtFeeds);
    for (let i = 0; i < warmup + runs; i++) {
      await session.run(feeds[i % feeds.length]!);
      if (i % 10 === 0) ctx.progress(`profiled ${i}/${warmup + runs} runs`, i / (warmup + runs));
    }
    session.endProfiling();
    await session.release();
    session = undefined;
    const trace = fs.readdirSync(dir).find((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
    if (!trace) throw new AdvisorError('runtime', 'onnxruntime wrote no profile', params.modelPath);
    const events = JSON.parse(fs.readFileSync(path.join(dir, trace), 'utf8')) as TraceEvent[];
    fs.rmSync(path.join(dir, trace), { force: true });
    const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run' && e.ts !== undefined && e.dur !== undefined).sort((a, b) => a.ts! - b.ts!).slice(-runs);
    const kernels: Array<{ name: string; op: string }> = [];
    const index = new Map<string, number>();
    const ms: number[][] = runEvents.map(() => []);
    const nodeEvents = events.filter((e) => e.cat === 'Node' && e.name?.endsWith(KERNEL_SUFFIX) && e.ts !== undefined).sort((a, b) => a.ts! - b.ts!);
    let r = 0;
    for (const e of nodeEvents) {
      while (r < runEvents.length && e.ts! > runEvents[r]!.ts! + runEvents[r]!.dur!) r++;
      if (r >= runEvents.length) break;
      if (e.ts! < runEvents[r]!.ts!) continue; // a warm-up run
      const name = e.name!.slice(0, -KERNEL_SUFFIX.length);
      // unnamed layout kernels repeat a name: the k-th occurrence in a run is its own kernel
      let key = name;
      for (let k = 1; index.has(key) && ms[r]![index.get(key)!] !== undefined; k++) key = `${name}#${k}`;
      if (!index.has(key)) { index.set(key, kernels.length); kernels.push({ name: key, op: e.args?.op_name ?? '' }); }
      ms[r]![index.get(key)!] = (e.dur ?? 0) / 1000;
    }
    for (const row of ms) for (let k = 0; k < kernels.length; k++) row[k] ??= 0;
    return { kernels, ms, runMs: runEvents.map((e) => e.dur! / 1000) };
  } finally {
    await session?.release().catch(() => undefined);
  }
};
