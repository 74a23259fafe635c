/**
 * Texts as users keep them: `.txt` (one text a line), `.jsonl` (one object a line, with a text
 * field and an optional label field) or `.csv` (a header row; a text column and an optional label
 * column). Column and field names are found by the usual names (text, sentence, content, ...;
 * label, labels, class, target, ...). Blank lines are ignored; a line that cannot be read is
 * skipped with a warning that says which line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { AdvisorError } from '../../errors';

export interface TextRow {
  text: string;
  /** The label as written: a class index or a class name. */
  label?: number | string;
  /** 1-based line (or CSV record) number, for warnings. */
  line: number;
}

export interface TextFile {
  rows: TextRow[];
  warnings: string[];
}

export const TEXT_EXTENSIONS = new Set(['.txt', '.jsonl', '.ndjson', '.csv', '.tsv']);

export function isTextData(file: string): boolean {
  return TEXT_EXTENSIONS.has(path.extname(file).toLowerCase());
}

const TEXT_KEYS = ['text', 'sentence', 'content', 'review', 'document', 'question', 'input', 'sentence1'];
const LABEL_KEYS = ['label', 'labels', 'class', 'target', 'category', 'y'];

function pick(keys: string[], wanted: string[]): string | undefined {
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  for (const w of wanted) if (lower.has(w)) return lower.get(w);
  return undefined;
}

export function readTextFile(file: string): TextFile {
  let raw: string;
  try { raw = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new AdvisorError('input', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'text data file not found' : `cannot read (${(e as NodeJS.ErrnoException).code})`, file);
  }
  if (raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
  const ext = path.extname(file).toLowerCase();
  const out = ext === '.jsonl' || ext === '.ndjson' ? fromJsonl(raw, file) : ext === '.csv' || ext === '.tsv' ? fromCsv(raw, file, ext === '.tsv' ? '\t' : ',') : fromTxt(raw);
  if (out.rows.length === 0) throw new AdvisorError('input', 'holds no texts', file);
  return out;
}

function fromTxt(raw: string): TextFile {
  const rows: TextRow[] = [];
  raw.split(/\r?\n/).forEach((l, i) => { if (l.trim() !== '') rows.push({ text: l, line: i + 1 }); });
  return { rows, warnings: [] };
}

function fromJsonl(raw: string, file: string): TextFile {
  const rows: TextRow[] = [];
  const bad: number[] = [];
  let textKey: string | undefined;
  let labelKey: string | undefined;
  raw.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') return;
    let o: unknown;
    try { o = JSON.parse(l); } catch { bad.push(i + 1); return; }
    if (typeof o === 'string') { rows.push({ text: o, line: i + 1 }); return; }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) { bad.push(i + 1); return; }
    const rec = o as Record<string, unknown>;
    textKey ??= pick(Object.keys(rec), TEXT_KEYS);
    labelKey ??= pick(Object.keys(rec), LABEL_KEYS);
    if (!textKey) throw new AdvisorError('input', `line ${i + 1} has no text field (looked for ${TEXT_KEYS.join(', ')})`, file);
    const text = rec[textKey];
    const label = labelKey !== undefined ? rec[labelKey] : undefined;
    if (typeof text !== 'string' || (label !== undefined && typeof label !== 'number' && typeof label !== 'string')) { bad.push(i + 1); return; }
    rows.push({ text, line: i + 1, ...(label !== undefined ? { label } : {}) });
  });
  const warnings = bad.length ? [`${path.basename(file)}: ${bad.length} line${bad.length > 1 ? 's' : ''} could not be read and ${bad.length > 1 ? 'are' : 'is'} skipped (line ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}): each line must be a JSON object with a "${textKey ?? 'text'}" string`] : [];
  return { rows, warnings };
}

function fromCsv(raw: string, file: string, delimiter: string): TextFile {
  let records: string[][];
  try {
    records = parseCsv(raw, { delimiter, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
  } catch (e) {
    throw new AdvisorError('input', `is not valid CSV (${(e as Error).message})`, file);
  }
  const header = records[0] ?? [];
  let textCol = header.findIndex((h) => TEXT_KEYS.includes(h.trim().toLowerCase()));
  const labelCol = header.findIndex((h) => LABEL_KEYS.includes(h.trim().toLowerCase()));
  if (textCol < 0) {
    if (header.length === 1 || (header.length === 2 && labelCol >= 0)) textCol = labelCol === 0 ? 1 : 0;
    else throw new AdvisorError('input', `no text column in the header (${header.join(', ')}); name it one of ${TEXT_KEYS.join(', ')}`, file);
  }
  const rows: TextRow[] = [];
  const bad: number[] = [];
  records.slice(1).forEach((r, i) => {
    const text = r[textCol];
    if (text === undefined || (labelCol >= 0 && r[labelCol] === undefined)) { bad.push(i + 2); return; }
    const lab = labelCol >= 0 ? r[labelCol]!.trim() : undefined;
    rows.push({ text, line: i + 2, ...(lab !== undefined && lab !== '' ? { label: /^-?\d+$/.test(lab) ? Number(lab) : lab } : {}) });
  });
  const warnings = bad.length ? [`${path.basename(file)}: ${bad.length} record${bad.length > 1 ? 's' : ''} with missing columns skipped (record ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''})`] : [];
  return { rows, warnings };
}
