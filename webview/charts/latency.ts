/** Median latency per placement, compute and transfer stacked, with 95% CI whiskers. */
import type { ChartDataset, Plugin, TooltipItem } from 'chart.js';
import { PLACEMENTS } from '../../src/core/results';
import type { OperatorId, PlacementId } from '../../src/core/results';
import { configLabel, fmtMs, operatorLabel, placementLabel } from '../model';
import type { LiveRow } from '../model';
import type { Palette } from '../theme';
import { withAlpha } from '../theme';
import { logTick, ManagedChart, type Built } from './managed';

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
