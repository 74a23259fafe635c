/** Human names and number formats shared by the rationale, the study table and the reports. */
import type { Metric, OperatorId, PlacementId } from './results';
import type { LinkId } from './tiers/types';

export const OPERATOR_LABELS: Readonly<Record<OperatorId, string>> = Object.freeze({
  identity: 'Identity', sptq: 'SPTQ', partition: 'Partition', 'sptq-partition': 'SPTQ-Partition',
  distilled: 'Distilled', pruned: 'Pruned', qat: 'QAT', dsptq: 'DSPTQ',
});

export const PLACEMENT_LABELS: Readonly<Record<PlacementId, string>> = Object.freeze({
  mobile: 'Mobile', edge: 'Edge', cloud: 'Cloud', 'mobile-edge': 'Mobile-Edge', 'edge-cloud': 'Edge-Cloud',
});

export const METRIC_LABELS: Readonly<Record<Metric, string>> = Object.freeze({ top1: 'top-1', f1: 'F1', miou: 'mIoU', agreement: 'top-1 agreement' });

export const LINK_LABELS: Readonly<Record<LinkId, string>> = Object.freeze({ 'mobile-edge': 'Mobile↔Edge', 'edge-cloud': 'Edge↔Cloud' });

/** "Edge DSPTQ", the way the study names a configuration. */
export function configLabel(c: { operator: OperatorId; placement: PlacementId }): string {
  return `${PLACEMENT_LABELS[c.placement]} ${OPERATOR_LABELS[c.operator]}`;
}

/** Three significant figures, without exponent notation for ordinary magnitudes. */
export function sig3(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6));
}

/** Milliseconds as "98.0 ms" or, from a second up, "2.10 s". */
export function formatMs(ms: number): string {
  return Math.abs(ms) >= 1000 ? `${sig3(ms / 1000)} s` : `${sig3(ms)} ms`;
}

/** Accuracy points with two decimals ("1.34"); negative drops are gains. */
export function formatPoints(p: number): string {
  return (Math.abs(p) < 0.005 ? 0 : p).toFixed(2);
}

/** p-values the way papers print them. */
export function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}
