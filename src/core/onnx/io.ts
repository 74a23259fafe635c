/**
 * Reading and writing model files. The user's model is only ever opened for reading; outputs are
 * written atomically and never over the input. External data stays external: tensors stored
 * outside the source file are streamed one at a time into `<output>.data`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { atomicWriteWith, sameFile, tempPathFor } from '../fsutil';
import { decodeModel, encodeModel } from './codec';
import { checkInlineTensor, externalRef, isExternal, resolveExternalPath, tensorByteLength, tensorBytes } from './tensor';
import type { GraphProto, ModelProto, TensorProto } from './types';

export interface LoadedModel {
  /** Absolute path of the .onnx file. */
  path: string;
  /** Folder that external-data locations are relative to. */
  dir: string;
  fileBytes: number;
  model: ModelProto;
}

/** Protobuf messages (the .onnx file itself) are limited to 2 GB; weights beyond that live in external data. */
export const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

export function readModel(file: string): LoadedModel {
  const abs = path.resolve(file);
  let bytes: Buffer;
  try {
    const st = fs.statSync(abs);
    if (st.isDirectory()) throw new AdvisorError('input', 'is a folder, not an ONNX model', file);
    if (st.size > MAX_MODEL_FILE_BYTES) {
      throw new AdvisorError('unsupported', `the file is ${st.size} bytes, over protobuf's 2 GB limit for an .onnx file: store the weights as external data`, file);
    }
    bytes = fs.readFileSync(abs);
  } catch (e) {
    if (e instanceof AdvisorError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`, file);
  }
  const model = decodeModel(bytes, file);
  checkTensorData(model, path.dirname(abs), file);
  return { path: abs, dir: path.dirname(abs), fileBytes: bytes.length, model };
}

/**
 * Everything readModel checks about tensor data before anyone reads it: declared sizes against the
 * bytes held inline (so a tensor declaring 10^12 elements is refused before allocating) and every
 * external-data reference.
 */
export function checkTensorData(model: ModelProto, dir: string, file?: string): void {
  if (!model.graph) return;
  try {
    for (const t of allTensors(model.graph)) checkInlineTensor(t, file);
    checkExternalData(model, dir, file);
  } catch (e) {
    // size checks deep in tensor.ts do not know the file; the user needs it in the message
    if (e instanceof AdvisorError && !e.file && file) throw new AdvisorError(e.category, e.message, file);
    throw e;
  }
}

/**
 * Validates every external-data reference up front (location inside the folder, file present,
 * range within it) without reading any weights, so a bad model fails at load, not mid-benchmark.
 */
export function checkExternalData(model: ModelProto, dir: string, file?: string): void {
  if (!model.graph) return;
  const sizes = new Map<string, number>();
  for (const t of allTensors(model.graph)) {
    const ref = externalRef(t);
    if (!ref) continue;
    const full = resolveExternalPath(dir, ref.location, file);
    let size = sizes.get(full);
    if (size === undefined) { size = fs.statSync(full).size; sizes.set(full, size); }
    const length = ref.length ?? tensorByteLength(t);
    if (ref.offset + length > size) {
      throw new AdvisorError('input', `tensor "${t.name}": external data [${ref.offset}, ${ref.offset + length}) is past the end of ${ref.location} (${size} bytes)`, file);
    }
  }
}

/** The files a model keeps weights in besides itself: each location as the model names it and its checked path. */
export function externalDataFiles(m: LoadedModel): { location: string; path: string }[] {
  const files = new Map<string, string>();
  for (const t of allTensors(m.model.graph!)) {
    const ref = externalRef(t);
    if (ref && !files.has(ref.location)) files.set(ref.location, resolveExternalPath(m.dir, ref.location, m.path));
  }
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([location, path]) => ({ location, path }));
}

/** Every tensor stored in the model: initializers, Constant-node values, subgraphs included. */
export function* allTensors(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer;
  for (const s of g.sparse_initializer) {
    if (s.values) yield s.values;
    if (s.indices) yield s.indices;
  }
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.t) yield a.t;
      yield* a.tensors;
      if (a.g) yield* allTensors(a.g);
      for (const sg of a.graphs) yield* allTensors(sg);
    }
  }
}

export function hasExternalData(m: ModelProto): boolean {
  if (!m.graph) return false;
  for (const t of allTensors(m.graph)) if (isExternal(t)) return true;
  return false;
}

export interface WriteOptions {
  /** Folder the model's external-data locations are relative to (LoadedModel.dir). */
  sourceDir?: string;
  /** Refuse to write over this file (the user's model). */
  protect?: string[];
}

/**
 * Writes `model` to `outPath` atomically. External tensors are copied into `<basename>.data`
 * beside the output (renamed into place before the model that points at it).
 */
export function writeModel(model: ModelProto, outPath: string, opts: WriteOptions = {}): { bytes: number; dataFile?: string } {
  for (const p of opts.protect ?? []) {
    if (path.resolve(p) === path.resolve(outPath) || sameFile(p, outPath)) {
      throw new AdvisorError('usage', `refusing to overwrite the input model ${p}`);
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(outPath)), { recursive: true });
  let out = model;
  let dataFile: string | undefined;
  let dataTmp: string | undefined;
  if (hasExternalData(model)) {
    dataFile = `${outPath}.data`;
    dataTmp = tempPathFor(dataFile);
    out = relocateExternal(model, path.basename(dataFile), dataTmp, opts.sourceDir);
  }
  try {
    const bytes = encodeModel(out);
    if (dataTmp && dataFile) fs.renameSync(dataTmp, dataFile);
    atomicWriteWith(outPath, (tmp) => fs.writeFileSync(tmp, bytes));
    return { bytes: bytes.length, ...(dataFile ? { dataFile } : {}) };
  } finally {
    if (dataTmp) fs.rmSync(dataTmp, { force: true });
  }
}

/** Copies every external tensor's bytes into one data file and points the tensors at it. */
function relocateExternal(model: ModelProto, location: string, dataTmp: string, sourceDir?: string): ModelProto {
  const copy = structuredClone(model);
  const fd = fs.openSync(dataTmp, 'w');
  let offset = 0;
  try {
    for (const t of allTensors(copy.graph!)) {
      if (!isExternal(t)) continue;
      const bytes = tensorBytes(t, sourceDir !== undefined ? { modelDir: sourceDir } : {});
      // 4 KiB alignment lets readers mmap tensors, as onnx's own writer does for large tensors
      const pad = (4096 - (offset % 4096)) % 4096;
      if (pad) { fs.writeSync(fd, new Uint8Array(pad)); offset += pad; }
      fs.writeSync(fd, bytes);
      t.external_data = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.length) },
      ];
      offset += bytes.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return copy;
}
