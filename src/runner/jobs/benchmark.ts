/**
 * Latency measurement of one or more configurations (a model, or a partition's stages, at a thread
 * count), by the method of design-facts §6:
 * - each session is created once; its creation time is reported as cold start, never mixed in;
 * - warm-up runs (at least 5 and 200 ms by default) are discarded;
 * - configurations are measured round-robin (one request each per round) so drift on a shared
 *   machine spreads over all of them instead of favouring one;
 * - sampling continues until every configuration's 95% CI of the median is within the target
 *   (default ±2%), or the budget or the sample cap is reached; all raw samples are returned.
 * Progress messages carry the samples measured since the previous one (MeasuredSoFar), so a host
 * that cancels the job (kills the runner) keeps what was measured.
 * Peak RSS per configuration: the watchdog's peak while that configuration's sessions are created
 * and warmed up (one at a time), minus the RSS before, plus the runner's base RSS. That estimates
 * a runner holding only this configuration, which is what a tier would run.
 */
import { AdvisorError } from '../../core/errors';
import type { BenchmarkConfig, ConfigMeasurement, StageMeasurement } from '../../core/protocol/runner';
import { ciReached, nextCheckAfter } from '../../core/stats/stopping';
import { loadStage, releaseAll, runChain, toOrtFeeds, type LoadedStage } from '../ort';
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
}

/** A configuration's measurement from round `from` on (0: all of it). */
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
  };
}

export const benchmarkJob: JobHandler<'benchmark'> = async (params, ctx) => {
  const started = Date.now();
  const warmupRuns = params.warmupRuns ?? 5;
  const warmupMs = params.warmupMs ?? 200;
  const rule = { targetRelHalfWidth: params.targetRelHalfWidth ?? 0.02, minSamples: params.minSamples ?? 20 };
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
      };
      live.push(l);
      const warmStart = Date.now();
      for (let w = 0; w < Math.max(1, warmupRuns) || Date.now() - warmStart < warmupMs; w++) {
        l.outputBytes = (await runChain(stages, feeds[w % feeds.length]!)).outputBytes;
      }
      l.peakRssMB = (ctx.baseRssBytes + Math.max(0, ctx.watchdog.peak() - before)) / 2 ** 20;
      ctx.progress(`loaded ${config.id} (${i + 1}/${params.configs.length})`, 0);
    }

    const t0 = Date.now();
    let rounds = 0;
    let checkAt = rule.minSamples;
    let lastReport = 0;
    let sent = 0; // rounds already streamed in progress messages
    for (;;) {
      // every configuration gets the same sample in a round, so inputs never differ between them
      const input = feeds[rounds % feeds.length]!;
      for (const l of live) {
        const r = await runChain(l.stages, input);
        let total = 0;
        r.ms.forEach((ms, s) => { l.perStage[s]!.push(ms); total += ms; });
        l.totals.push(total);
      }
      rounds++;
      const elapsed = Date.now() - t0;
      if (rounds >= checkAt) {
        for (const l of live) l.reached = ciReached(l.totals, rule);
        checkAt = rounds + nextCheckAfter(rounds);
        if (live.every((l) => l.reached)) break;
      }
      if (elapsed >= params.budgetMs || rounds >= maxSamples) {
        for (const l of live) l.reached = ciReached(l.totals, rule);
        break;
      }
      if (elapsed - lastReport > 250) {
        lastReport = elapsed;
        ctx.progress(`measured ${rounds} rounds of ${live.length} configuration(s)`, Math.min(1, elapsed / params.budgetMs), live.map((l) => measurement(l, sent)));
        sent = rounds;
      }
    }

    const configs = live.map((l) => measurement(l, 0));
    return { configs, baseRssMB: ctx.baseRssBytes / 2 ** 20, elapsedMs: Date.now() - started };
  } finally {
    for (const l of live) await releaseAll(l.stages);
    await releaseAll(loading);
  }
};
