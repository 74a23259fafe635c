/**
 * The benchmark's loaded sessions, kept between slices as far as memory allows. A deployment holds
 * one configuration; a race that held every configuration at once would need their sum (690 MB for
 * a ResNet-18's configurations where each alone peaks at 60–130 MB), which a 4 GB device cannot
 * give. So the runner is bounded by the largest configuration's own peak + 25%:
 * - other configurations stay loaded within 15% of that peak (the rest is left to what the heap
 *   keeps); those that do not fit are released after their visit and loaded again on the next (most
 *   recently used first out, as visits cycle); small ones (each under 64 MB of its own) share 64 MB
 *   and mostly stay loaded; configurations that stopped racing are released;
 * - a reload reads a copy of the model with onnxruntime's graph optimisations already applied
 *   (ort.ts optimizedCopy): the same graph, but a load that no longer churns the heap — released
 *   memory stays in the process's heap in pieces, and optimising on every reload grew it
 *   10–40 MB a pass;
 * - what still accumulates is watched: before a visit that could cross the bound, the slice ends
 *   and the host continues in a fresh runner (`needsFresh`, benchmark.ts).
 */
import type { BenchmarkConfig } from '../../core/protocol/benchmark';
import { loadStage, releaseAll, reloadStage, type LoadedStage } from './ort';
import type { Watchdog } from './watchdog';

/** The runner's bound over the largest configuration's own peak (issue 19: + 25%). */
export const MEMORY_BOUND = 0.25;
/** A runner past this share of the bound before a visit is replaced (what a visit adds, at most). */
const RECYCLE_AT = 0.95;
/**
 * Headroom over the largest configuration's own peak that other resident configurations may use,
 * below the bound: the heap keeps some of what is released, and reloads are cheap (a copy)...
 */
export const RESIDENT_HEADROOM = 0.15;
/** ...but never less than this, bytes: small models all stay loaded (a reload costs more than it saves). */
export const RESIDENT_FLOOR_BYTES = 64 * 2 ** 20;

export interface Resident {
  key: string;
  config: BenchmarkConfig;
  stages: LoadedStage[];
  /** RSS growth this configuration caused when first loaded, bytes. */
  ownBytes: number;
  lastUsed: number;
  /** RSS just before a fresh load, until `settle` has recorded the growth through warm-up. */
  loadedFromRss?: number;
}

function keyOf(config: BenchmarkConfig): string {
  return config.stages.map((s) => `${s.modelPath}@${s.threads}${s.executionProvider ? `:${s.executionProvider}` : ''}`).join(' → ');
}

export class SessionPool {
  private readonly resident = new Map<string, Resident>();
  /** Own growth of every configuration ever loaded, bytes (kept after release: the budget needs it). */
  private readonly ownBytes = new Map<string, number>();
  private clock = 0;

  constructor(private readonly watchdog: Watchdog, private readonly baseRssBytes: number) {}

  /** The configuration's sessions, loading them (and evicting others) if needed; `created` says whether they were. */
  async acquire(config: BenchmarkConfig): Promise<{ resident: Resident; created: boolean }> {
    const key = keyOf(config);
    const held = this.resident.get(key);
    if (held) {
      held.lastUsed = ++this.clock;
      return { resident: held, created: false };
    }
    await this.makeRoomFor(config);
    const before = process.memoryUsage.rss();
    this.watchdog.resetPeak();
    const stages: LoadedStage[] = [];
    // a reload reads a pre-optimised copy (made once); the first load, from the model, is the cold start reported
    const reload = this.ownBytes.has(key);
    try {
      for (const spec of config.stages) stages.push(await (reload ? reloadStage(spec) : loadStage(spec)));
    } catch (e) {
      await releaseAll(stages);
      throw e;
    }
    // `settle` adds what warm-up allocates (arenas grow on the first runs)
    const resident: Resident = { key, config, stages, ownBytes: this.watchdog.peak() - before, lastUsed: ++this.clock, loadedFromRss: before };
    this.resident.set(key, resident);
    return { resident, created: true };
  }

  /** After a fresh load's warm-up: records the configuration's own growth (first load only). */
  settle(resident: Resident): void {
    if (resident.loadedFromRss === undefined) return;
    resident.ownBytes = Math.max(resident.ownBytes, this.watchdog.peak() - resident.loadedFromRss);
    if (!this.ownBytes.has(resident.key)) this.ownBytes.set(resident.key, resident.ownBytes);
    delete resident.loadedFromRss;
  }

  /**
   * Peak RSS of a runner holding only this configuration, bytes: the host's measurement when given,
   * else the growth seen here when first loaded (a lower bound: freed memory may have been reused).
   */
  ownPeakBytes(resident: Resident): number {
    if (resident.config.ownPeakMB !== undefined) return resident.config.ownPeakMB * 2 ** 20;
    return this.baseRssBytes + (this.ownBytes.get(resident.key) ?? resident.ownBytes);
  }

  /** Whether this process has loaded any session (a fresh one has nothing to give back). */
  get used(): boolean {
    return this.ownBytes.size > 0 || this.resident.size > 0;
  }

  /**
   * The RSS this runner must stay under while these configurations take turns, bytes: the largest
   * one's own peak + 25% (MEMORY_BOUND). Undefined while an own peak is unknown, and for small
   * configurations, which share RESIDENT_FLOOR_BYTES instead and are never worth a fresh runner.
   */
  boundBytes(configs: readonly BenchmarkConfig[]): number | undefined {
    const growth = configs.map((c) => this.ownGrowth(c));
    if (growth.some((g) => g === undefined)) return undefined;
    const largest = Math.max(...(growth as number[]));
    if (largest < RESIDENT_FLOOR_BYTES) return undefined;
    return (1 + MEMORY_BOUND) * (this.baseRssBytes + largest);
  }

  /**
   * Whether this runner should hand the rest of its pass to a fresh one before the next visit: its
   * RSS (what earlier loads left in the heap, which no release gives back) is near `bound`. A fresh
   * runner never needs replacing. (Predicting a load's growth was tried: it replaced runners so often,
   * ~1 s each and slower first blocks, that CIs widened; bench/results/2026-12-03-memory-notes.md.)
   */
  needsFresh(bound: number): boolean {
    return this.used && process.memoryUsage.rss() > RECYCLE_AT * bound;
  }

  /** What a configuration adds over the base, bytes, from the host's measurement of its own peak. */
  private ownGrowth(c: BenchmarkConfig): number | undefined {
    return c.ownPeakMB !== undefined ? Math.max(0, c.ownPeakMB * 2 ** 20 - this.baseRssBytes) : undefined;
  }

  /** Own growth all resident configurations together may reach, given the largest one's. */
  private allowance(largest: number): number {
    const headroom = RESIDENT_HEADROOM * (this.baseRssBytes + largest);
    return largest + (largest < RESIDENT_FLOOR_BYTES ? Math.max(headroom, RESIDENT_FLOOR_BYTES) : headroom);
  }

  /** Releases configurations no longer racing: they would hold the allowance the running ones need. */
  async retainOnly(configs: readonly BenchmarkConfig[]): Promise<void> {
    const keep = new Set(configs.map(keyOf));
    for (const r of [...this.resident.values()]) if (!keep.has(r.key)) await this.evict(r);
  }

  async releaseAll(): Promise<void> {
    for (const r of this.resident.values()) await releaseAll(r.stages);
    this.resident.clear();
  }

  /**
   * Evicts configurations until the one about to load fits, most recently used first: the race
   * visits configurations in a fixed cycle, where evicting the least recently used would always
   * evict the next one to run; this way the ones that fit stay loaded for good. The bound needs
   * each configuration's own peak as the host measured it in a fresh runner (`ownPeakMB`): growth
   * measured here is hidden by memory earlier sessions freed, so a configuration without it is
   * loaded alone.
   */
  private async makeRoomFor(incoming: BenchmarkConfig): Promise<void> {
    const own = (c: BenchmarkConfig) => this.ownGrowth(c);
    const residents = [...this.resident.values()].sort((a, b) => b.lastUsed - a.lastUsed);
    const known = own(incoming) !== undefined && residents.every((r) => own(r.config) !== undefined);
    if (!known) {
      for (const r of residents) await this.evict(r);
      return;
    }
    const largest = Math.max(own(incoming)!, ...residents.map((r) => own(r.config)!));
    const allowed = this.allowance(largest);
    let used = residents.reduce((s, r) => s + own(r.config)!, 0);
    for (const r of residents) {
      if (used + own(incoming)! <= allowed) break;
      used -= own(r.config)!;
      await this.evict(r);
    }
  }

  private async evict(r: Resident): Promise<void> {
    await releaseAll(r.stages);
    this.resident.delete(r.key);
  }
}
