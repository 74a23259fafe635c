/**
 * What the extension knows about a model's surroundings before a run: its white-box variants
 * (core discovery: explicit, `edge-advisor.json`, files beside the model) and the data/labels a
 * per-model `edge-advisor.json` entry declares. No `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverVariants, readConfigFile, VARIANT_KINDS } from '../core/variants/discover';
import type { VariantKind } from '../core/variants/kinds';
import { readModelDataConfig } from '../core/data/modelConfig';

export { VARIANT_KINDS };

export type Variants = Partial<Record<VariantKind, string>>;

export interface ModelSurroundings {
  variants: Variants;
  data?: string;
  labels?: string;
  calib?: string;
  /** A preset name or .json path (an object in edge-advisor.json is used by the run itself). */
  preprocess?: string;
  tokenizer?: string;
}

/**
 * Variants and declared data for `modelPath`. `workspaceRoot` locates `edge-advisor.json`; a
 * malformed file throws the core's `input` error naming it.
 */
export function surroundingsOf(modelPath: string, workspaceRoot: string | undefined): ModelSurroundings {
  const configFile = workspaceRoot ? path.join(workspaceRoot, 'edge-advisor.json') : undefined;
  const variants: Variants = {};
  for (const v of discoverVariants(modelPath, configFile ? { configFile } : {})) variants[v.kind] = v.path;
  const out: ModelSurroundings = { variants };
  if (configFile && fs.existsSync(configFile)) {
    readConfigFile(configFile);
    const d = readModelDataConfig(configFile, modelPath);
    if (d.data) out.data = d.data;
    if (d.labels) out.labels = d.labels;
    if (d.calib) out.calib = d.calib;
    if (d.tokenizer) out.tokenizer = d.tokenizer;
    if (typeof d.preprocess === 'string') out.preprocess = d.preprocess;
  }
  return out;
}
