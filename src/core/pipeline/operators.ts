/**
 * The operators that need no building: Identity (the file as is) and the user's white-box
 * variants (found and checked by steps/variants.ts). The black-box ones come from their own steps
 * (steps/sptq.ts: SPTQ, DSPTQ; steps/partition.ts: Partition, SPTQ-Partition), which the advisor
 * runs while the first latencies are already being measured. The user's files are only read.
 */
import * as fs from 'node:fs';
import { toAdvisorError } from '../errors';
import type { LoadedModel } from '../onnx/io';
import type { AdvisorReport, ResultFlag } from '../results';
import { sptqReportInfo, type SptqResult } from '../quantize/sptq';
import { qdqFusion, type QdqFusion } from './qdqFusion';
import type { OperatorBuild } from './rows';
import type { BuildContext } from './steps/context';

const SINGLE = ['mobile', 'edge', 'cloud'] as const;

/**
 * Identity and the user's white-box variants: nothing to build, so they are measured first. A model
 * (or QAT variant) that already is QDQ gets onnxruntime's fusion check on its rows.
 */
export async function baseOperators(ctx: BuildContext): Promise<{ builds: OperatorBuild[]; warnings: string[] }> {
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
  const builds = [identity];
  for (const v of ctx.variants) {
    let note = v.kind === 'pruned' ? `${(v.inspection.sparsity * 100).toFixed(0)}% zero weights (unstructured: no speed-up expected on dense CPU kernels)` : undefined;
    let flags: ResultFlag[] = [];
    const q = v.kind === 'qat' && v.inspection.quantization.state === 'qdq' ? await fusionOf(v.loaded, 'the QAT variant') : undefined;
    if (q) { note = q.note; flags = q.flags; }
    builds.push({ operator: v.kind, stages: [v.loaded.path], placements: [...SINGLE], ...(note ? { note } : {}), ...(flags.length ? { flags } : {}) });
  }
  return { builds, warnings };
}

/** The report's quantization section, from the model's own SPTQ (layers, fusion, placement decisions, accuracy target). */
export function quantizationSection(sptq: SptqResult): NonNullable<AdvisorReport['quantization']> {
  return sptqReportInfo(sptq);
}
