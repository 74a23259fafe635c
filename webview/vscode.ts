/**
 * The webview side of the VS Code API: typed posting, and the panel's persisted state
 * (`setState` survives the panel being hidden or the window reloading; the host replays on `ready`).
 */
import type { FromWebview, PanelJobState } from '../src/core/protocol/panel';
import type { AdvisorProgress } from '../src/core/pipeline/types';
import type { AdvisorReport } from '../src/core/results';
import type { SliderBandwidths, SortState } from './model';

export interface PanelState {
  v: 1;
  report?: AdvisorReport;
  cached?: boolean;
  bandwidths?: SliderBandwidths;
  budget?: number;
  sort: SortState;
  job?: { state: PanelJobState; message?: string };
  progress?: AdvisorProgress;
  canRun: boolean;
  runBlockedReason?: string;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: FromWebview): void {
  api.postMessage(message);
}

export function loadState(): PanelState | undefined {
  const s = api.getState() as Partial<PanelState> | undefined;
  return s && s.v === 1 && s.sort ? (s as PanelState) : undefined;
}

export function saveState(state: PanelState): void {
  // Raw samples are only for the engine's tests; keep the persisted state small.
  const report = state.report ? { ...state.report, results: state.report.results.map(({ samplesMs: _s, ...r }) => r) } : undefined;
  api.setState({ ...state, report });
}
