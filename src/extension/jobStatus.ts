/**
 * What a running job shows outside its panel: a status bar item with the model and its progress
 * (click → cancel) and the `edgeAdvisor.jobRunning` context key that keeps "Cancel Run" out of the
 * command palette when nothing runs. Listens to the job manager only; one place to rewire when
 * progress becomes one type.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The part of a job snapshot shown here (structural, so any job manager's snapshots fit). */
export interface JobView {
  id: number;
  key: string;
  state: 'queued' | 'running' | 'succeeded' | 'cached' | 'cancelled' | 'failed';
  progress?: { message: string; fraction: number; etaSeconds?: number };
}

export const JOB_RUNNING_CONTEXT = 'edgeAdvisor.jobRunning';

export class JobStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('edgeAdvisor.job', vscode.StatusBarAlignment.Left, 100);
  private readonly active = new Map<number, JobView>();
  private running = false;
  /** The job the item shows: what a click cancels. */
  private shownId: number | undefined;
  private readonly subscription: { dispose(): void };
  private readonly command: vscode.Disposable;

  constructor(onDidChange: (listener: (job: JobView) => void) => { dispose(): void }, private readonly cancel: (id: number) => void) {
    this.item.name = vscode.l10n.t('Edge Advisor run');
    this.subscription = onDidChange((job) => this.update(job));
    this.command = vscode.commands.registerCommand('edgeAdvisor.cancelFromStatusBar', () => { if (this.shownId !== undefined) this.cancel(this.shownId); });
    // A plain command id, set once: a command object with arguments is re-registered on every update,
    // and a click landing on the previous rendering finds its command gone (seen under load).
    this.item.command = 'edgeAdvisor.cancelFromStatusBar';
    void vscode.commands.executeCommand('setContext', JOB_RUNNING_CONTEXT, false);
  }

  private update(job: JobView): void {
    if (job.state === 'queued' || job.state === 'running') this.active.set(job.id, job);
    else this.active.delete(job.id);
    const running = this.active.size > 0;
    if (running !== this.running) {
      this.running = running;
      void vscode.commands.executeCommand('setContext', JOB_RUNNING_CONTEXT, running);
    }
    this.render();
  }

  private render(): void {
    const jobs = [...this.active.values()];
    const shown = jobs.find((j) => j.state === 'running') ?? jobs[0];
    this.shownId = shown?.id;
    if (!shown) { this.item.hide(); return; }
    const name = path.basename(shown.key);
    const pct = shown.progress ? `${Math.round(shown.progress.fraction * 100)}%` : '';
    const waiting = jobs.length - 1;
    this.item.text = shown.state === 'queued'
      ? `$(watch) ${vscode.l10n.t('Edge Advisor: {0} waiting', name)}`
      : `$(sync~spin) ${vscode.l10n.t('Edge Advisor: {0} {1}', name, pct)}`.trimEnd();
    const eta = shown.progress?.etaSeconds !== undefined ? ` · ${vscode.l10n.t('about {0} s left', shown.progress.etaSeconds)}` : '';
    this.item.tooltip = [
      `${shown.progress?.message ?? vscode.l10n.t('Starting…')}${eta}`,
      ...(waiting > 0 ? [vscode.l10n.t('{0} more run(s) waiting', waiting)] : []),
      vscode.l10n.t('Click to cancel this run.'),
    ].join('\n');
    this.item.accessibilityInformation = { label: vscode.l10n.t('Edge Advisor is running {0}, {1}. Activate to cancel.', name, pct || vscode.l10n.t('starting')) };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.command.dispose();
    this.item.dispose();
  }
}
