/** The sortable table of every measured configuration. */
import type { ResultFlag } from '../../src/core/results';
import { clear, h } from '../dom';
import { configLabel, roundSig } from '../model';
import type { LiveRow, SortKey, SortState } from '../model';
import { dataGrid, gridCell, gridRow } from '../toolkit';

const COLUMNS: Array<{ key: SortKey | null; label: string; title: string }> = [
  { key: 'config', label: 'Configuration', title: 'Operator @ placement' },
  { key: 'median', label: 'Median ms', title: 'Median end-to-end latency (transfers at the chosen bandwidths)' },
  { key: 'p95', label: 'p95 ms', title: '95th percentile latency' },
  { key: 'ci', label: '95% CI ms', title: 'Confidence interval of the median (sorted by its width)' },
  { key: 'coldStart', label: 'Cold start ms', title: 'Session creation plus first run' },
  { key: 'accuracy', label: 'Acc. %', title: 'Accuracy on the labelled data (or agreement with the float model)' },
  { key: 'drop', label: 'Drop pts', title: 'Accuracy drop vs the baseline, points' },
  { key: 'flags', label: 'Flags', title: 'Caveats on this measurement' },
  { key: null, label: '', title: 'Reveal the model files' },
];

const FLAG_TEXT: Record<ResultFlag, string> = {
  extrapolated: 'extrapolated',
  doesNotFit: 'does not fit',
  syntheticCalibration: 'synthetic calibration',
  lowFusionCoverage: 'low fusion coverage',
  outliers: 'outliers',
  ciNotReached: 'CI not reached',
  acceleratorNotEmulated: 'accelerator not emulated',
  fidelityOnly: 'fidelity only',
  estimated: 'estimated',
  notProvided: 'not provided',
};

export interface GridInput {
  rows: LiveRow[];
  sort: SortState;
  pick: number | undefined;
  onSort: (key: SortKey) => void;
  onReveal: (path: string) => void;
}

export function renderGrid(container: HTMLElement, g: GridInput): void {
  clear(container);
  const grid = dataGrid('results-grid', 'minmax(10em, 1.7fr) minmax(4.5em, 0.8fr) minmax(4.5em, 0.8fr) minmax(7.5em, 1.3fr) minmax(4.5em, 0.8fr) minmax(4em, 0.7fr) minmax(4.5em, 0.8fr) minmax(8em, 1.6fr) 2.5em', 'All measured configurations');
  const head = gridRow(true);
  COLUMNS.forEach((c, i) => {
    const cell = gridCell(i + 1, true, c.label);
    cell.title = c.title;
    if (c.key) {
      const key = c.key;
      cell.classList.add('sortable');
      cell.dataset.sort = key;
      cell.setAttribute('aria-sort', g.sort.key === key ? (g.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      if (g.sort.key === key) cell.append(g.sort.dir === 'asc' ? ' ▲' : ' ▼');
      cell.addEventListener('click', () => g.onSort(key));
      cell.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); g.onSort(key); }
      });
    }
    head.append(cell);
  });
  grid.append(head);
  for (const r of g.rows) {
    const row = gridRow(false);
    row.dataset.testid = 'result-row';
    row.dataset.config = `${r.row.operator}@${r.row.placement}`;
    if (r.index === g.pick) row.classList.add('picked');
    if (!r.feasible) row.classList.add('infeasible');
    const l = r.latency;
    const flags = [...r.row.flags.map((f) => FLAG_TEXT[f])];
    const dropText = r.drop === undefined ? '—' : `${r.drop.toFixed(2)}${r.overBudget ? ' ⚠' : ''}`;
    const cells: Array<string | Node> = [
      configLabel(r.row) + (r.index === g.pick ? ' ★' : ''),
      num(l.median),
      num(l.p95),
      l.ciLow !== undefined && l.ciHigh !== undefined ? `${num(l.ciLow)}–${num(l.ciHigh)}` : '—',
      num(r.row.coldStartMs),
      r.row.accuracy !== undefined ? r.row.accuracy.toFixed(2) : '—',
      dropText,
      flags.length ? h('span', { class: 'flags' }, ...flags.map((f) => h('span', { class: 'flag' }, f))) : '',
      revealButton(r, g.onReveal),
    ];
    cells.forEach((c, i) => {
      const cell = gridCell(i + 1, false, c);
      if (i === 6 && r.overBudget) cell.title = 'Over the accuracy budget';
      if (i === 3 && r.row.sampling?.measuredRelHalfWidth != null) {
        cell.title = `Includes the uncertainty of the extrapolation to the tier's cores; the measurement it is scaled from is ±${(100 * r.row.sampling.measuredRelHalfWidth).toFixed(1)}%`;
      }
      row.append(cell);
    });
    grid.append(row);
  }
  container.append(grid);
}

/** Milliseconds, 3 significant digits, unit in the header. */
function num(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : String(roundSig(v, 3));
}

function revealButton(r: LiveRow, onReveal: (path: string) => void): Node | string {
  const path = r.row.modelPaths?.[0];
  if (!path) return '';
  const b = h('button', { class: 'icon-button', title: `Reveal ${path}`, 'aria-label': `Reveal model file of ${configLabel(r.row)}` }, '↗');
  b.addEventListener('click', () => onReveal(path));
  return b;
}
