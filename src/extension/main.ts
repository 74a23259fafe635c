/**
 * Extension entry: wires commands, the model card editor, the results panel and the job manager.
 * Inference never runs here: jobs start a runner process (src/runner/host) and this host only awaits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toAdvisorError, type AdvisorError } from '../core/errors';
import { latestRun } from '../core/history/runs';
import type { AdvisorProgress } from '../core/pipeline/types';
import type { PanelJobState } from '../core/protocol/panel';
import type { AdvisorReport } from '../core/results';
import { addDevice } from './addDevice';
import { createAdvisorStart, describeProgress } from './advisorJob';
import { JobManager, type JobSnapshot } from './jobs';
import { JobStatusBar } from './jobStatus';
import { RunsView } from './runsView';
import { MODEL_CARD_VIEW_TYPE, ModelCardProvider } from './modelCardEditor';
import { RESULTS_VIEW_TYPE, ResultsPanel, type PanelHost } from './panel';
import {
  buildJobRequest, defaultRunOptions, outputFolderFor, reviveRunOptions, sanitizeSettings,
  type AdvisorSettings, type JobRequest, type RunOptions,
} from './runOptions';
import { askRunOptions } from './setup';
import { cardDataFor } from './cardData';
import type { CardData } from './modelCardHtml';
import { readModelDataConfig, updateModelDataConfig } from '../core/data/modelConfig';
import { surroundingsOf, type ModelSurroundings, type Variants } from './variants';

const untrustedReason = () => vscode.l10n.t('This workspace is in Restricted Mode, so Edge Advisor only inspects models: running a model loads it into onnxruntime, which is only safe for files you trust. Trust the workspace to benchmark.');

type Job = JobSnapshot<JobRequest, AdvisorReport, AdvisorProgress>;

class EdgeAdvisorExtension implements PanelHost {
  readonly log: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  readonly jobs: JobManager<JobRequest, AdvisorReport, AdvisorProgress>;
  private readonly modelChanged = new vscode.EventEmitter<string>();
  readonly onDidChangeModel = this.modelChanged.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.extensionUri = context.extensionUri;
    this.log = vscode.window.createOutputChannel('Edge Advisor', { log: true });
    this.jobs = new JobManager<JobRequest, AdvisorReport, AdvisorProgress>({
      start: createAdvisorStart(),
      log: (line) => this.log.info(line),
    });
    context.subscriptions.push(this.log, this.modelChanged, this.jobs.onDidChange((s) => this.onJob(s)), { dispose: () => void this.jobs.dispose() },
      new JobStatusBar((l) => this.jobs.onDidChange(l), (id) => this.jobs.cancel(id)));
  }

  activate(): void {
    const c = this.context;
    const reg = vscode.commands.registerCommand;
    // every finished run lands in its model's history: the Runs view follows
    const runs = new RunsView({ outputFolder: (m) => this.outputFolder(m), showRun: (m, r) => this.showRun(m, r) }, c);
    c.subscriptions.push(this.jobs.onDidChange((s) => { if (s.state !== 'queued' && s.state !== 'running') runs.refresh(); }));
    c.subscriptions.push(
      reg('edgeAdvisor.recommend', (uri?: unknown) => this.guard(() => this.recommend(uri))),
      reg('edgeAdvisor.openModelCard', (uri?: unknown) => this.guard(async () => {
        const model = await this.resolveTarget(uri);
        if (model) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(model), MODEL_CARD_VIEW_TYPE);
      })),
      reg('edgeAdvisor.cancel', (uri?: unknown) => this.guard(async () => {
        const model = uri instanceof vscode.Uri ? uri.fsPath : this.activeModel();
        const job = model ? this.jobs.activeFor(model) : undefined;
        if (job) this.jobs.cancel(job.id);
        else void vscode.window.showInformationMessage(vscode.l10n.t('Edge Advisor: no run in progress for this model.'));
      })),
      reg('edgeAdvisor.showLog', () => this.log.show()),
      reg('edgeAdvisor.openSample', () => this.guard(() => this.openSample())),
      reg('edgeAdvisor.addDevice', () => this.guard(() => addDevice(this.log))),
      vscode.window.registerCustomEditorProvider(MODEL_CARD_VIEW_TYPE, new ModelCardProvider(this), {
        supportsMultipleEditorsPerDocument: true,
      }),
      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restorePanel(panel, state),
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.log.info('workspace trusted: running models is enabled')),
    );
    this.log.info(`activated (VS Code ${vscode.version}, workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
  }

  // ---- PanelHost / ModelCardHost ----------------------------------------------------------

  capabilities(): { canRun: boolean; reason?: string } {
    return vscode.workspace.isTrusted ? { canRun: true } : { canRun: false, reason: untrustedReason() };
  }

  roots(modelPath: string): string[] {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return [...folders, this.outputFolder(modelPath), path.dirname(modelPath)];
  }

  outputFolder(modelPath: string): string {
    return outputFolderFor(modelPath, this.settings(modelPath), this.workspaceRoot(modelPath));
  }

  rerun(modelPath: string): void {
    void this.guard(() => this.recommend(vscode.Uri.file(modelPath), { skipSetup: true, useCache: false }));
  }

  cancel(modelPath: string): void {
    const job = this.jobs.activeFor(modelPath);
    if (job) this.jobs.cancel(job.id);
  }

  /** The panel re-ranked itself at this budget (core's rank); the next run of this model starts from it. */
  rememberBudget(modelPath: string, maxAccuracyDrop: number): void {
    const o = this.runOptionsFor(modelPath);
    void this.context.workspaceState.update(this.optionsKey(modelPath), { ...o, maxAccuracyDrop });
    this.log.info(`${path.basename(modelPath)}: accuracy budget set to ${maxAccuracyDrop} points`);
  }

  rememberOpen(modelPaths: string[]): void {
    void this.context.workspaceState.update('edgeAdvisor.openPanels', modelPaths);
  }

  /** The model's newest run from its run history (written by every CLI and extension run). */
  lastRun(modelPath: string): { report: AdvisorReport; savedAt: string } | undefined {
    const last = latestRun(this.outputFolder(modelPath), modelPath);
    return last && { report: last.report, savedAt: last.summary.date };
  }

  variantsFor(modelPath: string): Variants {
    return this.discover(modelPath).variants;
  }

  isBusy(modelPath: string): boolean {
    return this.jobs.activeFor(modelPath) !== undefined;
  }

  async recommend(uri: unknown, opts: { skipSetup?: boolean; useCache?: boolean } = {}): Promise<void> {
    const modelPath = await this.resolveTarget(uri);
    if (!modelPath) return;
    if (!vscode.workspace.isTrusted) {
      const [manage, card] = [vscode.l10n.t('Manage Workspace Trust'), vscode.l10n.t('Open Model Card')];
      const choice = await vscode.window.showWarningMessage(untrustedReason(), manage, card);
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      if (choice === card) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(modelPath), MODEL_CARD_VIEW_TYPE);
      return;
    }
    const active = this.jobs.activeFor(modelPath);
    if (active) {
      ResultsPanel.show(this, modelPath);
      const cancel = vscode.l10n.t('Cancel Run');
      const c = await vscode.window.showInformationMessage(vscode.l10n.t('Edge Advisor: a run is already in progress for {0}.', path.basename(modelPath)), cancel);
      if (c === cancel) this.jobs.cancel(active.id);
      return;
    }
    const current = this.runOptionsFor(modelPath);
    const options = opts.skipSetup ? current : await askRunOptions(modelPath, current, this.discover(modelPath).variants);
    if (!options) return;
    await this.context.workspaceState.update(this.optionsKey(modelPath), options);
    if (!opts.skipSetup) this.rememberData(modelPath, options);
    const settings = this.settings(modelPath);
    const root = this.workspaceRoot(modelPath);
    const request = buildJobRequest(modelPath, options, settings, outputFolderFor(modelPath, settings, root), root);
    const configFile = this.configFile(modelPath);
    if (configFile && fs.existsSync(configFile)) request.advisor.configFile = configFile;
    // Re-run means measure again: the advisor's results cache is skipped
    if (opts.useCache === false) request.advisor.useCache = false;
    this.start(modelPath, request);
  }

  openResults(modelPath: string): void {
    const panel = ResultsPanel.show(this, modelPath);
    if (panel.current) return;
    // A fresh panel: show the newest result we have (this session's job, else the run history).
    const job = this.jobs.latestFor(modelPath);
    if (job && (job.state === 'queued' || job.state === 'running')) { panel.setJobState('running'); return; }
    const report = job?.result ?? this.lastRun(modelPath)?.report;
    if (report) { panel.setReport(report); panel.setJobState('done'); }
  }

  // ---- jobs ---------------------------------------------------------------------------------

  private start(modelPath: string, request: JobRequest): void {
    const panel = ResultsPanel.show(this, modelPath);
    const id = this.jobs.submit(modelPath, request);
    const snap = this.jobs.get(id)!;
    panel.setJobState('running', snap.state === 'queued' ? 'Waiting for another run to finish…' : undefined);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Edge Advisor: ${path.basename(modelPath)}`, cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        let reported = 0;
        const finish = () => { sub.dispose(); cancelSub.dispose(); resolve(); };
        const cancelSub = token.onCancellationRequested(() => this.jobs.cancel(id));
        const sub = this.jobs.onDidChange((s) => {
          if (s.id !== id) return;
          if (s.state === 'queued') progress.report({ message: 'waiting for another run to finish…' });
          if (s.progress) {
            const pct = Math.min(1, Math.max(0, s.progress.fraction)) * 100;
            progress.report({ message: describeProgress(s.progress), increment: Math.max(0, pct - reported) });
            reported = Math.max(reported, pct);
          }
          if (s.state !== 'queued' && s.state !== 'running') finish();
        });
        const now = this.jobs.get(id);
        if (now && now.state !== 'queued' && now.state !== 'running') finish();
      }),
    );
  }

  /** A run from the history, in its model's results panel. */
  showRun(modelPath: string, report: AdvisorReport): void {
    const panel = ResultsPanel.show(this, modelPath);
    if (this.jobs.activeFor(modelPath)) return; // a run in progress owns the panel
    panel.setReport(report);
    panel.setJobState('done');
  }

  private onJob(s: Job): void {
    const panel = ResultsPanel.get(s.key);
    const map: Record<Job['state'], PanelJobState> = { queued: 'running', running: 'running', succeeded: 'done', cancelled: 'cancelled', failed: 'failed' };
    if (panel) {
      if (s.state === 'running' && s.progress) panel.setProgress(s.progress);
      // rows as they are measured, with a provisional pick (the advisor sends at most one a second)
      if (s.state === 'running' && s.partial && panel.current !== s.partial) panel.setReport(s.partial);
      if (s.result && s.state !== 'running' && s.state !== 'queued') panel.setReport(s.result);
      if (s.state !== 'running' || !s.progress) {
        const message = s.state === 'cancelled' ? (s.result ? 'The runner was stopped; showing what had finished.' : panel.current ? 'The runner was stopped; the results shown are from the last completed run.' : 'The runner was stopped before any configuration finished.')
          : s.state === 'failed' ? s.error?.message : undefined;
        panel.setJobState(map[s.state], message);
      }
    }
    if (s.state === 'failed' && s.error) void this.showFailure(s, s.error);
    if (s.state === 'cancelled') this.log.info(`cancelled: ${s.key}`);
    if (s.state === 'succeeded' && s.startedAt && s.endedAt) this.log.info(`done: ${s.key} in ${((s.endedAt - s.startedAt) / 1000).toFixed(1)} s`);
    if (s.state !== 'running') this.modelChanged.fire(s.key);
  }

  private async showFailure(s: Job, err: AdvisorError): Promise<void> {
    this.log.error(`${s.key}: [${err.category}] ${err.message}`);
    if (err.details?.stderrTail) this.log.error(`runner stderr (tail):\n${err.details.stderrTail}`);
    const what = err.category === 'crash' ? 'the runner process crashed' : err.category === 'oom' ? 'the runner ran out of memory'
      : err.category === 'timeout' ? 'the run took too long' : 'the run failed';
    const choice = await vscode.window.showErrorMessage(`Edge Advisor: ${what}: ${err.message}`, 'Show Log', 'Retry');
    if (choice === 'Show Log') this.log.show();
    if (choice === 'Retry') this.start(s.key, s.request);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private settings(modelPath?: string): AdvisorSettings {
    const cfg = vscode.workspace.getConfiguration('edgeAdvisor', modelPath ? vscode.Uri.file(modelPath) : undefined);
    return sanitizeSettings((k) => cfg.get(k));
  }

  private workspaceRoot(modelPath: string): string | undefined {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(modelPath))?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  dataFor(modelPath: string): Promise<CardData> {
    return cardDataFor(modelPath, this.runOptionsFor(modelPath), this.configFile(modelPath));
  }

  async chooseData(modelPath: string, what: 'data' | 'calib' | 'preprocess'): Promise<void> {
    const o = this.runOptionsFor(modelPath);
    const pickPath = async (title: string) => (await vscode.window.showOpenDialog({ title, canSelectFiles: true, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(path.dirname(modelPath)) }))?.[0]?.fsPath;
    if (what === 'data') {
      const f = await pickPath('Evaluation data: an image folder (root/<class>/<image>), an image, a .txt/.jsonl/.csv or .npy');
      if (!f) return;
      o.dataPath = f;
      delete o.labelsPath;
    } else if (what === 'calib') {
      const f = await pickPath('Calibration data for SPTQ (image folder, text file or .npy)');
      if (!f) return;
      o.calibPath = f;
    } else {
      const presets = ['', 'imagenet', '[-1,1]', 'inception', 'clip', 'caffe', 'raw'];
      const r = await vscode.window.showQuickPick([...presets.map((p) => ({ label: p || 'Inferred from the model input', value: p })), { label: 'A preprocessing file (.json)…', value: 'file' }], { title: 'Image preprocessing' });
      if (!r) return;
      if (r.value === 'file') {
        const f = (await vscode.window.showOpenDialog({ title: 'Preprocessing (.json)', canSelectMany: false, filters: { JSON: ['json'] } }))?.[0]?.fsPath;
        if (!f) return;
        o.preprocess = f;
      } else if (r.value) o.preprocess = r.value;
      else delete o.preprocess;
    }
    await this.context.workspaceState.update(this.optionsKey(modelPath), o);
    this.rememberData(modelPath, o);
    this.modelChanged.fire(modelPath);
  }

  private configFile(modelPath: string): string | undefined {
    const root = this.workspaceRoot(modelPath);
    return root ? path.join(root, 'edge-advisor.json') : undefined;
  }

  /** The chosen data, remembered per model in the workspace's edge-advisor.json (atomically; other keys kept). */
  private rememberData(modelPath: string, o: RunOptions): void {
    const file = this.configFile(modelPath);
    if (!file) return;
    try {
      // a preprocessing object the user wrote by hand is not offered by the setup step: keep it
      const handWritten = typeof readModelDataConfig(file, modelPath).preprocess === 'object';
      updateModelDataConfig(file, modelPath, {
        data: o.dataPath, labels: o.labelsPath, calib: o.calibPath, tokenizer: o.tokenizerPath,
        ...(o.preprocess || !handWritten ? { preprocess: o.preprocess } : {}),
      });
    } catch (e) {
      void vscode.window.showWarningMessage(`Edge Advisor: could not remember the data in ${file}: ${toAdvisorError(e).message}`);
    }
  }

  private optionsKey(modelPath: string): string {
    return `edgeAdvisor.runOptions:${modelPath}`;
  }

  private discover(modelPath: string): ModelSurroundings {
    try {
      return surroundingsOf(modelPath, this.workspaceRoot(modelPath));
    } catch (e) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Edge Advisor: {0}', toAdvisorError(e).message));
      return { variants: {} };
    }
  }

  private runOptionsFor(modelPath: string): RunOptions {
    const settings = this.settings(modelPath);
    const found = this.discover(modelPath);
    if (settings.customTiersFile && !path.isAbsolute(settings.customTiersFile)) {
      settings.customTiersFile = path.join(this.workspaceRoot(modelPath) ?? path.dirname(modelPath), settings.customTiersFile);
    }
    const fallback = defaultRunOptions(settings, found);
    return reviveRunOptions(this.context.workspaceState.get(this.optionsKey(modelPath)), (f) => fs.existsSync(f), fallback);
  }

  private activeModel(): string | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.uri.fsPath.toLowerCase().endsWith('.onnx')) return input.uri.fsPath;
    if (input instanceof vscode.TabInputText && input.uri.fsPath.toLowerCase().endsWith('.onnx')) return input.uri.fsPath;
    if (input instanceof vscode.TabInputWebview) return ResultsPanel.all().find((p) => p.panel.active)?.modelPath;
    return undefined;
  }

  /** The model to act on: the clicked file, the active model card, or one picked from the workspace. */
  private async resolveTarget(arg: unknown): Promise<string | undefined> {
    if (arg instanceof vscode.Uri && arg.scheme === 'file' && arg.fsPath.toLowerCase().endsWith('.onnx')) return arg.fsPath;
    const active = this.activeModel();
    if (active) return active;
    const files = await vscode.workspace.findFiles('**/*.onnx', '**/{node_modules,.edge-advisor,.git}/**', 500);
    if (files.length === 0) {
      const c = await vscode.window.showInformationMessage(vscode.l10n.t('Edge Advisor: there are no .onnx files in this workspace.'), vscode.l10n.t('Open Sample Model'));
      if (c) await this.openSample();
      return undefined;
    }
    const items = files.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(path.dirname(u.fsPath)), uri: u }))
      .sort((a, b) => a.description.localeCompare(b.description) || a.label.localeCompare(b.label));
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Recommend deployment: choose a model'), placeHolder: vscode.l10n.t('ONNX models in this workspace'), matchOnDescription: true });
    return picked?.uri.fsPath;
  }

  /** Copies the bundled digits family somewhere writable (outputs go beside it) and opens its card. */
  private async openSample(): Promise<void> {
    const src = vscode.Uri.joinPath(this.extensionUri, 'samples', 'digits').fsPath;
    const dst = path.join(this.context.globalStorageUri.fsPath, 'samples', 'digits');
    fs.mkdirSync(dst, { recursive: true });
    for (const f of fs.readdirSync(src)) {
      const to = path.join(dst, f);
      if (!fs.existsSync(to) || fs.statSync(to).size !== fs.statSync(path.join(src, f)).size) fs.copyFileSync(path.join(src, f), to);
    }
    const model = path.join(dst, 'digits_teacher.onnx');
    const o = this.runOptionsFor(model);
    // The sample ships its own test split: use it, so the first run shows real accuracy.
    if (!o.dataPath) {
      await this.context.workspaceState.update(this.optionsKey(model), { ...o, dataPath: path.join(dst, 'digits_test_x.npy'), labelsPath: path.join(dst, 'digits_test_y.npy') });
    }
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(model), MODEL_CARD_VIEW_TYPE);
  }

  private async restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const fromState = modelPathFromState(state);
    const remembered = this.context.workspaceState.get<string[]>('edgeAdvisor.openPanels', []).filter((p) => !ResultsPanel.get(p));
    const modelPath = [fromState, ...remembered].find((p): p is string => !!p && fs.existsSync(p) && !ResultsPanel.get(p));
    if (!modelPath) { panel.dispose(); return; }
    const p = ResultsPanel.revive(this, panel, modelPath);
    const last = this.lastRun(modelPath);
    if (last) { p.setReport(last.report); p.setJobState('done'); }
  }

  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      const err = toAdvisorError(e);
      this.log.error(`${err.category}: ${err.message}`);
      const c = await vscode.window.showErrorMessage(vscode.l10n.t('Edge Advisor: {0}', err.message), vscode.l10n.t('Show Log'));
      if (c) this.log.show();
    }
  }
}

/** The panel's saved webview state may carry the model path (directly or inside the report). */
function modelPathFromState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as { modelPath?: unknown; report?: { model?: { path?: unknown } } };
  const p = typeof s.modelPath === 'string' ? s.modelPath : s.report?.model?.path;
  return typeof p === 'string' && p.toLowerCase().endsWith('.onnx') ? p : undefined;
}

export function activate(context: vscode.ExtensionContext): void {
  try {
    new EdgeAdvisorExtension(context).activate();
  } catch (e) {
    // VS Code does not tell the user when activation fails; do it ourselves.
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot activate Edge AI Deployment Advisor: {0}', toAdvisorError(e).message));
    throw e;
  }
}

export function deactivate(): void {
  // Runners are killed by the job manager's dispose (registered in context.subscriptions).
}
