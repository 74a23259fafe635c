/**
 * The results panel: owns the state, routes host messages, and re-renders the views. Slider and
 * budget changes re-rank the report locally (core's `rank`) without asking the host; an export
 * sends the settings along, so the host ranks the same way.
 */
import type { ChartId, ToWebview } from '../src/core/protocol/panel';
import type { AdvisorReport, SensitivityPoint } from '../src/core/results';
import type { LinkId } from '../src/core/tiers/types';
import { applyChartDefaults, latencyChart, scatterChart, sqnrChart } from './charts/index';
import { clear, h } from './dom';
import { rank } from '../src/core/recommend/rank';
import { dataLines } from '../src/core/report/dataLines';
import { crossoversOnSlider, deviceBadges, liveRows, measuredLinkText, nextSort, recordedPick, reportBandwidths, sortRows } from './model';
import type { SliderBandwidths, LiveRow, SortKey } from './model';
import { readPalette } from './theme';
import type { Palette } from './theme';
import { badge, button, dropdown, setDisabled } from './toolkit';
import { renderBandwidth } from './views/bandwidth';
import type { BandwidthUpdater } from './views/bandwidth';
import { renderCard } from './views/card';
import { renderGrid } from './views/grid';
import { renderJobState, renderProgress } from './views/status';
import { post, saveState } from './vscode';
import type { PanelState } from './vscode';

const BUDGETS = [0.25, 0.5, 1, 2, 3, 5, 10];

function measuredOf(r: AdvisorReport): Partial<Record<LinkId, { text: string; title: string }>> {
  const out: Partial<Record<LinkId, { text: string; title: string }>> = {};
  for (const link of ['mobile-edge', 'edge-cloud'] as const) {
    const m = measuredLinkText(r.tiers.links[link]);
    if (m) out[link] = m;
  }
  return out;
}

function sameRun(a: AdvisorReport, b: AdvisorReport): boolean {
  return a.model.path === b.model.path && a.environment.date === b.environment.date;
}

interface Derived {
  /** The recorded report, or the engine's re-run of it at the chosen bandwidths and budget. */
  report: AdvisorReport;
  bw: SliderBandwidths;
  budget: number;
  recorded: boolean;
  live: LiveRow[];
  /** Index into report.results of the recommended row. */
  pick: number | undefined;
}

/** Wait this long after the last slider move before the (slow) bandwidth-sensitivity search. */
const SENSITIVITY_DEBOUNCE_MS = 350;

export class App {
  private palette: Palette;
  private readonly el: Record<'header' | 'toolbar' | 'progress' | 'job' | 'body', HTMLElement>;
  private chartsLive: { scatter?: ReturnType<typeof scatterChart>; latency?: ReturnType<typeof latencyChart>; sqnr?: ReturnType<typeof sqnrChart> } = {};
  private bodyParts: { card: HTMLElement; grid: HTMLElement; updateBw: BandwidthUpdater } | undefined;
  private buttons: Record<string, HTMLElement> = {};
  private frame = 0;
  /** The last ranking at the user's settings, keyed by them; `full` once the sensitivity search ran too. */
  private engine: { key: string; full: boolean; report: AdvisorReport } | undefined;
  private sensitivityTimer: ReturnType<typeof setTimeout> | undefined;
  /** Crossovers last computed; shown while a slider moves and the search has not re-run yet. */
  private lastSensitivity: SensitivityPoint[] = [];

  constructor(root: HTMLElement, private s: PanelState) {
    this.palette = readPalette();
    applyChartDefaults(this.palette);
    clear(root);
    this.el = {
      header: h('header', { class: 'header' }),
      toolbar: h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Actions' }),
      progress: h('section', { id: 'progress', 'data-testid': 'progress', class: 'progress', 'aria-live': 'polite' }),
      job: h('div', { id: 'job-state', 'data-testid': 'job-state', class: 'job-state', role: 'status' }),
      body: h('div', { class: 'body' }),
    };
    root.append(this.el.header, this.el.toolbar, this.el.progress, this.el.job, this.el.body);
    this.renderAll();
    // VS Code swaps body classes on theme change; chart colours are read from the new variables.
    new MutationObserver(() => this.onThemeChange()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  handle(m: ToWebview): void {
    switch (m.type) {
      case 'showReport':
        this.engine = undefined;
        this.lastSensitivity = m.report.sensitivity;
        // The host replays the same report whenever the panel is shown again: keep the user's what-if.
        if (this.s.report && sameRun(this.s.report, m.report)) this.s = { ...this.s, report: m.report, cached: m.cached };
        else this.s = { ...this.s, report: m.report, cached: m.cached, bandwidths: undefined, budget: undefined };
        this.renderAll();
        break;
      case 'progress':
        this.s = { ...this.s, progress: m.progress, job: this.s.job?.state === 'running' ? this.s.job : { state: 'running' } };
        this.renderStatus();
        break;
      case 'jobState':
        this.s = { ...this.s, job: { state: m.state, message: m.message }, progress: m.state === 'running' ? this.s.progress : undefined };
        this.renderStatus();
        break;
      case 'setBandwidth':
        this.setBandwidth(m.link, m.mbps);
        break;
      case 'capabilities':
        this.s = { ...this.s, canRun: m.canRun, runBlockedReason: m.reason };
        this.renderStatus();
        break;
    }
    saveState(this.s);
  }

  // -------------------------------------------------------------------------------------------

  private derive(): Derived | undefined {
    const original = this.s.report;
    if (!original) return undefined;
    const rec = reportBandwidths(original);
    const bw = this.s.bandwidths ?? rec;
    const budget = this.s.budget ?? original.maxAccuracyDrop;
    const recorded = budget === original.maxAccuracyDrop && bw['mobile-edge'] === rec['mobile-edge'] && bw['edge-cloud'] === rec['edge-cloud'];
    let report = original;
    let pick = recordedPick(original);
    if (!recorded) {
      const key = `${bw['mobile-edge']}|${bw['edge-cloud']}|${budget}`;
      if (this.engine?.key !== key) {
        this.engine = { key, full: false, report: rank(original, { mbps: bw, maxAccuracyDrop: budget, sensitivity: false }) };
        this.scheduleSensitivity(key, bw, budget);
      }
      report = this.engine.report;
      pick = recordedPick(report);
    }
    if (recorded || this.engine?.full) this.lastSensitivity = report.sensitivity;
    return { report, bw, budget, recorded, live: liveRows(report, bw, budget), pick };
  }

  private scheduleSensitivity(key: string, bw: SliderBandwidths, budget: number): void {
    clearTimeout(this.sensitivityTimer);
    this.sensitivityTimer = setTimeout(() => {
      const original = this.s.report;
      if (!original || this.engine?.key !== key) return;
      this.engine = { key, full: true, report: rank(original, { mbps: bw, maxAccuracyDrop: budget }) };
      this.renderLive();
    }, SENSITIVITY_DEBOUNCE_MS);
  }

  private crossovers(): Record<LinkId, SensitivityPoint['crossovers']> {
    const r = { ...(this.s.report as AdvisorReport), sensitivity: this.lastSensitivity };
    return { 'mobile-edge': crossoversOnSlider(r, 'mobile-edge'), 'edge-cloud': crossoversOnSlider(r, 'edge-cloud') };
  }

  private renderAll(): void {
    this.renderHeader();
    this.renderToolbar();
    this.renderStatus();
    this.renderBody();
  }

  private renderHeader(): void {
    const r = this.s.report;
    clear(this.el.header);
    this.el.header.append(
      h('h1', {}, r ? `Deployment advice — ${r.model.name}` : 'Deployment advice'),
      r ? h('p', { class: 'muted' },
        `${r.tiers.name} tiers · ${r.metric === 'agreement' ? 'agreement with float (no labels)' : r.metric} · ${r.results.length} configurations`,
        this.s.cached ? ' · ' : '', this.s.cached ? badge('cached') : '',
        r.provisional ? ' · ' : '', r.provisional ? h('span', { 'data-testid': 'provisional' }, badge('provisional: still measuring')) : '') : '',
      // tiers measured on a device (issue 17): which machine, with its facts on hover
      ...(r ? deviceBadges(r.tiers).map((d) => h('p', { class: 'muted device-line', 'data-testid': `device-${d.tier}`, title: d.title },
        h('span', { class: 'badge device-badge' }, d.label), d.line)) : []),
      // where the samples came from, how they were preprocessed, what a request uploads and costs to decode
      ...(r ? dataLines(r.data).map((line) => h('p', { class: 'muted', 'data-testid': 'data-summary' }, line)) : []),
    );
  }

  private renderToolbar(): void {
    clear(this.el.toolbar);
    const b = (id: string, label: string, onClick: () => void, title?: string, secondary = true) => {
      const el = button({ id, label, onClick, title, secondary });
      this.buttons[id] = el;
      return el;
    };
    const budget = this.s.budget ?? this.s.report?.maxAccuracyDrop ?? 1;
    const options = [...new Set([...BUDGETS, budget])].sort((x, y) => x - y)
      .map((v) => ({ value: String(v), label: `Budget ${v} pts` }));
    this.el.toolbar.append(
      b('btn-rerun', 'Re-run', () => post({ type: 'rerun' }), 'Benchmark again with the current settings', false),
      b('btn-cancel', 'Cancel', () => post({ type: 'cancel' }), 'Stop the running job'),
      dropdown('budget', 'Accuracy budget (max drop, points)', options, String(budget), (v) => this.setBudget(Number(v))),
      b('btn-export-md', 'Export Markdown', () => this.exportReport('md')),
      b('btn-export-csv', 'CSV', () => this.exportReport('csv'), 'Export the results table as CSV'),
      b('btn-export-json', 'JSON', () => this.exportReport('json'), 'Export the full report as JSON'),
      b('btn-reveal', 'Reveal files', () => this.revealPick(), 'Reveal the recommended configuration’s model files'),
      b('btn-open-log', 'Log', () => post({ type: 'openLog' }), 'Show the runner log'),
    );
  }

  private renderStatus(): void {
    const running = this.s.job?.state === 'running';
    renderProgress(this.el.progress, running, this.s.progress);
    renderJobState(this.el.job, this.s.job, this.s.report?.results.length ?? 0, () => post({ type: 'openLog' }));
    if (!this.s.canRun) {
      this.el.job.hidden = false;
      this.el.job.append(h('p', { class: 'muted', 'data-testid': 'run-blocked' }, this.s.runBlockedReason ?? 'Running is disabled here.'));
    }
    const has = this.s.report !== undefined;
    const set = (id: string, disabled: boolean) => { const e = this.buttons[id]; if (e) setDisabled(e, disabled); };
    set('btn-rerun', running || !this.s.canRun);
    set('btn-cancel', !running);
    for (const id of ['btn-export-md', 'btn-export-csv', 'btn-export-json', 'btn-reveal']) set(id, !has);
  }

  private renderBody(): void {
    for (const c of Object.values(this.chartsLive)) c?.destroy();
    this.chartsLive = {};
    this.bodyParts = undefined;
    clear(this.el.body);
    const d = this.derive();
    if (!d) {
      this.el.body.append(h('p', { class: 'muted empty' }, this.s.job?.state === 'running'
        ? 'The first rows appear here as soon as they are measured, in a few seconds; the pick is provisional until the run ends.'
        : 'No results yet. Run “Recommend deployment” on an .onnx file.'));
      return;
    }
    // Rows measured elsewhere carry no transfers: nothing for a slider to re-price.
    const priceable = d.report.results.some((r) => (r.transfers?.length ?? 0) > 0);
    const card = h('section', { id: 'recommendation-card', 'data-testid': 'recommendation-card', class: 'card', 'aria-label': 'Recommendation' });
    const bwSection = h('div', { class: 'bandwidth', id: 'bandwidth' });
    const gridWrap = h('div', { class: 'grid-wrap' });
    const canvas = (id: string, label: string) => h('canvas', { id: `${id}-chart`, 'data-testid': `${id}-chart`, role: 'img', 'aria-label': label });
    const scatterCanvas = canvas('scatter', 'Scatter plot of median latency against accuracy drop for every configuration');
    const latencyCanvas = canvas('latency', 'Median latency per placement, compute and transfer, with 95% confidence intervals');
    const pngButton = (chart: ChartId) => button({ id: `btn-export-png-${chart}`, label: 'PNG', secondary: true, title: 'Export this chart as PNG', onClick: () => this.exportChart(chart) });
    const section = (title: string, chart: ChartId | null, ...content: Node[]) =>
      h('section', { class: 'section' }, h('div', { class: 'section-head' }, h('h2', {}, title), chart ? pngButton(chart) : null), ...content);

    this.el.body.append(
      card,
      section('Network bandwidth (what-if)', null, h('p', { class: 'muted' }, priceable
        ? 'Move a slider to re-price every transfer and re-pick live; compute times stay as measured.'
        : d.report.sensitivityNote ?? 'These results carry no network transfers (measured elsewhere), so bandwidth cannot be re-priced.'), bwSection),
      section('Latency vs accuracy drop', 'scatter', h('div', { class: 'chart chart-scatter' }, scatterCanvas),
        h('p', { class: 'muted legend-note' }, 'Marker shape = placement (● Mobile, ▲ Edge, ■ Cloud, ◆ Mobile→Edge, ✕ Edge→Cloud). Hollow = over the accuracy budget or does not fit. Dashed line = Pareto front; ring = recommended.')),
      section('Latency per placement', 'latency', h('div', { class: 'chart chart-latency' }, latencyCanvas),
        h('p', { class: 'muted legend-note' }, 'Solid = compute, pale = network transfer; whiskers = 95% CI of the median.')),
      section('All configurations', null, gridWrap),
    );
    const q = d.report.quantization;
    if (q && q.layers.length > 0) {
      const sqnrCanvas = canvas('sqnr', 'Per-layer signal-to-quantization-noise ratio of the SPTQ model');
      const box = h('div', { class: 'chart chart-sqnr' }, sqnrCanvas);
      box.style.height = `${Math.max(160, q.layers.length * 24 + 60)}px`;
      const notes = [
        q.layerSamples !== undefined ? `SQNR over ${q.layerSamples} sample(s).` : '',
        q.fusionShare !== undefined ? `${Math.round(q.fusionShare * 100)}% of Conv/MatMul/Gemm run as integer kernels.` : '',
        q.synthetic ? 'Calibrated on synthetic inputs: ranges may not match real data.' : '',
      ].filter(Boolean).join(' ');
      this.el.body.append(section('Quantization error per layer (SPTQ)', 'sqnr', box, notes ? h('p', { class: 'muted' }, notes) : h('span')));
      this.chartsLive.sqnr = sqnrChart(sqnrCanvas);
      this.chartsLive.sqnr.render({ layers: q.layers }, this.palette);
    }
    this.el.body.append(this.footer(d.report));
    this.chartsLive.scatter = scatterChart(scatterCanvas);
    this.chartsLive.latency = latencyChart(latencyCanvas);
    const updateBw = renderBandwidth(bwSection, {
      bandwidths: d.bw,
      recorded: reportBandwidths(this.s.report as AdvisorReport),
      rttMs: { 'mobile-edge': d.report.tiers.links['mobile-edge'].rttMs, 'edge-cloud': d.report.tiers.links['edge-cloud'].rttMs },
      measured: measuredOf(d.report),
      crossovers: this.crossovers(),
      sensitivity: d.report.sensitivity,
      onChange: (link, mbps) => this.setBandwidth(link, mbps),
      onReset: () => { this.s = { ...this.s, bandwidths: undefined }; this.scheduleLive(); },
    });
    if (!priceable) for (const input of bwSection.querySelectorAll('input')) input.disabled = true;
    this.bodyParts = { card, grid: gridWrap, updateBw };
    this.renderLive();
  }

  private footer(r: AdvisorReport): HTMLElement {
    const e = r.environment;
    const missing = (r.missing ?? []).map((m) => h('li', {}, `${m.operator}: ${m.hint}`));
    return h('footer', { class: 'footer muted' },
      missing.length ? h('div', {}, h('strong', {}, 'Variants not provided'), h('ul', {}, ...missing)) : null,
      h('p', {}, r.tiers.description),
      h('p', {}, `Measured on ${e.host}${e.cpuModel ? ` (${e.cpuModel}, ${e.cpus} CPUs)` : ''} · Node ${e.node}${e.onnxruntime ? ` · onnxruntime ${e.onnxruntime}` : ''} · advisor ${e.advisor} · ${e.date}`),
    );
  }

  /** Re-renders what depends on bandwidth, budget and sort: card, charts, grid, slider marks. */
  private renderLive(): void {
    const d = this.derive();
    const parts = this.bodyParts;
    if (!d || !parts) return;
    renderCard(parts.card, { report: d.report, pick: d.pick, recorded: d.recorded, bw: d.bw, budget: d.budget });
    this.chartsLive.scatter?.render({ rows: d.live, pareto: d.report.pareto, pick: d.pick, budget: d.budget }, this.palette);
    this.chartsLive.latency?.render({ rows: d.live }, this.palette);
    renderGrid(parts.grid, {
      rows: sortRows(d.live, this.s.sort), sort: this.s.sort, pick: d.pick,
      onSort: (key: SortKey) => this.setSort(key),
      onReveal: (path) => post({ type: 'revealFile', path }),
    });
    // While the search is pending (sensitivity empty), the marks stay as last computed.
    parts.updateBw(d.bw, this.crossovers(), d.report.sensitivity, d.recorded);
  }

  private scheduleLive(): void {
    saveState(this.s);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderLive(); });
  }

  private setBandwidth(link: LinkId, mbps: number): void {
    if (!this.s.report) return;
    const bw = { ...(this.s.bandwidths ?? reportBandwidths(this.s.report)), [link]: mbps };
    this.s = { ...this.s, bandwidths: bw };
    this.scheduleLive();
  }

  private setBudget(points: number): void {
    if (!Number.isFinite(points) || points < 0) return;
    this.s = { ...this.s, budget: points };
    post({ type: 'rememberBudget', maxAccuracyDrop: points });
    this.scheduleLive();
  }

  private setSort(key: SortKey): void {
    this.s = { ...this.s, sort: nextSort(this.s.sort, key) };
    this.scheduleLive();
    // Keep keyboard focus on the header that was activated.
    requestAnimationFrame(() => (document.querySelector(`#results-grid [data-sort="${key}"]`) as HTMLElement | null)?.focus());
  }

  /** The host ranks the recorded report at exactly these settings: the file says what the panel shows. */
  private exportReport(format: 'md' | 'csv' | 'json'): void {
    const d = this.derive();
    if (!d) return;
    post({ type: 'export', format, settings: { maxAccuracyDrop: d.budget, mbps: { ...d.bw } } });
  }

  private exportChart(chart: ChartId): void {
    const dataUrl = this.chartsLive[chart]?.png();
    if (dataUrl) post({ type: 'export', format: 'png', chart, dataUrl });
  }

  private revealPick(): void {
    const d = this.derive();
    const path = (d?.pick !== undefined ? d.report.results[d.pick]?.modelPaths?.[0] : undefined) ?? d?.report.model.path;
    if (path) post({ type: 'revealFile', path });
  }

  private onThemeChange(): void {
    this.palette = readPalette();
    applyChartDefaults(this.palette);
    // Chart.js caches resolved colours: rebuild the charts with the new palette.
    if (this.s.report) this.renderBody();
  }
}
