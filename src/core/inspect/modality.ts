/** Guesses what a model consumes (image, text, audio, tabular) from its inputs, with the reason. */
import type { Modality } from '../results';

export interface IoInfo { name: string; dtype: string; shape: (number | string)[] | null }

const TEXT_NAMES = /token|input_ids|ids$|attention_mask|segment|text|word/i;
const IMAGE_NAMES = /image|img|pixel|picture|frame/i;
const AUDIO_NAMES = /audio|wave|speech|mel|spectro|pcm/i;

export function detectModality(inputs: IoInfo[]): { modality: Modality; reason: string } {
  if (inputs.length === 0) return { modality: 'unknown', reason: 'the model has no inputs' };
  const intInputs = inputs.filter((i) => /^u?int(8|16|32|64)$/.test(i.dtype));
  const floats = inputs.filter((i) => /^(float|bfloat)/.test(i.dtype));
  const text = intInputs.find((i) => (i.shape?.length ?? 0) <= 2 && (i.dtype === 'int64' || i.dtype === 'int32'));
  if (text && floats.length === 0) {
    return { modality: 'text', reason: `integer token input "${text.name}" (${text.dtype} ${fmt(text.shape)})` };
  }
  const main = floats[0] ?? inputs[0]!;
  const shape = main.shape ?? [];
  const rank = shape.length;
  if (AUDIO_NAMES.test(main.name)) return { modality: 'audio', reason: `input "${main.name}" is named like audio` };
  if (rank === 4) {
    const c = shape[1];
    const spatial = shape.slice(2).filter((d) => typeof d === 'number') as number[];
    if (c === 1 || c === 3 || c === 4 || IMAGE_NAMES.test(main.name) || spatial.every((d) => d >= 16)) {
      return { modality: 'image', reason: `4-D ${main.dtype} input "${main.name}" ${fmt(main.shape)} looks like N×C×H×W images` };
    }
  }
  if (rank === 4 && shape[3] === 3) return { modality: 'image', reason: `input "${main.name}" ${fmt(main.shape)} looks like N×H×W×C images` };
  if (IMAGE_NAMES.test(main.name)) return { modality: 'image', reason: `input "${main.name}" is named like an image` };
  if (TEXT_NAMES.test(main.name)) return { modality: 'text', reason: `input "${main.name}" is named like text` };
  if ((rank === 2 || rank === 3) && typeof shape[rank - 1] === 'number' && (shape[rank - 1] as number) >= 8000) {
    return { modality: 'audio', reason: `input "${main.name}" ${fmt(main.shape)} is a long 1-D signal` };
  }
  if (rank === 2) return { modality: 'tabular', reason: `2-D float input "${main.name}" ${fmt(main.shape)} looks like feature rows` };
  return { modality: 'unknown', reason: `input "${main.name}" ${fmt(main.shape)} matches no known pattern` };
}

function fmt(s: (number | string)[] | null): string {
  return s ? `[${s.join(',')}]` : '[?]';
}
