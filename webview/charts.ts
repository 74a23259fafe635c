/**
 * The panel's three charts on Chart.js 4, bundled and registered piece by piece (tree-shaken, no
 * CDN, no eval). Small inline plugins draw what Chart.js lacks: point labels, CI whiskers, the
 * budget line and an opaque background so exported PNGs match the theme.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { ChartConfiguration, ChartDataset, ChartType, Plugin, PointStyle, TooltipItem } from 'chart.js';
import { PLACEMENTS } from '../src/core/results';
import type { OperatorId, PlacementId } from '../src/core/results';
import { configLabel, fmtMs, fmtPoints, operatorLabel, placementLabel } from './model';
import type { LiveRow } from './model';
import type { Palette } from './theme';
import { withAlpha } from './theme';

Chart.register(
  ScatterController, LineController, BarController, LinearScale, LogarithmicScale, CategoryScale,
  PointElement, LineElement, BarElement, Tooltip, Legend,
);

export function applyChartDefaults(p: Palette): void {
  Chart.defaults.color = p.foreground;
  Chart.defaults.borderColor = withAlpha(p.grid, 0.35);
  Chart.defaults.font.family = p.fontFamily;
  Chart.defaults.font.size = Math.max(11, p.fontSize - 1);
  Chart.defaults.animation = false; // live slider updates redraw immediately
}

type Built<TType extends ChartType> = Pick<ChartConfiguration<TType>, 'data' | 'options'>;

/** A chart whose data is rebuilt from an input; plugins read the latest input through `get`. */
export class ManagedChart<TType extends ChartType, TInput> {
  private chart: Chart<TType> | undefined;
  private input: TInput | undefined;
  private palette: Palette | undefined;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly type: TType,
    private readonly build: (input: TInput, p: Palette) => Built<TType>,
    private readonly plugins: (get: () => { input: TInput; p: Palette } | undefined) => Plugin<TType>[] = () => [],
  ) {}

  render(input: TInput, p: Palette): void {
    this.input = input;
    this.palette = p;
    const { data, options } = this.build(input, p);
    if (!this.chart) {
      const get = () => (this.input !== undefined && this.palette ? { input: this.input, p: this.palette } : undefined);
      this.chart = new Chart<TType>(this.canvas, { type: this.type, data, options, plugins: [background(get), ...this.plugins(get)] });
    } else {
      this.chart.data = data;
      if (options) this.chart.options = options;
      this.chart.update('none');
    }
    this.canvas.dataset.rendered = 'true';
  }

  /** The chart as a PNG data URL (theme background included). */
  png(): string | undefined {
    return this.chart?.toBase64Image('image/png', 1);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}

function background<T extends ChartType>(get: () => { p: Palette } | undefined): Plugin<T> {
  return {
    id: 'themeBackground',
    beforeDraw(chart) {
      const s = get();
      if (!s) return;
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = s.p.background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

const PLACEMENT_STYLE: Record<PlacementId, PointStyle> = {
  mobile: 'circle', edge: 'triangle', cloud: 'rect', 'mobile-edge': 'rectRot', 'edge-cloud': 'crossRot',
};

function shortLabel(r: LiveRow): string {
  return `${operatorLabel(r.row.operator)} ${placementLabel(r.row.placement)}`;
}

// ---------------------------------------------------------------------------------------------
// Scatter: latency (log) vs accuracy drop.

export interface ScatterInput {
  rows: LiveRow[];
  /** Indexes into report.results. */
  pareto: number[];
  pick: number | undefined;
  budget: number;
}

interface Pt { x: number; y: number; r: LiveRow }

function scatterBuild(input: ScatterInput, p: Palette): Built<'scatter'> {
  const placed = input.rows.filter((r) => r.drop !== undefined && r.latency.median > 0);
  const ops = [...new Set(placed.map((r) => r.row.operator))];
  const datasets: ChartDataset<'scatter', Pt[]>[] = ops.map((op) => {
    const rows = placed.filter((r) => r.row.operator === op);
    const colour = p.operator[op];
    return {
      label: operatorLabel(op),
      data: rows.map((r) => ({ x: r.latency.median, y: r.drop as number, r })),
      pointStyle: rows.map((r) => PLACEMENT_STYLE[r.row.placement]),
      // Infeasible (over budget, does not fit) points are hollow.
      backgroundColor: rows.map((r) => (r.feasible ? colour : 'transparent')),
      borderColor: colour,
      borderWidth: 2,
      pointRadius: 5,
      pointHoverRadius: 7,
      order: 1,
    };
  });
  const front = input.pareto
    .map((i) => placed.find((r) => r.index === i))
    .filter((r): r is LiveRow => r !== undefined)
    .sort((a, b) => a.latency.median - b.latency.median);
  if (front.length > 1) {
    datasets.push({
      type: 'line' as never,
      label: 'Pareto front',
      data: front.map((r) => ({ x: r.latency.median, y: r.drop as number, r })),
      borderColor: withAlpha(p.muted, 0.8),
      backgroundColor: 'transparent',
      borderDash: [5, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      showLine: true,
      order: 2,
    } as ChartDataset<'scatter', Pt[]>);
  }
  const pick = placed.find((r) => r.index === input.pick);
  if (pick) {
    datasets.push({
      label: 'Recommended',
      data: [{ x: pick.latency.median, y: pick.drop as number, r: pick }],
      pointStyle: 'circle',
      pointRadius: 11,
      pointHoverRadius: 11,
      borderWidth: 3,
      borderColor: p.highlight,
      backgroundColor: 'transparent',
      order: 0,
    });
  }
  const drops = placed.map((r) => r.drop as number);
  const lat = placed.map((r) => r.latency.median);
  return {
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      layout: { padding: { right: 12, top: 4 } },
      scales: {
        x: {
          type: 'logarithmic',
          title: { display: true, text: 'Median latency, ms (log scale)' },
          ticks: { callback: logTick },
          // Room around the extremes so edge markers and their labels are not clipped.
          ...(lat.length ? { min: Math.min(...lat) / 1.3, max: Math.max(...lat) * 1.3 } : {}),
        },
        y: {
          type: 'linear',
          title: { display: true, text: 'Accuracy drop, points' },
          suggestedMin: Math.min(0, ...drops) - 0.2,
          suggestedMax: Math.max(input.budget, ...drops) + 0.3,
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => {
              const r = (item.raw as Pt).r;
              const why = r.doesNotFit ? ' — does not fit' : r.overBudget ? ' — over budget' : '';
              return `${configLabel(r.row)}: ${fmtMs(r.latency.median)}, drop ${fmtPoints(r.drop)}${why}`;
            },
          },
        },
      },
    },
  };
}

function logTick(value: string | number): string | undefined {
  const v = Number(value);
  const e = Math.log10(v);
  const m = v / 10 ** Math.floor(e);
  // Label 1, 2 and 5 of each decade only: readable at half width.
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6) ? String(Number(v.toPrecision(2))) : undefined;
}

function scatterPlugins(get: () => { input: ScatterInput; p: Palette } | undefined): Plugin<'scatter'>[] {
  const budgetLine: Plugin<'scatter'> = {
    id: 'budgetLine',
    beforeDatasetsDraw(chart) {
      const s = get();
      if (!s) return;
      const { ctx, chartArea, scales } = chart;
      const y = scales.y.getPixelForValue(s.input.budget);
      if (y < chartArea.top || y > chartArea.bottom) return;
      ctx.save();
      ctx.strokeStyle = withAlpha(s.p.warning, 0.9);
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = s.p.warning;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(`budget ${s.input.budget} pts`, chartArea.right - 4, y - 2);
      ctx.restore();
    },
  };
  const labels: Plugin<'scatter'> = {
    id: 'pointLabels',
    afterDatasetsDraw(chart) {
      const s = get();
      if (!s) return;
      const { ctx, chartArea } = chart;
      const pts: Array<{ x: number; y: number; r: LiveRow; prio: number }> = [];
      chart.data.datasets.forEach((ds, di) => {
        if (ds.label === 'Pareto front' || ds.label === 'Recommended') return;
        const meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach((el, i) => {
          const r = (ds.data[i] as Pt).r;
          const prio = r.index === s.input.pick ? 0 : s.input.pareto.includes(r.index) ? 1 : r.feasible ? 2 : 3;
          pts.push({ x: el.x, y: el.y, r, prio });
        });
      });
      pts.sort((a, b) => a.prio - b.prio);
      ctx.save();
      ctx.font = `${Math.max(10, s.p.fontSize - 2)}px ${s.p.fontFamily}`;
      ctx.textBaseline = 'middle';
      // Every point is an obstacle, so labels never cover markers; greedy placement skips the rest.
      const taken: Array<[number, number, number, number]> = pts.map((q) => [q.x - 6, q.y - 6, q.x + 6, q.y + 6]);
      const overlaps = (b: [number, number, number, number]) =>
        taken.some((t) => b[0] < t[2] && b[2] > t[0] && b[1] < t[3] && b[3] > t[1]);
      for (const q of pts) {
        const text = shortLabel(q.r);
        const w = ctx.measureText(text).width;
        const hgt = 12;
        // Right, below-right, left, below-left, above; far enough to clear the marker itself.
        const spots: Array<[number, number]> = [[q.x + 9, q.y - 9], [q.x + 9, q.y + 9], [q.x - 9 - w, q.y - 9], [q.x - 9 - w, q.y + 9], [q.x - w / 2, q.y - 18]];
        for (const [x, y] of spots) {
          const box: [number, number, number, number] = [x - 2, y - hgt / 2, x + w + 2, y + hgt / 2];
          if (box[0] < chartArea.left || box[2] > chartArea.right || box[1] < chartArea.top || box[3] > chartArea.bottom || overlaps(box)) continue;
          taken.push(box);
          ctx.fillStyle = q.prio <= 1 ? s.p.foreground : s.p.muted;
          ctx.fillText(text, x, y);
          break;
        }
      }
      ctx.restore();
    },
  };
  return [budgetLine, labels];
}

export const scatterChart = (canvas: HTMLCanvasElement) =>
  new ManagedChart<'scatter', ScatterInput>(canvas, 'scatter', scatterBuild, scatterPlugins);

// ---------------------------------------------------------------------------------------------
// Latency per placement: grouped by operator, each bar stacked compute + transfer, CI whisker on top.

export interface LatencyInput {
  rows: LiveRow[];
}

interface BarMeta { op: OperatorId; part: 'compute' | 'transfer'; rows: Array<LiveRow | undefined> }

function latencyCategories(rows: LiveRow[]): PlacementId[] {
  return PLACEMENTS.filter((pl) => rows.some((r) => r.row.placement === pl));
}

function useLogScale(rows: LiveRow[]): boolean {
  const v = rows.map((r) => r.latency.median).filter((x) => x > 0);
  return v.length > 0 && Math.max(...v) / Math.min(...v) > 30;
}

function latencyBuild(input: LatencyInput, p: Palette): Built<'bar'> {
  const cats = latencyCategories(input.rows);
  const ops = [...new Set(input.rows.map((r) => r.row.operator))];
  const datasets: Array<ChartDataset<'bar', Array<number | null>> & { meta: BarMeta }> = [];
  for (const op of ops) {
    const rows = cats.map((pl) => input.rows.find((r) => r.row.operator === op && r.row.placement === pl));
    const colour = p.operator[op];
    datasets.push({
      label: operatorLabel(op),
      data: rows.map((r) => (r ? r.computeMs : null)),
      backgroundColor: withAlpha(colour, 0.85),
      borderColor: colour,
      borderWidth: 1,
      stack: op,
      meta: { op, part: 'compute', rows },
    });
    datasets.push({
      label: `${operatorLabel(op)} transfer`,
      data: rows.map((r) => (r ? r.transferMs : null)),
      backgroundColor: withAlpha(colour, 0.3),
      borderColor: colour,
      borderWidth: 1,
      stack: op,
      meta: { op, part: 'transfer', rows },
    });
  }
  const log = useLogScale(input.rows);
  const smallest = Math.min(...input.rows.map((r) => Math.min(r.computeMs, r.latency.median)).filter((v) => v > 0));
  return {
    data: { labels: cats.map(placementLabel), datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      skipNull: true, // operators missing at a placement leave no gap in its group
      scales: {
        x: { stacked: true },
        y: {
          stacked: true,
          type: log ? 'logarithmic' : 'linear',
          title: { display: true, text: `Median latency, ms${log ? ' (log scale)' : ''}` },
          // On a log axis bars grow from the axis minimum: start a decade below the smallest so it shows.
          ...(log ? { ticks: { callback: logTick }, min: 10 ** Math.floor(Math.log10(smallest / 1.5)) } : { beginAtZero: true }),
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 10, filter: (item) => !String(item.text).endsWith(' transfer') },
        },
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<'bar'>) => {
              const m = (item.dataset as unknown as { meta: BarMeta }).meta;
              const r = m.rows[item.dataIndex];
              if (!r) return '';
              return m.part === 'compute'
                ? `${configLabel(r.row)}: compute ${fmtMs(r.computeMs)}`
                : `${configLabel(r.row)}: transfer ${fmtMs(r.transferMs)} (total ${fmtMs(r.latency.median)}, 95% CI ${fmtMs(r.latency.ciLow)}–${fmtMs(r.latency.ciHigh)})`;
            },
          },
        },
      },
    },
  };
}

function latencyPlugins(get: () => { input: LatencyInput; p: Palette } | undefined): Plugin<'bar'>[] {
  return [{
    id: 'ciWhiskers',
    afterDatasetsDraw(chart) {
      const s = get();
      if (!s) return;
      const { ctx, scales } = chart;
      ctx.save();
      ctx.strokeStyle = s.p.foreground;
      ctx.lineWidth = 1.5;
      chart.data.datasets.forEach((ds, di) => {
        const m = (ds as unknown as { meta?: BarMeta }).meta;
        if (!m || m.part !== 'transfer' || chart.getDatasetMeta(di).hidden) return;
        chart.getDatasetMeta(di).data.forEach((el, i) => {
          const r = m.rows[i];
          if (!r || r.latency.ciLow === undefined || r.latency.ciHigh === undefined) return;
          const bar = el as unknown as { x: number; width: number };
          const y1 = scales.y.getPixelForValue(r.latency.ciLow);
          const y2 = scales.y.getPixelForValue(r.latency.ciHigh);
          const cap = Math.max(3, Math.min(8, bar.width * 0.3));
          ctx.beginPath();
          ctx.moveTo(bar.x, y1); ctx.lineTo(bar.x, y2);
          ctx.moveTo(bar.x - cap, y1); ctx.lineTo(bar.x + cap, y1);
          ctx.moveTo(bar.x - cap, y2); ctx.lineTo(bar.x + cap, y2);
          ctx.stroke();
        });
      });
      ctx.restore();
    },
  }];
}

export const latencyChart = (canvas: HTMLCanvasElement) =>
  new ManagedChart<'bar', LatencyInput>(canvas, 'bar', latencyBuild, latencyPlugins);

// ---------------------------------------------------------------------------------------------
// Per-layer SQNR of the SPTQ model.

export interface SqnrInput {
  layers: Array<{ tensor: string; sqnrDb: number }>;
}

/** Below this SQNR a layer's quantization noise is worth a look (about 3 significant bits lost). */
export const SQNR_WARN_DB = 20;

function shortTensor(name: string): string {
  return name.length <= 30 ? name : `…${name.slice(-29)}`;
}

function sqnrBuild(input: SqnrInput, p: Palette): Built<'bar'> {
  return {
    data: {
      labels: input.layers.map((l) => shortTensor(l.tensor)),
      datasets: [{
        label: 'SQNR (dB)',
        data: input.layers.map((l) => l.sqnrDb),
        backgroundColor: input.layers.map((l) => withAlpha(l.sqnrDb < SQNR_WARN_DB ? p.warning : p.operator.sptq, 0.8)),
        borderColor: input.layers.map((l) => (l.sqnrDb < SQNR_WARN_DB ? p.warning : p.operator.sptq)),
        borderWidth: 1,
      }],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { beginAtZero: true, title: { display: true, text: 'SQNR vs float, dB (higher is better)' } },
        y: { ticks: { autoSkip: false } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => input.layers[items[0]?.dataIndex ?? 0]?.tensor ?? '' } },
      },
    },
  };
}

export const sqnrChart = (canvas: HTMLCanvasElement) => new ManagedChart<'bar', SqnrInput>(canvas, 'bar', sqnrBuild);
