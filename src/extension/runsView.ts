/**
 * The "Edge Advisor Runs" view in the Explorer: every model with a run history (core/history, the
 * `runs/` folder of each output folder), its runs newest first — date, pick, tiers, devices — opened
 * in the results panel on click; two selected runs of a model compare side by side.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns, loadRun, type RunSummary } from '../core/history/runs';
import { compareRuns, renderComparison } from '../core/history/compare';
import { configLabel } from '../core/labels';
import type { AdvisorReport, OperatorId, PlacementId } from '../core/results';

export const RUNS_VIEW_ID = 'edgeAdvisor.runs';

interface ModelNode { kind: 'model'; modelPath: string; outDir: string }
interface RunNode { kind: 'run'; modelPath: string; outDir: string; summary: RunSummary }
type Node = ModelNode | RunNode;

export interface RunsHost {
  /** Where a model's outputs (and so its run history) go. */
  outputFolder(modelPath: string): string;
  showRun(modelPath: string, report: AdvisorReport): void;
}

const COMPARE_SCHEME = 'edge-advisor-compare';

export class RunsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly tree: vscode.TreeView<Node>;
  /** Comparisons shown, by URI path: read-only documents (an untitled one would ask to be saved). */
  private readonly comparisons = new Map<string, string>();

  constructor(private readonly host: RunsHost, context: vscode.ExtensionContext) {
    this.tree = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this, canSelectMany: true, showCollapseAll: true });
    context.subscriptions.push(
      this.tree, this.changed,
      vscode.commands.registerCommand('edgeAdvisor.refreshRuns', () => this.refresh()),
      vscode.commands.registerCommand('edgeAdvisor.openRun', (n?: RunNode) => this.open(n)),
      vscode.commands.registerCommand('edgeAdvisor.compareRuns', (n?: RunNode, selected?: RunNode[]) => this.compare(selected ?? (n ? [n] : undefined))),
      vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, { provideTextDocumentContent: (uri) => this.comparisons.get(uri.path) ?? '' }),
    );
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'model') {
      const item = new vscode.TreeItem(path.basename(n.modelPath), vscode.TreeItemCollapsibleState.Expanded);
      item.description = vscode.workspace.asRelativePath(path.dirname(n.modelPath));
      item.resourceUri = vscode.Uri.file(n.modelPath);
      item.contextValue = 'edgeAdvisor.model';
      item.id = n.modelPath;
      return item;
    }
    const s = n.summary;
    const item = new vscode.TreeItem(new Date(s.date).toLocaleString(), vscode.TreeItemCollapsibleState.None);
    // a stable id keeps a run selected when a finished run is inserted above it (refresh)
    item.id = `${n.modelPath}#${s.id}`;
    const pick = s.pick ? `${configLabel({ operator: s.pick.operator as OperatorId, placement: s.pick.placement as PlacementId })}, ${s.pick.medianMs.toPrecision(3)} ms` : vscode.l10n.t('no recommendation');
    item.description = [pick, vscode.l10n.t('{0} tiers', s.tiers), s.devices?.length ? s.devices.join(', ') : '', s.cachedAt ? vscode.l10n.t('cached') : ''].filter(Boolean).join(' · ');
    item.tooltip = vscode.l10n.t('{0} configurations, accuracy budget {1} points', s.rows, s.maxAccuracyDrop);
    item.iconPath = new vscode.ThemeIcon(s.pick ? 'pass' : 'circle-slash');
    item.contextValue = 'edgeAdvisor.run';
    item.command = { command: 'edgeAdvisor.openRun', title: vscode.l10n.t('Open Run'), arguments: [n] };
    return item;
  }

  async getChildren(n?: Node): Promise<Node[]> {
    if (n?.kind === 'model') return listRuns(n.outDir, n.modelPath).map((summary) => ({ kind: 'run', modelPath: n.modelPath, outDir: n.outDir, summary }));
    if (n) return [];
    return this.models();
  }

  /** Models with a run history: the `runs/` folders of output folders in the workspace. */
  private async models(): Promise<ModelNode[]> {
    const files = await vscode.workspace.findFiles('**/runs/*/*.json', '**/node_modules/**', 2000);
    const seen = new Map<string, ModelNode>();
    for (const f of files) {
      const outDir = path.dirname(path.dirname(path.dirname(f.fsPath)));
      const modelPath = modelOfRunFile(f.fsPath);
      if (modelPath && !seen.has(modelPath) && listRuns(outDir, modelPath).length > 0) seen.set(modelPath, { kind: 'model', modelPath, outDir });
    }
    return [...seen.values()].sort((a, b) => a.modelPath.localeCompare(b.modelPath));
  }

  private open(n?: RunNode): void {
    const node = n ?? this.tree.selection.find((x): x is RunNode => x.kind === 'run');
    if (!node) return;
    const report = loadRun(node.outDir, node.modelPath, node.summary.id);
    if (!report) { void vscode.window.showWarningMessage(vscode.l10n.t('Edge Advisor: that run can no longer be read.')); return; }
    this.host.showRun(node.modelPath, report);
  }

  private async compare(picked?: RunNode[]): Promise<void> {
    const runs = (picked && picked.length >= 2 ? picked : this.tree.selection).filter((x): x is RunNode => x.kind === 'run');
    if (runs.length !== 2 || runs[0]!.modelPath !== runs[1]!.modelPath) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Edge Advisor: select two runs of the same model to compare them.'));
      return;
    }
    const [older, newer] = [...runs].sort((a, b) => a.summary.id.localeCompare(b.summary.id));
    const a = loadRun(older!.outDir, older!.modelPath, older!.summary.id);
    const b = loadRun(newer!.outDir, newer!.modelPath, newer!.summary.id);
    if (!a || !b) { void vscode.window.showWarningMessage(vscode.l10n.t('Edge Advisor: that run can no longer be read.')); return; }
    const uri = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${path.basename(older!.modelPath)} ${older!.summary.id} vs ${newer!.summary.id}.md` });
    this.comparisons.set(uri.path, renderComparison(compareRuns(a, b), path.basename(older!.modelPath)));
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  }
}

/** The model a run file belongs to (its summary names it), without reading the whole report. */
function modelOfRunFile(file: string): string | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const m = /"modelPath"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
    return m ? (JSON.parse(m[1]!) as string) : undefined;
  } catch {
    return undefined;
  }
}
