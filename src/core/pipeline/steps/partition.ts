/**
 * Step: Partition and SPTQ-Partition — for each link, the best-priced cut of the model (and of its
 * SPTQ model) by the partition module's own pricing (`rankCutsForTiers`, the same as
 * `partition --rank`), extracted to head/tail files and verified head∘tail against the model
 * before anything is benchmarked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { endsRun, toAdvisorError } from '../../errors';
import { readModel } from '../../onnx/io';
import { describeWrongAnnotation, verifyCut } from '../../partition';
import { rankCutsForTiers, type PricingCache } from '../../partition/tiers';
import type { PricedCut } from '../../partition/types';
import type { Feeds } from '../../protocol/tensor';
import type { PlacementId, ResultFlag } from '../../results';
import type { LinkId, TierId } from '../../tiers/types';
import type { OperatorBuild } from '../rows';
import { stem, type BuildContext } from './context';

export interface PartitionSource {
  operator: 'partition' | 'sptq-partition';
  file: string;
  flags: ResultFlag[];
}

const LINKS: ReadonlyArray<{ link: LinkId; placement: PlacementId; head: TierId; tail: TierId }> = [
  { link: 'mobile-edge', placement: 'mobile-edge', head: 'mobile', tail: 'edge' },
  { link: 'edge-cloud', placement: 'edge-cloud', head: 'edge', tail: 'cloud' },
];

type SplitCut = PricedCut & { cut: NonNullable<PricedCut['cut']> };

/** Cuts tried per link before giving up on a split placement. */
const MAX_TRIES = 3;

export async function buildPartitions(ctx: BuildContext, sources: PartitionSource[]): Promise<{ builds: OperatorBuild[]; warnings: string[] }> {
  const builds: OperatorBuild[] = [];
  const warnings: string[] = [];
  const wanted = LINKS.filter((l) => !ctx.req.placements || ctx.req.placements.includes(l.placement));
  sources = sources.filter((s) => !ctx.req.operators || ctx.req.operators.includes(s.operator));
  if (wanted.length === 0 || sources.length === 0) return { builds, warnings };
  const t0 = Date.now();
  const samples = ctx.data.benchSamples.slice(0, 2);
  for (const [si, src] of sources.entries()) {
    ctx.progress('partition', `${src.operator}: profiling nodes and pricing cuts`, si / sources.length, { operator: src.operator });
    try {
      const model = readModel(src.file);
      const cache: PricingCache = { profiles: new Map() };
      for (const [li, l] of wanted.entries()) {
        const { ranked, wrongAnnotations, measured } = await rankCutsForTiers(ctx.runner, src.file, model.model, ctx.req.tiers, l.head, l.tail, samples, { job: ctx.jobOpts, cache });
        if (li === 0) for (const w of wrongAnnotations) warnings.push(`${src.operator}: ${describeWrongAnnotation(w)}`);
        const splits = ranked.filter((p): p is SplitCut => p.placement === 'split' && p.cut !== undefined);
        if (!splits.length) { warnings.push(`${src.operator}: no cut found for ${l.link}`); continue; }
        // the best-priced cut that head∘tail reproduces (exact on 8-bit cuts) is the one offered;
        // a cut onnxruntime refuses or that differs gives way to the next, up to MAX_TRIES
        let split: SplitCut | undefined;
        let head = '';
        let tail = '';
        for (const candidate of splits.slice(0, MAX_TRIES)) {
          const dir = path.join(ctx.outDir, `${stem(src.file)}.${l.link}.${candidate.cut.id}`);
          const check = await verifyCut(ctx.runner, src.file, model.model, candidate.cut, samples, dir, {
            inputShapes: shapesOf(samples[0]!), measured, source: path.basename(src.file), sourceDir: model.dir, protect: [ctx.loaded.path], job: ctx.jobOpts,
          });
          if (check.withinTolerance) {
            split = candidate;
            head = path.join(dir, 'head.onnx');
            tail = path.join(dir, 'tail.onnx');
            break;
          }
          warnings.push(`${src.operator} cut ${candidate.cut.id} for ${l.link} skipped: ${check.error ?? `head∘tail differs from the model by ${check.maxAbsDiff}`}`);
          fs.rmSync(dir, { recursive: true, force: true });
        }
        if (!split) continue;
        const best = ranked[0]!.placement;
        const single = best !== 'split'
          ? `; at ${ctx.req.tiers.links[l.link].mbps} Mbit/s the pricing prefers running everything on ${best === 'all-head-tier' ? l.head : l.tail}` : '';
        builds.push({
          operator: src.operator,
          stages: [head, tail],
          placements: [l.placement],
          flags: src.flags,
          cut: { tensors: split.cut.tensors.map((t) => t.name), bytes: split.cut.bytes ?? 0 },
          note: `cut ${split.cut.id} after ${split.cut.headNodes} of ${split.cut.headNodes + split.cut.tailNodes} nodes (${split.cut.tensors.map((t) => `${t.name} ${t.dtype}`).join(', ')})${single}`,
        });
      }
    } catch (e) {
      const err = toAdvisorError(e);
      if (endsRun(err)) throw err;
      warnings.push(`${src.operator} could not be built: ${err.message}`);
    }
  }
  ctx.timings['partition'] = Date.now() - t0;
  return { builds, warnings };
}

function shapesOf(f: Feeds): Record<string, number[]> {
  return Object.fromEntries(Object.entries(f).map(([k, t]) => [k, t.dims]));
}
