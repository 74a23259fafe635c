/**
 * Chart.js 4 for the panel, bundled and registered piece by piece (tree-shaken, no CDN, no eval),
 * and the one wrapper every chart uses: data rebuilt from an input, plugins reading the latest
 * input, an opaque background so exported PNGs match the theme.
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
import type { ChartConfiguration, ChartType, Plugin } from 'chart.js';
import type { Palette } from '../theme';
import { withAlpha } from '../theme';

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

export type Built<TType extends ChartType> = Pick<ChartConfiguration<TType>, 'data' | 'options'>;

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

/** Tick labels of a log axis: 1, 2 and 5 of each decade only, readable at half width. */
export function logTick(value: string | number): string | undefined {
  const v = Number(value);
  const e = Math.log10(v);
  const m = v / 10 ** Math.floor(e);
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6) ? String(Number(v.toPrecision(2))) : undefined;
}
