/**
 * Extraction of a cut's head and tail as standalone models, in the manner of
 * `onnx.utils.extract_model` (design-facts §3.1): each part keeps only the nodes, initializers and
 * value_info it needs, the original ir_version, opsets and functions. The tail declares the
 * transferred tensors as typed graph inputs (onnxruntime requires elem_type on inputs); static
 * Shape outputs become int64 initializers so neither part needs the other's activations.
 */
import { AdvisorError } from '../errors';
import { DataType } from '../onnx/dtypes';
import { makeTensor } from '../onnx/tensor';
import type { GraphProto, ModelProto, SparseTensorProto, TensorProto, TensorShapeDimension, ValueInfoProto } from '../onnx/types';
import { closure, describeCut, graphFacts, listCuts, reads, type GraphFacts } from './cuts';
import type { Cut, CutOptions, PartitionInfo } from './types';

export interface Partition {
  head: ModelProto;
  tail: ModelProto;
  info: PartitionInfo;
}

export interface ExtractOptions extends CutOptions {
  /** Name of the source model for partition.json (default 'model.onnx'). */
  source?: string;
}

/** A cut given as a listed id (`c3`), a Cut, or the tensor names it transfers. */
export type CutRef = string | readonly string[] | Cut;

/**
 * The type a part declares for a cut tensor: never the model's value_info shape, which can be
 * wrong at run time. Dims static inference proves are kept; dims that depend on symbolic input
 * dims (batch) are unknown; a tensor inference cannot follow gets its measured rank with every dim
 * unknown (one sample tells the rank, not which dims vary), or no shape at all.
 */
function typeFor(f: GraphFacts, name: string): ValueInfoProto {
  const elemType = f.elemTypes.get(name);
  if (!elemType) throw new AdvisorError('unsupported', `cannot tell the element type of "${name}", so the tail cannot declare it as an input`);
  const dims = f.consts.valueDims.get(name) ?? f.shapes.get(name)?.map(() => null);
  const dim: TensorShapeDimension[] | undefined = dims?.map((d) => (d === null ? {} : { dim_value: BigInt(d) }));
  return { name, type: { tensor_type: { elem_type: elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

/** value_info a part may keep: declarations without a shape, and shapes that agree with the model's. */
function trustedValueInfo(f: GraphFacts, v: ValueInfoProto): boolean {
  return !v.type?.tensor_type?.shape || f.annotations.agree.has(v.name ?? '');
}

function buildPart(f: GraphFacts, model: ModelProto, nodes: number[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], suffix: string): { model: ModelProto; folded: string[] } {
  const g = f.graph;
  const used = new Set<string>();
  const produced = new Set<string>();
  for (const i of nodes) {
    for (const v of reads(g, i)) used.add(v);
    for (const o of g.node[i]!.output) if (o) produced.add(o);
  }
  for (const o of outputs) used.add(o.name ?? '');
  const initializer: TensorProto[] = g.initializer.filter((t) => used.has(t.name ?? ''));
  const sparse: SparseTensorProto[] = g.sparse_initializer.filter((s) => used.has(s.values?.name ?? ''));
  const folded: string[] = [];
  for (const [name, value] of f.consts.staticShapes) {
    if (!used.has(name) || produced.has(name)) continue;
    initializer.push(makeTensor(name, DataType.INT64, [value.length], BigInt64Array.from(value, (v) => BigInt(v))));
    folded.push(name);
  }
  const io = new Set([...inputs, ...outputs].map((v) => v.name ?? ''));
  // before IR 4 every initializer also had to be declared as a graph input
  const declared = (model.ir_version ?? 0n) < 4n
    ? initializer.map((t): ValueInfoProto => ({ name: t.name ?? '', type: { tensor_type: { elem_type: t.data_type ?? 0, shape: { dim: t.dims.map((d) => ({ dim_value: d })) } } } }))
    : [];
  const graph: GraphProto = {
    ...g,
    name: `${g.name ?? 'graph'}_${suffix}`,
    node: nodes.map((i) => g.node[i]!),
    initializer,
    sparse_initializer: sparse,
    input: [...inputs, ...declared.filter((v) => !io.has(v.name ?? ''))],
    output: outputs,
    value_info: g.value_info.filter((v) => produced.has(v.name ?? '') && !io.has(v.name ?? '') && trustedValueInfo(f, v)),
  };
  delete graph.quantization_annotation;
  const out: ModelProto = { ...model, graph };
  delete out.training_info;
  return { model: out, folded };
}

/** Resolves a cut reference against the model's listing (ids) or as tensor names. */
export function resolveCut(f: GraphFacts, ref: CutRef, maxTensors = 3): { tensors: string[]; listed?: Cut } {
  if (typeof ref === 'string' && /^c\d+$/.test(ref)) {
    const listed = listCuts(f, maxTensors).cuts.find((c) => c.id === ref);
    if (!listed) throw new AdvisorError('usage', `no cut "${ref}" (run partition --list to see the cuts)`);
    return { tensors: listed.tensors.map((t) => t.name), listed };
  }
  if (typeof ref === 'string') return { tensors: ref.split(',').map((s) => s.trim()).filter(Boolean) };
  if (Array.isArray(ref)) return { tensors: [...ref] as string[] };
  return { tensors: (ref as Cut).tensors.map((t) => t.name), listed: ref as Cut };
}

/** Splits `model` at `cut` into a head (inputs → cut tensors) and a tail (cut tensors → outputs). */
export function extractPartition(model: ModelProto, cut: CutRef, opts: ExtractOptions = {}): Partition {
  const f = graphFacts(model, opts);
  const { tensors, listed } = resolveCut(f, cut, opts.maxTensors);
  if (tensors.length === 0) throw new AdvisorError('usage', 'a cut needs at least one tensor');
  const plan = describeCut(f, tensors);
  const g = f.graph;
  const originalOutputs = new Set(g.output.map((o) => o.name ?? ''));
  const tailNeeds = new Set(closure(f, g.output.map((o) => o.name ?? '').filter((o) => !tensors.includes(o)), new Set(tensors)).needs);
  const headNeeds = new Set(closure(f, tensors, new Set(f.idx.inputs.map((x) => x.name ?? ''))).needs);

  const headInputs = g.input.filter((v) => !f.idx.initializers.has(v.name ?? '') && headNeeds.has(v.name ?? ''));
  const headOutputs = tensors.map((t) => typeFor(f, t));
  const tailInputs = tensors.filter((t) => tailNeeds.has(t)).map((t) => typeFor(f, t));
  const tailOutputs = g.output.filter((o) => !tensors.includes(o.name ?? ''));

  const head = buildPart(f, model, plan.head, headInputs, headOutputs, 'head');
  const tail = buildPart(f, model, plan.tail, tailInputs, tailOutputs, 'tail');
  const cutInfo: Cut = listed ?? plan;
  const strip = (c: Cut): Cut => {
    const { id, tensors: ts, bytes, headNodes, tailNodes, quantized, floatTwin } = c;
    return { id, tensors: ts, bytes, headNodes, tailNodes, quantized, ...(floatTwin ? { floatTwin } : {}) };
  };
  const info: PartitionInfo = {
    source: opts.source ?? 'model.onnx',
    cut: strip(cutInfo),
    head: { file: 'head.onnx', inputs: headInputs.map((v) => v.name ?? ''), outputs: headOutputs.map((v) => v.name ?? ''), nodes: plan.head.length },
    tail: { file: 'tail.onnx', inputs: tailInputs.map((v) => v.name ?? ''), outputs: tailOutputs.map((v) => v.name ?? ''), nodes: plan.tail.length },
    headGraphOutputs: tensors.filter((t) => originalOutputs.has(t)),
    foldedShapes: [...new Set([...head.folded, ...tail.folded])],
    ...(f.annotations.wrong.length ? { wrongAnnotations: f.annotations.wrong } : {}),
  };
  return { head: head.model, tail: tail.model, info };
}
