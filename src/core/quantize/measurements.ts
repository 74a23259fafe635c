/**
 * What SPTQ measures in the runner: fidelity of an int8 model to its float model (top-1 agreement,
 * SQNR, optionally per layer and against labels), float vs int8 speed side by side, and per-kernel
 * profiles with the graph onnxruntime ran. Plus the accuracy target those fidelities are judged by.
 */
import * as path from 'node:path';
import { DataType } from '../onnx/dtypes';
import { readModel, writeModel } from '../onnx/io';
import type { GraphProto, ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { median } from '../stats/describe';
import { mannWhitney } from '../stats/significance';
import type { KernelProfileResult } from './jobs';
import type { QuantizeReport } from './quantize';
import { measureConfigs } from '../measure/slices';
import type { LayerSqnr } from '../results';

export interface Fidelity {
  samples: number;
  outputName: string;
  /**
   * Share of samples whose top class matches the float model's; NaN (null in JSON) when the output is not class scores.
   * @nullable
   */
  top1Agreement: number;
  /**
   * Output SQNR over all samples, dB; Infinity (null in JSON) when identical.
   * @nullable
   */
  sqnrDb: number;
  layers: LayerSqnr[];
  /** Samples the per-layer SQNR was taken over, where fewer than `samples`. */
  layerSamples?: number;
  /** With labels: top-1 accuracy of float and int8 on the fidelity samples, percent. */
  accuracy?: { floatPct: number; int8Pct: number };
}

/**
 * What "accurate enough" means for SPTQ. Default: top-1 agreement ≥ 99% with float where the
 * output is class scores, output SQNR ≥ 20 dB otherwise, on held-out samples. With labels (one per
 * fidelity sample) the drop in real top-1 accuracy, in points.
 */
export type AccuracyTarget =
  | { kind: 'agreement'; min: number }
  | { kind: 'sqnr'; minDb: number }
  | { kind: 'accuracy'; labels: number[]; maxDropPoints: number };

export const DEFAULT_AGREEMENT = 0.99;
export const DEFAULT_SQNR_DB = 20;

/** The target in force for a fidelity measurement (the default depends on whether the output is class scores). */
export function resolveTarget(t: AccuracyTarget | undefined, f: Fidelity): AccuracyTarget {
  if (t) return t;
  return Number.isNaN(f.top1Agreement) ? { kind: 'sqnr', minDb: DEFAULT_SQNR_DB } : { kind: 'agreement', min: DEFAULT_AGREEMENT };
}

export function meetsTarget(t: AccuracyTarget, f: Fidelity): boolean {
  if (t.kind === 'agreement') return !Number.isNaN(f.top1Agreement) ? f.top1Agreement >= t.min : f.sqnrDb >= DEFAULT_SQNR_DB;
  if (t.kind === 'sqnr') return f.sqnrDb >= t.minDb;
  return !!f.accuracy && f.accuracy.floatPct - f.accuracy.int8Pct <= t.maxDropPoints;
}

export function describeTarget(t: AccuracyTarget): string {
  if (t.kind === 'agreement') return `top-1 agreement with float ≥ ${(t.min * 100).toFixed(0)}%`;
  if (t.kind === 'sqnr') return `output SQNR ≥ ${t.minDb} dB`;
  return `top-1 accuracy drop ≤ ${t.maxDropPoints} points on ${t.labels.length} labelled samples`;
}

export function sqnr(signal: number, noise: number): number {
  if (noise <= 0) return Infinity;
  if (signal <= 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}

export interface FidelityRequest {
  floatModel: ModelProto;
  quantModel: ModelProto;
  report: QuantizeReport;
  samples: Feeds[];
  perLayer: boolean;
  labels?: number[];
  tmp: string;
  sourceDir: string;
  job?: JobOptions;
  /** Names the temp files (several fidelities share one folder). */
  tag?: string;
}

export async function measureFidelity(host: RunnerHost, r: FidelityRequest): Promise<Fidelity> {
  const layers: Array<[string, string]> = [];
  // only the output lists change: everything else is shared
  const withOwnOutputs = (m: ModelProto): ModelProto => ({ ...m, graph: { ...m.graph!, output: [...m.graph!.output] } });
  const compared = comparedTensor(r.floatModel);
  const f = withOwnOutputs(exposing(r.floatModel, compared));
  const q = withOwnOutputs(exposing(r.quantModel, compared));
  if (r.perLayer) {
    const floatOut = new Set(f.graph!.output.map((o) => o.name));
    const quantOut = new Set(q.graph!.output.map((o) => o.name));
    const quantValues = new Set(q.graph!.node.flatMap((n) => n.output));
    for (const t of r.report.tensors) {
      const dq = `${t.name}_DequantizeLinear_Output`;
      const qName = quantValues.has(dq) ? dq : quantOut.has(t.name) ? t.name : undefined;
      if (!qName) continue;
      if (!floatOut.has(t.name)) { f.graph!.output.push({ name: t.name }); floatOut.add(t.name); }
      if (!quantOut.has(qName)) { q.graph!.output.push({ name: qName }); quantOut.add(qName); }
      layers.push([t.name, qName]);
    }
  }
  const tag = r.tag ?? 'fidelity';
  const fPath = path.join(r.tmp, `${tag}-float.onnx`);
  const qPath = path.join(r.tmp, `${tag}-quant.onnx`);
  writeModel(f, fPath, { sourceDir: r.sourceDir });
  writeModel(q, qPath, { sourceDir: r.sourceDir });
  const res = await host.run('fidelity', { floatModelPath: fPath, quantModelPath: qPath, samples: r.samples, layers, outputName: compared }, r.job);
  const agree = res.floatTop1.filter((v, i) => v === res.quantTop1[i]).length;
  const pct = (top: number[]) => (100 * top.filter((v, i) => v === r.labels![i]).length) / top.length;
  return {
    samples: r.samples.length,
    outputName: res.outputName,
    top1Agreement: res.floatTop1.length && !res.floatTop1.includes(-1) ? agree / res.floatTop1.length : NaN,
    sqnrDb: sqnr(res.output.signal, res.output.noise),
    layers: res.layers.map((l) => ({ tensor: l.float, sqnrDb: sqnr(l.signal, l.noise) })),
    ...(r.labels?.length === r.samples.length && !res.floatTop1.includes(-1) ? { accuracy: { floatPct: pct(res.floatTop1), int8Pct: pct(res.quantTop1) } } : {}),
  };
}

/** The first float output: an integer one (an ArgMax head's class ids) has no SQNR worth reporting. */
export function floatOutputName(m: ModelProto): string {
  const outs = m.graph!.output;
  return (outs.find((o) => o.type?.tensor_type?.elem_type === DataType.FLOAT) ?? outs[0]!).name!;
}

/**
 * The tensor fidelity compares: the float output, or — where that output is a Sigmoid's — the
 * Sigmoid's input. A saturating output squashes errors where it is flat and leaves near-zero
 * values (a text detector's probability map on an image without text) whose SQNR is noise over
 * noise; the logits carry the same decisions (same top class, same side of 0.5) on a linear scale.
 */
export function comparedTensor(m: ModelProto): string {
  const out = floatOutputName(m);
  const producer = m.graph!.node.find((n) => n.output.includes(out));
  return producer && producer.op_type === 'Sigmoid' && (producer.domain ?? '') === '' && producer.input[0] ? producer.input[0] : out;
}

/** `m` with `tensors` added to its outputs where they are not already (shallow: only the output list is new). */
export function exposing(m: ModelProto, ...tensors: string[]): ModelProto {
  const have = new Set(m.graph!.output.map((o) => o.name));
  const added = [...new Set(tensors)].filter((t) => !have.has(t));
  return added.length ? { ...m, graph: { ...m.graph!, output: [...m.graph!.output, ...added.map((name) => ({ name }))] } } : m;
}

export interface SpeedCheck {
  threads: number;
  floatMs: number;
  int8Ms: number;
  /** Median float / median int8 latency. */
  speedup: number;
  /** Measured runs of each model. */
  runs: number;
  /** Mann–Whitney p-value of float vs int8 run times (below 0.05: the difference is not noise). */
  p: number;
}

/** Float and int8 side by side in one benchmark job (turns in blocks), at `threads` intra-op threads. */
export async function measureSpeed(host: RunnerHost, floatPath: string, int8Path: string, samples: Feeds[], budgetMs: number, threads: number, job?: JobOptions): Promise<SpeedCheck> {
  const stage = (modelPath: string) => [{ modelPath, threads }];
  const r = await measureConfigs(host, [{ id: 'float', stages: stage(floatPath) }, { id: 'int8', stages: stage(int8Path) }],
    samples.slice(0, 4), { budgetMs, targetRelHalfWidth: 0.02, ...(job ? { job } : {}) });
  const [f, q] = [r.records.get('float')!.samplesMs, r.records.get('int8')!.samplesMs];
  const floatMs = median(f);
  const int8Ms = median(q);
  return { threads, floatMs, int8Ms, speedup: floatMs / int8Ms, runs: Math.min(f.length, q.length), p: mannWhitney(f, q).p };
}

/** An int8 model is offered only when it is measurably faster than float. */
export function isFaster(s: SpeedCheck): boolean {
  return s.speedup > 1 && s.p < 0.05;
}

export interface Profiled { profile: KernelProfileResult; optimized: GraphProto; totalMs: number }

/** Per-kernel profile of `modelPath` at deployment settings, with the graph onnxruntime ran. */
export async function profileKernels(host: RunnerHost, modelPath: string, samples: Feeds[], threads: number, tmp: string, tag: string, job?: JobOptions): Promise<Profiled> {
  const optimizedPath = path.join(tmp, `${tag}.ort-optimized.onnx`);
  const profile = await host.run('kernelProfile', { modelPath, threads, samples: samples.slice(0, 2), runs: 20, warmupRuns: 5, optimizedPath }, job);
  return { profile, optimized: readModel(optimizedPath).model.graph!, totalMs: median(profile.runMs) };
}
