/** The data options `recommend`, `bench` and `quantize` share: image preprocessing and the text tokenizer. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import { PRESETS } from '../core/data/images/preprocessSpec';
import { stringOpt, type OptionSpec, type ParsedArgs } from './args';

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  preprocess: { type: 'string' },
  tokenizer: { type: 'string' },
};

export const DATA_USAGE = `  --preprocess P         image preprocessing: a preset (${Object.keys(PRESETS).join(', ')}) or a .json file
                         {"preset", "resize": "shorter"|"exact"|"none", "size", "crop", "color": "gray"|"rgb"|"bgr",
                         "layout": "nchw"|"nhwc", "scale", "mean", "std", "dtype"}; default: the model's "preprocess" in
                         edge-advisor.json, else inferred from the input's shape (a guess: the report says so)
  --tokenizer F          tokenizer.json for text data (.txt, .jsonl, .csv); default: tokenizer.json beside the model`;

export function dataOptions(args: ParsedArgs): { preprocess?: string; tokenizerPath?: string } {
  const preprocess = stringOpt(args, 'preprocess');
  const tokenizer = stringOpt(args, 'tokenizer');
  if (preprocess !== undefined && !PRESETS[preprocess] && !/\.json$/i.test(preprocess)) {
    throw new AdvisorError('usage', `--preprocess ${preprocess}: expected a preset (${Object.keys(PRESETS).join(', ')}) or a .json file`);
  }
  if (tokenizer !== undefined && !fs.existsSync(tokenizer)) throw new AdvisorError('input', 'tokenizer not found', tokenizer);
  return {
    ...(preprocess !== undefined ? { preprocess: /\.json$/i.test(preprocess) ? path.resolve(preprocess) : preprocess } : {}),
    ...(tokenizer !== undefined ? { tokenizerPath: path.resolve(tokenizer) } : {}),
  };
}
