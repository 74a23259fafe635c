/**
 * Latency against accuracy drop, one point per configuration: shape = placement, hollow = over the
 * budget or does not fit, the Pareto front dashed, the pick ringed, labels drawn by a small plugin.
 */
import type { ChartDataset, Plugin, PointStyle, TooltipItem } from 'chart.js';
import type { PlacementId } from '../../src/core/results';
import { configLabel, fmtMs, fmtPoints, operatorLabel, placementLabel } from '../model';
import type { LiveRow } from '../model';
import type { Palette } from '../theme';
import { withAlpha } from '../theme';
import { logTick, ManagedChart, type Built } from './managed';

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
