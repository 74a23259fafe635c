/** Per-layer SQNR of the SPTQ model, with the 20 dB line below which a layer is worth a look. */
import type { Palette } from '../theme';
import { withAlpha } from '../theme';
import { ManagedChart, type Built } from './managed';

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
