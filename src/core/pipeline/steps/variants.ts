/**
 * Step: the user's white-box variants (distilled, pruned, QAT), found once, read once and checked
 * against the model's interface. The run's cache key, the operator builds and DSPTQ all use this
 * list; nothing else looks for variants.
 */
import * as path from 'node:path';
import { toAdvisorError } from '../../errors';
import { inspectModel, type Inspection } from '../../inspect/inspect';
import { readModel, type LoadedModel } from '../../onnx/io';
import { discoverVariants, type DiscoveredVariant } from '../../variants/discover';
import type { VariantKind } from '../../variants/kinds';
import { validateVariant } from '../../variants/validate';
import type { AdvisorRequest } from '../types';

export interface Variant {
  kind: VariantKind;
  loaded: LoadedModel;
  inspection: Inspection;
}

export interface FoundVariants {
  variants: Variant[];
  warnings: string[];
}

export function findVariants(req: AdvisorRequest, model: Inspection): FoundVariants {
  const found: DiscoveredVariant[] = req.discoverVariants === false
    ? Object.entries(req.variants).filter(([, p]) => p).map(([kind, p]) => ({ kind: kind as VariantKind, path: path.resolve(p!), source: 'explicit' }))
    : discoverVariants(req.modelPath, { explicit: req.variants, ...(req.configFile ? { configFile: req.configFile } : {}) });
  const variants: Variant[] = [];
  const warnings: string[] = [];
  for (const v of found) {
    try {
      const loaded = readModel(v.path);
      const inspection = inspectModel(loaded);
      warnings.push(...validateVariant(model, inspection, v.kind).warnings);
      variants.push({ kind: v.kind, loaded, inspection });
    } catch (e) {
      // a file the user named must be right; one we guessed from its name is only skipped
      if (v.source !== 'beside') throw e;
      warnings.push(`ignored ${path.basename(v.path)} as the ${v.kind} variant: ${toAdvisorError(e).message}`);
    }
  }
  return { variants, warnings };
}
