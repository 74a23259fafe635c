/**
 * Samples as a run reads them: counted up front, loaded a range at a time. An image folder or a
 * text file is decoded (or tokenized) batch by batch as calibration and evaluation consume it, so
 * memory follows the batch, not the folder; `.npy` data and synthetic inputs are already in memory.
 */
import type { Labels } from './labels';
import { feedsBytes, type Feeds } from '../protocol/tensor';
import type { PreprocessChoice } from './images/preprocessSpec';

export type SourceKind = 'npy' | 'images' | 'text' | 'synthetic';

export interface SampleSource {
  kind: SourceKind;
  /** The file or folder given, when samples come from files. */
  path?: string;
  count: number;
  /** Per sample, the bytes a client uploads: the image file, the text as UTF-8, else the tensor bytes. */
  payloadBytes: number[];
  /** Labels the data carries itself (class folders, a text label column). */
  labels?: Labels;
  /** Class names by label index, when known (folder names, labels.txt, text labels). */
  classes?: string[];
  /** Image sources: each sample's file (the tier-side preprocessing job decodes a few of them). */
  files?: string[];
  preprocess?: PreprocessChoice;
  /** How samples become tensors, for the report ("tokenizer.json, WordPiece, padded to 128"). */
  describe?: string;
  /** What was converted or skipped while reading, each naming the files. */
  warnings: string[];
  /** Samples [start, end) as batch-1 feeds, in order. */
  read(start: number, end: number): Promise<Feeds[]>;
}

export function memorySource(kind: SourceKind, samples: Feeds[], payloadBytes?: number[], extra: Partial<SampleSource> = {}): SampleSource {
  return {
    kind,
    count: samples.length,
    payloadBytes: payloadBytes ?? samples.map(feedsBytes),
    warnings: [],
    ...extra,
    read: (start, end) => Promise.resolve(samples.slice(start, end)),
  };
}

/** The first `n` samples of a source, as a source of its own. */
export function headOf(src: SampleSource, n: number): SampleSource {
  const count = Math.min(n, src.count);
  const per = src.labels ? src.labels.shape.slice(1).reduce((a, b) => a * b, 1) : 0;
  return {
    ...src,
    count,
    payloadBytes: src.payloadBytes.slice(0, count),
    ...(src.labels ? { labels: { shape: [count, ...src.labels.shape.slice(1)], data: src.labels.data.subarray(0, count * per) } } : {}),
    ...(src.files ? { files: src.files.slice(0, count) } : {}),
    read: (start, end) => src.read(Math.min(start, count), Math.min(end, count)),
  };
}

/** Visits a source in chunks of `size` samples (only one chunk is held at a time). */
export async function forEachChunk(src: SampleSource, size: number, visit: (samples: Feeds[], start: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < src.count; i += size) await visit(await src.read(i, Math.min(src.count, i + size)), i);
}
