/**
 * Latency measurement of one or more configurations (a model, or a partition's stages, at a thread
 * count), by the method of design-facts §6:
 * - each session is created once; its creation time is reported as cold start, never mixed in;
 * - warm-up runs (at least 5 and 200 ms by default) are discarded;
 * - configurations take turns, so drift on a shared machine spreads over all of them instead of
 *   favouring one; each turn is a block of consecutive runs on one input, whose first runs
 *   re-warm what the previous configuration displaced and are not recorded (core/stats/blocks.ts:
 *   one-run turns measured the interference, not the model). A partition's stages run as
 *   separate blocks too, as on their own tiers;
 * - sampling continues until every configuration's 95% CI of the median is within the target
 *   (default ±2%) after at least 5 turns, or the budget or the sample cap is reached; all
 *   recorded samples are returned.
 * Progress messages carry the samples measured since the previous one (MeasuredSoFar), so a host
 * that cancels the job (kills the runner) keeps what was measured.
 * Peak RSS per configuration: the watchdog's peak while that configuration's sessions are created
 * and warmed up (one at a time), minus the RSS before, plus the runner's base RSS. That estimates
 * a runner holding only this configuration, which is what a tier would run.
 */
import { AdvisorError } from '../../../core/errors';
import type { BenchmarkConfig, ConfigMeasurement, StageMeasurement } from '../../../core/protocol/benchmark';
import { blockRuns, DEFAULT_BLOCKS, rewarmDue, type BlockRule } from '../../../core/stats/blocks';
import { ciReached, nextCheckAfter } from '../../../core/stats/stopping';
import { loadStage, releaseAll, runChain, runStage, toOrtFeeds, type LoadedStage, type ort } from '../ort';
import type { JobHandler } from './context';

interface Live {
  config: BenchmarkConfig;
  stages: LoadedStage[];
  perStage: number[][];
  totals: number[];
  outputBytes: number[];
  outputNames: string[][];
  peakRssMB: number;
  reached: boolean;
  /** Latest per-stage run time, ms: sizes the next block and its re-warm. */
  stageMs: number[];
  blocks: number;
  rewarmRuns: number;
  /** Samples already streamed in progress messages. */
  sent: number;
}

/** A configuration's measurement from sample `from` on (0: all of it). */
function measurement(l: Live, from: number): ConfigMeasurement {
  return {
    id: l.config.id,
    stages: l.stages.map((s, k): StageMeasurement => ({
      samplesMs: l.perStage[k]!.slice(from),
      coldStartMs: s.coldStartMs,
      outputBytes: l.outputBytes[k] ?? 0,
      outputNames: l.outputNames[k]!,
    })),
    samplesMs: l.totals.slice(from),
    peakRssMB: l.peakRssMB,
    ciReached: l.reached,
    blocks: l.blocks,
    rewarmRuns: l.rewarmRuns,
  };
}

/**
 * One turn of a configuration: per stage, re-warm runs then `runs` recorded runs, all on `input`
 * (a later stage on the earlier stage's outputs for it). Totals pair run i of every stage.
 */
async function runBlock(l: Live, input: Record<string, ort.Tensor>, runs: number, rule: BlockRule): Promise<void> {
  const totals = new Array<number>(runs).fill(0);
  let current = input;
  for (const [s, stage] of l.stages.entries()) {
    const rewarmStart = performance.now();
    while (rewarmDue(performance.now() - rewarmStart, l.stageMs[s]!, rule)) {
      l.stageMs[s] = (await runStage(stage, current)).ms;
      l.rewarmRuns++;
    }
    let next = current;
    for (let i = 0; i < runs; i++) {
      const r = await runStage(stage, current);
      l.perStage[s]!.push(r.ms);
      totals[i] += r.ms;
      l.stageMs[s] = r.ms;
      next = r.next;
    }
    current = next;
  }
  l.totals.push(...totals);
  l.blocks++;
}

export const benchmarkJob: JobHandler<'benchmark'> = async (params, ctx) => {
  const started = Date.now();
  const warmupRuns = params.warmupRuns ?? 5;
  const warmupMs = params.warmupMs ?? 200;
  const rule = { targetRelHalfWidth: params.targetRelHalfWidth ?? 0.02, minSamples: params.minSamples ?? 20 };
  const blockRule: BlockRule = { ...DEFAULT_BLOCKS, ...(params.rewarmMs !== undefined ? { rewarmMs: params.rewarmMs } : {}), ...(params.blockMs !== undefined ? { blockMs: params.blockMs } : {}) };
  const maxSamples = params.maxSamples ?? 10000;
  if (params.samples.length === 0) throw new AdvisorError('input', 'the benchmark needs at least one input sample');
  const feeds = params.samples.map(toOrtFeeds);
  const live: Live[] = [];
  const loading: LoadedStage[] = [];
  try {
    for (const [i, config] of params.configs.entries()) {
      ctx.progress(`loading ${config.id}`, 0);
      const before = process.memoryUsage.rss();
      ctx.watchdog.resetPeak();
      for (const spec of config.stages) loading.push(await loadStage(spec));
      const stages = loading.splice(0);
      const l: Live = {
        config, stages, perStage: stages.map(() => []), totals: [], outputBytes: [],
        outputNames: stages.map((s) => [...s.session.outputNames]), peakRssMB: 0, reached: false,
        stageMs: stages.map(() => 0), blocks: 0, rewarmRuns: 0, sent: 0,
      };
      live.push(l);
      const warmStart = Date.now();
      for (let w = 0; w < Math.max(1, warmupRuns) || Date.now() - warmStart < warmupMs; w++) {
        const r = await runChain(stages, feeds[w % feeds.length]!);
        l.outputBytes = r.outputBytes;
        l.stageMs = r.ms;
      }
      l.peakRssMB = (ctx.baseRssBytes + Math.max(0, ctx.watchdog.peak() - before)) / 2 ** 20;
      ctx.progress(`loaded ${config.id} (${i + 1}/${params.configs.length})`, 0);
    }

    const t0 = Date.now();
    let round = 0;
    let checkAt = rule.minSamples;
    let lastReport = 0;
    const fewest = () => Math.min(...live.map((l) => l.totals.length));
    for (;;) {
      // every configuration gets the same input in a round, so inputs never differ between them
      const input = feeds[round % feeds.length]!;
      for (const l of live) {
        const runs = Math.min(blockRuns(l.stageMs.reduce((a, b) => a + b, 0), blockRule), maxSamples - l.totals.length);
        if (runs > 0) await runBlock(l, input, runs, blockRule);
      }
      round++;
      const elapsed = Date.now() - t0;
      if (round >= blockRule.minBlocks && fewest() >= checkAt) {
        for (const l of live) l.reached = ciReached(l.totals, rule);
        checkAt = fewest() + nextCheckAfter(fewest());
        if (live.every((l) => l.reached)) break;
      }
      if (elapsed >= params.budgetMs || fewest() >= maxSamples) {
        for (const l of live) l.reached = ciReached(l.totals, rule);
        break;
      }
      if (elapsed - lastReport > 250) {
        lastReport = elapsed;
        ctx.progress(`measured ${round} rounds of ${live.length} configuration(s)`, Math.min(1, elapsed / params.budgetMs), live.map((l) => {
          const m = measurement(l, l.sent);
          l.sent = l.totals.length;
          return m;
        }));
      }
    }

    const configs = live.map((l) => measurement(l, 0));
    return { configs, baseRssMB: ctx.baseRssBytes / 2 ** 20, elapsedMs: Date.now() - started };
  } finally {
    for (const l of live) await releaseAll(l.stages);
    await releaseAll(loading);
  }
};
