/**
 * Int8 candidates of one model: the same float model quantized with different nodes kept float.
 * Calibration ranges are measured once and reused; a candidate that needs a tensor no earlier one
 * quantized (a MaxPool's output once the MaxPool runs float) gets it from a calibration run over
 * just those tensors. Candidates are written to the SPTQ run's temp folder.
 */
import * as path from 'node:path';
import { computeRanges, type CalibrationMethod, type CalibrationState, type TensorRanges } from '../calibrate/state';
import { writeModel } from '../onnx/io';
import type { ModelProto } from '../onnx/types';
import type { SampleSource } from '../data/source';
import type { Feeds } from '../protocol/tensor';
import { planFor, quantize, type QuantizeOptions, type QuantizeReport } from './quantize';
import { exposing } from './measurements';

export interface Candidate {
  /** Nodes kept float on top of the user's exclusions. */
  keptFloat: string[];
  model: ModelProto;
  report: QuantizeReport;
  path: string;
  /** Quantized source nodes (name → op type), pass-through ops included. */
  quantized: Map<string, string>;
  /** Relu/Clip folded into a quantized node → that node (placement compares them as one). */
  groups: Map<string, string>;
}

export type Calibrator = (model: ModelProto, tensors: string[], samples: Feeds[] | SampleSource) => Promise<{ state: CalibrationState; batchNote?: string }>;

export class Candidates {
  readonly ranges: TensorRanges = {};
  /** The pre-processed float model (upgraded, BN folded, equalized): every candidate and the fidelity reference start from it. */
  readonly prepared: ModelProto;
  /** What pre-processing did, for every candidate's report. */
  readonly notes: string[];
  private count = 0;
  /** Bias correction every later candidate applies to its quantized layers (biasCorrection.ts); empty: none. */
  biasShift: ReadonlyMap<string, Float32Array> = new Map();

  constructor(
    model: ModelProto,
    private readonly qopts: QuantizeOptions & { method: CalibrationMethod },
    private readonly samples: Feeds[] | SampleSource,
    private readonly calibrator: Calibrator,
    private readonly tmp: string,
    private readonly sourceDir: string,
  ) {
    const { prep } = planFor(model, qopts);
    this.prepared = prep.model;
    this.notes = prep.notes;
  }

  /** Pre-processing ran once: again on the prepared model it would only re-equalize. */
  private options(keptFloat: readonly string[]): QuantizeOptions {
    return { ...this.qopts, equalize: false, excludeNodes: [...(this.qopts.excludeNodes ?? []), ...keptFloat], ...(this.biasShift.size ? { biasShift: this.biasShift } : {}) };
  }

  get model(): ModelProto { return this.prepared; }

  /** Names of the tensors the candidate keeping `keptFloat` float would quantize. */
  tensorsFor(keptFloat: readonly string[]): string[] {
    return planFor(this.model, this.options(keptFloat)).plan.calibrate;
  }

  /** Measures every tensor in `tensors` that has no range yet (one calibration run over all of them). */
  async ensureRanges(tensors: readonly string[]): Promise<string | undefined> {
    const missing = [...new Set(tensors)].filter((t) => !this.ranges[t]);
    if (!missing.length) return undefined;
    const r = await this.calibrator(this.prepared, missing, this.samples);
    Object.assign(this.ranges, computeRanges(r.state));
    return r.batchNote;
  }

  /** Quantizes the model with `keptFloat` left float and writes it; `tag` names the file. */
  async build(keptFloat: readonly string[], tag = `candidate-${this.count++}`, expose?: string): Promise<Candidate> {
    const opts = this.options(keptFloat);
    const { plan, prep } = planFor(this.model, opts);
    await this.ensureRanges(plan.calibrate);
    const { model, report } = quantize(this.model, this.ranges, opts);
    report.notes = [...this.notes, ...report.notes];
    const p = path.join(this.tmp, `${tag}.onnx`);
    // a temporary candidate may expose one more tensor (what fidelity compares); the model kept is never changed
    writeModel(expose ? exposing(model, expose) : model, p, { sourceDir: this.sourceDir });
    const g = prep.model.graph!;
    const quantized = new Map([...plan.nodes.keys()].map((i) => [g.node[i]!.name ?? '', g.node[i]!.op_type ?? '']));
    const groups = new Map<string, string>();
    for (const i of plan.absorbed) {
      const relu = g.node[i]!;
      const producer = g.node.find((n) => n.output.includes(relu.input[0]!));
      if (producer) groups.set(relu.name ?? '', producer.name ?? '');
    }
    return { keptFloat: [...keptFloat], model, report, path: p, quantized, groups };
  }
}
