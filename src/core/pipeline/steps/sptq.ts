/**
 * Step: the black-box quantized operators. SPTQ of the model (calibrated on the run's calibration
 * samples, fidelity checked on held-out samples) and DSPTQ, the same quantization of the user's
 * distilled variant. An operator that cannot be built is a warning; the run goes on without it.
 */
import * as path from 'node:path';
import { endsRun, toAdvisorError } from '../../errors';
import { LOW_FUSION_SHARE } from '../../quantize/fusion';
import { runSptq, sptqMeasurement, type SptqResult } from '../../quantize/sptq';
import type { Feeds } from '../../protocol/tensor';
import type { ResultFlag } from '../../results';
import type { OperatorBuild } from '../rows';
import { stem, type BuildContext } from './context';

export interface SptqBuilds {
  builds: OperatorBuild[];
  /** The model's own SPTQ result, for SPTQ-Partition and the report's quantization section. */
  sptq?: SptqResult;
  warnings: string[];
}

const SINGLE = ['mobile', 'edge', 'cloud'] as const;
/** At most this many evaluation samples for SPTQ's accuracy check (sptqMeasurement takes what it needs). */
const SPTQ_CHECK_SAMPLES = 200;
/** Samples the report's per-layer SQNR chart is taken over (runSptq's layerSamples: 2.5 s less on mobilenet_v2). */
const LAYER_SAMPLES = 8;

export function sptqFlags(r: SptqResult): ResultFlag[] {
  return [
    ...(r.synthetic ? ['syntheticCalibration' as const] : []),
    ...(r.fusion.share < LOW_FUSION_SHARE ? ['lowFusionCoverage' as const] : []),
  ];
}

export async function buildSptqOperators(ctx: BuildContext): Promise<SptqBuilds> {
  const builds: OperatorBuild[] = [];
  const warnings: string[] = [];
  // the samples SPTQ's accuracy target is checked on, read once from the run's evaluation data
  let held: Feeds[] | undefined;
  const heldOut = async () => (held ??= await ctx.data.evalSource.read(0, Math.min(ctx.data.evalSource.count, SPTQ_CHECK_SAMPLES)));
  const quantizeOne = async (operator: 'sptq' | 'dsptq', source: string): Promise<SptqResult | undefined> => {
    const t0 = Date.now();
    try {
      const out = path.join(ctx.outDir, `${stem(source)}.sptq.onnx`);
      const r = await runSptq(ctx.runner, source, out, ctx.data.calibSamples, {
        synthetic: ctx.data.syntheticCalibration,
        ...sptqMeasurement({ ...ctx.data, evalSamples: await heldOut() }, ctx.req.maxAccuracyDrop),
        perLayer: operator === 'sptq', layerSamples: LAYER_SAMPLES,
        job: ctx.jobOpts,
        onProgress: (stage, message, fraction) => ctx.progress(stage === 'calibrate' ? 'calibrate' : 'quantize', `${operator}: ${message}`, fraction ?? 0, { operator }),
      });
      builds.push({ operator, stages: [r.out], placements: [...SINGLE], flags: sptqFlags(r), note: `${r.report.quantizedNodes} nodes int8, ${(r.fusion.share * 100).toFixed(0)}% of Conv/MatMul/Gemm fused` });
      return r;
    } catch (e) {
      const err = toAdvisorError(e);
      if (endsRun(err)) throw err;
      warnings.push(`${operator} could not be built: ${err.message}`);
      return undefined;
    } finally {
      ctx.timings[operator] = Date.now() - t0;
    }
  };

  const wanted = (op: 'sptq' | 'dsptq' | 'sptq-partition') => !ctx.req.operators || ctx.req.operators.includes(op);
  let sptq: SptqResult | undefined;
  if (ctx.inspection.quantization.state === 'float' && (wanted('sptq') || wanted('sptq-partition'))) {
    ctx.progress('calibrate', 'SPTQ: calibrating', 0, { operator: 'sptq' });
    sptq = await quantizeOne('sptq', ctx.loaded.path);
  }
  const distilled = ctx.variants.find((v) => v.kind === 'distilled');
  if (distilled && wanted('dsptq')) {
    if (distilled.inspection.quantization.state === 'float') await quantizeOne('dsptq', distilled.loaded.path);
    else warnings.push('the distilled variant is already quantized: DSPTQ is skipped');
  }
  return { builds, ...(sptq ? { sptq } : {}), warnings };
}
