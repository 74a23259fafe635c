/**
 * Every operator of the study for one model, each from its own step: Identity (the file as is),
 * the user's white-box variants (found and checked by steps/variants.ts), the quantized operators
 * (steps/sptq.ts: SPTQ, DSPTQ) and the partitions (steps/partition.ts: Partition, SPTQ-Partition).
 * Outputs go to the run's output folder; the user's files are only read.
 */
import * as fs from 'node:fs';
import { toAdvisorError } from '../errors';
import type { LoadedModel } from '../onnx/io';
import type { AdvisorReport, ResultFlag } from '../results';
import type { OperatorBuild } from './measure';
import { qdqFusion, type QdqFusion } from './qdqFusion';
import type { BuildContext } from './steps/context';
import { buildPartitions, type PartitionSource } from './steps/partition';
import { buildSptqOperators, sptqFlags } from './steps/sptq';

export type { BuildContext } from './steps/context';

export interface BuiltOperators {
  builds: OperatorBuild[];
  quantization?: AdvisorReport['quantization'];
  warnings: string[];
}

const SINGLE = ['mobile', 'edge', 'cloud'] as const;

export async function buildOperators(ctx: BuildContext): Promise<BuiltOperators> {
  fs.mkdirSync(ctx.outDir, { recursive: true });
  const warnings: string[] = [];
  const identity: OperatorBuild = { operator: 'identity', stages: [ctx.loaded.path], placements: [...SINGLE] };

  // "will int8 be faster here?" for a model that already is QDQ: informative, never fails the run
  const fusionOf = async (m: LoadedModel, what: string): Promise<QdqFusion | undefined> => {
    try {
      const q = await qdqFusion(ctx.runner, m.path, m.model.graph!, what, ctx.jobOpts);
      if (q.warning) warnings.push(q.warning);
      return q;
    } catch (e) {
      const err = toAdvisorError(e);
      if (err.category === 'cancelled') throw err;
      ctx.log(`fusion check of ${what} skipped: ${err.message}`);
      return undefined;
    }
  };
  if (ctx.inspection.quantization.state !== 'float') {
    warnings.push(`the model is already quantized (${ctx.inspection.quantization.state}): SPTQ and SPTQ-Partition are skipped`);
    const q = ctx.inspection.quantization.state === 'qdq' ? await fusionOf(ctx.loaded, 'the model') : undefined;
    if (q) Object.assign(identity, { note: q.note, ...(q.flags.length ? { flags: q.flags } : {}) });
  }

  ctx.progress('variants', `${ctx.variants.length} white-box variant(s): ${ctx.variants.map((v) => v.kind).join(', ') || 'none'}`);
  const whiteBox: OperatorBuild[] = [];
  for (const v of ctx.variants) {
    let note = v.kind === 'pruned' ? `${(v.inspection.sparsity * 100).toFixed(0)}% zero weights (unstructured: no speed-up expected on dense CPU kernels)` : undefined;
    let flags: ResultFlag[] = [];
    const q = v.kind === 'qat' && v.inspection.quantization.state === 'qdq' ? await fusionOf(v.loaded, 'the QAT variant') : undefined;
    if (q) { note = q.note; flags = q.flags; }
    whiteBox.push({ operator: v.kind, stages: [v.loaded.path], placements: [...SINGLE], ...(note ? { note } : {}), ...(flags.length ? { flags } : {}) });
  }

  const quantized = await buildSptqOperators(ctx);
  const sources: PartitionSource[] = [
    { operator: 'partition', file: ctx.loaded.path, flags: [] },
    ...(quantized.sptq ? [{ operator: 'sptq-partition' as const, file: quantized.sptq.out, flags: sptqFlags(quantized.sptq) }] : []),
  ];
  const partitions = await buildPartitions(ctx, sources);

  const all = [...warnings, ...quantized.warnings, ...partitions.warnings];
  for (const w of all) ctx.log(`warning: ${w}`);
  const sptq = quantized.sptq;
  return {
    builds: [identity, ...whiteBox, ...quantized.builds, ...partitions.builds],
    warnings: all,
    ...(sptq ? { quantization: { layers: sptq.fidelity?.layers ?? [], fusionShare: sptq.fusion.share, synthetic: sptq.synthetic } } : {}),
  };
}
