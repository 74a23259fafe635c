/**
 * Block sampling for interleaved benchmarks. Configurations still take turns (so load drift on a
 * shared machine spreads over all of them), but each turn is a block of consecutive runs, and the
 * first runs of a block, which re-warm what the previous configuration displaced, are not
 * recorded. One-run turns measured the interference, not the model: int8 mobilenet_v2 right after
 * a float run took 2.66 ms and reached its steady 2.1 ms only ~10 runs (~22 ms) later, so
 * float/int8 read 1.81× one run at a time and 2.2× in blocks (2.2–2.6× in separate processes).
 * The study measured each configuration alone, back to back, the first requests discarded.
 */

export interface BlockRule {
  /** Re-warm time per block, ms: runs that fit in it are discarded. */
  rewarmMs: number;
  /** Measured time per block, ms: sets the run count from the configuration's run time. */
  blockMs: number;
  /** Measured runs per block at most (tiny models would otherwise record thousands per turn). */
  maxRuns: number;
  /**
   * Turns every configuration gets before the CI may stop sampling: runs within a block are
   * correlated, so the CI of the median would be met after one or two turns, before drift spread.
   */
  minBlocks: number;
}

export const DEFAULT_BLOCKS: BlockRule = { rewarmMs: 25, blockMs: 150, maxRuns: 200, minBlocks: 5 };

/** Measured runs in the next block of a configuration whose runs take about `runMs`. */
export function blockRuns(runMs: number, rule: BlockRule = DEFAULT_BLOCKS): number {
  if (!(runMs > 0)) return 1;
  return Math.max(1, Math.min(rule.maxRuns, Math.round(rule.blockMs / runMs)));
}

/**
 * Whether another re-warm run is due, after `elapsedMs` of re-warming, for runs of about `runMs`:
 * only while it fits in the re-warm time, so a run longer than that is measured, not thrown away
 * (its first-run penalty is small next to it: +3% for a 6 ms int8 ResNet-18, one run only).
 */
export function rewarmDue(elapsedMs: number, runMs: number, rule: BlockRule = DEFAULT_BLOCKS): boolean {
  return runMs > 0 && elapsedMs + runMs <= rule.rewarmMs;
}
