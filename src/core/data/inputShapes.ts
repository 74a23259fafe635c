/**
 * Sizes for a model's symbolic input dimensions, given by the user (`--shape input=1,512`, or
 * "shapes" in edge-advisor.json) for synthetic samples. Without them synthetic.ts guesses (batch 1,
 * sequence 128, image side 224, else 1), and a model that needs, say, 512 audio samples fails in the
 * runtime; describeSynthetic() lets that error say which sizes were guessed and how to set them.
 */
import { AdvisorError } from '../errors';
import type { Modality } from '../results';
import type { InputSpec } from './inputs';
import { syntheticDims } from './synthetic';

export type InputShapes = Record<string, readonly number[]>;

/** `name=d,d,...` (also `d×d`, `dxd`; `name=` for a scalar) into shapes; a malformed one is a usage error. */
export function parseShapeArgs(args: string[], option = '--shape'): InputShapes {
  const out: InputShapes = {};
  for (const s of args) {
    const m = /^([^=]+)=(\d+(?:[,x×]\d+)*)?$/.exec(s);
    if (!m) throw new AdvisorError('usage', `${option} needs name=d,d,... (got "${s}")`);
    out[m[1]!] = m[2] ? m[2].split(/[,x×]/).map(Number) : [];
  }
  return out;
}

/**
 * The inputs with the given sizes in place of their declared shapes. A name that is no input, a
 * different rank, or a size that contradicts a fixed declared one is an error naming `where`.
 */
export function withInputShapes(inputs: InputSpec[], shapes: InputShapes | undefined, where: string): InputSpec[] {
  if (!shapes || Object.keys(shapes).length === 0) return inputs;
  const names = inputs.map((i) => i.name);
  for (const name of Object.keys(shapes)) {
    if (!names.includes(name)) throw new AdvisorError('usage', `a shape is given for "${name}", which is not an input of the model (${names.join(', ')})`, where);
  }
  return inputs.map((input) => {
    const dims = shapes[input.name];
    if (!dims) return input;
    const declared = `[${input.shape.map((d) => d ?? '?').join(', ')}]`;
    if (dims.some((d) => !Number.isInteger(d) || d < 1)) throw new AdvisorError('usage', `the shape given for "${input.name}" needs positive sizes (got [${dims.join(', ')}])`, where);
    if (!input.unknownRank && dims.length !== input.shape.length) {
      throw new AdvisorError('usage', `the shape given for "${input.name}" has ${dims.length} dimensions; the model declares ${input.shape.length}: ${declared}`, where);
    }
    const clash = input.unknownRank ? -1 : input.shape.findIndex((d, i) => typeof d === 'number' && d > 0 && d !== dims[i]);
    if (clash >= 0) throw new AdvisorError('usage', `the shape given for "${input.name}" says ${dims[clash]} at dimension ${clash}; the model fixes it to ${input.shape[clash]}: ${declared}`, where);
    const { unknownRank: _u, ...rest } = input;
    return { ...rest, shape: [...dims] };
  });
}

/**
 * "input [1, 1] (guessed), sr []" — the sizes synthetic samples get, marking inputs with a guessed
 * (symbolic) dimension; undefined when nothing was guessed.
 */
export function describeSynthetic(inputs: InputSpec[], modality: Modality): string | undefined {
  const parts: string[] = [];
  let guessed = false;
  for (const input of inputs) {
    if (input.unknownRank) { parts.push(`${input.name} (no declared shape)`); guessed = true; continue; }
    const open = input.shape.some((d) => typeof d !== 'number' || d <= 0);
    guessed ||= open;
    parts.push(`${input.name} [${syntheticDims(input, modality).join(', ')}]${open ? ' (guessed)' : ''}`);
  }
  return guessed ? parts.join(', ') : undefined;
}

/**
 * The runtime failing on synthetic samples whose sizes were guessed is most often the guess: say
 * which sizes were used and how to give the right ones. Anything else passes through unchanged.
 */
export function withSyntheticHint(e: unknown, guess: string | undefined): unknown {
  if (!guess || !(e instanceof AdvisorError) || e.category !== 'runtime') return e;
  return new AdvisorError('runtime', `${e.message} (synthetic samples were sized ${guess}: give the sizes the model expects with --shape name=d,d,... or "shapes" for the model in edge-advisor.json, or real samples with --data)`, undefined, e.details);
}
