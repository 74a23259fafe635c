/**
 * What the extension knows about a model's surroundings before a run: its white-box variants
 * (core discovery: explicit, `edge-advisor.json`, files beside the model) and the data/labels a
 * per-model `edge-advisor.json` entry declares. No `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverVariants, readConfigFile, VARIANT_KINDS } from '../core/variants/discover';
import type { VariantKind } from '../core/variants/kinds';

export { VARIANT_KINDS };

export type Variants = Partial<Record<VariantKind, string>>;

export interface ModelSurroundings {
  variants: Variants;
  data?: string;
  labels?: string;
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
    const rel = path.relative(workspaceRoot!, path.resolve(modelPath)).split(path.sep).join('/');
    const entry = readConfigFile(configFile).models?.[rel];
    if (typeof entry?.data === 'string' && entry.data) out.data = path.resolve(workspaceRoot!, entry.data);
    if (typeof entry?.labels === 'string' && entry.labels) out.labels = path.resolve(workspaceRoot!, entry.labels);
  }
  return out;
}
