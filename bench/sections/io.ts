/** Section 2, model I/O: decode and encode throughput on the largest shared model vs a plain read (bench/io.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchIo } from '../io';
import { fmt, fmtSpread } from '../lib';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

export async function ioSection(s: SuiteSettings): Promise<SectionResult> {
  const models = fs.readdirSync(s.modelsDir).filter((f) => f.endsWith('.onnx')).map((f) => path.join(s.modelsDir, f));
  const largest = models.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  if (!largest) return { id: 'io', title: '2. Model I/O', summary: [], markdown: 'skipped: no shared models', data: null };
  const r = await benchIo(largest, s.quick ? 2 : 9);
  const markdown = [
    `${path.basename(largest)} (${fmt(r.bytes / 1e6, 1)} MB), ${r.plainReadMBs.n} repetitions after one warm-up (page cache warm for all three).`,
    '',
    mdTable(['operation', 'MB/s median [min–max]', 'vs plain read'], [
      ['plain `fs.readFileSync`', fmtSpread(r.plainReadMBs, 0), '1.00'],
      ['read + decode (`decodeModel`)', fmtSpread(r.readDecodeMBs, 0), fmt(r.readDecodeMBs.median / r.plainReadMBs.median, 3)],
      ['encode (`encodeModel`)', fmtSpread(r.encodeMBs, 0), fmt(r.encodeMBs.median / r.plainReadMBs.median, 3)],
    ]),
  ].join('\n');
  return {
    id: 'io', title: '2. Model I/O', data: r, markdown,
    summary: [
      { figure: `read+decode MB/s, ${path.basename(largest)} (ratio to plain read)`, value: `${fmtSpread(r.readDecodeMBs, 0)} (${fmt(r.decodeVsPlainRead, 3)})` },
      { figure: 'encode MB/s (ratio to plain read)', value: `${fmtSpread(r.encodeMBs, 0)} (${fmt(r.encodeMBs.median / r.plainReadMBs.median, 3)})` },
    ],
  };
}
