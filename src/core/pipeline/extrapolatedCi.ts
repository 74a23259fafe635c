/**
 * The 95% CI of a row whose tier time is extrapolated. Its median is an Amdahl prediction from the
 * medians at every thread count measured here, so its uncertainty is theirs pushed through the fit,
 * wider than any one configuration's: a 4-core tier from 1 and 2 threads is t4 = 1.5·t2 − 0.5·t1,
 * so each configuration at ±3% leaves the row near ±6%. Percentile bootstrap: each configuration's
 * blocks are resampled on their own (they were measured in different blocks), the stages of one
 * configuration together (one block runs the whole chain).
 */
import { MIN_CI_BLOCKS, type BlockCi, type ConfigRecord } from '../measure/slices';
import { seededRandom } from '../stats/bootstrap';
import { quantileSorted } from '../stats/describe';
import { computeScale, fitAmdahl } from '../tiers/compute';
import type { TierProfile } from '../tiers/types';

const RESAMPLES = 1000;
const LEVEL = 0.95;

/** One stage of a row: where its time comes from and the tier it is scaled to. */
export interface StageSource {
  /** The configuration measured at the tier's thread count (or on its device). */
  record: ConfigRecord;
  stage: number;
  /** This host's tier, scaled as the row is (computeScale); none on a device (measured there, as it is). */
  tier?: Pick<TierProfile, 'cpus' | 'speed'>;
  /** For a tier with more cores than the host: the configurations of every thread count (the fit's points). */
  perThreads?: ReadonlyMap<number, ConfigRecord>;
}

/** Bootstrap medians of each stage's block medians, per record; recomputed only when blocks were added. */
const cache = new WeakMap<ConfigRecord, { blocks: number; draws: Float64Array[] }>();

/** FNV-1a: a seed per configuration, so two configurations never share their resampling indexes. */
function seedOf(id: string, blocks: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${id}#${blocks}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Ranks of `xs` (0 = smallest), and `xs` sorted. */
function ranked(xs: readonly number[]): { rank: Uint32Array; sorted: Float64Array } {
  const order = xs.map((_, i) => i).sort((i, j) => xs[i]! - xs[j]!);
  const rank = new Uint32Array(xs.length);
  order.forEach((i, r) => { rank[i] = r; });
  return { rank, sorted: Float64Array.from(order, (i) => xs[i]!) };
}

/**
 * RESAMPLES bootstrap medians per stage. A resample's median is found by counting the ranks its
 * indexes land on (O(n), no sort): the race derives rows after every slice.
 */
function draws(rec: ConfigRecord): Float64Array[] | undefined {
  const n = rec.blockMedians.length;
  if (n < MIN_CI_BLOCKS || rec.stages.some((s) => s.blockMedians.length !== n)) return undefined;
  const hit = cache.get(rec);
  if (hit?.blocks === n) return hit.draws;
  const rand = seededRandom(seedOf(rec.config.id, n));
  const stages = rec.stages.map((s) => ranked(s.blockMedians));
  const out = rec.stages.map(() => new Float64Array(RESAMPLES));
  const idx = new Uint32Array(n);
  const counts = new Uint32Array(n);
  // the median of n values is the mean of the values at sorted positions lo and hi (equal for odd n)
  const lo = Math.floor((n - 1) / 2);
  const hi = Math.ceil((n - 1) / 2);
  for (let b = 0; b < RESAMPLES; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    stages.forEach((st, s) => {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[st.rank[idx[i]!]!]!++;
      let seen = 0;
      let loValue = NaN;
      for (let r = 0; r < n; r++) {
        seen += counts[r]!;
        if (Number.isNaN(loValue) && seen > lo) loValue = st.sorted[r]!;
        if (seen > hi) { out[s]![b] = (loValue + st.sorted[r]!) / 2; break; }
      }
    });
  }
  cache.set(rec, { blocks: n, draws: out });
  return out;
}

const INVALID = (blocks: number): BlockCi => ({ low: NaN, high: NaN, relHalfWidth: Infinity, valid: false, blocks });

/**
 * CI of Σ stage times + `fixedMs`, each stage's time as the row computes it (the measured median,
 * times the fit's ratio when extrapolated, over the tier's speed), widened to contain `center` and
 * `measured` (the scaled measurement's own CI: a percentile bootstrap over few blocks is too narrow,
 * and a row is never surer than what it was scaled from).
 */
export function extrapolatedRowCi(stages: readonly StageSource[], hostCores: number, fixedMs: number, center: number, measured: BlockCi): BlockCi {
  const blocks = Math.min(...stages.map((s) => s.record.blockMedians.length));
  if (!(center > 0) || !measured.valid) return INVALID(blocks);
  const q = percentiles(stages, hostCores, fixedMs);
  if (!q) return INVALID(blocks);
  const low = Math.min(q[0], center, measured.low);
  const high = Math.max(q[1], center, measured.high);
  return { low, high, relHalfWidth: Math.max(center - low, high - center) / center, valid: true, blocks };
}

function percentiles(stages: readonly StageSource[], hostCores: number, fixedMs: number): [number, number] | undefined {
  const prepared = [];
  for (const s of stages) {
    const own = draws(s.record);
    if (!own) return undefined;
    const points: Array<{ threads: number; draws: Float64Array }> = [];
    for (const [threads, rec] of s.perThreads ?? []) {
      const d = draws(rec);
      if (!d) return undefined;
      points.push({ threads, draws: d[s.stage]! });
    }
    prepared.push({ s, own: own[s.stage]!, points });
  }
  const totals = new Float64Array(RESAMPLES);
  for (let b = 0; b < RESAMPLES; b++) {
    let t = fixedMs;
    for (const { s, own, points } of prepared) {
      const fit = points.length > 0 ? fitAmdahl(points.map((q) => ({ threads: q.threads, ms: q.draws[b]! }))) : undefined;
      t += own[b]! * (s.tier ? computeScale(s.tier, hostCores, fit).factor : 1);
    }
    totals[b] = t;
  }
  totals.sort();
  return [quantileSorted(totals, (1 - LEVEL) / 2), quantileSorted(totals, 1 - (1 - LEVEL) / 2)];
}
