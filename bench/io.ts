/**
 * Model I/O: read+decode and encode throughput (MB/s) on the largest model, against a plain file
 * read of the same bytes measured in the same run.
 */
import * as fs from 'node:fs';
import { decodeModel, encodeModel } from '../src/core/onnx/codec';
import { spread, timeIt, type Spread } from './lib';

export interface IoResult { file: string; bytes: number; plainReadMBs: Spread; readDecodeMBs: Spread; encodeMBs: Spread; decodeVsPlainRead: number }

export async function benchIo(file: string, reps = 7): Promise<IoResult> {
  const bytes = fs.statSync(file).size;
  const mb = bytes / 1e6;
  const plain = await timeIt(() => fs.readFileSync(file), reps);
  const decode = await timeIt(() => decodeModel(fs.readFileSync(file), file), reps);
  const model = decodeModel(fs.readFileSync(file), file);
  const encode = await timeIt(() => encodeModel(model), reps);
  const toMBs = (ms: number[]) => spread(ms.map((t) => mb / (t / 1000)));
  const p = toMBs(plain);
  const d = toMBs(decode);
  return { file, bytes, plainReadMBs: p, readDecodeMBs: d, encodeMBs: toMBs(encode), decodeVsPlainRead: d.median / p.median };
}
