/**
 * Every offered cut checked once in onnxruntime: its head and tail are extracted to a temporary
 * folder, loaded by the runner and run head → tail against the full model (`verifyPartition`).
 * A cut onnxruntime refuses (a part it cannot load or run) fails its check with the reason; the
 * other cuts are still checked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { endsRun, toAdvisorError } from '../errors';
import { writeModel } from '../onnx/io';
import type { ModelProto } from '../onnx/types';
import type { Feeds } from '../protocol/tensor';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { extractPartition, type ExtractOptions } from './extract';
import type { Cut } from './types';

export interface CutCheck {
  id: string;
  /** 8-bit cuts: bit-identical; float cuts: within 1e-5 × max(1, |output|). */
  ok: boolean;
  identical: boolean;
  /** Within 1e-5 × max(1, |output|), whatever the cut (the float criterion). */
  withinTolerance: boolean;
  /** Largest |full − head∘tail| (Infinity when the parts could not be run). */
  maxAbsDiff: number;
  /** Why onnxruntime could not load or run a part. */
  error?: string;
}

export interface VerifyCutsOptions extends ExtractOptions {
  /** Folder of the model's external data, if any. */
  sourceDir?: string;
  /** Files the parts must never be written over (the user's model). */
  protect?: string[];
  job?: JobOptions;
  /** Called after each cut (progress). */
  onCheck?: (check: CutCheck, done: number, total: number) => void;
}

/** Extracts `cut` into `dir` (head.onnx, tail.onnx) and runs the check job on it. */
export async function verifyCut(
  host: RunnerHost, modelPath: string, model: ModelProto, cut: Cut, samples: Feeds[], dir: string, opts: VerifyCutsOptions = {},
): Promise<CutCheck> {
  const { sourceDir, protect, job, onCheck: _o, ...extract } = opts;
  const w = { ...(sourceDir ? { sourceDir } : {}), ...(protect ? { protect } : {}) };
  const head = path.join(dir, 'head.onnx');
  const tail = path.join(dir, 'tail.onnx');
  try {
    const p = extractPartition(model, cut, extract);
    writeModel(p.head, head, w);
    writeModel(p.tail, tail, w);
    const r = await host.run('verifyPartition', { model: modelPath, head, tail, samples }, job);
    return { id: cut.id, ok: cut.quantized ? r.identical : r.withinTolerance, identical: r.identical, withinTolerance: r.withinTolerance, maxAbsDiff: r.maxAbsDiff };
  } catch (e) {
    const err = toAdvisorError(e);
    if (endsRun(err)) throw err;
    return { id: cut.id, ok: false, identical: false, withinTolerance: false, maxAbsDiff: Infinity, error: err.message };
  }
}

/** Checks every cut in `cuts`, one at a time, in a temporary folder removed afterwards. */
export async function verifyCuts(
  host: RunnerHost, modelPath: string, model: ModelProto, cuts: readonly Cut[], samples: Feeds[], opts: VerifyCutsOptions = {},
): Promise<CutCheck[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-cuts-'));
  try {
    const out: CutCheck[] = [];
    for (const cut of cuts) {
      const c = await verifyCut(host, modelPath, model, cut, samples, path.join(dir, cut.id), opts);
      out.push(c);
      opts.onCheck?.(c, out.length, cuts.length);
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
