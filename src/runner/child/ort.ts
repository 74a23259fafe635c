/**
 * onnxruntime-node glue for jobs: session creation with the advisor's fixed options, tensor
 * conversion and the chained run of a partition's stages.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AdvisorError, firstLine } from '../../core/errors';
import type { Feeds, TensorData, TensorType } from '../../core/protocol/tensor';
import type { StageSpec } from '../../core/protocol/stage';

export { ort };

export interface LoadedStage {
  spec: StageSpec;
  session: ort.InferenceSession;
  coldStartMs: number;
}

/**
 * Session options for one stage: onnxruntime's defaults, as a deployment runs them (full graph
 * optimisation, sequential execution, the intra-op pool spin-waiting between runs), with the tier's
 * intra-op thread count. Interference between configurations measured in turn is handled by how
 * they take turns (blocks with a discarded re-warm), not by running them unlike a deployment.
 */
export function sessionOptions(spec: Pick<StageSpec, 'threads' | 'executionProvider'>): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [spec.executionProvider ?? 'cpu'],
    intraOpNumThreads: Math.max(1, Math.floor(spec.threads)),
  };
}

/** A provider this onnxruntime-node build lacks is named, with the ones it offers. */
function checkProvider(ep: string | undefined): void {
  if (!ep || ep === 'cpu') return;
  const offered = ort.listSupportedBackends().map((b) => b.name);
  if (!offered.includes(ep)) {
    throw new AdvisorError('unsupported', `execution provider "${ep}" is not available in onnxruntime-node ${ort.env.versions.common} on ${process.platform}-${process.arch} (it offers: ${offered.join(', ')})`);
  }
}

/** Loads a stage's session, from `from` (its pre-optimised copy: reloadStage) or the model itself. */
export async function loadStage(spec: StageSpec, from = spec.modelPath): Promise<LoadedStage> {
  checkProvider(spec.executionProvider);
  const t0 = process.hrtime.bigint();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(from, sessionOptions(spec));
  } catch (e) {
    throw new AdvisorError('runtime', `onnxruntime cannot load the model: ${firstLine(e)}`, spec.modelPath);
  }
  const coldStartMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { spec, session, coldStartMs };
}

const copies = new Map<string, string | null>();

/**
 * A copy of the stage's model with onnxruntime's graph optimisations already applied, for
 * reloading a released session: the session created from it runs the same graph (outputs
 * bit-identical, latency within ±1.5% on float and int8 ResNet-18 and mobilenet_v2 at 1 and 2 threads), but its
 * creation skips the optimisation passes, whose allocate-and-free churn otherwise leaves the heap
 * 10–40 MB larger after each reload (and takes most of the load time). Written once per model into
 * the runner's private temp folder, which goes with the runner. Undefined where it cannot be made:
 * providers other than the CPU compile nodes that cannot be saved, and a failure (disk full, a model
 * too large to serialise) only means reloads read the original.
 */
export async function optimizedCopy(spec: StageSpec): Promise<string | undefined> {
  if ((spec.executionProvider ?? 'cpu') !== 'cpu') return undefined;
  const held = copies.get(spec.modelPath);
  if (held !== undefined) return held ?? undefined;
  const out = path.join(os.tmpdir(), `optimized-${copies.size}-${path.basename(spec.modelPath)}`);
  try {
    // warnings off: onnxruntime warns that the copy is specific to this machine, which is the point
    const s = await ort.InferenceSession.create(spec.modelPath, { ...sessionOptions(spec), optimizedModelFilePath: out, logSeverityLevel: 3 });
    await s.release();
    copies.set(spec.modelPath, out);
    return out;
  } catch {
    fs.rmSync(out, { force: true });
    copies.set(spec.modelPath, null);
    return undefined;
  }
}

/** Loads a released stage again: from its pre-optimised copy where one loads, else from the model. */
export async function reloadStage(spec: StageSpec): Promise<LoadedStage> {
  const copy = await optimizedCopy(spec);
  if (copy) {
    try {
      return await loadStage(spec, copy);
    } catch {
      // e.g. external data the copy names relative to a folder it is not in: the original it is
      copies.set(spec.modelPath, null);
      fs.rmSync(copy, { force: true });
    }
  }
  return loadStage(spec);
}

export function toOrtFeeds(feeds: Feeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new ort.Tensor(t.type, t.data, t.dims);
  return out;
}

const TYPES = new Set<TensorType>(['float32', 'float64', 'int64', 'int32', 'uint8', 'int8', 'bool']);

export function fromOrtTensor(t: ort.Tensor, name: string): TensorData {
  if (!TYPES.has(t.type as TensorType)) throw new AdvisorError('unsupported', `output "${name}" has type ${t.type}, which the advisor does not read`);
  return { type: t.type as TensorType, dims: [...t.dims], data: t.data as TensorData['data'] };
}

export function byteSize(t: ort.Tensor): number {
  const d = t.data as { byteLength?: number };
  return d.byteLength ?? 0;
}

/** A stage's run: its time, its outputs' bytes, and the feeds for the next stage (inputs + outputs). */
export interface StageRun { ms: number; outputBytes: number; outputs: ort.InferenceSession.OnnxValueMapType; next: Record<string, ort.Tensor> }

/**
 * Runs one stage on the values a request has so far (the request's feeds, plus every earlier
 * stage's outputs, which is how a tail finds a head's cut tensors), timing `session.run` with hrtime.
 */
export async function runStage(st: LoadedStage, current: Record<string, ort.Tensor>): Promise<StageRun> {
  const input: Record<string, ort.Tensor> = {};
  for (const name of st.session.inputNames) {
    const t = current[name];
    if (!t) throw new AdvisorError('input', `no value for model input "${name}"`, st.spec.modelPath);
    input[name] = t;
  }
  const t0 = process.hrtime.bigint();
  let outputs: ort.InferenceSession.OnnxValueMapType;
  try {
    outputs = await st.session.run(input);
  } catch (e) {
    throw new AdvisorError('runtime', `onnxruntime failed to run the model: ${firstLine(e)}`, st.spec.modelPath);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let outputBytes = 0;
  const next: Record<string, ort.Tensor> = { ...current };
  for (const [name, v] of Object.entries(outputs)) {
    const t = v as ort.Tensor;
    outputBytes += byteSize(t);
    next[name] = t;
  }
  return { ms, outputBytes, outputs, next };
}

/** Runs one request through every stage; per-stage ms and output bytes, and the last stage's outputs. */
export async function runChain(stages: LoadedStage[], feeds: Record<string, ort.Tensor>): Promise<{
  ms: number[]; outputBytes: number[]; outputs: ort.InferenceSession.OnnxValueMapType;
}> {
  const ms: number[] = [];
  const outputBytes: number[] = [];
  let current = feeds;
  let outputs: ort.InferenceSession.OnnxValueMapType = {};
  for (const st of stages) {
    const r = await runStage(st, current);
    ms.push(r.ms);
    outputBytes.push(r.outputBytes);
    outputs = r.outputs;
    current = r.next;
  }
  return { ms, outputBytes, outputs };
}

export async function releaseAll(stages: LoadedStage[]): Promise<void> {
  for (const s of stages) await s.session.release().catch(() => undefined);
}

