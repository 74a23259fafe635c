/**
 * The results panel protocol: every message between the extension host and the panel webview.
 * Imported by both sides (src/extension and webview/), so it is pure data plus one validator.
 *
 * Direction is in the name: `ToWebview` is posted by the host, `FromWebview` by the panel. The
 * webview is treated as untrusted (it renders report strings, could be compromised by a bug), so
 * the host must pass every inbound message through `parseFromWebview` and act only on its result.
 *
 * Handshake: the panel posts `ready` once its listener exists; only then does the host post
 * (messages sent earlier, or while the panel is hidden, are dropped by VS Code). On `ready` the host
 * replays the latest `showReport` / `jobState` / `progress`.
 */
import type { AdvisorProgress } from '../pipeline/types';
import type { AdvisorReport } from '../results';
import type { LinkId } from '../tiers/types';

/** Bumped when a message changes shape; the panel shows a reload hint on a mismatch. */
export const PANEL_PROTOCOL_VERSION = 1;

export type PanelJobState = 'running' | 'cancelled' | 'failed' | 'done';

/** Charts that can be exported as PNG; also the canvas ids without the `-chart` suffix. */
export const CHART_IDS = ['scatter', 'latency', 'sqnr'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export const EXPORT_FORMATS = ['md', 'csv', 'json', 'png'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const LINK_IDS: readonly LinkId[] = ['mobile-edge', 'edge-cloud'];

/** The bandwidth slider's range, Mbit/s (log scale). */
export const MIN_MBPS = 0.1;
export const MAX_MBPS = 1000;

// ---------------------------------------------------------------------------------------------
// Host → webview

/** Render this report (a finished, cancelled-with-partial-results, or cached run). */
export interface ShowReportMessage {
  type: 'showReport';
  report: AdvisorReport;
  /** The report came from the results cache, not a fresh run. */
  cached?: boolean;
}

/** A running job's progress (throttled by the host to a few per second). */
export interface ShowProgressMessage {
  type: 'progress';
  progress: AdvisorProgress;
}

/** The job's lifecycle; `message` is the one-line reason for `failed`/`cancelled`. */
export interface JobStateMessage {
  type: 'jobState';
  state: PanelJobState;
  message?: string;
}

/** Move a bandwidth slider (e.g. the tier preset changed); the panel recomputes live. */
export interface SetBandwidthMessage {
  type: 'setBandwidth';
  link: LinkId;
  mbps: number;
}

/** Whether running is allowed (untrusted workspaces may only inspect) and why not. */
export interface CapabilitiesMessage {
  type: 'capabilities';
  canRun: boolean;
  reason?: string;
}

export type ToWebview = ShowReportMessage | ShowProgressMessage | JobStateMessage | SetBandwidthMessage | CapabilitiesMessage;

// ---------------------------------------------------------------------------------------------
// Webview → host

/** The panel's message listener is installed; the host may post now. */
export interface ReadyMessage {
  type: 'ready';
  protocol: number;
}

/** Run the advisor again on the same model and settings. */
export interface RerunMessage {
  type: 'rerun';
}

/** Stop the running job (the host kills the runner). */
export interface CancelMessage {
  type: 'cancel';
}

/** The user chose this accuracy budget (points) in the panel, which re-ranked itself: remember it for the next runs. */
export interface RememberBudgetMessage {
  type: 'rememberBudget';
  maxAccuracyDrop: number;
}

/** Export the report as a file the host writes (asks the user where). */
export interface ExportReportMessage {
  type: 'export';
  format: 'md' | 'csv' | 'json';
  /** The budget and bandwidths the panel shows: the host ranks at these, so the file says what the panel says. */
  settings?: { maxAccuracyDrop?: number; mbps?: Partial<Record<LinkId, number>> };
}

/** Export one chart as PNG; the panel renders it (`chart.toBase64Image()`), the host saves it. */
export interface ExportChartMessage {
  type: 'export';
  format: 'png';
  chart: ChartId;
  /** `data:image/png;base64,…` */
  dataUrl: string;
}

/** Reveal a produced model file in the OS / Explorer. The host must resolve it inside the workspace or output folder. */
export interface RevealFileMessage {
  type: 'revealFile';
  path: string;
}

/** Show the runner's log output channel. */
export interface OpenLogMessage {
  type: 'openLog';
}

export type FromWebview =
  | ReadyMessage
  | RerunMessage
  | CancelMessage
  | RememberBudgetMessage
  | ExportReportMessage
  | ExportChartMessage
  | RevealFileMessage
  | OpenLogMessage;

/** Narrow a union member by its `type` (for typed handler tables). */
export type MessageOfType<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Validation of inbound messages

/** Limits on what the host accepts from the webview. */
export const LIMITS = {
  /** A file path (revealFile). */
  pathChars: 4096,
  /** A PNG data URL: a chart at 2× device pixels is well under this. */
  dataUrlChars: 16 * 1024 * 1024,
  /** Accuracy budget, percentage points. */
  maxBudgetPoints: 100,
} as const;

const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Exactly these keys (some optional), nothing else: unknown fields mean a bug or tampering. */
function hasOnlyKeys(o: Obj, required: readonly string[], optional: readonly string[] = []): boolean {
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(o, k)) return false;
  for (const k of Object.keys(o)) if (k !== 'type' && !required.includes(k) && !optional.includes(k)) return false;
  return true;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isBoundedString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function isMbps(v: unknown): v is number {
  return isFiniteNumber(v) && v >= MIN_MBPS && v <= MAX_MBPS;
}

function isBandwidths(v: unknown): v is Partial<Record<LinkId, number>> {
  if (!isPlainObject(v)) return false;
  return Object.entries(v).every(([k, mbps]) => (LINK_IDS as readonly string[]).includes(k) && isMbps(mbps));
}

function isBudget(v: unknown): v is number {
  return isFiniteNumber(v) && v >= 0 && v <= LIMITS.maxBudgetPoints;
}

function isPngDataUrl(v: unknown): v is string {
  if (!isBoundedString(v, LIMITS.dataUrlChars) || !v.startsWith(PNG_DATA_URL_PREFIX)) return false;
  const b64 = v.slice(PNG_DATA_URL_PREFIX.length);
  // The PNG signature, base64-encoded, is "iVBORw0KGgo": refuse anything that is not a PNG.
  return b64.length % 4 === 0 && b64.startsWith('iVBORw0KGgo') && /^[A-Za-z0-9+/]*={0,2}$/.test(b64);
}

function isPath(v: unknown): v is string {
  // NUL never belongs in a path and truncates it in native APIs.
  return isBoundedString(v, LIMITS.pathChars) && !v.includes('\0');
}

/**
 * Checks a message received from the webview against the protocol. Returns the typed message, or
 * null for anything malformed: unknown type, missing/extra/mistyped fields, non-finite or
 * out-of-range numbers, oversized strings. Never throws.
 */
export function parseFromWebview(raw: unknown): FromWebview | null {
  if (!isPlainObject(raw) || typeof raw.type !== 'string') return null;
  const m = raw;
  switch (m.type) {
    case 'ready':
      return hasOnlyKeys(m, ['protocol']) && Number.isInteger(m.protocol) && (m.protocol as number) > 0
        ? { type: 'ready', protocol: m.protocol as number }
        : null;
    case 'rerun':
    case 'cancel':
    case 'openLog':
      return hasOnlyKeys(m, []) ? { type: m.type } : null;
    case 'rememberBudget':
      return hasOnlyKeys(m, ['maxAccuracyDrop']) && isBudget(m.maxAccuracyDrop)
        ? { type: 'rememberBudget', maxAccuracyDrop: m.maxAccuracyDrop }
        : null;
    case 'revealFile':
      return hasOnlyKeys(m, ['path']) && isPath(m.path) ? { type: 'revealFile', path: m.path } : null;
    case 'export':
      if (m.format === 'png') {
        return hasOnlyKeys(m, ['format', 'chart', 'dataUrl'])
          && (CHART_IDS as readonly unknown[]).includes(m.chart) && isPngDataUrl(m.dataUrl)
          ? { type: 'export', format: 'png', chart: m.chart as ChartId, dataUrl: m.dataUrl }
          : null;
      }
      if (m.format === 'md' || m.format === 'csv' || m.format === 'json') {
        if (!hasOnlyKeys(m, ['format'], ['settings'])) return null;
        if (m.settings === undefined) return { type: 'export', format: m.format };
        const st = m.settings;
        if (!isPlainObject(st) || !hasOnlyKeys(st, [], ['maxAccuracyDrop', 'mbps'])) return null;
        if (st.maxAccuracyDrop !== undefined && !isBudget(st.maxAccuracyDrop)) return null;
        if (st.mbps !== undefined && !isBandwidths(st.mbps)) return null;
        return {
          type: 'export', format: m.format,
          settings: { ...(st.maxAccuracyDrop !== undefined ? { maxAccuracyDrop: st.maxAccuracyDrop } : {}), ...(st.mbps !== undefined ? { mbps: { ...st.mbps } } : {}) },
        };
      }
      return null;
    default:
      return null;
  }
}

const TO_WEBVIEW_TYPES: ReadonlySet<string> = new Set<ToWebview['type']>(['showReport', 'progress', 'jobState', 'setBandwidth', 'capabilities']);

/** The panel's cheap check on what the host posts (the host is trusted; this guards against stray messages). */
export function isToWebview(raw: unknown): raw is ToWebview {
  return isPlainObject(raw) && typeof raw.type === 'string' && TO_WEBVIEW_TYPES.has(raw.type);
}
