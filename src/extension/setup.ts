/**
 * The setup step before a run: one quick pick ("Use defaults" / "Customize…"), and only on
 * Customize a few more (data, variants, tiers, budgets). The answer is remembered per model.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { looksLikeImages } from '../core/data/images/folder';
import { VARIANT_KINDS, type Variants } from './variants';

const isImages = (p: string) => looksLikeImages(p);
import type { RunOptions, TierPreset } from './runOptions';

function summary(o: RunOptions, modelDir: string): string {
  const rel = (f: string) => path.relative(modelDir, f) || f;
  const variants = VARIANT_KINDS.filter((k) => o.variants[k]).join(', ') || 'none';
  const data = o.dataPath ? `data ${rel(o.dataPath)}${o.labelsPath ? ' + labels' : isImages(o.dataPath) ? ' (labels from class folders)' : ''}${o.calibPath ? ` · calibration ${rel(o.calibPath)}` : ''}${o.preprocess ? ` · preprocess ${o.preprocess}` : ''}` : 'no data (synthetic inputs, fidelity mode)';
  const tiers = o.tierPreset === 'custom' ? `tiers ${o.customTiersFile ? rel(o.customTiersFile) : '(custom, no file)'}` : `${o.tierPreset} tiers`;
  return `${tiers} · max drop ${o.maxAccuracyDrop} pts · ${o.budgetSeconds} s · variants: ${variants} · ${data}`;
}

type Choice<T> = vscode.QuickPickItem & { value: T };

async function pick<T>(title: string, items: Array<Choice<T>>, step: number): Promise<T | undefined> {
  const r = await vscode.window.showQuickPick(items, { title: `${title} (${step}/5)`, ignoreFocusOut: true });
  return r?.value;
}

async function browse(title: string, folders: boolean, filters?: Record<string, string[]>): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({ title, canSelectFiles: true, canSelectFolders: folders, canSelectMany: false, ...(filters ? { filters } : {}) });
  return r?.[0]?.fsPath;
}

async function askNumber(title: string, value: number, lo: number, hi: number, unit: string): Promise<number | undefined> {
  const r = await vscode.window.showInputBox({
    title, value: String(value), ignoreFocusOut: true, prompt: `${lo}–${hi} ${unit}`,
    validateInput: (s) => { const n = Number(s); return s.trim() !== '' && Number.isFinite(n) && n >= lo && n <= hi ? undefined : vscode.l10n.t('Enter a number from {0} to {1}.', lo, hi); },
  });
  return r === undefined ? undefined : Number(r);
}

/**
 * Asks how to run; resolves to the options, or undefined when the user dismissed a step.
 * `detected` are the variants found beside the model (offered for the Customize path).
 */
export async function askRunOptions(modelPath: string, current: RunOptions, detected: Variants): Promise<RunOptions | undefined> {
  const dir = path.dirname(modelPath);
  const first = await vscode.window.showQuickPick<Choice<'defaults' | 'customize'>>([
    { label: '$(play) Use these settings', description: 'Enter', detail: summary(current, dir), value: 'defaults' },
    { label: '$(settings-gear) Customize…', detail: 'Data, labels, calibration data and preprocessing, variants, tier preset, accuracy and time budgets', value: 'customize' },
  ], { title: `Recommend deployment: ${path.basename(modelPath)}`, ignoreFocusOut: true, matchOnDetail: true });
  if (!first) return undefined;
  if (first.value === 'defaults') return current;

  const o: RunOptions = { ...current, variants: { ...current.variants } };

  // 1. Data, labels, calibration data and preprocessing
  const dataChoice = await pick<'keep' | 'none' | 'browse'>('Evaluation data', [
    ...(o.dataPath ? [{ label: `$(check) ${path.relative(dir, o.dataPath) || o.dataPath}`, description: o.labelsPath || isImages(o.dataPath) ? 'with labels' : 'no labels', value: 'keep' as const }] : []),
    { label: 'No data', detail: 'Synthetic inputs; accuracy becomes agreement with the float model (fidelity mode)', value: 'none' },
    { label: 'Choose data…', detail: 'An image folder (root/<class>/<image> gives the labels), an image, a .txt/.jsonl/.csv of texts, or .npy', value: 'browse' },
  ], 1);
  if (dataChoice === undefined) return undefined;
  if (dataChoice === 'none') { delete o.dataPath; delete o.labelsPath; delete o.calibPath; }
  if (dataChoice === 'browse') {
    const data = await browse('Evaluation data: an image folder, an image, a text file (.txt, .jsonl, .csv) or .npy', true);
    if (!data) return undefined;
    o.dataPath = data;
    delete o.labelsPath;
    // an image folder carries its labels (class folders); .npy and text may come with a labels file
    if (!isImages(data)) {
      const labels = await browse('Labels (.npy or .json), or cancel: text files may carry a label column; none means fidelity mode', false, { Labels: ['npy', 'json'] });
      if (labels) o.labelsPath = labels;
    }
  }
  if (o.dataPath) {
    const calib = await pick<'eval' | 'keep' | 'browse'>('Calibration data for SPTQ', [
      ...(o.calibPath ? [{ label: `$(check) ${path.relative(dir, o.calibPath) || o.calibPath}`, value: 'keep' as const }] : []),
      { label: 'Spread over the evaluation data', detail: 'No separate set: SPTQ\'s accuracy may then be optimistic', value: 'eval' },
      { label: 'Choose calibration data…', detail: 'Held-out training samples of the same kind (image folder, text file or .npy)', value: 'browse' },
    ], 1);
    if (calib === undefined) return undefined;
    if (calib === 'eval') delete o.calibPath;
    if (calib === 'browse') {
      const f = await browse('Calibration data (image folder, text file or .npy)', true);
      if (!f) return undefined;
      o.calibPath = f;
    }
    if (isImages(o.dataPath)) {
      const pre = await pick<string>('Image preprocessing', [
        { label: 'Inferred from the model input', detail: 'Channels, size and layout from the input; values scaled to [0, 1] (a guess: the report says so)', value: '' },
        { label: 'imagenet', detail: 'Shorter side 256, center crop 224, ImageNet mean/std (torchvision)', value: 'imagenet' },
        { label: '[-1,1]', detail: 'Values scaled to [-1, 1] (TensorFlow/Inception style)', value: '[-1,1]' },
        { label: 'caffe', detail: 'BGR, 0–255 minus the ImageNet mean (Keras "caffe" mode)', value: 'caffe' },
        { label: 'raw', detail: 'Values 0–255', value: 'raw' },
        { label: 'A preprocessing file (.json)…', value: 'file' },
      ].map((i) => ({ ...i, ...(o.preprocess === i.value || (!o.preprocess && i.value === '') ? { description: '$(check) current' } : {}) })), 1);
      if (pre === undefined) return undefined;
      if (pre === 'file') {
        const f = await browse('Preprocessing (.json)', false, { JSON: ['json'] });
        if (!f) return undefined;
        o.preprocess = f;
      } else if (pre) o.preprocess = pre;
      else delete o.preprocess;
    }
  }

  // 2. Variants
  const all: Variants = { ...detected, ...o.variants };
  const kinds = VARIANT_KINDS.filter((k) => all[k]);
  if (kinds.length > 0) {
    const picked = await vscode.window.showQuickPick(kinds.map((k) => ({ label: k, description: path.relative(dir, all[k]!) || all[k]!, picked: !!o.variants[k] })), {
      title: vscode.l10n.t('Variants to include (2/5)'), canPickMany: true, ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    o.variants = {};
    for (const p of picked) o.variants[p.label as keyof Variants] = all[p.label as keyof Variants];
  }

  // 3. Tiers
  const tier = await pick<TierPreset>(vscode.l10n.t('Tier preset'), [
    { label: 'study', detail: vscode.l10n.t('The study\'s set-up: Mobile 4 CPU/4 GB, Edge 8 CPU/16 GB, Cloud 16 CPU/64 GB; 200 and 1 Mbit/s links'), value: 'study' },
    { label: 'local', detail: vscode.l10n.t('Every tier is this machine'), value: 'local' },
    { label: 'custom…', detail: vscode.l10n.t('A JSON tier file'), value: 'custom' },
  ], 3);
  if (!tier) return undefined;
  o.tierPreset = tier;
  if (tier === 'custom') {
    const f = await browse(vscode.l10n.t('Tier file (JSON)'), false, { JSON: ['json'] });
    if (!f) return undefined;
    o.customTiersFile = f;
  }

  // 4–5. Budgets
  const drop = await askNumber(vscode.l10n.t('Accuracy budget: largest accepted drop (4/5)'), o.maxAccuracyDrop, 0, 100, vscode.l10n.t('percentage points'));
  if (drop === undefined) return undefined;
  o.maxAccuracyDrop = drop;
  const secs = await askNumber(vscode.l10n.t('Time budget for benchmarking (5/5)'), o.budgetSeconds, 5, 86400, vscode.l10n.t('seconds'));
  if (secs === undefined) return undefined;
  o.budgetSeconds = secs;
  return o;
}
