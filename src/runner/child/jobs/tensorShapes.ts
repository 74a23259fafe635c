/**
 * Measures the shapes and types of intermediate values on one sample: a temporary copy of the
 * model lists them as extra graph outputs (name-only outputs are accepted, design-facts §3.2) and
 * runs once without graph optimisation, so every value keeps its name. For cut sizes where static
 * inference stops (ops it does not model, data-dependent shapes).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError, firstLine } from '../../../core/errors';
import { readModel, writeModel } from '../../../core/onnx/io';
import { toOrtFeeds, ort } from '../ort';
import type { JobHandler } from './context';

export const tensorShapesJob: JobHandler<'tensorShapes'> = async (params) => {
  if (params.samples.length === 0) throw new AdvisorError('usage', 'measuring shapes needs one input sample');
  const loaded = readModel(params.modelPath);
  const graph = loaded.model.graph;
  if (!graph) throw new AdvisorError('input', 'the model has no graph', params.modelPath);
  const outputs = new Set(graph.output.map((o) => o.name ?? ''));
  const extra = params.names.filter((n) => !outputs.has(n));
  const model = { ...loaded.model, graph: { ...graph, output: [...graph.output, ...extra.map((name) => ({ name }))] } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-shapes-'));
  let session: ort.InferenceSession | undefined;
  try {
    const file = path.join(dir, 'exposed.onnx');
    writeModel(model, file, { sourceDir: loaded.dir });
    try {
      session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    } catch (e) {
      throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${firstLine(e)}`, params.modelPath);
    }
    const feeds = toOrtFeeds(params.samples[0]!);
    const input: Record<string, ort.Tensor> = {};
    for (const n of session.inputNames) {
      const t = feeds[n];
      if (!t) throw new AdvisorError('input', `no value for model input "${n}"`, params.modelPath);
      input[n] = t;
    }
    const out = await session.run(input);
    const shapes: Record<string, { dims: number[]; type: string }> = {};
    for (const n of params.names) {
      const t = out[n] as ort.Tensor | undefined;
      if (t) shapes[n] = { dims: [...t.dims], type: t.type };
    }
    return { shapes };
  } finally {
    await session?.release().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
