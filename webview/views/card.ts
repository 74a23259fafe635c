/** The recommendation card: the pick, its numbers with CIs, the reasons, and the study's view. */
import type { AdvisorReport } from '../../src/core/results';
import { clear, h } from '../dom';
import { configLabel, fmtMs, fmtPoints, fmtSpeedup, sameConfig, speedup } from '../model';
import type { LiveRow } from '../model';

export interface CardInput {
  report: AdvisorReport;
  pick: LiveRow | undefined;
  baseline: LiveRow | undefined;
  /** Bandwidths and budget are the recorded ones: the engine's pick and rationale apply. */
  recorded: boolean;
  budget: number;
  tied: LiveRow[];
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
  const { pick } = c;
  if (!pick) {
    const reason = c.recorded && c.report.noRecommendationReason
      ? c.report.noRecommendationReason
      : `No measured configuration is within the ${c.budget}-point accuracy budget and fits its tier. Raise the budget or add data/labels.`;
    el.dataset.state = 'none';
    el.append(h('h2', {}, 'No recommendation'), h('p', { 'data-testid': 'no-recommendation-reason' }, reason));
    return;
  }
  // The engine weighs confidence intervals; when it and the live pick agree, its words apply.
  const engineAgrees = rec !== null && c.recorded && sameConfig(rec, pick.row);
  el.dataset.state = engineAgrees ? 'recorded' : 'live';
  const sp = c.baseline && c.baseline !== pick ? speedup(c.baseline.latency, pick.latency) : undefined;
  const dropCi = pick.row.accuracyDropCi;
  el.append(
    h('div', { class: 'card-eyebrow' }, engineAgrees ? 'Recommended deployment' : 'Recommended at the chosen bandwidth and budget (live estimate)'),
    h('h2', { 'data-testid': 'rec-config' }, configLabel(pick.row)),
    h('div', { class: 'metrics' },
      metric('rec-latency', 'Median latency', fmtMs(pick.latency.median), ci(pick.latency.ciLow, pick.latency.ciHigh, (v) => fmtMs(v))),
      sp && c.baseline
        ? metric('rec-speedup', `Speed-up vs ${configLabel(c.baseline.row)}`, fmtSpeedup({ value: sp.value }), sp.low !== undefined && sp.high !== undefined ? `95% CI ${sp.low.toFixed(2)}× – ${sp.high.toFixed(2)}×` : undefined)
        : metric('rec-speedup', 'Speed-up', '1× (this is the baseline)'),
      metric('rec-drop', 'Accuracy drop', fmtPoints(pick.drop), dropCi ? ci(dropCi[0], dropCi[1], (v) => v.toFixed(2)) : undefined),
    ),
  );
  if (c.tied.length > 0) {
    el.append(h('p', { class: 'muted', 'data-testid': 'rec-tied' },
      `Not significantly different (CIs overlap): ${c.tied.map((t) => configLabel(t.row)).join(', ')}.`));
  }
  if (engineAgrees && rec) {
    el.append(h('ul', { class: 'rationale', 'data-testid': 'rec-rationale' }, ...rec.rationale.map((s) => h('li', {}, s))));
  } else {
    el.append(h('p', { class: 'muted' },
      'Transfers re-priced for the chosen bandwidths (compute times are as measured); the fastest configuration within the budget is shown.'
      + (rec ? ` The engine recommended ${configLabel(rec)} at the recorded settings.` : '')));
  }
  if (rec && rec.studyFindings.length > 0) {
    el.append(
      h('h3', {}, 'What the study found'),
      h('ul', { class: 'findings', 'data-testid': 'rec-findings' }, ...rec.studyFindings.map((s) =>
        h('li', { class: /^(disagrees|differs)/i.test(s) ? 'differs' : /^agrees/i.test(s) ? 'agrees' : '' }, s))),
    );
  }
}
