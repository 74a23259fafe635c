/**
 * The model card's Data section: the data a run will use (remembered per model) and three images
 * decoded and preprocessed exactly as the run will feed them. No `vscode` import.
 */
import * as path from 'node:path';
import { toAdvisorError } from '../core/errors';
import { modelInputSpecs } from '../core/data/inputs';
import { readModelDataConfig } from '../core/data/modelConfig';
import { looksLikeImages } from '../core/data/images/folder';
import { describePreprocess, resolvePreprocess } from '../core/data/images/preprocessSpec';
import { previewImages } from '../core/data/images/preview';
import { readModel } from '../core/onnx/io';
import type { CardData } from './modelCardHtml';
import type { RunOptions } from './runOptions';

export async function cardDataFor(modelPath: string, o: RunOptions, configFile: string | undefined): Promise<CardData> {
  // relative when inside the model's folder, else as given
  const rel = (f: string | undefined) => { if (!f) return undefined; const r = path.relative(path.dirname(modelPath), f); return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : f; };
  const out: CardData = {
    ...(o.dataPath ? { data: rel(o.dataPath)! } : {}),
    ...(o.labelsPath ? { labels: rel(o.labelsPath)! } : {}),
    ...(o.calibPath ? { calib: rel(o.calibPath)! } : {}),
  };
  if (!o.dataPath || !looksLikeImages(o.dataPath)) return out;
  try {
    const inputs = modelInputSpecs(readModel(modelPath).model, modelPath);
    if (inputs.length !== 1) return { ...out, note: `images feed one input; this model has ${inputs.length}` };
    const configured = readModelDataConfig(configFile, modelPath).preprocess;
    const [setting, origin] = o.preprocess ? [o.preprocess, 'chosen for this model'] : configured !== undefined ? [configured, 'edge-advisor.json'] : [undefined, 'inferred'];
    const choice = resolvePreprocess(setting, inputs[0]!, origin, configFile ? path.dirname(configFile) : path.dirname(modelPath));
    const previews = await previewImages(o.dataPath, choice);
    return {
      ...out,
      preprocess: `${describePreprocess(choice.spec)} — ${choice.origin}${choice.guess ? ' (a guess from the input shape)' : ''}`,
      previews,
      ...(previews.length ? {} : { note: 'no image of the folder could be read' }),
    };
  } catch (e) {
    return { ...out, note: `no preview: ${toAdvisorError(e).message}` };
  }
}
