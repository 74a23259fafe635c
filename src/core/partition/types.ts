/** Data types of the partition pass: cuts, extracted parts, per-node profiles and priced cuts. */

/** One tensor that crosses a cut, from the head (first tier) to the tail (second tier). */
export interface CutTensor {
  name: string;
  /** onnx dtype name, e.g. 'float32', 'uint8'. */
  dtype: string;
  /** TensorProto.DataType number. */
  elemType: number;
  /** Shape used for the byte count (symbolic dims resolved); null when it could not be inferred. */
  shape: number[] | null;
  /** element count × dtype size; null when the shape is unknown. */
  bytes: number | null;
}

export interface Cut {
  /** `c1`, `c2`, … in topological order of the listing. */
  id: string;
  tensors: CutTensor[];
  /** Sum over tensors; null when any size is unknown. */
  bytes: number | null;
  /** Compute nodes (constants excluded) in the head and in the tail. */
  headNodes: number;
  tailNodes: number;
  /** Every transferred activation is an 8-bit QuantizeLinear output (cut between Q and its DQ). */
  quantized: boolean;
  /** For a quantized cut: id of the float cut it replaces (the DequantizeLinear outputs), when listed. */
  floatTwin?: string;
}

export interface CutOptions {
  /** Most tensors a cut may transfer (default 3: BERT-style hidden state + mask, plus one). */
  maxTensors?: number;
  /** Concrete input shapes (from the sample inputs) for symbolic dims, by input name. */
  inputShapes?: Record<string, readonly number[]>;
  /** Value used for symbolic dims not resolved by `inputShapes` (default 1). */
  symbolicDim?: number;
  /** Shapes and types measured by the runner (`tensorShapes` job) where static inference stops. */
  measured?: Record<string, { dims: readonly number[]; type: string }>;
}

/** A cut with the node sets behind it (indexes into graph.node), for extraction and pricing. */
export interface CutPlan extends Cut {
  head: number[];
  tail: number[];
}

export interface CutListing {
  cuts: CutPlan[];
  /** Compute nodes of the whole model, in the topological order used. */
  computeNodes: number[];
  /** Bytes of the graph inputs and outputs (what a single-tier remote placement transfers). */
  inputBytes: number | null;
  outputBytes: number | null;
  /** Symbolic dims were fixed to `symbolicDim` rather than resolved from sample shapes. */
  symbolicFixed: boolean;
  /** value_info shapes that disagree with what the model computes (ignored: never copied into a part). */
  wrongAnnotations: WrongAnnotation[];
}

/** A value_info declaration the model's own computation contradicts. */
export interface WrongAnnotation {
  name: string;
  /** Declared dims: sizes, symbolic names, '?' for an unknown (or -1) dim. */
  declared: (number | string)[];
  /** The shape the model computes, by static inference or measured in the runner. */
  actual: number[];
  from: 'inferred' | 'measured';
}

/** What partition.json records next to head.onnx and tail.onnx. */
export interface PartitionInfo {
  source: string;
  cut: Cut;
  head: { file: string; inputs: string[]; outputs: string[]; nodes: number };
  tail: { file: string; inputs: string[]; outputs: string[]; nodes: number };
  /** Original graph outputs computed by the head (they are head outputs, not tail outputs). */
  headGraphOutputs: string[];
  /** Shape-node outputs replaced by their static value in either part. */
  foldedShapes: string[];
  /** The model's value_info shapes that disagree with its computation (left out of both parts); absent when none. */
  wrongAnnotations?: WrongAnnotation[];
}

/** Per-node latency of one model on one tier, from one profiled run (src/runner/child/jobs/profile.ts). */
export interface NodeTimes {
  /** Median wall time of a whole session.run, ms. */
  totalMs: number;
  /** Median per-node kernel time, ms, by node name (`#<index>` for unnamed nodes). */
  nodeMs: Record<string, number>;
}

export interface LinkSpec { mbps: number; rttMs: number }

export type Placement = 'split' | 'all-head-tier' | 'all-tail-tier';

export interface PricedCut {
  placement: Placement;
  /** The cut for 'split'; absent for single-tier placements. */
  cut?: Cut;
  headMs: number;
  transferMs: number;
  tailMs: number;
  totalMs: number;
  /** Bytes over the link: cut tensors (or the input) plus the result sent back. */
  bytes: number;
}
