/**
 * One fuzz case end to end, in-process: build the mutated bytes from (master seed, index), then
 * run the pipeline the CLI runs (decode → tensor-data checks → validate → inspect → JSON) plus a
 * re-encode round trip. Every case must end in a result or a typed AdvisorError.
 */
import { AdvisorError } from '../../src/core/errors';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec';
import { checkTensorData } from '../../src/core/onnx/io';
import { validateGraph } from '../../src/core/graph/graph';
import { inspectModel } from '../../src/core/inspect/inspect';
import { seeds } from './corpus';
import { MUTATORS, pickMutator, type FuzzEnv } from './mutators';
import { Rng, caseSeed } from './rng';

export interface FuzzCase { index: number; seed: number; base: string; mutator: string; bytes: Uint8Array; external?: Uint8Array }

export function makeCase(master: number, index: number, env: FuzzEnv): FuzzCase {
  const seed = caseSeed(master, index);
  const rng = new Rng(seed);
  const base = rng.pick(seeds());
  const mutator = pickMutator(rng);
  let bytes: Uint8Array;
  try {
    bytes = MUTATORS[mutator]!.fn(rng, base, env);
  } catch (e) {
    // a structural edit our own encoder refuses (e.g. a value protobufjs cannot write): fuzz the seed instead
    if (!(e instanceof AdvisorError) && !(e instanceof RangeError) && !(e instanceof TypeError)) throw e;
    bytes = base.bytes;
  }
  return { index, seed, base: base.name, mutator, bytes, ...(base.external ? { external: base.external } : {}) };
}

export type Verdict = 'ok' | 'error' | 'crash';

export interface Outcome {
  verdict: Verdict;
  /** AdvisorError category, or the constructor name of anything else thrown. */
  kind?: string;
  message?: string;
  stage?: string;
}

/** Categories a malformed file may legitimately produce. */
const EXPECTED = new Set(['input', 'unsupported', 'security']);

/** Runs the pipeline on `bytes` as if read from `<dir>/model.onnx`. */
export function runPipeline(bytes: Uint8Array, dir: string, file = 'model.onnx'): Outcome {
  let stage = 'decode';
  try {
    const model = decodeModel(bytes, file);
    stage = 'tensors';
    checkTensorData(model, dir, file);
    stage = 'validate';
    validateGraph(model.graph!, file);
    stage = 'inspect';
    const info = inspectModel({ path: `${dir}/${file}`, dir, fileBytes: bytes.length, model });
    stage = 'json';
    const bad = nonFinite(info);
    if (bad) return { verdict: 'crash', kind: 'InvalidResult', message: `inspect returned a non-finite number at ${bad}`, stage };
    JSON.stringify(info);
    stage = 'encode';
    decodeModel(encodeModel(model), file);
    return { verdict: 'ok' };
  } catch (e) {
    if (e instanceof AdvisorError) {
      const oneLine = !e.message.includes('\n');
      const ok = EXPECTED.has(e.category) && oneLine;
      return { verdict: ok ? 'error' : 'crash', kind: e.category, message: oneLine ? e.message : `multi-line message: ${e.message.slice(0, 200)}`, stage };
    }
    const err = e as Error;
    return { verdict: 'crash', kind: err?.constructor?.name ?? typeof e, message: String(err?.message ?? e).slice(0, 300), stage };
  }
}

/** Path of the first number that JSON would silently turn into null, if any. */
function nonFinite(v: unknown, at = '$'): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : at;
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) { const r = nonFinite(x, `${at}.${k}`); if (r) return r; }
  }
  return undefined;
}
