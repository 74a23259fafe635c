/**
 * The model card: what opening a `.onnx` file shows instead of binary noise. Rendered on the host
 * as static HTML (no bundle needed) under a strict CSP; its one small script only posts button
 * clicks. No `vscode` import, so it is tested as a plain function.
 */
import { escapeHtml } from '../core/protocol/panelHtml';
import type { Inspection } from '../core/inspect/inspect';
import type { AdvisorReport } from '../core/results';
import type { Variants } from './variants';

/** Buttons on the card post exactly these; the host validates with `parseCardMessage`. */
export type CardMessage = { type: 'recommend' } | { type: 'openResults' } | { type: 'showLog' } | { type: 'chooseData' } | { type: 'chooseCalib' } | { type: 'choosePreprocess' };

const CARD_MESSAGES = new Set(['recommend', 'openResults', 'showLog', 'chooseData', 'chooseCalib', 'choosePreprocess']);

export function parseCardMessage(raw: unknown): CardMessage | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const keys = Object.keys(raw);
  const t = (raw as { type?: unknown }).type;
  if (keys.length !== 1 || typeof t !== 'string' || !CARD_MESSAGES.has(t)) return null;
  return { type: t as CardMessage['type'] };
}

/** The data a run of this model will use (remembered per model), and a preview of what the model is fed. */
export interface CardData {
  data?: string;
  labels?: string;
  calib?: string;
  /** One line: the preprocessing and where it comes from. */
  preprocess?: string;
  previews?: Array<{ file: string; label?: string; src: string; width: number; height: number }>;
  /** Why there is no preview (not images, unreadable, ...). */
  note?: string;
}

export interface ModelCardInput {
  fileName: string;
  /** The inspection, or the one-line reason it failed. */
  inspection: Inspection | { error: string };
  /** Variant files found for the model, as paths relative to the model's folder. */
  variants: Variants;
  last?: { report: AdvisorReport; savedAt: string };
  /** False in an untrusted workspace; `reason` says why. */
  canRun: boolean;
  reason?: string;
  /** A job is queued or running for this model. */
  busy?: boolean;
  data?: CardData;
  cspSource: string;
  nonce: string;
}


function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

function shape(s: Array<number | string> | null): string {
  return s ? `[${s.join(', ')}]` : 'unknown';
}

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

function summary(i: Inspection): string {
  const ops = Object.entries(i.opHistogram).sort((a, b) => b[1] - a[1]);
  const topOps = ops.slice(0, 8).map(([op, n]) => `${escapeHtml(op)} ×${n}`).join(', ') + (ops.length > 8 ? `, … (${ops.length} op types)` : '');
  const io = (list: Inspection['inputs']) => list.map((v) => `<code>${escapeHtml(v.name)}</code> ${escapeHtml(v.dtype)} ${escapeHtml(shape(v.shape))}`).join('<br>');
  const q = i.quantization.state === 'float' ? 'float (not quantized)' : `${i.quantization.state} (${i.quantization.qdqNodes} Q/DQ nodes, ${i.quantization.integerOps} integer ops)`;
  return `<table class="facts" data-testid="inspection">
${row('Inputs', io(i.inputs))}
${row('Outputs', io(i.outputs))}
${row('Modality', `${escapeHtml(i.modality)} <span class="muted">(${escapeHtml(i.modalityReason)})</span>`)}
${row('Size', `${fmtBytes(i.fileBytes)} file, ${fmtCount(i.parameterCount)} parameters (${fmtBytes(i.weightBytes)} of weights)${i.externalData ? ', external data' : ''}`)}
${row('Compute', i.macs === null ? 'unknown MACs' : `${fmtCount(i.macs)} MACs per sample${i.macsInputs ? ` at ${Object.values(i.macsInputs).map((d) => `[${d.join(', ')}]`).join(', ')} (symbolic sizes)` : ''}`)}
${row('Graph', `${i.nodeCount} nodes: ${topOps || 'none'}`)}
${row('Quantization', escapeHtml(q))}
${row('Sparsity', `${(i.sparsity * 100).toFixed(1)}% zero weights`)}
${row('Format', `IR ${i.irVersion}, ${i.opsets.map((o) => `${escapeHtml(o.domain || 'ai.onnx')} ${o.version}`).join(', ')}; ${escapeHtml([i.producer.name, i.producer.version].filter(Boolean).join(' ') || 'unknown producer')}`)}
</table>`;
}

function variantsSection(v: Variants): string {
  const kinds = ['distilled', 'pruned', 'qat'] as const;
  const items = kinds.map((k) => (v[k] ? `<li><b>${k}</b>: <code>${escapeHtml(v[k]!)}</code></li>` : `<li class="muted"><b>${k}</b>: not found</li>`));
  return `<ul data-testid="variants">${items.join('')}</ul>
<p class="muted">Variants are found beside the model (<code>name_distilled.onnx</code>, <code>name.pruned.onnx</code>, …) or declared in <code>edge-advisor.json</code>.</p>`;
}

function lastSection(last: ModelCardInput['last']): string {
  if (!last) return '<p class="muted" data-testid="last-results">No results yet.</p>';
  const r = last.report.recommendation;
  const when = escapeHtml(new Date(last.savedAt).toLocaleString());
  const pick = r
    ? `<p data-testid="last-results">Recommended <b>${escapeHtml(r.operator)}</b> on <b>${escapeHtml(r.placement)}</b>: median ${fmtMs(r.latencyMs.median)}, accuracy drop ${r.accuracyDrop.toFixed(2)} points.</p>`
    : `<p data-testid="last-results">No recommendation${last.report.noRecommendationReason ? `: ${escapeHtml(last.report.noRecommendationReason)}` : '.'}</p>`;
  return `${pick}<p class="muted">${last.report.results.length} configurations measured, ${when}.</p>
<button id="open-results" class="secondary">Open results</button>`;
}

function dataSection(d: CardData | undefined): string {
  const line = (label: string, v: string | undefined, none: string) => row(label, v ? `<code>${escapeHtml(v)}</code>` : `<span class="muted">${escapeHtml(none)}</span>`);
  const previews = d?.previews?.length
    ? `<div class="previews" data-testid="data-preview">${d.previews.map((p) => `<figure><img src="${escapeHtml(p.src)}" width="${Math.max(64, Math.min(160, p.width * 2))}" alt="${escapeHtml(p.file)}" title="${escapeHtml(`${p.file}: ${p.width}×${p.height} as the model gets it`)}"><figcaption>${escapeHtml(p.label ?? p.file)}<br><span class="muted">${p.width}×${p.height}</span></figcaption></figure>`).join('')}</div>`
    : d?.note ? `<p class="muted" data-testid="data-preview-note">${escapeHtml(d.note)}</p>` : '';
  return `<table class="facts" data-testid="data">
${line('Evaluation data', d?.data, 'none: synthetic inputs, fidelity instead of accuracy')}
${d?.labels ? line('Labels', d.labels, '') : ''}
${line('Calibration', d?.calib, d?.data ? 'spread over the evaluation data' : 'synthetic')}
${d?.preprocess ? row('Preprocessing', escapeHtml(d.preprocess)) : ''}
</table>
${previews}
<div class="actions">
  <button id="choose-data" class="secondary">Choose evaluation data…</button>
  <button id="choose-calib" class="secondary">Choose calibration data…</button>
  <button id="choose-preprocess" class="secondary">Preprocessing…</button>
</div>`;
}

export function renderModelCard(input: ModelCardInput): string {
  const { nonce, cspSource } = input;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${cspSource} data:;`;
  const body = 'error' in input.inspection
    ? `<p class="error" role="alert" data-testid="inspect-error">${escapeHtml(input.inspection.error)}</p>`
    : summary(input.inspection);
  const runNote = input.canRun ? '' : `<p class="warning" data-testid="untrusted">${escapeHtml(input.reason ?? 'Running is disabled.')}</p>`;
  const disabled = !input.canRun || input.busy ? ' disabled' : '';
  const label = input.busy ? 'Running…' : 'Recommend deployment';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(input.fileName)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 20px; max-width: 900px; }
  h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 6px; border-bottom: 1px solid var(--vscode-panel-border, transparent); padding-bottom: 4px; }
  .muted { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); }
  .warning { border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 8px; background: var(--vscode-textBlockQuote-background); }
  table.facts { border-collapse: collapse; }
  table.facts th { text-align: left; vertical-align: top; padding: 3px 16px 3px 0; font-weight: 600; white-space: nowrap; }
  table.facts td { padding: 3px 0; }
  code { font-family: var(--vscode-editor-font-family); }
  button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; }
  button:hover:not([disabled]) { background: var(--vscode-button-hoverBackground); }
  button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button[disabled] { opacity: 0.6; cursor: default; }
  .actions { display: flex; gap: 8px; margin: 12px 0; }
  .previews { display: flex; gap: 12px; margin: 8px 0; }
  .previews figure { margin: 0; text-align: center; }
  .previews img { image-rendering: pixelated; border: 1px solid var(--vscode-panel-border, transparent); }
</style>
</head>
<body>
<h1 data-testid="model-name">${escapeHtml(input.fileName)}</h1>
<p class="muted">ONNX model card (read-only) · Edge AI Deployment Advisor</p>
${runNote}
<div class="actions">
  <button id="recommend"${disabled} data-testid="recommend">${label}</button>
  <button id="show-log" class="secondary">Show log</button>
</div>
<h2>Model</h2>
${body}
<h2>Data</h2>
${dataSection(input.data)}
<h2>Variants</h2>
${variantsSection(input.variants)}
<h2>Last results</h2>
${lastSection(input.last)}
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  for (const [id, type] of [['recommend', 'recommend'], ['open-results', 'openResults'], ['show-log', 'showLog'], ['choose-data', 'chooseData'], ['choose-calib', 'chooseCalib'], ['choose-preprocess', 'choosePreprocess']]) {
    document.getElementById(id)?.addEventListener('click', () => vscode.postMessage({ type }));
  }
</script>
</body>
</html>
`;
}
