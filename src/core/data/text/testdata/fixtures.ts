/**
 * A tiny Hugging Face WordPiece tokenizer.json (BERT-style: lower-casing normalizer, [CLS] … [SEP]
 * template) and a sentiment "model" built on it: the masked sum of a 2-wide embedding where "good"
 * votes positive and "bad" negative. Real files for the text path; tests only.
 */
import { ModelBuilder } from '../../../onnx/builder';
import { DataType } from '../../../onnx/dtypes';
import type { ModelProto } from '../../../onnx/types';

export const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'movie', 'was', 'good', 'bad', 'very', 'not', 'film', 'is', '##s', 'a', '.'];

export function wordPieceTokenizer(vocab = VOCAB): object {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const special = (t: string) => ({ id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** input_ids, attention_mask [1, seq] int64 → logits [1, 2]: Σ mask·embedding, "good" → class 1, "bad" → class 0. */
export function sentimentModel(seq = 16, vocab = VOCAB): ModelProto {
  const b = new ModelBuilder({ opset: 13, seed: 3 });
  const ids = b.input('input_ids', DataType.INT64, ['batch', seq]);
  const mask = b.input('attention_mask', DataType.INT64, ['batch', seq]);
  const table = new Float32Array(vocab.length * 2);
  table.set([-1, 1], 2 * vocab.indexOf('good'));
  table.set([1, -1], 2 * vocab.indexOf('bad'));
  const emb = b.node('Gather', [b.initializer('embedding', DataType.FLOAT, [vocab.length, 2], table), ids], { axis: 0 });
  const m = b.node('Unsqueeze', [b.node('Cast', [mask], { to: DataType.FLOAT }), b.initializer('axis2', DataType.INT64, [1], new BigInt64Array([2n]))]);
  const logits = b.node('ReduceSum', [b.node('Mul', [emb, m]), b.initializer('axis1', DataType.INT64, [1], new BigInt64Array([1n]))], { keepdims: 0 }, 'logits');
  b.output(logits, DataType.FLOAT, ['batch', 2]);
  return b.build();
}
