/**
 * The setup step before a run: one quick pick ("Use defaults" / "Customize…"), and only on
 * Customize a few more (data, variants, tiers, budgets). The answer is remembered per model.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VARIANT_KINDS, type Variants } from './variants';
import type { RunOptions, TierPreset } from './runOptions';

function summary(o: RunOptions, modelDir: string): string {
  const rel = (f: string) => path.relative(modelDir, f) || f;
  const variants = VARIANT_KINDS.filter((k) => o.variants[k]).join(', ') || vscode.l10n.t('none');
  const data = o.dataPath
    ? (o.labelsPath ? vscode.l10n.t('data {0} + labels', rel(o.dataPath)) : vscode.l10n.t('data {0} (no labels: fidelity mode)', rel(o.dataPath)))
    : vscode.l10n.t('no data (synthetic inputs, fidelity mode)');
  const tiers = o.tierPreset === 'custom' ? vscode.l10n.t('tiers {0}', o.customTiersFile ? rel(o.customTiersFile) : vscode.l10n.t('(custom, no file)')) : vscode.l10n.t('{0} tiers', o.tierPreset);
  return vscode.l10n.t('{0} · max drop {1} pts · {2} s · variants: {3} · {4}', tiers, o.maxAccuracyDrop, o.budgetSeconds, variants, data);
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
    { label: `$(play) ${vscode.l10n.t('Use these settings')}`, description: vscode.l10n.t('Enter'), detail: summary(current, dir), value: 'defaults' },
    { label: `$(settings-gear) ${vscode.l10n.t('Customize…')}`, detail: vscode.l10n.t('Data and labels, variants, tier preset, accuracy and time budgets'), value: 'customize' },
  ], { title: vscode.l10n.t('Recommend deployment: {0}', path.basename(modelPath)), ignoreFocusOut: true, matchOnDetail: true });
  if (!first) return undefined;
  if (first.value === 'defaults') return current;

  const o: RunOptions = { ...current, variants: { ...current.variants } };

  // 1. Data and labels
  const dataChoice = await pick<'keep' | 'none' | 'browse'>(vscode.l10n.t('Evaluation data'), [
    ...(o.dataPath ? [{ label: `$(check) ${path.relative(dir, o.dataPath) || o.dataPath}`, description: o.labelsPath ? vscode.l10n.t('with labels') : vscode.l10n.t('no labels'), value: 'keep' as const }] : []),
    { label: vscode.l10n.t('No data'), detail: vscode.l10n.t('Synthetic inputs; accuracy becomes agreement with the float model (fidelity mode)'), value: 'none' },
    { label: vscode.l10n.t('Choose a .npy file or folder…'), value: 'browse' },
  ], 1);
  if (dataChoice === undefined) return undefined;
  if (dataChoice === 'none') { delete o.dataPath; delete o.labelsPath; }
  if (dataChoice === 'browse') {
    const data = await browse(vscode.l10n.t('Evaluation inputs (.npy file or folder)'), true, { NumPy: ['npy'] });
    if (!data) return undefined;
    o.dataPath = data;
    const labels = await browse(vscode.l10n.t('Labels (.npy), or cancel for fidelity mode'), false, { NumPy: ['npy'] });
    if (labels) o.labelsPath = labels; else delete o.labelsPath;
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
