/**
 * Settings (`edgeAdvisor.*`), the per-model run options the setup step remembers, and the job
 * request built from them. No `vscode` import: values come in through a getter, so sanitizing is
 * unit-tested and a bad settings.json never reaches the pipeline.
 */
import * as path from 'node:path';
import { DEFAULT_BUDGET_SECONDS } from '../core/pipeline/defaults';
import type { AdvisorRequest } from '../core/pipeline/types';
import { DEFAULT_MAX_ACCURACY_DROP } from '../core/study/accuracyClasses';
import type { Variants } from './variants';

export const TIER_PRESETS = ['study', 'local', 'custom'] as const;
export type TierPreset = (typeof TIER_PRESETS)[number];

export interface AdvisorSettings {
  tierPreset: TierPreset;
  /** JSON tier set used when `tierPreset` is `custom` (absolute, or relative to the workspace root). */
  customTiersFile: string;
  /** Accuracy budget: the largest accepted drop, percentage points. */
  maxAccuracyDrop: number;
  /** Benchmark time budget, seconds. */
  budgetSeconds: number;
  /** Where produced models, reports and exports go; empty = `.edge-advisor/` beside the model. */
  outputFolder: string;
  /** Intra-op threads cap for the runner; 0 = decided per tier. */
  threads: number;
  /**
   * `edgeAdvisor.devices`: tier id → SSH device, applied on top of the tiers. Kept as settings.json
   * has it; core's `withDevices` checks it when a run's tiers are built, so a mistake fails that run
   * with a message naming the setting instead of being dropped silently.
   */
  devices?: unknown;
}

/** Defaults: the study's "small" accuracy drop, and the CLI's benchmark time budget (one minute). */
export const DEFAULT_SETTINGS: Readonly<AdvisorSettings> = Object.freeze({
  tierPreset: 'study',
  customTiersFile: '',
  maxAccuracyDrop: DEFAULT_MAX_ACCURACY_DROP,
  budgetSeconds: DEFAULT_BUDGET_SECONDS,
  outputFolder: '',
  threads: 0,
});

function num(v: unknown, lo: number, hi: number, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : dflt;
}

/** Reads settings through `get(key)`; anything missing or out of range falls back to its default. */
export function sanitizeSettings(get: (key: keyof AdvisorSettings) => unknown): AdvisorSettings {
  const preset = get('tierPreset');
  const str = (k: 'customTiersFile' | 'outputFolder') => { const v = get(k); return typeof v === 'string' ? v.trim() : ''; };
  return {
    tierPreset: (TIER_PRESETS as readonly unknown[]).includes(preset) ? (preset as TierPreset) : DEFAULT_SETTINGS.tierPreset,
    customTiersFile: str('customTiersFile'),
    maxAccuracyDrop: num(get('maxAccuracyDrop'), 0, 100, DEFAULT_SETTINGS.maxAccuracyDrop),
    budgetSeconds: num(get('budgetSeconds'), 5, 24 * 3600, DEFAULT_SETTINGS.budgetSeconds),
    outputFolder: str('outputFolder'),
    threads: Math.trunc(num(get('threads'), 0, 1024, DEFAULT_SETTINGS.threads)),
    ...devicesValue(get('devices')),
  };
}

/** Absent, null or `{}` is "no devices"; any other value goes on to be checked (and named) by withDevices. */
function devicesValue(v: unknown): { devices?: unknown } {
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return {};
  // VS Code hands settings out as read-only proxies: keep a plain copy (JSON is what settings hold)
  return { devices: JSON.parse(JSON.stringify(v)) as unknown };
}

/** What the setup step asks for; remembered per model. */
export interface RunOptions {
  dataPath?: string;
  labelsPath?: string;
  /** SPTQ calibration data (any data kind); absent: spread over the evaluation data. */
  calibPath?: string;
  /** Image preprocessing: a preset name or a .json file; absent: inferred from the input (a guess). */
  preprocess?: string;
  /** tokenizer.json for text data; absent: tokenizer.json beside the model. */
  tokenizerPath?: string;
  variants: Variants;
  tierPreset: TierPreset;
  customTiersFile?: string;
  maxAccuracyDrop: number;
  budgetSeconds: number;
}

/** Options for a model from settings, discovered variants and the declaration file. */
export function defaultRunOptions(settings: AdvisorSettings, found: { variants: Variants; data?: string; labels?: string; calib?: string; preprocess?: string; tokenizer?: string }): RunOptions {
  return {
    variants: { ...found.variants },
    ...(found.data ? { dataPath: found.data } : {}),
    ...(found.labels ? { labelsPath: found.labels } : {}),
    ...(found.calib ? { calibPath: found.calib } : {}),
    ...(found.preprocess ? { preprocess: found.preprocess } : {}),
    ...(found.tokenizer ? { tokenizerPath: found.tokenizer } : {}),
    tierPreset: settings.tierPreset,
    ...(settings.customTiersFile ? { customTiersFile: settings.customTiersFile } : {}),
    maxAccuracyDrop: settings.maxAccuracyDrop,
    budgetSeconds: settings.budgetSeconds,
  };
}

/** Remembered options are only reused when their files still exist; stale paths are dropped. */
export function reviveRunOptions(raw: unknown, exists: (file: string) => boolean, fallback: RunOptions): RunOptions {
  if (typeof raw !== 'object' || raw === null) return fallback;
  const r = raw as Partial<RunOptions>;
  const file = (v: unknown) => (typeof v === 'string' && v && exists(v) ? v : undefined);
  const variants: Variants = {};
  for (const k of ['distilled', 'pruned', 'qat'] as const) {
    const f = file(r.variants?.[k]);
    if (f) variants[k] = f;
  }
  const dataPath = file(r.dataPath);
  const labelsPath = file(r.labelsPath);
  const calibPath = file(r.calibPath);
  const tokenizerPath = file(r.tokenizerPath);
  // a preset name, or a .json file that still exists
  const preprocess = typeof r.preprocess === 'string' && r.preprocess && (!/\.json$/i.test(r.preprocess) || exists(r.preprocess)) ? r.preprocess : undefined;
  const customTiersFile = file(r.customTiersFile);
  return {
    variants,
    ...(dataPath ? { dataPath } : {}),
    ...(labelsPath ? { labelsPath } : {}),
    ...(calibPath ? { calibPath } : {}),
    ...(preprocess ? { preprocess } : {}),
    ...(tokenizerPath ? { tokenizerPath } : {}),
    tierPreset: (TIER_PRESETS as readonly unknown[]).includes(r.tierPreset) ? r.tierPreset! : fallback.tierPreset,
    ...(customTiersFile ? { customTiersFile } : fallback.customTiersFile ? { customTiersFile: fallback.customTiersFile } : {}),
    maxAccuracyDrop: num(r.maxAccuracyDrop, 0, 100, fallback.maxAccuracyDrop),
    budgetSeconds: num(r.budgetSeconds, 5, 24 * 3600, fallback.budgetSeconds),
  };
}

/**
 * One job's request: the advisor request without its tier set (resolved by the job, in one place,
 * from the preset or the custom file) plus how to resolve it.
 */
export interface JobRequest {
  advisor: Omit<AdvisorRequest, 'tiers'>;
  tiers: {
    preset: TierPreset;
    customFile?: string;
    /** `edgeAdvisor.devices`, applied on top of the preset or file; `devicesBase` resolves a relative sshConfig. */
    devices?: unknown;
    devicesBase?: string;
  };
  threads: number;
}

/** The output folder for a model: the setting (relative to the workspace root) or `.edge-advisor/` beside it. */
export function outputFolderFor(modelPath: string, settings: AdvisorSettings, workspaceRoot: string | undefined): string {
  if (!settings.outputFolder) return path.join(path.dirname(modelPath), '.edge-advisor');
  return path.isAbsolute(settings.outputFolder) ? settings.outputFolder : path.join(workspaceRoot ?? path.dirname(modelPath), settings.outputFolder);
}

export function buildJobRequest(modelPath: string, o: RunOptions, settings: AdvisorSettings, outDir: string, workspaceRoot?: string): JobRequest {
  const devices = settings.devices !== undefined ? { devices: settings.devices, ...(workspaceRoot ? { devicesBase: workspaceRoot } : {}) } : {};
  return {
    advisor: {
      modelPath,
      ...(o.dataPath ? { dataPath: o.dataPath } : {}),
      ...(o.labelsPath ? { labelsPath: o.labelsPath } : {}),
      ...(o.calibPath ? { calibrationPath: o.calibPath } : {}),
      ...(o.preprocess ? { preprocess: o.preprocess } : {}),
      ...(o.tokenizerPath ? { tokenizerPath: o.tokenizerPath } : {}),
      variants: { ...o.variants },
      maxAccuracyDrop: o.maxAccuracyDrop,
      budgetSeconds: o.budgetSeconds,
      outDir,
      ...(settings.threads > 0 ? { maxThreads: settings.threads } : {}),
    },
    tiers: { preset: o.tierPreset, ...(o.tierPreset === 'custom' && o.customTiersFile ? { customFile: o.customTiersFile } : {}), ...devices },
    threads: settings.threads,
  };
}
