/** One log-scale slider per network link, with the crossover points where the pick changes. */
import type { SensitivityPoint } from '../../src/core/results';
import type { LinkId } from '../../src/core/tiers/types';
import { clear, h } from '../dom';
import { configLabel, fmtMbps, mbpsToSlider, SLIDER_STEPS, sliderToMbps } from '../model';
import type { SliderBandwidths } from '../model';

type Crossover = SensitivityPoint['crossovers'][number];

const LINK_LABELS: Record<LinkId, string> = { 'mobile-edge': 'Mobile ↔ Edge', 'edge-cloud': 'Edge ↔ Cloud' };

export interface BandwidthInput {
  bandwidths: SliderBandwidths;
  recorded: SliderBandwidths;
  rttMs: Record<LinkId, number>;
  /** Links measured between two machines (a device at one end): the measured and the assumed figures. */
  measured: Partial<Record<LinkId, { text: string; title: string }>>;
  /** Crossovers per link: from the report's sensitivity analysis, or computed here when absent. */
  crossovers: Record<LinkId, Crossover[]>;
  /** The engine's analysis (its summaries are shown under each slider). */
  sensitivity: SensitivityPoint[];
  onChange: (link: LinkId, mbps: number) => void;
  onReset: () => void;
}

function drawMarks(ticks: HTMLElement, summaryEl: HTMLElement, crossovers: Crossover[], recorded: number, sens: SensitivityPoint | undefined, recordedSettings: boolean, rttMs: number): void {
  clear(ticks);
  for (const c of crossovers) {
    const t = h('span', { class: 'bw-crossover', 'data-testid': 'bw-crossover', title: `${fmtMbps(c.mbps)}: ${configLabel(c.below)} below, ${configLabel(c.above)} above` });
    t.style.left = `${(mbpsToSlider(c.mbps) / SLIDER_STEPS) * 100}%`; // CSSOM, allowed by the CSP
    ticks.append(t);
  }
  const rec = h('span', { class: 'bw-recorded', title: `Recorded: ${fmtMbps(recorded)}` });
  rec.style.left = `${(mbpsToSlider(recorded) / SLIDER_STEPS) * 100}%`;
  ticks.append(rec);
  const marks = crossovers.map((c) => `▲ ${fmtMbps(c.mbps)}: ${configLabel(c.below)} below, ${configLabel(c.above)} above.`).join(' ');
  // The engine words its summary for the recorded bandwidths; after a move, say it plainly.
  // No analysis yet (a slider just moved; the search runs when it rests): marks only.
  const summary = !sens ? '' : recordedSettings ? sens.summary
    : crossovers.length === 0 ? 'At these settings no bandwidth between 0.1 and 1000 Mbit/s changes the pick on this link.' : '';
  summaryEl.textContent = [marks, summary, `RTT ${rttMs} ms.`].filter(Boolean).join(' ');
}

/** `recordedSettings`: bandwidths and budget are the report's own (its summaries apply as written). */
export type BandwidthUpdater = (bw: SliderBandwidths, crossovers: Record<LinkId, Crossover[]>, sensitivity: SensitivityPoint[], recordedSettings: boolean) => void;

/**
 * Builds the sliders once per report; returns an updater for labels, positions and crossover
 * marks, so the range inputs keep keyboard focus while the user moves them.
 */
export function renderBandwidth(el: HTMLElement, b: BandwidthInput): BandwidthUpdater {
  clear(el);
  const parts: Partial<Record<LinkId, { value: HTMLElement; input: HTMLInputElement; ticks: HTMLElement; summary: HTMLElement }>> = {};
  for (const link of ['mobile-edge', 'edge-cloud'] as const) {
    const id = `bw-${link}`;
    const input = h('input', {
      type: 'range', id, min: '0', max: String(SLIDER_STEPS), step: '1',
      value: String(mbpsToSlider(b.bandwidths[link])), 'data-testid': id,
      'aria-describedby': `${id}-summary`,
    });
    input.addEventListener('input', () => b.onChange(link, sliderToMbps(Number(input.value))));
    const value = h('span', { class: 'bw-value', id: `${id}-value` });
    const ticks = h('div', { class: 'bw-ticks', 'aria-hidden': 'true' });
    const summary = h('p', { class: 'muted bw-summary', id: `${id}-summary`, 'aria-live': 'polite' });
    parts[link] = { value, input, ticks, summary };
    const m = b.measured[link];
    el.append(h('div', { class: 'bw-link' },
      h('label', { for: id }, h('span', { class: 'bw-name' }, LINK_LABELS[link]), value),
      m ? h('p', { class: 'muted bw-measured', 'data-testid': `bw-measured-${link}`, title: m.title }, m.text) : null,
      h('div', { class: 'bw-track' }, input, ticks),
      h('div', { class: 'bw-scale', 'aria-hidden': 'true' }, h('span', {}, '0.1'), h('span', {}, '1'), h('span', {}, '10'), h('span', {}, '100'), h('span', {}, '1000')),
      summary,
    ));
  }
  const reset = h('button', { class: 'text-button', id: 'btn-reset-bandwidth', 'data-testid': 'btn-reset-bandwidth' }, 'Reset to recorded bandwidths');
  reset.addEventListener('click', b.onReset);
  el.append(reset);
  const update: BandwidthUpdater = (bw, crossovers, sensitivity, recordedSettings) => {
    for (const link of ['mobile-edge', 'edge-cloud'] as const) {
      const p = parts[link]!;
      const changed = Math.abs(bw[link] - b.recorded[link]) > 1e-9;
      p.value.textContent = `${fmtMbps(bw[link])}${changed ? ` (recorded ${fmtMbps(b.recorded[link])})` : ''}`;
      const pos = String(mbpsToSlider(bw[link]));
      if (p.input.value !== pos) p.input.value = pos;
      p.input.setAttribute('aria-valuetext', fmtMbps(bw[link]));
      drawMarks(p.ticks, p.summary, crossovers[link], b.recorded[link], sensitivity.find((s) => s.link === link), recordedSettings, b.rttMs[link]);
    }
    reset.hidden = !(['mobile-edge', 'edge-cloud'] as const).some((l) => Math.abs(bw[l] - b.recorded[l]) > 1e-9);
  };
  update(b.bandwidths, b.crossovers, b.sensitivity, true);
  return update;
}
