/** The recommendation card: the pick, its numbers with CIs, the engine's reasons, and the study's view. */
import type { AdvisorReport, ResultRow } from '../../src/core/results';
import { clear, h } from '../dom';
import { configLabel, fmtMbps, fmtMs, fmtPoints, fmtTimes, recommendationSpeedup } from '../model';
import type { SliderBandwidths } from '../model';

export interface CardInput {
  /** The recorded report, or the engine's re-run at the chosen settings. */
  report: AdvisorReport;
  pick: number | undefined;
  /** Bandwidths and budget are the recorded ones. */
  recorded: boolean;
  bw: SliderBandwidths;
  budget: number;
}

function metric(testid: string, label: string, value: string, detail?: string): HTMLElement {
  return h('div', { class: 'metric', 'data-testid': testid },
    h('div', { class: 'metric-label' }, label),
    h('div', { class: 'metric-value' }, value),
    detail ? h('div', { class: 'metric-detail' }, detail) : null);
}

function ci(lo: number | undefined, hi: number | undefined, fmt: (v: number) => string): string | undefined {
  return lo !== undefined && hi !== undefined ? `95% CI ${fmt(lo)} – ${fmt(hi)}` : undefined;
}

export function renderCard(el: HTMLElement, c: CardInput): void {
  clear(el);
  const rec = c.report.recommendation;
  const row: ResultRow | undefined = c.pick !== undefined ? c.report.results[c.pick] : undefined;
  const settings = `at ${fmtMbps(c.bw['mobile-edge'])} Mobile↔Edge, ${fmtMbps(c.bw['edge-cloud'])} Edge↔Cloud and a ${c.budget}-point budget`;
  el.dataset.state = rec && row ? (c.recorded ? 'recorded' : 'live') : 'none';
  if (!rec || !row) {
    el.append(
      h('div', { class: 'card-eyebrow' }, c.recorded ? 'No recommendation' : `No recommendation ${settings}`),
      h('h2', {}, 'No configuration qualifies'),
      h('p', { 'data-testid': 'no-recommendation-reason' }, c.report.noRecommendationReason ?? 'Nothing measured is within the accuracy budget and fits its tier.'),
    );
    appendExcluded(el, c.report);
    return;
  }
  const sp = recommendationSpeedup(c.report, c.pick);
  const dropCi = rec.accuracyDropCi ?? row.accuracyDropCi;
  el.append(
    h('div', { class: 'card-eyebrow' }, c.recorded ? 'Recommended deployment' : `Recommended ${settings} (re-priced, not re-measured)`),
    h('h2', { 'data-testid': 'rec-config' }, configLabel(rec)),
    h('div', { class: 'metrics' },
      metric('rec-latency', 'Median latency', fmtMs(row.latencyMs.median), ci(row.latencyMs.ciLow, row.latencyMs.ciHigh, (v) => fmtMs(v))),
      sp
        ? metric('rec-speedup', `Speed-up vs ${configLabel(sp.vs)}`, fmtTimes(sp.ratio), ci(sp.ciLow, sp.ciHigh, fmtTimes))
        : metric('rec-speedup', 'Speed-up', '1× (this is the baseline)'),
      metric('rec-drop', 'Accuracy drop', fmtPoints(rec.accuracyDrop), dropCi ? ci(dropCi[0], dropCi[1], (v) => v.toFixed(2)) : undefined),
    ),
  );
  if (rec.tiedWith.length > 0) {
    el.append(h('p', { class: 'muted', 'data-testid': 'rec-tied' },
      `Not significantly different in latency: ${rec.tiedWith.map(configLabel).join(', ')}.`));
  }
  el.append(h('ul', { class: 'rationale', 'data-testid': 'rec-rationale' }, ...rec.rationale.map((s) => h('li', {}, s))));
  if (rec.studyFindings.length > 0) {
    const agree = rec.studyFindings.filter((f) => /^agrees/i.test(f)).length;
    const list = h('ul', { class: 'findings', 'data-testid': 'rec-findings' }, ...rec.studyFindings.map((s) =>
      h('li', { class: /^(disagrees|differs)/i.test(s) ? 'differs' : /^agrees/i.test(s) ? 'agrees' : '' }, s)));
    // A long list would push the charts out of view: fold it, with the tally in the summary.
    el.append(h('details', { class: 'findings-box', open: rec.studyFindings.length <= 4 },
      h('summary', {}, h('strong', {}, 'What the study found'),
        ` — ${rec.studyFindings.length} finding${rec.studyFindings.length === 1 ? '' : 's'}: ${agree} agree, ${rec.studyFindings.length - agree} disagree`),
      list));
  }
  appendExcluded(el, c.report);
}

/** Why the other configurations were not eligible, folded away. */
function appendExcluded(el: HTMLElement, r: AdvisorReport): void {
  const ex = r.excluded ?? [];
  if (ex.length === 0) return;
  el.append(h('details', { class: 'excluded' },
    h('summary', {}, `${ex.length} configuration${ex.length === 1 ? '' : 's'} not eligible`),
    h('ul', {}, ...ex.map((e) => h('li', {}, e.reason)))));
}
