/**
 * The SPTQ pass: a float model plus calibrated ranges → a QDQ int8 model that onnxruntime's CPU
 * provider fuses into integer kernels. Activations are asymmetric uint8 (what ORT runs on x86
 * anyway: its QDQS8ToU8 transformer rewrites int8 activations to uint8), weights symmetric int8
 * (per channel by default: Conv axis 0, MatMul axis 1, Gemm axis 0 if transB else 1), biases int32
 * with scale = input scale × weight scale. Naming follows onnxruntime's quantizer
 * (`<t>_QuantizeLinear_Output`, `<w>_quantized`, `<t>_scale`, ...) so its debugging tools match.
 *
 *   const plan = calibrationPlan(model, options);          // which tensors to measure
 *   ...run plan.model with those tensors exposed, reduce → ranges (src/core/calibrate)...
 *   const { model: q, report } = quantize(model, ranges, options);
 */
import { AdvisorError } from '../errors';
import { indexGraph, validateGraph, type GraphIndex } from '../graph/graph';
import { float, makeAttribute, makeNode } from '../onnx/builder';
import { DataType } from '../onnx/dtypes';
import { makeTensor, tensorToFloat32, type TensorSource } from '../onnx/tensor';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../onnx/types';
import type { CalibrationMethod, TensorRanges } from '../calibrate/state';
import { countHeavy } from './fusion';
import { refuseIfQuantized } from './detect';
import { activationParams, quantizeBias, quantizeWeight, type QuantType, type ScaleZp } from './params';
import { planQuantization, type NodeKind, type QuantPlan } from './plan';
import { prepareModel, removeUnusedInitializers, sortNodes } from './prepare';

export interface QuantizeOptions {
  /** Recorded in the report and model metadata (ranges come from the caller). */
  method?: CalibrationMethod;
  /** Per-channel weights (default true; needs opset ≥ 13, see prepare.ts). */
  perChannel?: boolean;
  /** Node names to leave float. */
  excludeNodes?: readonly string[];
  /** Op types to leave float. */
  excludeOpTypes?: readonly string[];
  /** Activation storage type (default uint8, what ORT's x86 kernels run). */
  activationType?: QuantType;
  /** Only MatMuls with a constant operand; default: on for transformer-like graphs. */
  matmulConstBOnly?: boolean;
  quantizeSoftmax?: boolean;
  /** Spatial Convs with fewer multiply-adds per output stay float (a hand rule, off by default: measured placement decides, see placement.ts). */
  minConvMacsPerOutput?: number;
  /** Cross-layer equalization of Conv pairs before calibration (default true, equalize.ts). */
  equalize?: boolean;
  /**
   * Bias correction (biasCorrection.ts): per node name, per output channel, added to the float bias
   * of a quantized Conv/Gemm before it is quantized to int32, or to the constant of the float Add
   * after a quantized MatMul (matmulBiasAdd).
   */
  biasShift?: ReadonlyMap<string, Float32Array>;
  /** Model file, for error messages. */
  file?: string;
  /** Folder external-data locations are relative to (LoadedModel.dir), for models with external data. */
  modelDir?: string;
}

export interface QuantizeReport {
  method?: CalibrationMethod;
  perChannel: boolean;
  activationType: QuantType;
  opset: number;
  /** Nodes turned into integer kernels (Conv/MatMul/Gemm/Add/...); pass-through ops not counted. */
  quantizedNodes: number;
  byKind: Partial<Record<NodeKind, number>>;
  /** Relu/Clip folded into the producer's quantization. */
  removedActivations: number;
  quantizedTensors: number;
  quantizedWeights: number;
  /** Conv/MatMul/Gemm left float, with the reason. */
  skipped: QuantPlan['skipped'];
  /** Biases clipped to int32 (tiny input × weight scale): accuracy risk. */
  clippedBiases: string[];
  notes: string[];
  /** Tensors quantized and the range used: for per-layer fidelity. */
  tensors: Array<{ name: string; rmin: number; rmax: number; scale: number; zeroPoint: number }>;
}

export interface CalibrationPlan {
  /** The pre-processed float model calibration must run (names match what quantize() uses). */
  model: ModelProto;
  /** Activation tensors whose range is needed. */
  tensors: string[];
  perChannel: boolean;
  notes: string[];
}

/** The pre-processed model and the quantization plan `quantize` would use (names as in its output). */
export function planFor(model: ModelProto, opts: QuantizeOptions) {
  if (!model.graph) throw new AdvisorError('input', 'the model has no graph', opts.file);
  refuseIfQuantized(model.graph, opts.file);
  validateGraph(model.graph, opts.file);
  const prep = prepareModel(model, {
    ...(opts.perChannel !== undefined ? { perChannel: opts.perChannel } : {}), ...(opts.file ? { file: opts.file } : {}), ...(opts.modelDir ? { modelDir: opts.modelDir } : {}),
    ...(opts.equalize !== undefined ? { equalize: opts.equalize } : {}),
  });
  const g = prep.model.graph!;
  const transformerLike = g.node.some((n) => ['Softmax', 'Erf', 'LayerNormalization', 'Gelu'].includes(n.op_type ?? ''));
  const plan = planQuantization(g, {
    ...(opts.excludeNodes ? { excludeNodes: opts.excludeNodes } : {}),
    ...(opts.excludeOpTypes ? { excludeOpTypes: opts.excludeOpTypes } : {}),
    matmulConstBOnly: opts.matmulConstBOnly ?? transformerLike,
    quantizeSoftmax: opts.quantizeSoftmax ?? false,
    opset: prep.opset,
    ...(opts.minConvMacsPerOutput !== undefined ? { minConvMacsPerOutput: opts.minConvMacsPerOutput } : {}),
  });
  if (plan.nodes.size === 0) throw nothingToQuantize(plan.skipped, opts.file, heavyInSubgraphs(g));
  return { prep, plan };
}

/** Conv/MatMul/Gemm nodes inside the subgraphs of If/Loop/Scan, at any depth. */
function heavyInSubgraphs(g: GraphProto): number {
  let n = 0;
  for (const node of g.node) {
    for (const a of node.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) n += countHeavy(sub) + heavyInSubgraphs(sub);
  }
  return n;
}

/** SPTQ that would change nothing is refused (its "int8" model would be the float one). */
function nothingToQuantize(skipped: QuantPlan['skipped'], file?: string, nested = 0): AdvisorError {
  if (!skipped.length && nested > 0) {
    return new AdvisorError('unsupported', `nothing to quantize: all ${nested} of the model's Conv/MatMul/Gemm sit inside If/Loop/Scan branches (control flow), which SPTQ does not quantize`, file);
  }
  if (!skipped.length) {
    return new AdvisorError('unsupported', 'nothing to quantize: the model has no float32 Conv, MatMul or Gemm (onnxruntime has int8 kernels for those; a float16 or already-integer model has none to gain)', file);
  }
  const reasons = new Map<string, number>();
  for (const s of skipped) reasons.set(`${s.op}: ${s.reason}`, (reasons.get(`${s.op}: ${s.reason}`) ?? 0) + 1);
  const why = [...reasons].map(([r, n]) => `${n} × ${r}`).join('; ');
  return new AdvisorError('unsupported', `nothing to quantize: every Conv/MatMul/Gemm stays float (${why})`, file);
}

/**
 * The bias of a MatMul `x · W` with a constant W: the one Add reading its output whose other
 * operand is a float constant with one value per output column (shape [N], [1, N], ...).
 */
export function matmulBiasAdd(g: GraphProto, idx: GraphIndex, n: NodeProto, src: TensorSource = {}): { add: NodeProto; slot: number; dims: number[]; values: Float32Array } | undefined {
  const w = idx.initializers.get(n.input[1] ?? '');
  if (!w || w.dims.length !== 2 || idx.initializers.has(n.input[0] ?? '')) return undefined;
  const cols = Number(w.dims[1]);
  const readers = idx.consumers.get(n.output[0] ?? '') ?? [];
  if (readers.length !== 1) return undefined;
  const add = g.node[readers[0]!]!;
  if (add.op_type !== 'Add' || (add.domain ?? '') !== '') return undefined;
  const slot = add.input[0] === n.output[0] ? 1 : 0;
  const c = idx.initializers.get(add.input[slot] ?? '');
  const dims = c?.dims.map(Number) ?? [];
  if (!c || c.data_type !== DataType.FLOAT || dims.at(-1) !== cols || dims.reduce((a, d) => a * d, 1) !== cols) return undefined;
  return { add, slot, dims, values: tensorToFloat32(c, src) };
}

/** Pre-processes the model and names the tensors calibration must measure. */
export function calibrationPlan(model: ModelProto, opts: QuantizeOptions = {}): CalibrationPlan {
  const { prep, plan } = planFor(model, opts);
  return { model: prep.model, tensors: plan.calibrate, perChannel: prep.perChannel, notes: prep.notes };
}

export function quantize(model: ModelProto, ranges: TensorRanges, opts: QuantizeOptions = {}): { model: ModelProto; report: QuantizeReport } {
  const { prep, plan } = planFor(model, opts);
  const out = prep.model;
  const g = out.graph!;
  const idx = indexGraph(g);
  const actType: QuantType = opts.activationType ?? 'uint8';
  const zpType = actType === 'uint8' ? DataType.UINT8 : DataType.INT8;
  const perChannel = prep.perChannel;

  const missing = plan.calibrate.filter((t) => !ranges[t]);
  if (missing.length) {
    throw new AdvisorError('input', `no calibration range for ${missing.length} tensor(s) (e.g. "${missing[0]}"); the ranges do not belong to this model`, opts.file);
  }

  const bad = plan.calibrate.find((t) => !ranges[t]!.every(Number.isFinite));
  if (bad) {
    throw new AdvisorError('input', `the calibration range of "${bad}" is not finite ([${ranges[bad]!.join(', ')}]): the calibration data or the model produces NaN/Inf`, opts.file);
  }

  const src: TensorSource = { ...(opts.modelDir ? { modelDir: opts.modelDir } : {}), ...(opts.file ? { modelFile: opts.file } : {}) };
  const newInits: TensorProto[] = [];
  const params = new Map<string, ScaleZp>();
  const report: QuantizeReport = {
    ...(opts.method ? { method: opts.method } : {}),
    perChannel, activationType: actType, opset: prep.opset,
    quantizedNodes: 0, byKind: {}, removedActivations: plan.absorbed.size, quantizedTensors: 0, quantizedWeights: 0,
    skipped: plan.skipped, clippedBiases: [], notes: [...prep.notes], tensors: [],
  };

  // activation scale/zero-point initializers, one pair per range source (pass-through tensors share them)
  const qparamNames = (source: string): { scale: string; zp: string; p: ScaleZp } => {
    const scale = `${source}_scale`;
    const zp = `${source}_zero_point`;
    if (!params.has(source)) {
      const [rmin, rmax] = ranges[source]!;
      const p = activationParams(rmin, rmax, actType);
      params.set(source, p);
      newInits.push(makeTensor(scale, DataType.FLOAT, [], Float32Array.of(p.scale)));
      newInits.push(makeTensor(zp, zpType, [], actType === 'uint8' ? Uint8Array.of(p.zeroPoint) : Int8Array.of(p.zeroPoint)));
      report.tensors.push({ name: source, rmin, rmax, scale: p.scale, zeroPoint: p.zeroPoint });
    }
    return { scale, zp, p: params.get(source)! };
  };

  // 1. absorbed Relu/Clip: the producer writes the activation's output directly
  const dropped = new Set<number>(plan.absorbed);
  for (const r of plan.absorbed) {
    const relu = g.node[r]!;
    const p = idx.producer.get(relu.input[0]!);
    if (p === undefined) throw new AdvisorError('internal', `absorbed ${relu.name} has no producer`);
    g.node[p]!.output[0] = relu.output[0]!;
  }

  // 2. Q→DQ pairs for activations; consumers read the DQ output
  const after = new Map<number, NodeProto[]>(); // node index → Q/DQ emitted right after it
  const front: NodeProto[] = [];
  const rename = new Map<string, string>();
  const producerOf = new Map<string, number>();
  g.node.forEach((n, i) => { if (!dropped.has(i)) for (const o of n.output) if (o) producerOf.set(o, i); });
  const graphOutputs = new Set(g.output.map((o) => o.name ?? ''));
  for (const [t, source] of plan.activations) {
    const { scale, zp } = qparamNames(source);
    const p = producerOf.get(t);
    let qIn = t;
    let dqOut = `${t}_DequantizeLinear_Output`;
    if (graphOutputs.has(t)) {
      // keep the graph's interface: the producer writes a new name, DQ writes the output name
      if (p === undefined) continue;
      qIn = `${t}_QuantizeLinear_Input`;
      const pn = g.node[p]!;
      pn.output = pn.output.map((o) => (o === t ? qIn : o));
      dqOut = t;
    } else {
      rename.set(t, dqOut);
    }
    const qOut = `${t}_QuantizeLinear_Output`;
    const pair = [
      makeNode('QuantizeLinear', [qIn, scale, zp], [qOut], {}, `${t}_QuantizeLinear`),
      makeNode('DequantizeLinear', [qOut, scale, zp], [dqOut], {}, `${t}_DequantizeLinear`),
    ];
    if (p === undefined) front.push(...pair);
    else after.set(p, [...(after.get(p) ?? []), ...pair]);
    report.quantizedTensors++;
  }

  // 3. weights and biases of heavy nodes
  const weightCache = new Map<string, { name: string; scales: Float32Array }>();
  const weightDq = (w: string, axis: number | undefined): { name: string; scales: Float32Array } => {
    const key = `${w}@${axis ?? 'tensor'}`;
    const hit = weightCache.get(key);
    if (hit) return hit;
    const t = idx.initializers.get(w)!;
    const dims = t.dims.map(Number);
    const q = quantizeWeight(tensorToFloat32(t, src), dims, axis);
    const suffix = weightCache.size && [...weightCache.keys()].some((k) => k.startsWith(`${w}@`)) ? `_axis${axis ?? 'none'}` : '';
    const qName = `${w}${suffix}_quantized`;
    const sName = `${w}${suffix}_scale`;
    const zName = `${w}${suffix}_zero_point`;
    const outName = `${w}${suffix}_DequantizeLinear_Output`;
    const shape = axis === undefined ? [] : [dims[axis]!];
    newInits.push(makeTensor(qName, DataType.INT8, dims, q.data));
    newInits.push(makeTensor(sName, DataType.FLOAT, shape, axis === undefined ? Float32Array.of(q.scales[0]!) : q.scales));
    newInits.push(makeTensor(zName, DataType.INT8, shape, axis === undefined ? Int8Array.of(q.zeroPoints[0]!) : q.zeroPoints));
    front.push(makeNode('DequantizeLinear', [qName, sName, zName], [outName], axis === undefined ? {} : { axis }, `${w}${suffix}_DequantizeLinear`));
    const r = { name: outName, scales: q.scales };
    weightCache.set(key, r);
    report.quantizedWeights++;
    return r;
  };
  const biasDq = (n: NodeProto, b: string, inputScale: number, wScales: Float32Array, beta = 1): string => {
    const data = tensorToFloat32(idx.initializers.get(b)!, src);
    const bScaled = beta === 1 ? data : data.map((v) => Math.fround(v * beta));
    const nOut = wScales.length > 1 ? wScales.length : data.length;
    const full = bScaled.length === nOut ? Float32Array.from(bScaled) : new Float32Array(nOut).fill(bScaled[0] ?? 0);
    const shift = opts.biasShift?.get(n.name ?? '');
    // a shift of another length belongs to another model's node of the same name: ignored
    if (shift?.length === full.length) for (let c = 0; c < full.length; c++) full[c] = Math.fround(full[c]! + shift[c]!);
    const q = quantizeBias(full, inputScale, wScales.length > 1 ? wScales : Float32Array.of(wScales[0]!));
    if (q.clipped) report.clippedBiases.push(b);
    const base = `${b}_${n.name}`;
    const qName = `${base}_quantized`;
    const perCh = q.scales.length > 1;
    newInits.push(makeTensor(qName, DataType.INT32, [full.length], q.data));
    newInits.push(makeTensor(`${qName}_scale`, DataType.FLOAT, perCh ? [q.scales.length] : [], q.scales));
    newInits.push(makeTensor(`${qName}_zero_point`, DataType.INT32, perCh ? [q.scales.length] : [], new Int32Array(q.scales.length)));
    const outName = `${qName}_DequantizeLinear_Output`;
    front.push(makeNode('DequantizeLinear', [qName, `${qName}_scale`, `${qName}_zero_point`], [outName], perCh ? { axis: 0 } : {}, `${qName}_DequantizeLinear`));
    return outName;
  };

  for (const [i, kind] of plan.nodes) {
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    if (kind !== 'passthrough') report.quantizedNodes++;
    const n = g.node[i]!;
    const inScale = (x: string) => qparamNames(plan.activations.get(x)!).p.scale;
    if (kind === 'conv') {
      const [x, w, b] = n.input as [string, string, string | undefined];
      const wq = weightDq(w, perChannel ? 0 : undefined);
      n.input[1] = wq.name;
      if (b) n.input[2] = biasDq(n, b, inScale(x), wq.scales);
    } else if (kind === 'gemm') {
      const [a, b, c] = n.input as [string, string, string | undefined];
      const transB = n.attribute.find((at) => at.name === 'transB')?.i === 1n;
      const wq = weightDq(b, perChannel ? (transB ? 0 : 1) : undefined);
      n.input[1] = wq.name;
      if (c) {
        const betaAttr = n.attribute.find((at) => at.name === 'beta');
        const beta = betaAttr?.f ?? 1;
        n.input[2] = biasDq(n, c, inScale(a), wq.scales, beta);
        // the bias now carries beta (QGemm requires beta == 1)
        if (betaAttr) n.attribute = n.attribute.map((at) => (at.name === 'beta' ? makeAttribute('beta', float(1)) : at));
      }
    } else if (kind === 'matmul') {
      // found before the weight's input is renamed to its DequantizeLinear output
      const shift = opts.biasShift?.get(n.name ?? '');
      const bias = shift && matmulBiasAdd(g, idx, n, src);
      n.input.forEach((v, k) => {
        if (!idx.initializers.has(v)) return;
        const t = idx.initializers.get(v)!;
        const axis = perChannel && k === 1 && t.dims.length === 2 ? 1 : undefined;
        n.input[k] = weightDq(v, axis).name;
      });
      if (bias && shift.length === bias.values.length) {
        // the bias stays float (the Add is not quantized): a corrected copy, the original may be shared
        const name = `${bias.add.input[bias.slot]}_${bias.add.name}_corrected`;
        newInits.push(makeTensor(name, DataType.FLOAT, bias.dims, bias.values.map((v, c) => Math.fround(v + shift[c]!))));
        bias.add.input[bias.slot] = name;
      }
    }
  }

  // 4. rewire readers to the DQ outputs and rebuild the node list
  const nodes: NodeProto[] = [...front];
  g.node.forEach((n, i) => {
    if (dropped.has(i)) return;
    n.input = n.input.map((v) => rename.get(v) ?? v);
    nodes.push(n);
    nodes.push(...(after.get(i) ?? []));
  });
  g.node = nodes;
  g.initializer.push(...newInits);
  // stale shapes/types of renamed values would only mislead readers
  g.value_info = [];
  removeUnusedInitializers(g);
  sortNodes(g);
  validateGraph(g, opts.file);
  out.metadata_props = [
    ...out.metadata_props.filter((p) => p.key !== 'edge-advisor.sptq'),
    { key: 'edge-advisor.sptq', value: JSON.stringify({ method: opts.method ?? 'minmax', perChannel, activationType: actType }) },
  ];
  return { model: out, report };
}
