/**
 * A text file as a SampleSource for a model with `input_ids` / `attention_mask` (/ `token_type_ids`,
 * `position_ids`) inputs. Texts are tokenized when a batch is read; opening the source tokenizes
 * each once to find what the model can take: ids beyond the model's embedding table (a tokenizer
 * that is not the model's) and labels beyond its classes are skipped with a counted warning.
 */
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import type { Feeds, TensorData } from '../../protocol/tensor';
import type { InputSpec } from '../inputs';
import type { SampleSource } from '../source';
import { readTextFile, type TextRow } from './textFile';
import { loadTokenizer, type LoadedTokenizer } from './tokenizer';

export interface TextSourceOptions {
  limit?: number;
  classCount?: number;
}

type Role = 'ids' | 'mask' | 'types' | 'positions';

/** Which model input takes what; every integer input must be one of these. */
export function textRoles(inputs: InputSpec[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const i of inputs) {
    const n = i.name.toLowerCase();
    if (i.type !== 'int64' && i.type !== 'int32') throw new AdvisorError('input', `input "${i.name}" takes ${i.type}: text data feeds integer token inputs (input_ids, attention_mask, token_type_ids)`);
    roles.set(i.name, /mask/.test(n) ? 'mask' : /type|segment/.test(n) ? 'types' : /position/.test(n) ? 'positions' : 'ids');
  }
  if ([...roles.values()].filter((r) => r === 'ids').length !== 1) {
    throw new AdvisorError('input', `cannot tell which input takes the token ids among ${inputs.map((i) => `"${i.name}"`).join(', ')}`);
  }
  return roles;
}

export const DEFAULT_SEQUENCE = 128;

export function openTextSource(file: string, inputs: InputSpec[], tokenizerFile: string, opts: TextSourceOptions = {}): SampleSource {
  const roles = textRoles(inputs);
  const idsInput = inputs.find((i) => roles.get(i.name) === 'ids')!;
  const tok = loadTokenizer(tokenizerFile);
  const { rows: all, warnings } = readTextFile(file);
  const fixed = idsInput.shape[1];
  const seqLen = typeof fixed === 'number' && fixed > 0 ? fixed : DEFAULT_SEQUENCE;
  if (seqLen === DEFAULT_SEQUENCE && fixed !== DEFAULT_SEQUENCE) warnings.push(`input "${idsInput.name}" has no fixed sequence length; texts are padded or cut to ${DEFAULT_SEQUENCE} tokens`);

  // labels: class indices as written, or class names mapped by sorted name
  let classes: string[] | undefined;
  const withLabel = all.filter((r) => r.label !== undefined).length;
  let rows = all;
  let labelOf: ((r: TextRow) => number) | undefined;
  if (withLabel > 0 && withLabel < all.length) {
    warnings.push(`${all.length - withLabel} of ${all.length} texts have no label, so no labels are used (accuracy becomes agreement with the float model)`);
  } else if (withLabel > 0) {
    if (all.every((r) => typeof r.label === 'number')) labelOf = (r) => r.label as number;
    else {
      classes = [...new Set(all.map((r) => String(r.label)))].sort();
      const index = new Map(classes.map((c, i) => [c, i]));
      labelOf = (r) => index.get(String(r.label))!;
      warnings.push(`text labels are names, mapped to class indices by sorted name (${classes.slice(0, 6).map((c, i) => `${c}=${i}`).join(', ')}${classes.length > 6 ? ', …' : ''}); give integer labels if the model was trained with another order`);
    }
  }
  const bound = idsInput.idBound;
  if (bound !== undefined && tok.vocabSize > bound) {
    warnings.push(`${path.basename(tokenizerFile)} has ${tok.vocabSize} tokens but the model's embedding has ${bound} rows: is it this model's tokenizer? Texts with a token id ≥ ${bound} are skipped`);
  }
  const total = rows.length;
  if (opts.limit !== undefined && rows.length > opts.limit) {
    rows = rows.slice(0, opts.limit);
    warnings.push(`using the first ${rows.length} of ${total} texts`);
  }
  const outOfVocab: number[] = [];
  const outOfClasses: number[] = [];
  let truncated = 0;
  const usable: TextRow[] = [];
  for (const r of rows) {
    const e = tok.encode(r.text, seqLen);
    if (bound !== undefined && e.ids.some((id) => id >= bound)) { outOfVocab.push(r.line); continue; }
    if (labelOf && opts.classCount !== undefined && labelOf(r) >= opts.classCount) { outOfClasses.push(r.line); continue; }
    if (labelOf && labelOf(r) < 0) { outOfClasses.push(r.line); continue; }
    if (e.truncated) truncated++;
    usable.push(r);
  }
  const lines = (l: number[]) => `line ${l.slice(0, 5).join(', ')}${l.length > 5 ? ', …' : ''}`;
  if (outOfVocab.length) warnings.push(`${outOfVocab.length} text${outOfVocab.length > 1 ? 's' : ''} skipped: token ids beyond the model's ${bound}-row embedding (${lines(outOfVocab)})`);
  if (outOfClasses.length) warnings.push(`${outOfClasses.length} text${outOfClasses.length > 1 ? 's' : ''} skipped: label beyond the model's ${opts.classCount} classes (${lines(outOfClasses)})`);
  if (truncated) warnings.push(`${truncated} text${truncated > 1 ? 's were' : ' was'} longer than ${seqLen} tokens and cut (the model's sequence length)`);
  if (usable.length === 0) throw new AdvisorError('input', `no usable texts: ${warnings.join('; ')}`, file);
  const enc = new TextEncoder();
  return {
    kind: 'text',
    path: file,
    count: usable.length,
    payloadBytes: usable.map((r) => enc.encode(r.text).byteLength),
    ...(labelOf ? { labels: { shape: [usable.length], data: Int32Array.from(usable, labelOf) } } : {}),
    ...(classes ? { classes } : {}),
    describe: `${usable.length} text${usable.length > 1 ? 's' : ''} from ${path.basename(file)}; ${path.basename(tokenizerFile)} (${tok.model}, ${tok.vocabSize} tokens), padded/cut to ${seqLen}`,
    warnings,
    read: (start, end) => Promise.resolve(usable.slice(start, end).map((r) => feedsOf(tok, r.text, seqLen, inputs, roles))),
  };
}

function feedsOf(tok: LoadedTokenizer, text: string, seqLen: number, inputs: InputSpec[], roles: Map<string, Role>): Feeds {
  const e = tok.encode(text, seqLen);
  const feeds: Feeds = {};
  for (const i of inputs) {
    const role = roles.get(i.name)!;
    const v = (k: number) => (role === 'ids' ? e.ids[k]! : role === 'mask' ? (k < e.length ? 1 : 0) : role === 'types' ? e.typeIds[k]! : k);
    const t: TensorData = i.type === 'int64'
      ? { type: 'int64', dims: [1, seqLen], data: BigInt64Array.from({ length: seqLen }, (_, k) => BigInt(v(k))) }
      : { type: 'int32', dims: [1, seqLen], data: Int32Array.from({ length: seqLen }, (_, k) => v(k)) };
    feeds[i.name] = t;
  }
  return feeds;
}
