/**
 * The results panel host: one webview panel per model, beside the editor. It posts only after the
 * panel says `ready` (earlier posts, and posts while hidden, are dropped by VS Code) and replays the
 * latest state then, so hiding/showing or reloading the window never loses the results. Every
 * inbound message goes through `dispatchPanelMessage` (validation + path confinement).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toAdvisorError } from '../core/errors';
import { atomicWriteFile } from '../core/fsutil';
import type { AdvisorProgress } from '../core/pipeline/types';
import { createNonce, renderPanelHtml } from '../core/protocol/panelHtml';
import { PANEL_PROTOCOL_VERSION, type PanelJobState, type ToWebview } from '../core/protocol/panel';
import type { AdvisorReport } from '../core/results';
import { dispatchPanelMessage } from './panelMessages';
import type { RankSettings } from '../core/recommend/rank';
import { renderExport } from './reportExport';

export const RESULTS_VIEW_TYPE = 'edgeAdvisor.results';

/** What a panel needs from the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Whether this workspace may run models, and why not. */
  capabilities(): { canRun: boolean; reason?: string };
  /** Folders a revealed file may live in: the workspace folders and the model's output folder. */
  roots(modelPath: string): string[];
  outputFolder(modelPath: string): string;
  rerun(modelPath: string): void;
  cancel(modelPath: string): void;
  rememberBudget(modelPath: string, maxAccuracyDrop: number): void;
  /** Panels remembered for restore after a reload. */
  rememberOpen(modelPaths: string[]): void;
}

const PROGRESS_INTERVAL_MS = 250;

export class ResultsPanel {
  private static readonly open = new Map<string, ResultsPanel>();

  private ready = false;
  private report?: { report: AdvisorReport; cached: boolean };
  private job?: { state: PanelJobState; message?: string };
  private progress?: AdvisorProgress;
  private progressTimer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows (creating if needed) the panel for a model, beside the active editor. */
  static show(host: PanelHost, modelPath: string): ResultsPanel {
    const existing = ResultsPanel.open.get(modelPath);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, ResultsPanel.title(modelPath), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, ResultsPanel.options(host));
    return new ResultsPanel(host, panel, modelPath);
  }

  /** Restores a panel VS Code kept across a reload (see registerWebviewPanelSerializer). */
  static revive(host: PanelHost, panel: vscode.WebviewPanel, modelPath: string): ResultsPanel {
    panel.webview.options = ResultsPanel.options(host);
    return new ResultsPanel(host, panel, modelPath);
  }

  static get(modelPath: string): ResultsPanel | undefined {
    return ResultsPanel.open.get(modelPath);
  }

  static all(): ResultsPanel[] {
    return [...ResultsPanel.open.values()];
  }

  private static title(modelPath: string): string {
    return `Deployment: ${path.basename(modelPath)}`;
  }

  private static options(host: PanelHost): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only our bundle and media; never the workspace. No retainContextWhenHidden: state is replayed on `ready`.
      localResourceRoots: [vscode.Uri.joinPath(host.extensionUri, 'dist'), vscode.Uri.joinPath(host.extensionUri, 'media')],
    };
  }

  private constructor(private readonly host: PanelHost, readonly panel: vscode.WebviewPanel, readonly modelPath: string) {
    ResultsPanel.open.set(modelPath, this);
    host.rememberOpen([...ResultsPanel.open.keys()]);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    const webview = panel.webview;
    webview.html = renderPanelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview.js')).toString(),
      cspSource: webview.cspSource,
      nonce: createNonce(),
      title: ResultsPanel.title(modelPath),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The report on show, if any. */
  get current(): AdvisorReport | undefined {
    return this.report?.report;
  }

  /** Shows a report (final, answered from the results cache, from the run history, or partial after a cancel). */
  setReport(report: AdvisorReport): void {
    const cached = report.cachedAt !== undefined;
    this.report = { report, cached };
    this.post({ type: 'showReport', report, cached });
  }

  setJobState(state: PanelJobState, message?: string): void {
    this.job = { state, ...(message ? { message } : {}) };
    if (state !== 'running') this.flushProgress();
    this.post({ type: 'jobState', state, ...(message ? { message } : {}) });
  }

  /** Throttled: the runner may report faster than a panel needs to repaint. */
  setProgress(p: AdvisorProgress): void {
    this.progress = p;
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => this.flushProgress(), PROGRESS_INTERVAL_MS);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private flushProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    if (this.progress && this.job?.state === 'running') this.post({ type: 'progress', progress: this.progress });
  }

  private post(msg: ToWebview): void {
    if (!this.ready) return; // replayed on the next `ready`
    void this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => this.host.log.warn(`panel post failed: ${toAdvisorError(e).message}`));
  }

  private replay(): void {
    const caps = this.host.capabilities();
    this.post({ type: 'capabilities', canRun: caps.canRun, ...(caps.reason ? { reason: caps.reason } : {}) });
    if (this.report) this.post({ type: 'showReport', report: this.report.report, cached: this.report.cached });
    if (this.job) this.post({ type: 'jobState', state: this.job.state, ...(this.job.message ? { message: this.job.message } : {}) });
    if (this.progress && this.job?.state === 'running') this.post({ type: 'progress', progress: this.progress });
  }

  private onMessage(raw: unknown): void {
    dispatchPanelMessage(raw, () => this.host.roots(this.modelPath), {
      ready: (protocol) => {
        if (protocol !== PANEL_PROTOCOL_VERSION) this.host.log.warn(`results panel speaks protocol ${protocol}, host ${PANEL_PROTOCOL_VERSION}`);
        this.ready = true;
        this.replay();
      },
      rerun: () => this.host.rerun(this.modelPath),
      cancel: () => this.host.cancel(this.modelPath),
      rememberBudget: (n) => this.host.rememberBudget(this.modelPath, n),
      openLog: () => this.host.log.show(true),
      reveal: (file) => void this.revealFile(file),
      exportReport: (format, settings) => void this.exportReport(format, settings),
      exportChart: (chart, png) => void this.saveFile(`${this.stem()}.${chart}.png`, { 'PNG image': ['png'] }, png),
      rejected: (why) => this.host.log.warn(why),
    });
  }

  private stem(): string {
    return path.basename(this.modelPath).replace(/\.onnx$/i, '');
  }

  private async revealFile(file: string): Promise<void> {
    const uri = vscode.Uri.file(file);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  }

  private async exportReport(format: 'md' | 'csv' | 'json', settings: RankSettings | undefined): Promise<void> {
    if (!this.report) { void vscode.window.showWarningMessage('Edge Advisor: there is no report to export yet.'); return; }
    const filters: Record<string, string[]> = format === 'md' ? { Markdown: ['md'] } : format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] };
    await this.saveFile(`${this.stem()}.report.${format}`, filters, renderExport(this.report.report, format, settings));
  }

  /** Asks where to save (default: the model's output folder) and writes atomically. */
  private async saveFile(name: string, filters: Record<string, string[]>, data: string | Uint8Array): Promise<void> {
    const defaultUri = vscode.Uri.file(path.join(this.host.outputFolder(this.modelPath), name));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters, saveLabel: 'Export' });
    if (!target) return;
    try {
      atomicWriteFile(target.fsPath, data);
      this.host.log.info(`exported ${target.fsPath}`);
      const open = await vscode.window.showInformationMessage(`Exported ${path.basename(target.fsPath)}.`, 'Open');
      if (open) await vscode.commands.executeCommand('vscode.open', target);
    } catch (e) {
      void vscode.window.showErrorMessage(`Edge Advisor: could not write ${target.fsPath}: ${toAdvisorError(e).message}`);
    }
  }

  dispose(): void {
    if (ResultsPanel.open.get(this.modelPath) === this) ResultsPanel.open.delete(this.modelPath);
    this.host.rememberOpen([...ResultsPanel.open.keys()]);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
