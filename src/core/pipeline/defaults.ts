/**
 * Defaults the CLI and the extension share, so the same model gives the same run from either.
 * (package.json's `edgeAdvisor.budgetSeconds` default repeats this value; a test keeps them equal.)
 */

/** Time budget for benchmarking one model in `recommend` / the extension's run, seconds. */
export const DEFAULT_BUDGET_SECONDS = 60;
