/**
 * Every message from the results panel goes through here: validated with the shared protocol's
 * `parseFromWebview`, file paths confined to the workspace/output folders, chart images decoded.
 * Only then is an action called. No `vscode` import, so hostile input is unit-tested.
 */
import { parseFromWebview, type ChartId, type FromWebview } from '../core/protocol/panel';
import { resolveInside } from './pathGuard';
import type { RankSettings } from '../core/recommend/rank';

/** What the panel may ask the host to do, with inputs already checked. */
export interface PanelActions {
  ready(protocol: number): void;
  rerun(): void;
  cancel(): void;
  /** The panel re-ranked itself at this budget; remember it for the next runs. */
  rememberBudget(maxAccuracyDrop: number): void;
  /** Export ranked at the panel's settings (absent: as recorded). */
  exportReport(format: 'md' | 'csv' | 'json', settings: RankSettings | undefined): void;
  exportChart(chart: ChartId, png: Buffer): void;
  /** `file` is a real path inside one of the allowed roots. */
  reveal(file: string): void;
  openLog(): void;
  /** A message was refused; `why` is for the log, never shown to the webview. */
  rejected(why: string): void;
}

export type DispatchResult = FromWebview['type'] | 'rejected';

/**
 * Validates `raw` and calls the matching action. `roots()` lists the folders a revealed file may
 * live in (workspace folders and the output folder), evaluated per message.
 */
export function dispatchPanelMessage(raw: unknown, roots: () => readonly string[], actions: PanelActions): DispatchResult {
  const m = parseFromWebview(raw);
  if (!m) {
    actions.rejected(`malformed message from the results panel: ${describe(raw)}`);
    return 'rejected';
  }
  switch (m.type) {
    case 'ready': actions.ready(m.protocol); break;
    case 'rerun': actions.rerun(); break;
    case 'cancel': actions.cancel(); break;
    case 'openLog': actions.openLog(); break;
    case 'rememberBudget': actions.rememberBudget(m.maxAccuracyDrop); break;
    case 'revealFile': {
      const file = resolveInside(m.path, roots());
      if (!file) {
        actions.rejected(`refused to reveal a path outside the workspace and output folder: ${m.path.slice(0, 200)}`);
        return 'rejected';
      }
      actions.reveal(file);
      break;
    }
    case 'export':
      if (m.format === 'png') actions.exportChart(m.chart, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64'));
      else actions.exportReport(m.format, m.settings);
      break;
  }
  return m.type;
}

/** A short, safe description of a bad message for the log. */
function describe(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return typeof raw;
  const t = (raw as { type?: unknown }).type;
  return `type=${typeof t === 'string' ? JSON.stringify(t.slice(0, 40)) : typeof t}`;
}
