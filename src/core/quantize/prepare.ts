/**
 * Pre-processing before calibration and quantization (what onnxruntime's `quant_pre_process`
 * achieves with its optimizer, done on the graph so tensor names stay stable):
 * - initializers listed in graph.input are removed from it (ORT treats them as overridable inputs
 *   and blocks QDQ fusion, design-facts §0.7);
 * - Constant nodes become initializers and Identity nodes are bypassed (PyTorch emits both; they
 *   would hide weights and Clip bounds from the quantizer);
 * - BatchNormalization after a Conv is folded into the Conv's weights (a BN between Conv and its
 *   activation blocks the Conv→Q fusion);
 * - per-channel weights need opset ≥ 13 (QuantizeLinear itself 10): an older model is moved to 13
 *   when all its ops mean the same there (upgrade.ts), otherwise per-channel is turned off (or, below
 *   opset 10, the model is refused) — a note says which.
 * The pass is deterministic: calibration and quantization both call it and see the same names.
 */
import { AdvisorError } from '../errors';
import { indexGraph, topologicalOrder } from '../graph/graph';
import { attrFloat, inferShapes } from '../graph/shapes';
import { makeNode } from '../onnx/builder';
import { cloneSharingWeights } from '../onnx/clone';
import { DataType } from '../onnx/dtypes';
import { makeTensor, tensorToFloat32, type TensorSource } from '../onnx/tensor';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../onnx/types';
import { equalizeCrossLayer } from './equalize';
import { blockersOf, rewriteTo } from './upgrade';

/** Oldest opset the upgrade to 13 handles (onnxruntime runs 7 and up). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 26;
export const MAX_IR = 13;

export interface Prepared {
  model: ModelProto;
  /** Per-channel weights are possible (opset ≥ 13) and requested. */
  perChannel: boolean;
  opset: number;
  notes: string[];
}

export function aiOnnxOpset(m: ModelProto): number {
  const o = m.opset_import.find((x) => !x.domain || x.domain === 'ai.onnx');
  return o ? Number(o.version ?? 0n) : 0;
}

export function prepareModel(input: ModelProto, opts: { perChannel?: boolean; file?: string; modelDir?: string; equalize?: boolean } = {}): Prepared {
  if (!input.graph) throw new AdvisorError('input', 'the model has no graph', opts.file);
  // the passes below replace weights, never change one in place: sharing them saves a model's size
  const model = cloneSharingWeights(input);
  const g = model.graph!;
  const notes: string[] = [];
  const opset = aiOnnxOpset(model);
  if (opset < MIN_OPSET) {
    throw new AdvisorError('unsupported', `opset ${opset} is too old to quantize (needs ≥ ${MIN_OPSET}); re-export the model with opset ≥ 13`, opts.file);
  }
  if (opset > MAX_OPSET) throw new AdvisorError('unsupported', `opset ${opset} is newer than onnxruntime-node 1.30 accepts (≤ ${MAX_OPSET})`, opts.file);
  if (Number(model.ir_version ?? 0n) > MAX_IR) {
    throw new AdvisorError('unsupported', `IR version ${model.ir_version} is newer than onnxruntime-node 1.30 accepts (≤ ${MAX_IR})`, opts.file);
  }

  const inits = new Set(g.initializer.map((t) => t.name));
  const before = g.input.length;
  g.input = g.input.filter((v) => !inits.has(v.name));
  if (g.input.length < before) notes.push(`removed ${before - g.input.length} initializers from the graph inputs (they block QDQ fusion)`);

  constantsToInitializers(g);
  bypassIdentities(g);
  const src: TensorSource = { ...(opts.modelDir ? { modelDir: opts.modelDir } : {}), ...(opts.file ? { modelFile: opts.file } : {}) };
  const folded = foldBatchNorms(g, src);
  if (folded) notes.push(`folded ${folded} BatchNormalization node(s) into the preceding Conv`);
  if (opts.equalize ?? true) {
    const eq = equalizeCrossLayer(g, src);
    if (eq.pairs) notes.push(`cross-layer equalization on ${eq.pairs} Conv pair(s) (largest channel rescale ${eq.maxScale.toFixed(1)}×)`);
  }
  nameNodes(g);
  if (opset >= 11) {
    const gemms = matMulAddToGemm(g, src);
    if (gemms) notes.push(`rewrote ${gemms} MatMul + bias Add pair(s) as Gemm (onnxruntime would fuse them into a float Gemm before its int8 fusion; as Gemm they become QGemm with an int32 bias)`);
  }
  removeUnusedInitializers(g);
  sortNodes(g);

  let perChannel = opts.perChannel ?? true;
  let finalOpset = opset;
  // QuantizeLinear needs opset 10, its per-channel axis 13
  const moveTo = (target: 10 | 13) => {
    rewriteTo(g, opset, target);
    for (const o of model.opset_import) if (!o.domain || o.domain === 'ai.onnx') o.version = BigInt(target);
    if (Number(model.ir_version ?? 0n) < 7) model.ir_version = 7n;
    finalOpset = target;
  };
  if (opset < 13 && (perChannel || opset < 10)) {
    const blocking = blockersOf(g, opset, 13);
    if (blocking.length === 0) {
      moveTo(13);
      notes.push(`upgraded opset ${opset} → 13 for ${opset < 10 ? 'QuantizeLinear (opset ≥ 10) and ' : ''}per-channel weights (all ops have the same meaning at 13)`);
    } else if (opset >= 10) {
      perChannel = false;
      notes.push(`per-channel weights need opset ≥ 13; kept opset ${opset} (ops ${blocking.slice(0, 4).join(', ')} changed meaning) and used per-tensor weights`);
    } else {
      const at10 = blockersOf(g, opset, 10);
      if (at10.length) {
        throw new AdvisorError('unsupported', `opset ${opset} predates QuantizeLinear (opset 10), and ${at10.slice(0, 4).join(', ')} cannot be moved to opset 10 or 13 with the same meaning, so onnxruntime has no int8 kernel to run it with; re-export the model with opset ≥ 13`, opts.file);
      }
      moveTo(10);
      perChannel = false;
      notes.push(`upgraded opset ${opset} → 10 for QuantizeLinear, with per-tensor weights (per-channel needs 13, where ${blocking.slice(0, 4).join(', ')} would change meaning)`);
    }
  }
  return { model, perChannel, opset: finalOpset, notes };
}

function constantsToInitializers(g: GraphProto): void {
  const keep: NodeProto[] = [];
  const outputs = new Set(g.output.map((o) => o.name));
  for (const n of g.node) {
    const t = n.op_type === 'Constant' && (n.domain ?? '') === '' && n.attribute.length === 1 ? n.attribute[0]!.t : undefined;
    if (t && n.output[0] && !outputs.has(n.output[0])) {
      g.initializer.push({ ...t, name: n.output[0] });
    } else {
      keep.push(n);
    }
  }
  g.node = keep;
}

/** Rewires consumers of an Identity to its input (graph outputs keep their Identity). */
function bypassIdentities(g: GraphProto): void {
  const outputs = new Set(g.output.map((o) => o.name));
  const alias = new Map<string, string>();
  const keep: NodeProto[] = [];
  for (const n of g.node) {
    if ((n.op_type === 'Identity' || (n.op_type === 'Dropout' && n.output.length === 1)) && (n.domain ?? '') === '' && n.input[0] && !outputs.has(n.output[0])) {
      alias.set(n.output[0]!, n.input[0]);
    } else {
      keep.push(n);
    }
  }
  if (alias.size === 0) return;
  const resolve = (v: string): string => {
    let cur = v;
    for (let i = 0; i < 1000 && alias.has(cur); i++) cur = alias.get(cur)!;
    return cur;
  };
  for (const n of keep) n.input = n.input.map((v) => (v ? resolve(v) : v));
  g.node = keep;
}

function foldBatchNorms(g: GraphProto, src: TensorSource): number {
  const idx = indexGraph(g);
  const outputs = new Set(g.output.map((o) => o.name));
  const dead = new Set<number>();
  let folded = 0;
  g.node.forEach((bn, bi) => {
    if (bn.op_type !== 'BatchNormalization' || (bn.domain ?? '') !== '' || bn.output.filter(Boolean).length !== 1) return;
    const convIdx = idx.producer.get(bn.input[0]!);
    if (convIdx === undefined) return;
    const conv = g.node[convIdx]!;
    if (conv.op_type !== 'Conv' || (conv.domain ?? '') !== '') return;
    const y = conv.output[0]!;
    if ((idx.consumers.get(y) ?? []).length !== 1 || outputs.has(y)) return;
    const w = idx.initializers.get(conv.input[1]!);
    const b = conv.input[2] ? idx.initializers.get(conv.input[2]) : undefined;
    if (!w || (conv.input[2] && !b)) return;
    const params = bn.input.slice(1, 5).map((name) => idx.initializers.get(name));
    if (params.some((p) => !p) || w.data_type !== DataType.FLOAT) return;
    let W: Float32Array, scale: Float32Array, bias: Float32Array, mean: Float32Array, variance: Float32Array;
    try {
      W = tensorToFloat32(w, src);
      [scale, bias, mean, variance] = params.map((p) => tensorToFloat32(p!, src)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    } catch {
      return;
    }
    const m = Number(w.dims[0]);
    if ([scale, bias, mean, variance].some((a) => a.length !== m)) return;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const convBias = b ? tensorToFloat32(b, src) : new Float32Array(m);
    const per = W.length / m;
    const W2 = new Float32Array(W.length);
    const B2 = new Float32Array(m);
    for (let c = 0; c < m; c++) {
      const f = scale[c]! / Math.sqrt(variance[c]! + eps);
      for (let k = 0; k < per; k++) W2[c * per + k] = W[c * per + k]! * f;
      B2[c] = (convBias[c]! - mean[c]!) * f + bias[c]!;
    }
    const wName = `${conv.name || `conv${convIdx}`}.bn_folded.weight`;
    const bName = `${conv.name || `conv${convIdx}`}.bn_folded.bias`;
    g.initializer.push(makeTensor(wName, DataType.FLOAT, w.dims.map(Number), W2) as TensorProto);
    g.initializer.push(makeTensor(bName, DataType.FLOAT, [m], B2) as TensorProto);
    conv.input = [conv.input[0]!, wName, bName];
    conv.output = [bn.output[0]!];
    dead.add(bi);
    folded++;
  });
  if (dead.size) g.node = g.node.filter((_, i) => !dead.has(i));
  return folded;
}

/**
 * MatMul(x, W) followed by Add(bias) → [Reshape to 2-D] Gemm(x, W, bias) [Reshape back]. Needs
 * x's shape to be static (the back-reshape target is a constant). onnxruntime's level-1
 * MatMulAddFusion otherwise turns the pair into a float Gemm whose float bias blocks int8 fusion.
 */
function matMulAddToGemm(g: GraphProto, src: TensorSource): number {
  const idx = indexGraph(g);
  const shapes = inferShapes(g, 1);
  const symbolic = new Set<string>();
  for (const v of g.input) if (v.type?.tensor_type?.shape?.dim.some((d) => d.dim_value === undefined)) symbolic.add(v.name ?? '');
  if (symbolic.size) return 0; // static shapes only: the reshape targets are constants
  const outputs = new Set(g.output.map((o) => o.name));
  const dead = new Set<number>();
  const added: NodeProto[] = [];
  let count = 0;
  g.node.forEach((mm, i) => {
    if (mm.op_type !== 'MatMul' || (mm.domain ?? '') !== '') return;
    const w = idx.initializers.get(mm.input[1]!);
    if (!w || w.data_type !== DataType.FLOAT || w.dims.length !== 2) return;
    const y = mm.output[0]!;
    const cons = idx.consumers.get(y) ?? [];
    if (cons.length !== 1 || outputs.has(y)) return;
    const add = g.node[cons[0]!]!;
    if (add.op_type !== 'Add' || (add.domain ?? '') !== '') return;
    const biasName = add.input[0] === y ? add.input[1] : add.input[0];
    const bias = biasName ? idx.initializers.get(biasName) : undefined;
    const k = Number(w.dims[0]);
    const n = Number(w.dims[1]);
    if (!bias || bias.data_type !== DataType.FLOAT || bias.dims.reduce((a, b) => a * Number(b), 1) !== n) return;
    if (bias.dims.length > 1 && bias.dims.slice(0, -1).some((d) => Number(d) !== 1)) return;
    const xs = shapes.get(mm.input[0]!);
    if (!xs || xs.length < 2 || xs[xs.length - 1] !== k) return;
    const name = mm.name ?? `MatMul_${i}`;
    let biasInput = biasName!;
    if (bias.dims.length !== 1) {
      biasInput = `${name}.gemm_bias`;
      g.initializer.push(makeTensor(biasInput, DataType.FLOAT, [n], tensorToFloat32(bias, src)));
    }
    const out = add.output[0]!;
    if (xs.length === 2) {
      added.push(makeNode('Gemm', [mm.input[0]!, mm.input[1]!, biasInput], [out], {}, `${name}.gemm`));
    } else {
      const lead = xs.slice(0, -1);
      const s2 = `${name}.gemm_in_shape`;
      const s3 = `${name}.gemm_out_shape`;
      g.initializer.push(makeTensor(s2, DataType.INT64, [2], BigInt64Array.of(BigInt(lead.reduce((a, b) => a * b, 1)), BigInt(k))));
      g.initializer.push(makeTensor(s3, DataType.INT64, [xs.length], BigInt64Array.from([...lead, n], (d) => BigInt(d))));
      added.push(makeNode('Reshape', [mm.input[0]!, s2], [`${name}.gemm_in`], {}, `${name}.gemm_reshape_in`));
      added.push(makeNode('Gemm', [`${name}.gemm_in`, mm.input[1]!, biasInput], [`${name}.gemm_out`], {}, `${name}.gemm`));
      added.push(makeNode('Reshape', [`${name}.gemm_out`, s3], [out], {}, `${name}.gemm_reshape_out`));
    }
    dead.add(i);
    dead.add(cons[0]!);
    count++;
  });
  if (count) g.node = [...g.node.filter((_, i) => !dead.has(i)), ...added];
  return count;
}

/** Every node gets a unique name (exclusion lists and reports refer to nodes by name). */
function nameNodes(g: GraphProto): void {
  const used = new Set<string>();
  g.node.forEach((n, i) => {
    let name = n.name && !used.has(n.name) ? n.name : `${n.op_type ?? 'node'}_${i}`;
    while (used.has(name)) name = `${name}_`;
    n.name = name;
    used.add(name);
  });
}

export function removeUnusedInitializers(g: GraphProto): void {
  const idx = indexGraph(g);
  const outputs = new Set(g.output.map((o) => o.name));
  g.initializer = g.initializer.filter((t) => idx.consumers.has(t.name ?? '') || outputs.has(t.name));
}

export function sortNodes(g: GraphProto): void {
  const order = topologicalOrder(indexGraph(g));
  g.node = order.map((i) => g.node[i]!);
}
