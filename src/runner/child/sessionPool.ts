/**
 * The benchmark's loaded sessions, kept between slices as far as memory allows. A deployment holds
 * one configuration; a race that held every configuration at once would need their sum (690 MB for
 * a ResNet-18's configurations where each alone peaks at 60–130 MB), which a 4 GB device cannot
 * give. So the resident set is bounded by the largest configuration's own peak + 25% (at least
 * 64 MB, so a small model's configurations all stay loaded): configurations
 * that do not fit with the others are released after their visit and created again on the next
 * (most recently used first out, as visits cycle). Small models all stay resident; large ones take turns in memory.
 * A released session's memory stays in the process's heap and the next session reuses it, so the
 * runner's RSS follows the largest configuration, not their sum.
 */
import type { BenchmarkConfig } from '../../core/protocol/benchmark';
import { loadStage, releaseAll, type LoadedStage } from './ort';
import type { Watchdog } from './watchdog';

/** Headroom over the largest configuration's own peak that other resident configurations may use... */
export const RESIDENT_HEADROOM = 0.25;
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
    try {
      for (const spec of config.stages) stages.push(await loadStage(spec));
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
    const own = (c: BenchmarkConfig | undefined) => (c?.ownPeakMB !== undefined ? Math.max(0, c.ownPeakMB * 2 ** 20 - this.baseRssBytes) : undefined);
    const residents = [...this.resident.values()].sort((a, b) => b.lastUsed - a.lastUsed);
    const known = own(incoming) !== undefined && residents.every((r) => own(r.config) !== undefined);
    if (!known) {
      for (const r of residents) await this.evict(r);
      return;
    }
    const largest = Math.max(own(incoming)!, ...residents.map((r) => own(r.config)!));
    const allowed = largest + Math.max(RESIDENT_HEADROOM * (this.baseRssBytes + largest), RESIDENT_FLOOR_BYTES);
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
