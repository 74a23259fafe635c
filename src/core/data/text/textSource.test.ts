import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import { modelInputSpecs } from '../inputs';
import { readTextFile } from './textFile';
import { loadTokenizer } from './tokenizer';
import { openTextSource } from './textSource';
import { sentimentModel, VOCAB, wordPieceTokenizer } from './testdata/fixtures';

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'texts-'));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}
const dir = tmp();
const tokFile = path.join(dir, 'tokenizer.json');
fs.writeFileSync(tokFile, JSON.stringify(wordPieceTokenizer()));
const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
const id = (t: string) => VOCAB.indexOf(t);

test('a tokenizer.json encodes offline, with [CLS] … [SEP], padding with mask 0, and truncation that keeps [SEP]', () => {
  const tok = loadTokenizer(tokFile);
  assert.deepEqual([tok.model, tok.vocabSize, tok.padId], ['WordPiece', VOCAB.length, 0]);
  const e = tok.encode('The movies were GOOD', 8);
  assert.deepEqual(e.ids, [id('[CLS]'), id('the'), id('movie'), id('##s'), id('[UNK]'), id('good'), id('[SEP]'), id('[PAD]')]);
  assert.equal(e.length, 7);
  const cut = tok.encode('the movie was very very very good', 5);
  assert.deepEqual(cut.ids, [id('[CLS]'), id('the'), id('movie'), id('was'), id('[SEP]')]);
  assert.equal(cut.truncated, true);
  assert.throws(() => loadTokenizer(path.join(dir, 'none.json')), (e: unknown) => e instanceof AdvisorError && /tokenizer not found/.test(e.message));
});

test('.txt, .jsonl and .csv give texts and optional labels; unreadable lines are skipped by line number', () => {
  assert.deepEqual(readTextFile(write('a.txt', 'one\n\ntwo\r\n')).rows.map((r) => [r.text, r.line]), [['one', 1], ['two', 3]]);
  const j = readTextFile(write('a.jsonl', '{"sentence": "good", "label": 1}\nnot json\n{"sentence": "bad", "label": 0}\n'));
  assert.deepEqual(j.rows.map((r) => [r.text, r.label]), [['good', 1], ['bad', 0]]);
  assert.match(j.warnings[0]!, /1 line could not be read and is skipped \(line 2\)/);
  const c = readTextFile(write('a.csv', 'id,text,label\n1,"a good, long film",pos\n2,bad,neg\n3\n'));
  assert.deepEqual(c.rows.map((r) => [r.text, r.label]), [['a good, long film', 'pos'], ['bad', 'neg']]);
  assert.match(c.warnings[0]!, /1 record with missing columns skipped \(record 4\)/);
});

test('a text source fills input_ids and attention_mask to the model\'s length; names map to sorted class indices', async () => {
  const inputs = modelInputSpecs(sentimentModel(8));
  const src = openTextSource(write('b.csv', 'text,label\nthe movie was good,pos\na bad film,neg\n'), inputs, tokFile);
  assert.equal(src.count, 2);
  assert.deepEqual(src.classes, ['neg', 'pos']);
  assert.deepEqual(Array.from(src.labels!.data), [1, 0]);
  assert.deepEqual(src.payloadBytes, [18, 10], 'a request uploads the text');
  const [f] = await src.read(0, 1);
  assert.deepEqual(f!['input_ids']!.dims, [1, 8]);
  assert.deepEqual(Array.from(f!['input_ids']!.data as BigInt64Array).map(Number), [2, 4, 5, 6, 7, 3, 0, 0]);
  assert.deepEqual(Array.from(f!['attention_mask']!.data as BigInt64Array).map(Number), [1, 1, 1, 1, 1, 1, 0, 0]);
  assert.match(src.warnings.join('\n'), /mapped to class indices by sorted name \(neg=0, pos=1\)/);
});

test('a tokenizer larger than the model\'s vocabulary: texts it cannot embed are skipped and counted; none left is an error', () => {
  const small = sentimentModel(8, VOCAB.slice(0, 10)); // embedding rows 0..9: "not", "film", ... are out of range
  const inputs = modelInputSpecs(small);
  const src = openTextSource(write('c.jsonl', '{"text": "good movie", "label": 1}\n{"text": "not a film", "label": 0}\n'), inputs, tokFile, { classCount: 2 });
  assert.equal(src.count, 1);
  const w = src.warnings.join('\n');
  assert.match(w, /tokenizer\.json has 16 tokens but the model's embedding has 10 rows: is it this model's tokenizer\?/);
  assert.match(w, /1 text skipped: token ids beyond the model's 10-row embedding \(line 2\)/);
  assert.throws(() => openTextSource(write('d.txt', 'not a film\n'), inputs, tokFile), (e: unknown) => e instanceof AdvisorError && /no usable texts/.test(e.message));
  const labelled = openTextSource(write('e.jsonl', '{"text": "good", "label": 5}\n{"text": "bad", "label": 0}\n'), modelInputSpecs(sentimentModel(8)), tokFile, { classCount: 2 });
  assert.equal(labelled.count, 1);
  assert.match(labelled.warnings.join('\n'), /1 text skipped: label beyond the model's 2 classes \(line 1\)/);
});
