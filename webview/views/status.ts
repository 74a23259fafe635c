/** The running job's progress bar and the job state line. */
import type { PanelJobState } from '../../src/core/protocol/panel';
import type { AdvisorProgress } from '../../src/core/pipeline/types';
import { clear, h } from '../dom';
import { configLabel, operatorLabel } from '../model';
import { progressRing } from '../toolkit';

function eta(s: number): string {
  if (s < 60) return `about ${Math.max(1, Math.round(s))} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

export function renderProgress(el: HTMLElement, running: boolean, p: AdvisorProgress | undefined): void {
  clear(el);
  el.hidden = !running;
  if (!running) return;
  const pct = Math.round(Math.min(1, Math.max(0, p?.fraction ?? 0)) * 100);
  const bar = h('div', { class: 'bar-fill' });
  bar.style.width = `${pct}%`; // CSSOM, allowed by the CSP
  const current = p?.current
    ? p.current.placement ? configLabel({ operator: p.current.operator, placement: p.current.placement }) : operatorLabel(p.current.operator)
    : undefined;
  const text = [p?.message ?? 'Starting…', current, `${pct}%`, p?.etaSeconds !== undefined ? eta(p.etaSeconds) : undefined]
    .filter(Boolean).join(' · ');
  el.append(
    h('div', { class: 'progress-line' }, progressRing(), h('span', { 'data-testid': 'progress-text' }, text)),
    h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-label': 'Job progress' }, bar),
  );
}

const STATE_TEXT: Record<PanelJobState, string> = {
  running: 'Running',
  done: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function renderJobState(el: HTMLElement, job: { state: PanelJobState; message?: string } | undefined, results: number, onOpenLog: () => void): void {
  clear(el);
  // While running, the progress bar says it all.
  el.hidden = !job || job.state === 'running' || (job.state === 'done' && !job.message);
  if (!job) return;
  el.dataset.state = job.state;
  let text = job.message ?? '';
  // a cancelled run reports nothing new: what is shown is the last completed report, if any
  if (job.state === 'cancelled' && !text) text = results ? `Showing the last completed results (${results} configuration${results === 1 ? '' : 's'}).` : 'No results yet.';
  el.append(h('strong', {}, STATE_TEXT[job.state]), text ? ` — ${text}` : '');
  if (job.state === 'failed') {
    const b = h('button', { class: 'text-button', id: 'btn-show-log', 'data-testid': 'btn-show-log' }, 'Show log');
    b.addEventListener('click', onOpenLog);
    el.append(' ', b);
  }
}
