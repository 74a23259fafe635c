/**
 * Building every operator of the study for one model: Identity (the file as is), the user's
 * white-box variants (validated drop-ins), and the black-box operators we make ourselves — SPTQ,
 * DSPTQ (SPTQ of the distilled variant), Partition and SPTQ-Partition (the best-priced cut per
 * link, extracted to head/tail files). Outputs go to the run's output folder; the user's files are
 * only read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toAdvisorError } from '../errors';
import type { Inspection } from '../inspect/inspect';
import { inspectModel } from '../inspect/inspect';
import { readModel, writeModel, type LoadedModel } from '../onnx/io';
import { bestCuts, extractPartition } from '../partition';
import type { NodeTimes, PricedCut } from '../partition/types';
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { LOW_FUSION_SHARE } from '../quantize/fusion';
import { runSptq, type SptqResult } from '../quantize/sptq';
import type { AdvisorReport, OperatorId, PlacementId, ResultFlag } from '../results';
import { studyHint } from '../study/ranges';
import { discoverVariants } from '../variants/discover';
import { validateVariant } from '../variants/validate';
import type { LinkId } from '../tiers/types';
import type { PreparedData } from './data';
import { qdqFusion, type QdqFusion } from './qdqFusion';
import type { OperatorBuild } from './measure';
import type { AdvisorRequest, AdvisorStage } from './types';
import type { VariantKind } from '../variants/kinds';

export interface BuildContext {
  req: AdvisorRequest;
  loaded: LoadedModel;
  inspection: Inspection;
  data: PreparedData;
  runner: RunnerHost;
  outDir: string;
  hostCores: number;
  jobOpts: JobOptions;
  progress: (stage: AdvisorStage, message: string, within?: number, current?: { operator: OperatorId }) => void;
  timings: Record<string, number>;
  log?: (line: string) => void;
}

export interface BuiltOperators {
  builds: OperatorBuild[];
  missing: Array<{ operator: OperatorId; hint: string }>;
  quantization?: AdvisorReport['quantization'];
  warnings: string[];
}

const SINGLE: PlacementId[] = ['mobile', 'edge', 'cloud'];

function stem(p: string): string {
  return path.basename(p).replace(/\.onnx$/i, '');
}

export async function buildOperators(ctx: BuildContext): Promise<BuiltOperators> {
  const { req, loaded, inspection } = ctx;
  fs.mkdirSync(ctx.outDir, { recursive: true });
  const builds: OperatorBuild[] = [{ operator: 'identity', stages: [loaded.path], placements: SINGLE }];
  const warnings: string[] = [];
  const missing: BuiltOperators['missing'] = [];

  // "will int8 be faster here?" for a model that already is QDQ: informative, never fails the run
  const fusionOf = async (m: LoadedModel, what: string): Promise<QdqFusion | undefined> => {
    try {
      const q = await qdqFusion(ctx.runner, m.path, m.model.graph!, what, ctx.jobOpts);
      if (q.warning) warnings.push(q.warning);
      return q;
    } catch (e) {
      const err = toAdvisorError(e);
      if (err.category === 'cancelled') throw err;
      ctx.log?.(`fusion check of ${what} skipped: ${err.message}`);
      return undefined;
    }
  };

  // white-box variants, validated against the model's interface
  ctx.progress('variants', 'looking for distilled, pruned and QAT variants');
  const found = req.discoverVariants === false
    ? Object.entries(req.variants).filter(([, p]) => p).map(([kind, p]) => ({ kind: kind as VariantKind, path: path.resolve(p!), source: 'explicit' as const }))
    : discoverVariants(loaded.path, { explicit: req.variants, ...(req.configFile ? { configFile: req.configFile } : {}) });
  const variantPaths = new Map<VariantKind, string>();
  for (const v of found) {
    let vm: LoadedModel;
    let vi: Inspection;
    let check: ReturnType<typeof validateVariant>;
    try {
      vm = readModel(v.path);
      vi = inspectModel(vm);
      check = validateVariant(inspection, vi, v.kind);
    } catch (e) {
      // a file the user named must be right; one we guessed from its name is only skipped
      if (v.source !== 'beside') throw e;
      warnings.push(`ignored ${path.basename(v.path)} as the ${v.kind} variant: ${toAdvisorError(e).message}`);
      continue;
    }
    warnings.push(...check.warnings);
    variantPaths.set(v.kind, v.path);
    let note = v.kind === 'pruned' ? `${(vi.sparsity * 100).toFixed(0)}% zero weights (unstructured: no speed-up expected on dense CPU kernels)` : undefined;
    let flags: ResultFlag[] = [];
    const q = v.kind === 'qat' && vi.quantization.state === 'qdq' ? await fusionOf(vm, 'the QAT variant') : undefined;
    if (q) { note = q.note; flags = q.flags; }
    builds.push({ operator: v.kind, stages: [v.path], placements: SINGLE, ...(note ? { note } : {}), ...(flags.length ? { flags } : {}) });
  }
  for (const kind of ['distilled', 'pruned', 'qat'] as const) {
    if (!variantPaths.has(kind)) missing.push({ operator: kind, hint: studyHint(kind) ?? 'not provided' });
  }

  // SPTQ and DSPTQ
  let sptq: SptqResult | undefined;
  const quantizable = inspection.quantization.state === 'float';
  if (!quantizable) {
    warnings.push(`the model is already quantized (${inspection.quantization.state}): SPTQ and SPTQ-Partition are skipped`);
    const q = inspection.quantization.state === 'qdq' ? await fusionOf(loaded, 'the model') : undefined;
    if (q) builds[0] = { ...builds[0]!, note: q.note, ...(q.flags.length ? { flags: q.flags } : {}) };
  }
  const sptqFlags = (r: SptqResult): ResultFlag[] => [
    ...(r.synthetic ? ['syntheticCalibration' as const] : []),
    ...(r.fusion.share < LOW_FUSION_SHARE ? ['lowFusionCoverage' as const] : []),
  ];
  const quantizeOne = async (operator: 'sptq' | 'dsptq', source: string): Promise<SptqResult | undefined> => {
    const t0 = Date.now();
    try {
      const out = path.join(ctx.outDir, `${stem(source)}.sptq.onnx`);
      const r = await runSptq(ctx.runner, source, out, ctx.data.calibSamples, {
        synthetic: ctx.data.syntheticCalibration,
        fidelitySamples: operator === 'sptq' ? ctx.data.fidelitySamples : [],
        perLayer: operator === 'sptq',
        job: ctx.jobOpts,
        onProgress: (stage, message, fraction) => ctx.progress(stage === 'calibrate' ? 'calibrate' : 'quantize', `${operator}: ${message}`, fraction ?? 0, { operator }),
      });
      builds.push({ operator, stages: [r.out], placements: SINGLE, flags: sptqFlags(r), note: `${r.report.quantizedNodes} nodes int8, ${(r.fusion.share * 100).toFixed(0)}% of Conv/MatMul/Gemm fused` });
      return r;
    } catch (e) {
      const err = toAdvisorError(e);
      if (err.category === 'cancelled' || err.category === 'crash' || err.category === 'oom' || err.category === 'timeout') throw err;
      warnings.push(`${operator} could not be built: ${err.message}`);
      return undefined;
    } finally {
      ctx.timings[operator] = Date.now() - t0;
    }
  };
  if (quantizable) {
    ctx.progress('calibrate', 'SPTQ: calibrating', 0, { operator: 'sptq' });
    sptq = await quantizeOne('sptq', loaded.path);
  }
  const distilled = variantPaths.get('distilled');
  if (distilled) {
    const di = inspectModel(readModel(distilled));
    if (di.quantization.state === 'float') await quantizeOne('dsptq', distilled);
    else warnings.push('the distilled variant is already quantized: DSPTQ is skipped');
  } else {
    missing.push({ operator: 'dsptq', hint: studyHint('dsptq') ?? 'needs a distilled variant' });
  }

  // Partition and SPTQ-Partition: the best-priced cut for each link
  const t0 = Date.now();
  const links: Array<{ link: LinkId; placement: PlacementId; head: 'mobile' | 'edge'; tail: 'edge' | 'cloud' }> = [
    { link: 'mobile-edge', placement: 'mobile-edge', head: 'mobile', tail: 'edge' },
    { link: 'edge-cloud', placement: 'edge-cloud', head: 'edge', tail: 'cloud' },
  ];
  const wantedSplits = links.filter((l) => !req.placements || req.placements.includes(l.placement));
  const sources: Array<{ operator: 'partition' | 'sptq-partition'; file: string; flags: ResultFlag[] }> = [
    { operator: 'partition', file: loaded.path, flags: [] },
    ...(sptq ? [{ operator: 'sptq-partition' as const, file: sptq.out, flags: sptqFlags(sptq) }] : []),
  ];
  for (const [si, src] of sources.entries()) {
    if (wantedSplits.length === 0) break;
    ctx.progress('partition', `${src.operator}: profiling nodes and pricing cuts`, si / sources.length, { operator: src.operator });
    try {
      const model = readModel(src.file);
      const profile = await ctx.runner.run('profile', {
        stage: { modelPath: src.file, threads: ctx.hostCores, spinning: true },
        samples: ctx.data.benchSamples.slice(0, 2),
        runs: 5,
      }, ctx.jobOpts);
      const inputShapes = shapesOf(ctx.data.benchSamples[0]!);
      for (const l of wantedSplits) {
        const scaled = (tier: 'mobile' | 'edge' | 'cloud'): NodeTimes => scaleTimes(profile, 1 / req.tiers.tiers[tier].speed);
        const ranked = bestCuts(model.model, scaled(l.head), scaled(l.tail), req.tiers.links[l.link], 50, { inputShapes });
        const split = ranked.find((p): p is PricedCut & { cut: NonNullable<PricedCut['cut']> } => p.placement === 'split' && p.cut !== undefined);
        if (!split) { warnings.push(`${src.operator}: no cut found for ${l.link}`); continue; }
        const dir = path.join(ctx.outDir, `${stem(src.file)}.${l.link}.${split.cut.id}`);
        const part = extractPartition(model.model, split.cut, { inputShapes, source: path.basename(src.file) });
        writeModel(part.head, path.join(dir, 'head.onnx'), { sourceDir: model.dir, protect: [loaded.path] });
        writeModel(part.tail, path.join(dir, 'tail.onnx'), { sourceDir: model.dir, protect: [loaded.path] });
        // head∘tail must reproduce the model before it is benchmarked (exact on 8-bit cuts)
        const check = await ctx.runner.run('verifyPartition', {
          model: src.file, head: path.join(dir, 'head.onnx'), tail: path.join(dir, 'tail.onnx'), samples: ctx.data.benchSamples.slice(0, 2),
        }, ctx.jobOpts);
        if (!check.withinTolerance) {
          warnings.push(`${src.operator} cut ${split.cut.id} for ${l.link} skipped: head∘tail differs from the model by ${check.maxAbsDiff}`);
          continue;
        }
        const single = ranked[0]!.placement !== 'split' ? `; at ${req.tiers.links[l.link].mbps} Mbit/s the pricing prefers ${ranked[0]!.placement === 'all-head-tier' ? `running everything on ${l.head}` : `running everything on ${l.tail}`}` : '';
        builds.push({
          operator: src.operator,
          stages: [path.join(dir, 'head.onnx'), path.join(dir, 'tail.onnx')],
          placements: [l.placement],
          flags: src.flags,
          cut: { tensors: split.cut.tensors.map((t) => t.name), bytes: split.cut.bytes ?? 0 },
          note: `cut ${split.cut.id} after ${split.cut.headNodes} of ${split.cut.headNodes + split.cut.tailNodes} nodes (${split.cut.tensors.map((t) => `${t.name} ${t.dtype}`).join(', ')})${single}`,
        });
      }
    } catch (e) {
      const err = toAdvisorError(e);
      if (err.category === 'cancelled' || err.category === 'crash' || err.category === 'oom' || err.category === 'timeout') throw err;
      warnings.push(`${src.operator} could not be built: ${err.message}`);
    }
  }
  ctx.timings['partition'] = Date.now() - t0;

  for (const w of warnings) ctx.log?.(`warning: ${w}`);
  return {
    builds, missing, warnings,
    ...(sptq ? {
      quantization: {
        layers: sptq.fidelity?.layers ?? [],
        fusionShare: sptq.fusion.share,
        synthetic: sptq.synthetic,
      },
    } : {}),
  };
}

function shapesOf(f: Feeds): Record<string, number[]> {
  return Object.fromEntries(Object.entries(f).map(([k, t]) => [k, t.dims]));
}

function scaleTimes(t: NodeTimes, factor: number): NodeTimes {
  return { totalMs: t.totalMs * factor, nodeMs: Object.fromEntries(Object.entries(t.nodeMs).map(([k, v]) => [k, v * factor])) };
}
