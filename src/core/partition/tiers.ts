/**
 * Pricing cuts for two tiers of a tier set, through a runner host: one profiled run per tier
 * (the tier's thread count on this host, times scaled by its per-core speed), the links between
 * the tiers folded into one, then `priceCuts`. The one pricing both the advisor's partition step
 * (src/core/pipeline/steps/partition.ts) and `partition --rank` use, so they choose the same cut.
 */
import { AdvisorError } from '../errors';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { computeScale, threadsFor } from '../tiers/compute';
import { linksBetween } from '../tiers/network';
import type { TierId, TierSet } from '../tiers/types';
import { enumerateCuts, unsizedTensors } from './cuts';
import { priceCuts, type PriceOptions } from './pricing';
import type { CutListing, CutOptions, LinkSpec, NodeTimes, PricedCut } from './types';

/** Every time multiplied by `factor` (a tier slower than this host: factor > 1). */
export function scaleNodeTimes(t: NodeTimes, factor: number): NodeTimes {
  return { totalMs: t.totalMs * factor, nodeMs: Object.fromEntries(Object.entries(t.nodeMs).map(([k, v]) => [k, v * factor])) };
}

/**
 * The hops between two tiers as one link: RTTs add up and so do the per-hop serialisation times
 * (store and forward), so transferMs over it equals the sum over the hops.
 */
export function combinedLink(tiers: TierSet, a: TierId, b: TierId): LinkSpec {
  const hops = linksBetween(a, b).map((id) => tiers.links[id]);
  if (hops.length === 0) throw new AdvisorError('usage', `a partition needs two different tiers (got ${a} and ${b})`);
  return { rttMs: hops.reduce((s, l) => s + l.rttMs, 0), mbps: 1 / hops.reduce((s, l) => s + 1 / l.mbps, 0) };
}

export interface TierPricingOptions extends CutOptions, PriceOptions {
  /** Profiled runs per tier (default 10). */
  runs?: number;
  /** Replace parts of the link between the tiers (e.g. a what-if bandwidth). */
  link?: Partial<LinkSpec>;
  job?: JobOptions;
  /** Shared by calls on the same model (one per link): each thread setting is profiled once, cuts listed once. */
  cache?: PricingCache;
}

export interface PricingCache {
  profiles: Map<string, NodeTimes>;
  listing?: CutListing;
  /** Shapes the listing measured in the runner (extraction reads their rank from them). */
  measured?: Measured;
}

type Measured = NonNullable<CutOptions['measured']>;

export interface TierPricing {
  ranked: PricedCut[];
  link: LinkSpec;
  headTimes: NodeTimes;
  tailTimes: NodeTimes;
  /** A tier had more cores than this host and was measured at the host's count (times not extrapolated). */
  notes: string[];
  /** The model's value_info shapes that disagree with what it computes (ignored). */
  wrongAnnotations: CutListing['wrongAnnotations'];
  /** Shapes measured in the runner for the listing. */
  measured: Measured;
}

/**
 * Profiles `modelPath` for the head tier and the tail tier and ranks every cut (and the two
 * single-tier placements) for the link between them, fastest first. Estimates, to be measured.
 */
export async function rankCutsForTiers(
  host: RunnerHost, modelPath: string, model: ModelProto, tiers: TierSet, headTier: TierId, tailTier: TierId,
  samples: Feeds[], opts: TierPricingOptions = {},
): Promise<TierPricing> {
  const { hostCores } = await host.info();
  const link = { ...combinedLink(tiers, headTier, tailTier), ...opts.link };
  const notes: string[] = [];
  const cache = opts.cache?.profiles ?? new Map<string, NodeTimes>();
  const profile = async (id: TierId): Promise<NodeTimes> => {
    const tier = tiers.tiers[id];
    const stage = { modelPath, threads: threadsFor(tier, hostCores) };
    const key = `${stage.threads}`;
    let raw = cache.get(key);
    if (!raw) {
      raw = await host.run('profile', { stage, samples, ...(opts.runs !== undefined ? { runs: opts.runs } : {}) }, opts.job);
      cache.set(key, raw);
    }
    const scale = computeScale(tier, hostCores);
    if (Math.floor(tier.cpus) > hostCores) notes.push(`${id} has ${tier.cpus} cores, measured with ${scale.measuredThreads}`);
    return scaleNodeTimes(raw, scale.factor);
  };
  const headTimes = await profile(headTier);
  const tailTimes = await profile(tailTier);
  let listing = opts.cache?.listing;
  let measured = opts.cache?.measured ?? {};
  if (!listing) {
    const m = await listCutsMeasured(host, modelPath, model, samples, opts);
    listing = m.listing;
    measured = m.shapes;
  }
  if (opts.cache) { opts.cache.listing = listing; opts.cache.measured = measured; }
  return {
    ranked: priceCuts(model.graph!, listing, headTimes, tailTimes, link, opts), link, headTimes, tailTimes, notes,
    wrongAnnotations: listing.wrongAnnotations, measured,
  };
}

/**
 * Lists the cuts with symbolic dims taken from the sample, and sizes the tensors static inference
 * could not (ops it does not model, data-dependent shapes) by measuring them in the runner. Cut
 * tensors whose value_info disagrees with inference are measured too, so the warning can say what
 * onnxruntime actually computes.
 */
export async function listCutsMeasured(
  host: RunnerHost, modelPath: string, model: ModelProto, samples: Feeds[], opts: CutOptions & { job?: JobOptions } = {},
): Promise<{ listing: CutListing; measured: string[]; shapes: Measured }> {
  const inputShapes = Object.fromEntries(Object.entries(samples[0] ?? {}).map(([k, t]) => [k, t.dims]));
  const base = { ...opts, inputShapes: { ...inputShapes, ...opts.inputShapes } };
  const listing = enumerateCuts(model, base);
  const crossing = new Set(listing.cuts.flatMap((c) => c.tensors.map((t) => t.name)));
  const names = [...new Set([...unsizedTensors(listing), ...listing.wrongAnnotations.map((w) => w.name).filter((n) => crossing.has(n))])];
  if (names.length === 0 || samples.length === 0) return { listing, measured: [], shapes: { ...opts.measured } };
  const { shapes } = await host.run('tensorShapes', { modelPath, samples: samples.slice(0, 1), names }, opts.job);
  const all = { ...opts.measured, ...shapes };
  return { listing: enumerateCuts(model, { ...base, measured: all }), measured: Object.keys(shapes), shapes: all };
}
