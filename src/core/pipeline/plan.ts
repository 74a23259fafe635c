/**
 * The run's plan as the user sees it from the first second: every operator the run will build and
 * measure, on which placements, how far each is, and the time the whole run should take — an
 * estimate that improves as operators are built (the benchmark's share is its fixed budget).
 */
import type { OperatorId, PlacementId } from '../results';
import type { AdvisorRequest, PlanState, RunPlan } from './types';

const SINGLE: PlacementId[] = ['mobile', 'edge', 'cloud'];
const SPLIT: PlacementId[] = ['mobile-edge', 'edge-cloud'];
/** Assumed time to build (and check) one black-box operator before any was timed, ms. */
const DEFAULT_BUILD_MS = 4000;

export class Planner {
  private readonly plan: RunPlan;
  private readonly started = Date.now();
  private buildMs: number[] = [];

  constructor(req: AdvisorRequest, model: string, operators: OperatorId[], private readonly budgetMs: number) {
    const want = (op: OperatorId) => !req.operators || req.operators.includes(op);
    const placements = (op: OperatorId) => (op === 'partition' || op === 'sptq-partition' ? SPLIT : SINGLE)
      .filter((p) => !req.placements || req.placements.includes(p));
    this.plan = {
      model, tiers: req.tiers.name, configurations: 0, estimatedSeconds: 0,
      operators: operators.filter(want).map((operator) => ({ operator, placements: placements(operator), state: 'waiting' as PlanState }))
        .filter((o) => o.placements.length > 0),
    };
    this.update();
  }

  set(op: OperatorId, state: PlanState, note?: string): void {
    const o = this.plan.operators.find((x) => x.operator === op);
    if (!o) return;
    o.state = state;
    if (note) o.note = note;
    else delete o.note;
  }

  /** Records how long building one operator took, for the estimate. */
  built(ms: number): void {
    this.buildMs.push(ms);
  }

  configurations(n: number): void {
    this.plan.configurations = n;
  }

  /** Time still to go, ms: operators not built yet, then what is left of the benchmark budget. */
  remainingMs(budgetLeftMs: number): number {
    const toBuild = this.plan.operators.filter((o) => o.state === 'waiting' || o.state === 'building').length;
    const per = this.buildMs.length ? this.buildMs.reduce((a, b) => a + b, 0) / this.buildMs.length : DEFAULT_BUILD_MS;
    return toBuild * per + budgetLeftMs;
  }

  update(budgetLeftMs = this.budgetMs): RunPlan {
    this.plan.estimatedSeconds = Math.round((Date.now() - this.started + this.remainingMs(budgetLeftMs)) / 1000);
    return structuredClone(this.plan);
  }
}
