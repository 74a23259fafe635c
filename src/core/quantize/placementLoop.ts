/**
 * The measured placement loop: profile the float model once and each int8 candidate with
 * onnxruntime's profiler at the target thread count, return every region whose int8 kernels are
 * measurably slower than the float kernels they replaced to float, and measure again — until no
 * region is slower, a round makes the whole model slower (that round is undone), or `maxRounds`.
 */
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { mannWhitney } from '../stats/significance';
import type { Candidate, Candidates } from './candidates';
import { profileKernels, type Profiled } from './measurements';
import { kernelCovers, neighbours, regionTimes, slowerRegions, type PlacementDecision } from './placement';

export interface PlacementReport {
  threads: number;
  rounds: number;
  /** Median whole-run time from the profiler (profiling adds a little to every kernel), ms. */
  floatMs: number;
  int8MsBefore: number;
  int8MsAfter: number;
  decisions: PlacementDecision[];
}

export interface PlacementContext {
  host: RunnerHost;
  candidates: Candidates;
  floatPath: string;
  samples: Feeds[];
  threads: number;
  tmp: string;
  maxRounds?: number;
  job?: JobOptions;
  onRound?: (round: number, message: string) => void;
}

export async function measuredPlacement(ctx: PlacementContext, start: Candidate): Promise<{ candidate: Candidate; report: PlacementReport }> {
  const source = ctx.candidates.model.graph!;
  const floatP = await profileKernels(ctx.host, ctx.floatPath, ctx.samples, ctx.threads, ctx.tmp, 'profile-float', ctx.job);
  let cur = start;
  let curP: Profiled = await profileKernels(ctx.host, cur.path, ctx.samples, ctx.threads, ctx.tmp, 'profile-int8-0', ctx.job);
  const before = curP.totalMs;
  const decisions: PlacementDecision[] = [];
  let rounds = 0;
  for (let round = 1; round <= (ctx.maxRounds ?? 4); round++) {
    rounds = round;
    const groups = cur.groups;
    const regions = regionTimes(floatP.profile, kernelCovers(floatP.optimized, source, groups), curP.profile, kernelCovers(curP.optimized, source, groups));
    // a region matters when it is a visible share of the model: 0.5% of its float time, and 20% of its own
    const slower = slowerRegions(regions, cur.quantized, neighbours(source, groups), { absoluteMs: Math.max(0.02, 0.005 * floatP.totalMs), relative: 0.2 });
    if (!slower.length) break;
    ctx.onRound?.(round, `returning ${slower.length} slower int8 region(s) to float: ${slower.slice(0, 3).map((d) => d.nodes[0]).join(', ')}`);
    const next = await ctx.candidates.build([...cur.keptFloat, ...slower.flatMap((d) => d.nodes)], `placement-${round}`);
    const nextP = await profileKernels(ctx.host, next.path, ctx.samples, ctx.threads, ctx.tmp, `profile-int8-${round}`, ctx.job);
    // the regions were slower, but the whole model is what runs: a round that made it slower is undone
    if (nextP.totalMs > curP.totalMs * 1.02 && mannWhitney(curP.profile.runMs, nextP.profile.runMs).p < 0.05) {
      decisions.push(...slower.map((d) => ({ ...d, action: 'kept int8: returning it made the whole model slower' as const })));
      break;
    }
    decisions.push(...slower);
    cur = next;
    curP = nextP;
  }
  return { candidate: cur, report: { threads: ctx.threads, rounds, floatMs: floatP.totalMs, int8MsBefore: before, int8MsAfter: curP.totalMs, decisions } };
}
