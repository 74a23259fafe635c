/**
 * One slice of latency measurement (design-facts §6; the race that calls it is
 * src/core/pipeline/race.ts):
 * - sessions run with onnxruntime's default options at the tier's thread count, as deployed;
 * - a configuration's sessions are created once and kept while memory allows (sessionPool.ts); the
 *   first creation's time is its cold start, never mixed into latency; after a creation, warm-up
 *   runs (5 and 200 ms the first time, 2 after a reload) are discarded;
 * - configurations take turns, so drift on a shared machine spreads over all of them; each turn is
 *   a block of consecutive runs on one input whose first runs re-warm what the previous turn
 *   displaced (core/stats/blocks.ts) — including the previous configuration's spinning pool
 *   threads — and are not recorded. A partition's stages run as separate blocks, as on their own tiers.
 *   A configuration's first blocks may be shorter screening blocks (`screenBlocks`), as the host asks;
 * - passes repeat until `sliceMs` has passed; every recorded sample is returned with the block it
 *   belongs to, and the host computes statistics over blocks.
 */
import { AdvisorError } from '../../../core/errors';
import { SAMPLES_NOT_HELD, type BenchmarkConfig, type BenchmarkParams, type BenchmarkResult, type ConfigSlice, type StageMeasurement } from '../../../core/protocol/benchmark';
import { blockRuns, DEFAULT_BLOCKS, rewarmDue, type BlockRule } from '../../../core/stats/blocks';
import { runChain, runStage, toOrtFeeds, type ort } from '../ort';
import type { Resident } from '../sessionPool';
import type { JobHandler } from './context';

interface Visiting {
  config: BenchmarkConfig;
  perStage: number[][];
  totals: number[];
  blockRuns: number[];
  rewarmRuns: number;
  loads: number;
  coldStartMs: number[];
  outputBytes: number[];
  outputNames: string[][];
  peakRssMB: number;
}

/**
 * Recent run times per stage of each configuration, across slices: their median sizes the next
 * block and its re-warm (one run descheduled on a busy machine must not shrink a block to one run).
 */
const recent = new Map<string, number[][]>();
const RECENT = 9;

function noteRun(id: string, stage: number, ms: number): void {
  const runs = recent.get(id)![stage]!;
  runs.push(ms);
  if (runs.length > RECENT) runs.shift();
}

function typicalMs(id: string, stage: number): number {
  const runs = [...recent.get(id)![stage]!].sort((a, b) => a - b);
  return runs.length ? runs[Math.floor((runs.length - 1) / 2)]! : 0;
}

/** One turn: per stage, re-warm runs then `runs` recorded runs, all on `input` (a later stage on the earlier stage's outputs). */
async function runBlock(v: Visiting, stages: Resident['stages'], input: Record<string, ort.Tensor>, runs: number, rule: BlockRule): Promise<void> {
  const id = v.config.id;
  const totals = new Array<number>(runs).fill(0);
  let current = input;
  for (const [s, stage] of stages.entries()) {
    const rewarmStart = performance.now();
    while (rewarmDue(performance.now() - rewarmStart, typicalMs(id, s), rule)) {
      noteRun(id, s, (await runStage(stage, current)).ms);
      v.rewarmRuns++;
    }
    let next = current;
    for (let i = 0; i < runs; i++) {
      const r = await runStage(stage, current);
      v.perStage[s]!.push(r.ms);
      totals[i] += r.ms;
      noteRun(id, s, r.ms);
      v.outputBytes[s] = r.outputBytes;
      next = r.next;
    }
    current = next;
  }
  v.totals.push(...totals);
  v.blockRuns.push(runs);
}

/** The samples of the last slice that sent them, by the host's key (a device gets them once, not per slice). */
let held: { key: string; samples: BenchmarkParams['samples'] } | undefined;

export const benchmarkJob: JobHandler<'benchmark'> = async (params, ctx) => {
  const started = performance.now();
  if (params.samplesKey !== undefined) {
    if (params.samples.length > 0) held = { key: params.samplesKey, samples: params.samples };
    else if (held?.key === params.samplesKey) params = { ...params, samples: held.samples };
    else throw new AdvisorError('internal', `${SAMPLES_NOT_HELD}: the runner does not hold samples "${params.samplesKey}"`);
  }
  if (params.samples.length === 0) throw new AdvisorError('input', 'the benchmark needs at least one input sample');
  if (params.configs.length === 0) throw new AdvisorError('internal', 'the benchmark was given no configuration');
  const rule: BlockRule = {
    ...DEFAULT_BLOCKS,
    ...(params.rewarmMs !== undefined ? { rewarmMs: params.rewarmMs } : {}),
    ...(params.blockMs !== undefined ? { blockMs: params.blockMs } : {}),
  };
  const warmupRuns = params.warmupRuns ?? 5;
  const warmupMs = params.warmupMs ?? 200;
  const feeds = params.samples.map(toOrtFeeds);
  const visits: Visiting[] = params.configs.map((config) => ({
    config, perStage: config.stages.map(() => []), totals: [], blockRuns: [], rewarmRuns: 0, loads: 0,
    coldStartMs: config.stages.map(() => 0), outputBytes: config.stages.map(() => 0), outputNames: config.stages.map(() => []), peakRssMB: 0,
  }));
  await ctx.sessions.retainOnly(params.configs);
  ctx.watchdog.resetPeak();
  let runnerPeak = process.memoryUsage.rss();
  let passes = 0;
  let lastProgress = 0;
  const bound = params.mayRecycle ? ctx.sessions.boundBytes(params.configs) : undefined;
  let recycle: BenchmarkResult['recycle'];
  pass: do {
    // every configuration gets the same input in a pass, so inputs never differ between them
    const input = feeds[((params.firstPass ?? 0) + passes) % feeds.length]!;
    for (const v of visits) {
      // heap left behind by earlier loads: a fresh runner continues from here (memory bound, sessionPool.ts)
      if (bound !== undefined && ctx.sessions.needsFresh(bound)) {
        recycle = { nextId: v.config.id, rssMB: process.memoryUsage.rss() / 2 ** 20, boundMB: bound / 2 ** 20 };
        break pass;
      }
      const { resident, created } = await ctx.sessions.acquire(v.config);
      // a configuration seen for the first time may find its sessions already loaded by another one
      // with the same files (a device stores identical models once): it still warms up and is timed
      const first = !recent.has(v.config.id);
      if (first) recent.set(v.config.id, v.config.stages.map(() => []));
      if (created || first) {
        if (created) v.loads++;
        resident.stages.forEach((st, s) => { if (first || v.coldStartMs[s] === 0) v.coldStartMs[s] = st.coldStartMs; });
        const warmStart = performance.now();
        const minRuns = first ? Math.max(1, warmupRuns) : 2;
        for (let w = 0; w < minRuns || (first && performance.now() - warmStart < warmupMs); w++) {
          const r = await runChain(resident.stages, input);
          r.ms.forEach((ms, s) => noteRun(v.config.id, s, ms));
        }
        ctx.sessions.settle(resident);
      }
      v.outputNames = resident.stages.map((st) => [...st.session.outputNames]);
      v.peakRssMB = ctx.sessions.ownPeakBytes(resident) / 2 ** 20;
      const runMs = v.config.stages.reduce((sum, _, s) => sum + typicalMs(v.config.id, s), 0);
      const screen = v.blockRuns.length < (v.config.screenBlocks ?? 0) ? params.screenBlock : undefined;
      const blockRule = screen ? { ...rule, rewarmMs: screen.rewarmMs, blockMs: Math.min(rule.blockMs, screen.blockMs) } : rule;
      await runBlock(v, resident.stages, input, blockRuns(runMs, blockRule), blockRule);
      runnerPeak = Math.max(runnerPeak, ctx.watchdog.peak());
    }
    passes++;
    const elapsed = performance.now() - started;
    if (elapsed - lastProgress > 250) {
      lastProgress = elapsed;
      ctx.progress(`measured ${passes} pass(es) over ${visits.length} configuration(s)`, Math.min(1, elapsed / params.sliceMs));
    }
  } while (performance.now() - started < params.sliceMs);

  const configs = visits.map((v): ConfigSlice => ({
    id: v.config.id,
    stages: v.config.stages.map((_, s): StageMeasurement => ({
      samplesMs: v.perStage[s]!, coldStartMs: v.coldStartMs[s]!, outputBytes: v.outputBytes[s]!, outputNames: v.outputNames[s]!,
    })),
    samplesMs: v.totals,
    blockRuns: v.blockRuns,
    rewarmRuns: v.rewarmRuns,
    peakRssMB: v.peakRssMB,
    loads: v.loads,
  }));
  return {
    configs, baseRssMB: ctx.baseRssBytes / 2 ** 20, runnerPeakRssMB: runnerPeak / 2 ** 20, passes, elapsedMs: performance.now() - started,
    ...(recycle ? { recycle } : {}),
  };
};
