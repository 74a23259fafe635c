/** The data options `recommend`, `bench` and `quantize` share: image preprocessing, the text tokenizer, synthetic input sizes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import { PRESETS } from '../core/data/images/preprocessSpec';
import { parseShapeArgs, type InputShapes } from '../core/data/inputShapes';
import { listOpt, stringOpt, type OptionSpec, type ParsedArgs } from './args';

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  preprocess: { type: 'string' },
  tokenizer: { type: 'string' },
  shape: { type: 'string', multiple: true },
};

export const DATA_USAGE = `  --preprocess P         image preprocessing: a preset (${Object.keys(PRESETS).join(', ')}) or a .json file
                         {"preset", "resize": "shorter"|"exact"|"none", "size", "crop", "color": "gray"|"rgb"|"bgr",
                         "layout": "nchw"|"nhwc", "scale", "mean", "std", "dtype"}; default: the model's "preprocess" in
                         edge-advisor.json, else inferred from the input's shape (a guess: the report says so)
  --tokenizer F          tokenizer.json for text data (.txt, .jsonl, .csv); default: tokenizer.json beside the model
  --shape NAME=D,D,...   sizes of an input's symbolic dims for synthetic samples (repeatable), e.g. input=1,512;
                         default: the model's "shapes" in edge-advisor.json, else guessed (batch 1, sequence 128,
                         image side 224, else 1); data files bring their own sizes`;

export function dataOptions(args: ParsedArgs): { preprocess?: string; tokenizerPath?: string; inputShapes?: InputShapes } {
  const preprocess = stringOpt(args, 'preprocess');
  const shapes = listOpt(args, 'shape');
  const tokenizer = stringOpt(args, 'tokenizer');
  if (preprocess !== undefined && !PRESETS[preprocess] && !/\.json$/i.test(preprocess)) {
    throw new AdvisorError('usage', `--preprocess ${preprocess}: expected a preset (${Object.keys(PRESETS).join(', ')}) or a .json file`);
  }
  if (tokenizer !== undefined && !fs.existsSync(tokenizer)) throw new AdvisorError('input', 'tokenizer not found', tokenizer);
  return {
    ...(preprocess !== undefined ? { preprocess: /\.json$/i.test(preprocess) ? path.resolve(preprocess) : preprocess } : {}),
    ...(tokenizer !== undefined ? { tokenizerPath: path.resolve(tokenizer) } : {}),
    ...(shapes.length ? { inputShapes: parseShapeArgs(shapes) } : {}),
  };
}
