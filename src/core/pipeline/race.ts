/**
 * The latency race: every configuration (operator chain × thread count) is measured in slices, in
 * turn, and the budget goes where it decides. After each slice, rows are derived from what was
 * measured and a configuration stops when
 * - its own CI (over block medians) is within the target (default ±3%): `ciReached`;
 * - every row it serves is dominated — another row is significantly faster (CIs apart), at no larger
 *   accuracy drop, and sends no more bytes over any link, so no budget and no bandwidth can make it
 *   the pick: `dominated`;
 * - or the budget is spent: `budget`.
 * Every configuration's first blocks are short screening blocks (SCREEN_BLOCK), enough to stop the
 * clearly dominated ones; the budget then goes to full blocks of those still racing.
 * Operators can join while the race runs (SPTQ once built), and accuracy arrives per operator; a
 * row whose accuracy is not known yet is never judged dominated. Rows carry why they stopped.
 */
import { AdvisorError, toAdvisorError } from '../errors';
import { mergeSlice, MIN_CI_BLOCKS, newRecord, recordCi, type ConfigRecord } from '../measure/slices';
import { DEFAULT_BLOCKS } from '../stats/blocks';
import { SAMPLES_NOT_HELD, type BenchmarkConfig } from '../protocol/benchmark';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { OperatorId, PlacementId, ResultRow, StopReason } from '../results';
import type { LinkId, TierId } from '../tiers/types';
import { placementTiers } from '../tiers/placement';
import { configId, deriveRows, deviceConfigId, deviceThreads, threadCounts, type DerivedRow, type OperatorBuild, type RowContext } from './rows';

export const DEFAULT_TARGET = 0.03;
/** Blocks each configuration should get within the budget: CIs need MIN_CI_BLOCKS, racing decides after them. */
const TARGET_BLOCKS = 12;
/** Shortest block, ms: shorter ones would be mostly re-warm. */
const MIN_BLOCK_MS = 40;
/**
 * A configuration's first MIN_CI_BLOCKS blocks are screening blocks, 50 ms measured instead of up to
 * 150: nothing can be decided before them, and most configurations are then stopped as dominated by
 * one that is clearly faster, which short blocks show as well as long ones (mobilenet_v2: a pass over
 * its 12 configurations ~2× shorter). Those still racing get full blocks. Their re-warm is longer
 * than a full block's: after 25 ms, int8 mobilenet_v2 at 2 threads still ran +5.5% for 5 runs and
 * +1.6% for 5 more, so a 50 ms block read +1.75% over a 150 ms one (paired, 58 blocks each); after
 * a 40 ms re-warm −0.03% (float and 1 thread within ±1.2%, the probe's own noise).
 */
const SCREEN_BLOCK = { rewarmMs: 40, blockMs: 50 };

export interface RaceOptions extends RowContext {
  /** Measuring time, all slices together, ms. */
  budgetMs: number;
  targetRelHalfWidth?: number;
  /** One job call's length, ms (default 600: decisions a few times a second on small models). */
  sliceMs?: number;
  job?: JobOptions;
  /** Runners of the device tiers that were reached: those tiers' configurations are measured there. */
  devices?: Partial<Record<TierId, RunnerHost>>;
}

export interface OperatorAccuracyInfo {
  accuracy?: number;
  /** Points lost against the baseline (0 for the baseline itself). */
  drop: number;
  dropCi?: [number, number];
  fidelity?: ResultRow['fidelity'];
  /** Flags the accuracy measurement adds to the operator's rows (e.g. fidelityOnly). */
  flags?: ResultRow['flags'];
}

export class Race {
  private readonly raced: OperatorBuild[] = [];
  private readonly records = new Map<string, ConfigRecord>();
  private readonly stopped = new Map<string, { reason: StopReason; by?: { operator: OperatorId; placement: PlacementId } }>();
  private readonly accuracy = new Map<OperatorId, OperatorAccuracyInfo>();
  private readonly ownPeakMB = new Map<OperatorId, number>();
  private passes = 0;
  spentMs = 0;
  runnerPeakRssMB = 0;
  baseRssMB = 0;
  /** Times this host's runner was replaced by a fresh one to stay within the memory bound. */
  recycles = 0;
  /** Where a runner replaced mid-pass resumes: the configuration it had not visited yet. */
  private readonly resumeAt = new Map<RunnerHost, string>();

  /** Where each configuration runs (this host's runner unless it is a device tier's). */
  private readonly runnerOf = new Map<string, RunnerHost>();
  /** Runners that hold the samples (sent once each, not with every slice). */
  private readonly holdSamples = new Set<RunnerHost>();
  /** Device tiers whose runner failed during the race, with why: their rows keep what was measured. */
  readonly deviceFailures = new Map<TierId, string>();

  constructor(private readonly runner: RunnerHost, private readonly opts: RaceOptions) {}

  get target(): number {
    return this.opts.targetRelHalfWidth ?? DEFAULT_TARGET;
  }

  /** Adds operators to the race: one configuration per thread count. */
  add(builds: readonly OperatorBuild[]): void {
    for (const b of builds) {
      const i = this.raced.length;
      this.raced.push(b);
      for (const t of threadCounts(this.opts.tiers, this.opts.hostCores)) {
        const own = this.ownPeakMB.get(b.operator);
        const config: BenchmarkConfig = {
          id: configId(i, b, t), stages: b.stages.map((modelPath) => ({ modelPath, threads: t })), ...(own !== undefined ? { ownPeakMB: own } : {}),
        };
        this.records.set(config.id, newRecord(config));
        this.runnerOf.set(config.id, this.runner);
      }
      for (const [tier, runner] of Object.entries(this.opts.devices ?? {}) as [TierId, RunnerHost][]) {
        if (this.deviceFailures.has(tier) || !b.placements.some((p) => placementTiers(p).includes(tier))) continue;
        const profile = this.opts.tiers.tiers[tier];
        const own = this.ownPeakMB.get(b.operator);
        const config: BenchmarkConfig = {
          id: deviceConfigId(i, b, tier),
          stages: b.stages.map((modelPath) => ({ modelPath, threads: deviceThreads(profile), executionProvider: profile.device?.executionProvider ?? 'cpu' })),
          ...(own !== undefined ? { ownPeakMB: own } : {}),
        };
        this.records.set(config.id, newRecord(config));
        this.runnerOf.set(config.id, runner);
      }
    }
  }

  setAccuracy(op: OperatorId, acc: OperatorAccuracyInfo): void {
    this.accuracy.set(op, acc);
  }

  /** An operator's peak memory measured alone in a fresh runner (before it joins): rows report it, the runner's memory bound uses it. */
  setOwnPeak(op: OperatorId, mb: number): void {
    this.ownPeakMB.set(op, mb);
    this.raced.forEach((b, i) => {
      if (b.operator !== op) return;
      for (const rec of this.records.values()) if (rec.config.id.startsWith(`${i}:`)) rec.config.ownPeakMB = mb;
    });
  }

  /** The operators in the race, as added (placements as asked). */
  get builds(): readonly OperatorBuild[] {
    return this.raced;
  }

  get active(): BenchmarkConfig[] {
    return [...this.records.values()].filter((r) => !this.stopped.has(r.config.id)).map((r) => r.config);
  }

  get budgetLeftMs(): number {
    return Math.max(0, this.opts.budgetMs - this.spentMs);
  }

  /** One slice over the active configurations, then the stopping decisions. False when the race is over. */
  async step(): Promise<boolean> {
    // past the budget, a configuration that joined late still gets one pass, so every operator has its rows
    const spent = this.budgetLeftMs <= 0;
    const active = spent ? this.active.filter((c) => this.records.get(c.id)!.samplesMs.length === 0) : this.active;
    if (active.length === 0) { this.stopAll('budget'); return false; }
    // one slice per machine, one after the other (never two benchmarks at once)
    const groups = new Map<RunnerHost, BenchmarkConfig[]>();
    for (const c of active) {
      const runner = this.runnerOf.get(c.id) ?? this.runner;
      groups.set(runner, [...(groups.get(runner) ?? []), c]);
    }
    for (const [runner, configs] of groups) {
      try {
        await this.slice(runner, rotate(configs, this.resumeAt.get(runner)), spent);
      } catch (e) {
        const tier = this.deviceTierOf(runner);
        const err = toAdvisorError(e);
        // a device that fails leaves its rows with what was measured; this host's failures end the run
        if (!tier || err.category === 'cancelled') throw e;
        this.deviceFailures.set(tier, err.message);
        for (const c of configs) this.stopped.set(c.id, { reason: 'stopped' });
      }
    }
    this.decide();
    if (this.budgetLeftMs <= 0 && this.active.every((c) => this.records.get(c.id)!.samplesMs.length > 0)) this.stopAll('budget');
    return this.active.length > 0;
  }

  private async slice(runner: RunnerHost, configs: BenchmarkConfig[], spent: boolean): Promise<void> {
    const params = {
      configs: configs.map((c) => this.screening(c)), firstPass: this.passes,
      sliceMs: spent ? 0 : Math.min(this.opts.sliceMs ?? 600, this.budgetLeftMs), blockMs: this.blockMs(this.active.length), screenBlock: SCREEN_BLOCK,
      // blocks re-warm anyway: a short first warm-up leaves the budget to the blocks
      warmupRuns: 3, warmupMs: 50, samplesKey: 'race',
      ...(runner.fresh ? { mayRecycle: true } : {}),
    };
    const send = (withSamples: boolean) => runner.run('benchmark', { ...params, samples: withSamples ? this.opts.samples : [] }, this.opts.job);
    let r;
    try {
      r = await send(!this.holdSamples.has(runner));
    } catch (e) {
      // a runner started afresh since (after a crash) no longer holds them
      if (!(e instanceof AdvisorError && e.message.includes(SAMPLES_NOT_HELD))) throw e;
      r = await send(true);
    }
    this.holdSamples.add(runner);
    this.resumeAt.delete(runner);
    if (r.recycle) {
      // the heap earlier loads left behind nears the bound: a fresh process continues the pass
      runner.fresh?.();
      this.holdSamples.delete(runner);
      this.resumeAt.set(runner, r.recycle.nextId);
      if (runner === this.runner) this.recycles++;
    }
    this.spentMs += r.elapsedMs;
    this.passes = Math.max(this.passes, params.firstPass + r.passes);
    if (runner === this.runner) {
      this.runnerPeakRssMB = Math.max(this.runnerPeakRssMB, r.runnerPeakRssMB);
      this.baseRssMB = r.baseRssMB;
    }
    for (const slice of r.configs) {
      const rec = this.records.get(slice.id);
      if (!rec) throw new AdvisorError('internal', `the runner measured an unknown configuration ${slice.id}`);
      mergeSlice(rec, slice);
    }
  }

  /** The configuration as sent, with the screening blocks it still has before a decision can be made. */
  private screening(c: BenchmarkConfig): BenchmarkConfig {
    const left = MIN_CI_BLOCKS - this.records.get(c.id)!.blockMedians.length;
    return left > 0 ? { ...c, screenBlocks: left } : c;
  }

  private deviceTierOf(runner: RunnerHost): TierId | undefined {
    return (Object.entries(this.opts.devices ?? {}) as [TierId, RunnerHost][]).find(([, r]) => r === runner)?.[0];
  }

  /**
   * Block length for this many running configurations: short enough that each can get
   * TARGET_BLOCKS blocks within what is left of the budget (a CI needs MIN_CI_BLOCKS), long enough
   * that the discarded re-warm stays a small share.
   */
  private blockMs(running: number): number {
    const perBlock = this.budgetLeftMs / (Math.max(1, running) * TARGET_BLOCKS);
    return Math.round(Math.min(DEFAULT_BLOCKS.blockMs, Math.max(MIN_BLOCK_MS, perBlock - DEFAULT_BLOCKS.rewarmMs)));
  }

  /** Runs slices until every configuration stopped or the budget is spent. */
  async run(onSlice?: (race: Race) => void): Promise<void> {
    while (await this.step()) onSlice?.(this);
    onSlice?.(this);
  }

  /** Marks everything still running as stopped (cancel, failure): the rows say so. */
  stopAll(reason: StopReason): void {
    for (const c of this.active) this.stopped.set(c.id, { reason });
  }

  /** Rows from everything measured so far, with accuracy and why each row's sampling stopped. */
  rows(): ResultRow[] {
    return this.derived().map((d) => d.row);
  }

  private derived(): DerivedRow[] {
    const rows = deriveRows(this.raced, this.records, this.opts);
    for (const d of rows) {
      const acc = this.accuracy.get(d.row.operator);
      if (acc) {
        Object.assign(d.row, {
          ...(acc.accuracy !== undefined ? { accuracy: acc.accuracy } : {}), accuracyDrop: acc.drop,
          ...(acc.dropCi ? { accuracyDropCi: acc.dropCi } : {}), ...(acc.fidelity ? { fidelity: acc.fidelity } : {}),
        });
        if (acc.flags?.length) d.row.flags = [...new Set([...d.row.flags, ...acc.flags])];
      }
      const states = d.configs.map((id) => this.stopped.get(id));
      const s = d.row.sampling!;
      if (states.every((x) => x)) {
        // the row's own state: dominated if any of its configurations stopped for it, else the latest reason
        const dominated = states.find((x) => x!.reason === 'dominated');
        const chosen = dominated ?? states.find((x) => x!.reason !== 'ciReached') ?? states[0]!;
        s.stopped = chosen.reason;
        if (chosen.by) s.by = chosen.by;
      }
      // the target is the measurement's (an extrapolation's own uncertainty is reported, not sampled away)
      if (s.stopped !== 'dominated' && s.stopped !== 'running' && !((s.measuredRelHalfWidth ?? s.relHalfWidth) <= this.target)) {
        d.row.flags = [...new Set([...d.row.flags, 'ciNotReached' as const])];
      }
    }
    return rows;
  }

  private decide(): void {
    const rows = this.derived();
    const dominatedBy = new Map<ResultRow, ResultRow>();
    for (const r of rows) {
      const by = rows.find((s) => s !== r && dominates(s.row, r.row));
      if (by) dominatedBy.set(r.row, by.row);
    }
    for (const rec of this.records.values()) {
      const id = rec.config.id;
      if (this.stopped.has(id)) continue;
      const ci = recordCi(rec);
      if (ci.valid && ci.relHalfWidth <= this.target) { this.stopped.set(id, { reason: 'ciReached' }); continue; }
      const served = rows.filter((d) => d.configs.includes(id));
      if (served.length > 0 && ci.blocks >= MIN_CI_BLOCKS && served.every((d) => dominatedBy.has(d.row))) {
        const by = dominatedBy.get(served[0]!.row)!;
        this.stopped.set(id, { reason: 'dominated', by: { operator: by.operator, placement: by.placement } });
      }
    }
  }
}

/** The configurations in their order, starting at `first` (a pass cut short resumes there). */
function rotate(configs: BenchmarkConfig[], first: string | undefined): BenchmarkConfig[] {
  const i = first === undefined ? -1 : configs.findIndex((c) => c.id === first);
  return i <= 0 ? configs : [...configs.slice(i), ...configs.slice(0, i)];
}

/** Bytes a row sends over each link per request (its transfers, summed). */
function bytesPerLink(r: ResultRow): Map<LinkId, { bytes: number; hops: number }> {
  const m = new Map<LinkId, { bytes: number; hops: number }>();
  for (const t of r.transfers ?? []) {
    const e = m.get(t.link) ?? { bytes: 0, hops: 0 };
    e.bytes += t.bytes;
    e.hops++;
    m.set(t.link, e);
  }
  return m;
}

/**
 * `s` dominates `r`: significantly faster (95% CIs over blocks apart), at no larger accuracy drop,
 * fitting where `r` fits, and sending no more bytes (nor more messages) over any link — so at every
 * bandwidth and every accuracy budget `s` stays the better choice.
 */
export function dominates(s: ResultRow, r: ResultRow): boolean {
  if (s.accuracyDrop === undefined || r.accuracyDrop === undefined) return false;
  if (s.accuracyDrop > r.accuracyDrop + 1e-9) return false;
  if (s.flags.includes('doesNotFit') && !r.flags.includes('doesNotFit')) return false;
  const sh = s.latencyMs.ciHigh;
  const rl = r.latencyMs.ciLow;
  if (sh === undefined || rl === undefined || !(sh < rl)) return false;
  const sb = bytesPerLink(s);
  const rb = bytesPerLink(r);
  for (const [link, e] of sb) {
    const other = rb.get(link);
    if (!other || e.bytes > other.bytes || e.hops > other.hops) return false;
  }
  return true;
}
