/**
 * The study's "small" and "medium" accuracy drop, in points. The paper classes drops by Cliff's δ
 * over its pooled accuracy values, not by points; these bounds are read off its own numbers
 * (paper-facts §5.2, drops vs Identity on CPU):
 * - SPTQ 0.16–0.87 and QAT −0.26–1.53 points were "small" (δ 0.185 and 0.22);
 * - Pruned 1.17–2.42, Distilled 0.86–2.49 and DSPTQ 1.34–3.31 points were "medium" (δ ≈ 0.33),
 *   the range behind "DSPTQ ... at small to medium accuracy drop" (arXiv 2411.00907).
 * So: small ≤ 2.0 points, medium ≤ 3.5 points, large above.
 */
export type DropClass = 'none' | 'small' | 'medium' | 'large';

export const SMALL_DROP_MAX = 2.0;
export const MEDIUM_DROP_MAX = 3.5;

/**
 * Default accuracy budget: the top of "small". Conservative on purpose: the study's DSPTQ/Distilled
 * advice accepts medium drops (up to 3.31 points); pass `maxAccuracyDrop: MEDIUM_DROP_MAX` (CLI
 * `--max-accuracy-drop 3.5`) to accept what the study accepted. The rationale names faster
 * configurations the budget left out, so the user sees what a larger budget would buy.
 */
export const DEFAULT_MAX_ACCURACY_DROP = SMALL_DROP_MAX;

export function dropClass(points: number): DropClass {
  if (points <= 0) return 'none';
  if (points <= SMALL_DROP_MAX) return 'small';
  if (points <= MEDIUM_DROP_MAX) return 'medium';
  return 'large';
}
