/**
 * Fusion check: creates a session at the given optimisation level with `optimizedModelFilePath`
 * so onnxruntime writes the graph it will actually run; the host counts integer kernels in it
 * (core/quantize/fusion.ts). 'extended' is where QDQ fusion happens without hardware layouts.
 */
import { AdvisorError, firstLine } from '../../../core/errors';
import { ort } from '../ort';
import type { JobHandler } from './context';

export const optimizeJob: JobHandler<'optimize'> = async (params) => {
  const t0 = process.hrtime.bigint();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(params.modelPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: params.level ?? 'extended',
      optimizedModelFilePath: params.outPath,
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (e) {
    const msg = firstLine(e);
    throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${msg}`, params.modelPath);
  }
  const sessionMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await session.release().catch(() => undefined);
  return { outPath: params.outPath, sessionMs };
};
