/**
 * Colours for the canvas charts, read from VS Code's theme variables (Chart.js cannot use CSS
 * variables directly). Re-read when the theme changes (VS Code swaps the body class).
 */
import type { OperatorId } from '../src/core/results';

export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  highlight: string;
  warning: string;
  error: string;
  operator: Record<OperatorId, string>;
  fontFamily: string;
  fontSize: number;
  highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readPalette(): Palette {
  const s = getComputedStyle(document.documentElement);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const fg = cssVar(s, '--vscode-editor-foreground', cssVar(s, '--vscode-foreground', dark ? '#cccccc' : '#333333'));
  const c = (name: string, fb: string) => cssVar(s, `--vscode-charts-${name}`, fb);
  const blue = c('blue', '#3794ff');
  const red = c('red', '#f14c4c');
  const green = c('green', '#89d185');
  const yellow = c('yellow', '#cca700');
  const orange = c('orange', '#d18616');
  const purple = c('purple', '#b180d7');
  const lines = c('lines', dark ? 'rgba(204,204,204,0.5)' : 'rgba(51,51,51,0.5)');
  return {
    foreground: fg,
    muted: cssVar(s, '--vscode-descriptionForeground', fg),
    background: cssVar(s, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    grid: cssVar(s, '--vscode-editorWidget-border', lines),
    highlight: cssVar(s, '--vscode-focusBorder', blue),
    warning: cssVar(s, '--vscode-editorWarning-foreground', orange),
    error: cssVar(s, '--vscode-errorForeground', red),
    operator: {
      // Six theme colours for eight operators: the two partitions only ever share a chart group
      // with each other (Mobile→Edge), and have their own marker shape in the scatter.
      identity: c('foreground', fg), sptq: blue, partition: orange, 'sptq-partition': lines,
      distilled: green, pruned: purple, qat: red, dsptq: yellow,
    },
    fontFamily: cssVar(s, '--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.parseFloat(cssVar(s, '--vscode-font-size', '13')) || 13,
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** `color` at `alpha` opacity; handles #rgb/#rrggbb and rgb()/rgba(), else returns it unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color.trim());
  if (hex) {
    const d = hex[1].length === 3 ? hex[1].split('').map((x) => x + x).join('') : hex[1];
    const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(d.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(color.trim());
  if (rgb) {
    const [r, g, b] = rgb[1].split(/[\s,/]+/).filter(Boolean);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
