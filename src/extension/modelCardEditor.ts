/**
 * Opening a `.onnx` file shows its model card: the inspection summary, detected variants, the last
 * results and a "Recommend deployment" button. Read-only (CustomReadonlyEditorProvider). Reading
 * and inspecting is pure TypeScript in this process, deferred past the first paint and guarded: a
 * broken file shows its one-line error in the card.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toAdvisorError } from '../core/errors';
import { inspectModel, type Inspection } from '../core/inspect/inspect';
import { readModel } from '../core/onnx/io';
import { createNonce } from '../core/protocol/panelHtml';
import { parseCardMessage, renderModelCard, type CardData } from './modelCardHtml';
import type { AdvisorReport } from '../core/results';
import type { Variants } from './variants';

export const MODEL_CARD_VIEW_TYPE = 'edgeAdvisor.modelCard';

/** Inspecting reads the whole file into memory; past this the card says so instead. */
const MAX_INSPECT_BYTES = 1024 * 1024 * 1024;

export interface ModelCardHost {
  readonly log: vscode.LogOutputChannel;
  /** The model's newest run (run history), with when it was saved. */
  lastRun(modelPath: string): { report: AdvisorReport; savedAt: string } | undefined;
  capabilities(): { canRun: boolean; reason?: string };
  variantsFor(modelPath: string): Variants;
  isBusy(modelPath: string): boolean;
  /** Fires with a model path whenever its job state or cached results change. */
  readonly onDidChangeModel: vscode.Event<string>;
  recommend(uri: vscode.Uri): void;
  openResults(modelPath: string): void;
  /** The Data section: remembered data and a preview of the preprocessed images. */
  dataFor(modelPath: string): Promise<CardData>;
  /** File/folder pickers from the card; the host remembers the choice and fires onDidChangeModel. */
  chooseData(modelPath: string, what: 'data' | 'calib' | 'preprocess'): Promise<void>;
}

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void { /* nothing held: the card re-reads on change */ }
}

export class ModelCardProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  constructor(private readonly host: ModelCardHost) {}

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): void {
    const modelPath = document.uri.fsPath;
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    let inspection: Inspection | { error: string } | undefined;
    let data: CardData | undefined;
    const loadData = () => {
      void this.host.dataFor(modelPath).then((d) => { data = d; if (!disposed) render(); }, (e: unknown) => this.host.log.warn(`model card data: ${String(e)}`));
    };
    const render = () => {
      const caps = this.host.capabilities();
      panel.webview.html = renderModelCard({
        fileName: path.basename(modelPath),
        inspection: inspection ?? { error: vscode.l10n.t('Reading the model…') },
        variants: relativeVariants(this.host.variantsFor(modelPath), path.dirname(modelPath)),
        last: this.host.lastRun(modelPath),
        canRun: caps.canRun,
        ...(caps.reason ? { reason: caps.reason } : {}),
        busy: this.host.isBusy(modelPath),
        ...(data ? { data } : {}),
        cspSource: panel.webview.cspSource,
        nonce: createNonce(),
      });
    };
    const inspect = () => {
      inspection = undefined;
      // Deferred so the editor paints first; the read is synchronous but bounded in size.
      setTimeout(() => {
        inspection = this.inspect(modelPath);
        if (!disposed) render();
      }, 0);
    };
    let disposed = false;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(modelPath)), path.basename(modelPath)));
    const subs: vscode.Disposable[] = [
      watcher,
      watcher.onDidChange(inspect),
      watcher.onDidCreate(inspect),
      this.host.onDidChangeModel((p) => { if (p === modelPath) { render(); loadData(); } }),
      vscode.workspace.onDidGrantWorkspaceTrust(render),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const m = parseCardMessage(raw);
        if (!m) { this.host.log.warn('malformed message from the model card ignored'); return; }
        if (m.type === 'recommend') this.host.recommend(document.uri);
        else if (m.type === 'openResults') this.host.openResults(modelPath);
        else if (m.type === 'chooseData') void this.host.chooseData(modelPath, 'data');
        else if (m.type === 'chooseCalib') void this.host.chooseData(modelPath, 'calib');
        else if (m.type === 'choosePreprocess') void this.host.chooseData(modelPath, 'preprocess');
        else this.host.log.show(true);
      }),
    ];
    panel.onDidDispose(() => { disposed = true; for (const s of subs) s.dispose(); });
    render();
    inspect();
    loadData();
  }

  private inspect(modelPath: string): Inspection | { error: string } {
    try {
      const size = fs.statSync(modelPath).size;
      if (size > MAX_INSPECT_BYTES) return { error: `${path.basename(modelPath)}: ${(size / 2 ** 30).toFixed(1)} GiB is too large to inspect in the editor; run "edge-advisor inspect" from a terminal.` };
      return inspectModel(readModel(modelPath));
    } catch (e) {
      const err = toAdvisorError(e, 'input');
      this.host.log.warn(`inspect failed: ${err.message}`);
      return { error: err.message };
    }
  }
}

function relativeVariants(v: Variants, dir: string): Variants {
  const out: Variants = {};
  for (const [k, f] of Object.entries(v) as Array<[keyof Variants, string]>) out[k] = path.relative(dir, f) || f;
  return out;
}
