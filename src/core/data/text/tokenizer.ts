/**
 * A Hugging Face `tokenizer.json` run by @huggingface/tokenizers (pure JS, no network: the file is
 * handed over as an object), with truncation and padding to the model's sequence length done here,
 * the way the Python tokenizers do it: the text's tokens are cut first, then the special tokens
 * ([CLS] … [SEP]) are added, then padding fills the rest with attention mask 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { AdvisorError } from '../../errors';

export interface Encoded {
  ids: number[];
  typeIds: number[];
  /** Real tokens before padding (the rest of `ids` is padding). */
  length: number;
  truncated: boolean;
}

export interface LoadedTokenizer {
  file: string;
  /** Model type from the file (WordPiece, BPE, Unigram, ...). */
  model: string;
  vocabSize: number;
  padId: number;
  encode(text: string, seqLen: number): Encoded;
}

/** A tokenizer's internals the package exposes at run time but not in its types. */
interface PostProcessing { post_processor: ((a: string[], b: null, special: boolean) => { tokens: string[]; token_type_ids?: number[] }) | null }

export function loadTokenizer(file: string): LoadedTokenizer {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code === 'ENOENT' ? 'tokenizer not found (give --tokenizer <tokenizer.json>, or put tokenizer.json beside the model)' : `not a readable tokenizer.json (${(e as Error).message})`, file);
  }
  const model = (json['model'] as { type?: string } | undefined)?.type;
  if (!model) throw new AdvisorError('input', 'not a Hugging Face tokenizer.json (no "model")', file);
  const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
  let config: object = {};
  try { if (fs.existsSync(configFile)) config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as object; } catch { /* optional: defaults */ }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new AdvisorError('unsupported', `the tokenizer library cannot load this tokenizer (${(e as Error).message})`, file);
  }
  const vocab = tok.get_vocab(true);
  const padding = json['padding'] as { pad_id?: number } | null | undefined;
  const padId = padding?.pad_id ?? vocab.get('[PAD]') ?? vocab.get('<pad>') ?? vocab.get('<|endoftext|>') ?? 0;
  const post = (tok as unknown as PostProcessing).post_processor;
  const special = post ? post([], null, true).tokens.length : 0;
  return {
    file, model, vocabSize: vocab.size, padId,
    encode(text, seqLen) {
      const full = tok.encode(text, { return_token_type_ids: true });
      let ids = full.ids;
      let typeIds = full.token_type_ids ?? new Array<number>(ids.length).fill(0);
      const truncated = ids.length > seqLen;
      if (truncated) {
        const idOf = new Map(full.tokens.map((t, i) => [t, full.ids[i]!]));
        const content = tok.tokenize(text, { add_special_tokens: false }).slice(0, Math.max(0, seqLen - special));
        const done = post ? post(content, null, true) : { tokens: content };
        ids = done.tokens.map((t) => idOf.get(t) ?? tok.token_to_id(t) ?? padId).slice(0, seqLen);
        typeIds = (done.token_type_ids ?? new Array<number>(ids.length).fill(0)).slice(0, seqLen);
      }
      const length = ids.length;
      while (ids.length < seqLen) { ids.push(padId); typeIds.push(0); }
      return { ids, typeIds, length, truncated };
    },
  };
}
