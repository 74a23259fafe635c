/**
 * Per-node latency of one model on one tier's settings, for cut pricing (src/core/partition):
 * - whole-run time: median of `runs` timed runs on a session optimised as the benchmark runs it;
 * - per-node time: onnxruntime's profiler (Chrome-trace JSON, design-facts §2.3) on a second
 *   session at 'basic' optimisation, where kernels keep their node's name. Node events are
 *   assigned to runs by their timestamps (`model_run` events) and the median per node is kept.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError, firstLine } from '../../../core/errors';
import { readModel } from '../../../core/onnx/io';
import { loadStage, releaseAll, sessionOptions, toOrtFeeds, ort, type LoadedStage } from '../ort';
import type { JobHandler } from './context';

interface TraceEvent { cat?: string; name?: string; ts?: number; dur?: number }

const KERNEL_SUFFIX = '_kernel_time';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per-run kernel ms by node name, from a profiler trace; the first `skip` runs are dropped. */
export function kernelTimesByRun(events: TraceEvent[], skip: number): Map<string, number>[] {
  const runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run' && e.ts !== undefined && e.dur !== undefined)
    .sort((a, b) => a.ts! - b.ts!);
  const out = runs.map(() => new Map<string, number>());
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith(KERNEL_SUFFIX) || e.ts === undefined) continue;
    const r = runs.findIndex((x) => e.ts! >= x.ts! && e.ts! <= x.ts! + x.dur!);
    if (r < 0) continue;
    const node = e.name.slice(0, -KERNEL_SUFFIX.length);
    out[r]!.set(node, (out[r]!.get(node) ?? 0) + (e.dur ?? 0) / 1000);
  }
  return out.slice(skip);
}

/**
 * Maps a profiler kernel name to a node of the original model. Optimisers rename what they fuse
 * (`<node>/MatMulAddFusion`, `<node>/duplicated`, `<node>_token_7`, `<value>_nchwc`); stripping those
 * back to a node name, or to a value name whose producer is taken, attributes most fused kernels.
 */
export function attributeKernel(name: string, nodes: ReadonlySet<string>, producerOf: ReadonlyMap<string, string>): string | undefined {
  let c = name.replace(/_token_\d+$/, '').replace(/_nchwc$/, '');
  for (;;) {
    if (nodes.has(c)) return c;
    const p = producerOf.get(c);
    if (p) return p;
    const cut = c.lastIndexOf('/');
    if (cut <= 0) return undefined;
    c = c.slice(0, cut);
  }
}

interface LevelProfile {
  level: 'basic' | 'extended';
  nodeMs: Record<string, number>;
  kernelMs: number;
  unattributedMs: number;
}

export const profileJob: JobHandler<'profile'> = async (params, ctx) => {
  const runs = Math.max(1, params.runs ?? 10);
  const warmup = Math.max(0, params.warmupRuns ?? 2);
  if (params.samples.length === 0) throw new AdvisorError('usage', 'profiling needs at least one input sample');
  const feeds = params.samples.map(toOrtFeeds);
  const feed = (i: number) => feeds[i % feeds.length]!;
  const stages: LoadedStage[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-profile-'));
  const graph = readModel(params.stage.modelPath).model.graph;
  const nodes = new Set(graph?.node.map((n) => n.name ?? '').filter(Boolean));
  const producerOf = new Map<string, string>();
  for (const n of graph?.node ?? []) for (const o of n.output) if (o && n.name) producerOf.set(o, n.name);

  const profileAt = async (level: 'basic' | 'extended'): Promise<LevelProfile> => {
    let session: ort.InferenceSession;
    const prefix = path.join(dir, level);
    try {
      session = await ort.InferenceSession.create(params.stage.modelPath, {
        ...sessionOptions(params.stage), graphOptimizationLevel: level, enableProfiling: true, profileFilePrefix: prefix,
      });
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${firstLine(e)}`, params.stage.modelPath);
    }
    for (let i = 0; i < warmup + runs; i++) await session.run(feed(i));
    session.endProfiling();
    await session.release();
    const trace = fs.readdirSync(dir).find((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
    if (!trace) throw new AdvisorError('runtime', 'onnxruntime wrote no profile', params.stage.modelPath);
    const events = JSON.parse(fs.readFileSync(path.join(dir, trace), 'utf8')) as TraceEvent[];
    const perRun = kernelTimesByRun(events, warmup).map((kernels) => {
      const byNode = new Map<string, number>();
      let unattributed = 0;
      let total = 0;
      for (const [k, ms] of kernels) {
        total += ms;
        const node = attributeKernel(k, nodes, producerOf);
        if (node) byNode.set(node, (byNode.get(node) ?? 0) + ms);
        else unattributed += ms;
      }
      return { byNode, unattributed, total };
    });
    const names = new Set(perRun.flatMap((r) => [...r.byNode.keys()]));
    const nodeMs: Record<string, number> = {};
    for (const n of names) nodeMs[n] = median(perRun.map((r) => r.byNode.get(n) ?? 0));
    return { level, nodeMs, kernelMs: median(perRun.map((r) => r.total)), unattributedMs: median(perRun.map((r) => r.unattributed)) };
  };

  try {
    ctx.progress('timing whole runs', 0);
    const full = await loadStage(params.stage);
    stages.push(full);
    const totals: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = process.hrtime.bigint();
      await full.session.run(feed(i));
      if (i >= warmup) totals.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await releaseAll(stages.splice(0));

    // 'extended' keeps node names through QDQ fusion (what an SPTQ model really runs); where its
    // transformer fusions leave kernels unattributed, 'basic' is tried as well and the better kept
    ctx.progress('profiling nodes', 0.4);
    let best = await profileAt('extended');
    const share = (p: LevelProfile) => (p.kernelMs > 0 ? p.unattributedMs / p.kernelMs : 0);
    if (share(best) > 0.1) {
      ctx.progress('profiling nodes without fusions', 0.7);
      const basic = await profileAt('basic');
      if (share(basic) < share(best)) best = basic;
    }
    return { totalMs: median(totals), runs, ...best };
  } finally {
    await releaseAll(stages);
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
