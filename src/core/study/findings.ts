/**
 * The study's findings as a frozen table: what each says, where it applies, and how to tell from a
 * result set whether the measurements agree. Findings come from the abstracts of the white-box
 * (arXiv 2411.00907) and black-box (arXiv 2403.17154) papers and from the white-box replication data
 * (paper-facts §1, §5, §6).
 */
import type { Modality, OperatorId, PlacementId, ResultRow } from '../results';
import { configLabel, formatMs, formatPoints, PLACEMENT_LABELS, sig3 } from '../labels';
import { compareLatency } from '../stats/rowLatency';
import { MEDIUM_DROP_MAX, SMALL_DROP_MAX, type DropClass } from './accuracyClasses';
import { BLACK_BOX_PAPER, WHITE_BOX_PAPER } from './ranges';

export interface FindingContext {
  /** Result rows with `accuracyDrop` filled in. */
  rows: readonly ResultRow[];
  modality: Modality;
  /** The recommended row, if any. */
  pick: ResultRow | null;
  maxAccuracyDrop: number;
}

export type Verdict = 'agrees' | 'disagrees';

export interface Judgement {
  verdict: Verdict;
  /** The numbers behind the verdict, as a clause ("here Edge DSPTQ (1.10 s) ..."). */
  evidence: string;
}

export interface StudyFinding {
  id: string;
  arxiv: readonly string[];
  text: string;
  /** Where the finding speaks: operators, placements, modality, accuracy-drop class of the budget. */
  appliesTo: { operators?: readonly OperatorId[]; placements?: readonly PlacementId[]; modality?: readonly Modality[]; dropClass?: readonly DropClass[] };
  /** Null when these results cannot speak to the finding (rows missing, other modality). */
  judge(ctx: FindingContext): Judgement | null;
}

const NON_HYBRID: readonly OperatorId[] = ['identity', 'sptq', 'qat', 'pruned', 'distilled'];

function measured(r: ResultRow): boolean {
  return !r.flags.includes('notProvided') && !r.flags.includes('doesNotFit') && r.latencyMs.median > 0;
}

/** The fastest measured row matching both lists (and, optionally, at most `maxDrop` points lost). */
function fastest(rows: readonly ResultRow[], operators: readonly OperatorId[], placements: readonly PlacementId[], maxDrop = Infinity): ResultRow | undefined {
  return rows
    .filter((r) => measured(r) && operators.includes(r.operator) && placements.includes(r.placement) && (r.accuracyDrop ?? Infinity) <= maxDrop)
    .sort((a, b) => a.latencyMs.median - b.latencyMs.median)[0];
}

const at = (r: ResultRow) => `${configLabel(r)} (${formatMs(r.latencyMs.median)})`;

/** "a is faster than b" in the study's sense: lower median and not a statistical tie. */
function clearlyFaster(a: ResultRow, b: ResultRow): boolean {
  return a.latencyMs.median < b.latencyMs.median && !compareLatency(a, b).tied;
}

function tierPreference(tier: PlacementId, modality: Modality): (ctx: FindingContext) => Judgement | null {
  return ({ modality: m, pick, rows, maxAccuracyDrop }) => {
    if (m !== modality || !pick) return null;
    if (pick.placement === tier) return { verdict: 'agrees', evidence: `here the pick is ${at(pick)}` };
    const best = fastest(rows, ['identity', 'sptq', 'qat', 'pruned', 'distilled', 'dsptq'], [tier], maxAccuracyDrop);
    return {
      verdict: 'disagrees',
      evidence: `here the pick is ${at(pick)}` + (best ? `; the fastest ${PLACEMENT_LABELS[tier]} configuration within the budget is ${at(best)}` : '') +
        ' (link bandwidth and tier speed decide this; see the bandwidth sensitivity)',
    };
  };
}

export const STUDY_FINDINGS: readonly StudyFinding[] = Object.freeze([
  {
    id: 'dsptq-edge',
    arxiv: [WHITE_BOX_PAPER],
    text: 'DSPTQ (distillation + SPTQ) should be preferred over non-hybrid operators when lower latency is required on the Edge at a small to medium accuracy drop',
    appliesTo: { operators: ['dsptq'], placements: ['edge'], dropClass: ['small', 'medium'] },
    judge: ({ rows, maxAccuracyDrop }) => {
      const d = fastest(rows, ['dsptq'], ['edge'], MEDIUM_DROP_MAX);
      const other = fastest(rows, NON_HYBRID, ['edge']);
      if (!d || !other) return null;
      const budget = d.accuracyDrop! > maxAccuracyDrop ? `; its ${formatPoints(d.accuracyDrop!)}-point drop is outside the ${maxAccuracyDrop}-point budget` : '';
      return clearlyFaster(d, other)
        ? { verdict: 'agrees', evidence: `here ${at(d)} is faster than the fastest non-hybrid Edge operator, ${at(other)}${budget}` }
        : { verdict: 'disagrees', evidence: `here ${at(d)} is not faster than ${at(other)}` };
    },
  },
  {
    id: 'distilled-best-single',
    arxiv: [WHITE_BOX_PAPER],
    text: 'among the non-hybrid operators, Distilled is the better alternative on both Mobile and Edge for lower latency, at the cost of a small to medium accuracy loss',
    appliesTo: { operators: ['distilled'], placements: ['mobile', 'edge'] },
    judge: ({ rows }) => {
      const tiers = (['mobile', 'edge'] as const).flatMap((t) => {
        const d = fastest(rows, ['distilled'], [t]);
        const other = fastest(rows, NON_HYBRID.filter((o) => o !== 'distilled'), [t]);
        return d && other ? [{ d, other, ok: clearlyFaster(d, other) }] : [];
      });
      if (tiers.length === 0) return null;
      const bad = tiers.find((t) => !t.ok);
      return bad
        ? { verdict: 'disagrees', evidence: `here ${at(bad.d)} is not faster than ${at(bad.other)}` }
        : { verdict: 'agrees', evidence: `here ${tiers.map((t) => `${at(t.d)} beats ${at(t.other)}`).join(', and ')}` };
    },
  },
  {
    id: 'distillation-beats-partition',
    arxiv: [WHITE_BOX_PAPER],
    text: 'operators involving distillation show lower latency on the resource-constrained tiers (Mobile, Edge) than operators involving partitioning across Mobile and Edge',
    appliesTo: { operators: ['distilled', 'dsptq', 'partition', 'sptq-partition'], placements: ['mobile', 'edge', 'mobile-edge'] },
    judge: ({ rows }) => {
      const part = fastest(rows, ['partition', 'sptq-partition'], ['mobile-edge']);
      if (!part) return null;
      const tiers = (['mobile', 'edge'] as const).flatMap((t) => {
        const d = fastest(rows, ['distilled', 'dsptq'], [t]);
        return d ? [{ d, ok: clearlyFaster(d, part) }] : [];
      });
      if (tiers.length === 0) return null;
      const bad = tiers.find((t) => !t.ok);
      return bad
        ? { verdict: 'disagrees', evidence: `here ${at(bad.d)} is not faster than ${at(part)}` }
        : { verdict: 'agrees', evidence: `here ${tiers.map((t) => at(t.d)).join(' and ')} beat the fastest partition, ${at(part)}` };
    },
  },
  {
    id: 'text-cloud',
    arxiv: [WHITE_BOX_PAPER, BLACK_BOX_PAPER],
    text: 'for text models, whose inputs are small, the Cloud tier is a better alternative than Mobile, Edge or Mobile-Edge',
    appliesTo: { modality: ['text'], placements: ['cloud'] },
    judge: tierPreference('cloud', 'text'),
  },
  {
    id: 'image-edge',
    arxiv: [WHITE_BOX_PAPER, BLACK_BOX_PAPER],
    text: 'for image models, whose inputs are large, the Edge tier is a better alternative than Mobile, Cloud or partitioning',
    appliesTo: { modality: ['image'], placements: ['edge'] },
    judge: tierPreference('edge', 'image'),
  },
  {
    id: 'pruned-no-speedup',
    arxiv: [WHITE_BOX_PAPER],
    text: 'Pruned models (fine-grained sparsity exported as a dense ONNX graph) ran at the Identity latency on every tier: onnxruntime\'s dense CPU kernels gain nothing from zeros',
    appliesTo: { operators: ['pruned'] },
    judge: ({ rows }) => {
      const pairs = (['mobile', 'edge', 'cloud'] as const).flatMap((t) => {
        const p = fastest(rows, ['pruned'], [t]);
        const i = fastest(rows, ['identity'], [t]);
        return p && i ? [{ p, i, ratio: i.latencyMs.median / p.latencyMs.median }] : [];
      });
      if (pairs.length === 0) return null;
      const fast = pairs.find((x) => x.ratio > 1.1 && clearlyFaster(x.p, x.i));
      return fast
        ? { verdict: 'disagrees', evidence: `here ${at(fast.p)} is ${sig3(fast.ratio)}× faster than ${at(fast.i)}` }
        : { verdict: 'agrees', evidence: `here Identity ÷ Pruned latency is ${pairs.map((x) => `${sig3(x.ratio)} on ${PLACEMENT_LABELS[x.p.placement]}`).join(', ')}` };
    },
  },
  {
    id: 'sptq-over-qat',
    arxiv: [WHITE_BOX_PAPER],
    text: 'SPTQ was faster than QAT on every tier and model, with no significant difference in accuracy',
    appliesTo: { operators: ['sptq', 'qat'] },
    judge: ({ rows }) => {
      const pairs = (['mobile', 'edge', 'cloud'] as const).flatMap((t) => {
        const s = fastest(rows, ['sptq'], [t]);
        const q = fastest(rows, ['qat'], [t]);
        return s && q ? [{ s, q }] : [];
      });
      if (pairs.length === 0) return null;
      const bad = pairs.find((x) => clearlyFaster(x.q, x.s));
      return bad
        ? { verdict: 'disagrees', evidence: `here ${at(bad.q)} is faster than ${at(bad.s)}` }
        : { verdict: 'agrees', evidence: `here QAT is not faster than SPTQ on ${pairs.map((x) => PLACEMENT_LABELS[x.s.placement]).join(', ')}` };
    },
  },
  {
    id: 'sptq-edge-accuracy',
    arxiv: [BLACK_BOX_PAPER],
    text: 'when minimizing accuracy loss is the concern, quantization (SPTQ) alone on the Edge should be preferred over partitioning (on Mobile-Edge) and hybrid operators',
    appliesTo: { operators: ['sptq'], placements: ['edge'], dropClass: ['none', 'small'] },
    judge: ({ rows, maxAccuracyDrop }) => {
      if (maxAccuracyDrop > SMALL_DROP_MAX) return null;
      const s = fastest(rows, ['sptq'], ['edge']);
      if (!s || s.accuracyDrop === undefined) return null;
      const part = fastest(rows, ['partition', 'sptq-partition'], ['mobile-edge']);
      const vs = part ? ` against ${at(part)}` : '';
      return s.accuracyDrop <= SMALL_DROP_MAX
        ? { verdict: 'agrees', evidence: `here ${at(s)} loses ${formatPoints(s.accuracyDrop)} points${vs}` }
        : { verdict: 'disagrees', evidence: `here ${at(s)} loses ${formatPoints(s.accuracyDrop)} points, more than a small drop` };
    },
  },
  {
    id: 'partition-over-mobile',
    arxiv: [BLACK_BOX_PAPER],
    text: 'when the mobile device is CPU/RAM constrained, partitioning across Mobile and Edge is preferred over running on Mobile',
    appliesTo: { operators: ['partition', 'sptq-partition', 'identity', 'sptq'], placements: ['mobile', 'mobile-edge'] },
    judge: ({ rows }) => {
      const pairs = ([['partition', 'identity'], ['sptq-partition', 'sptq']] as const).flatMap(([p, s]) => {
        const pr = fastest(rows, [p], ['mobile-edge']);
        const sr = fastest(rows, [s], ['mobile']);
        return pr && sr ? [{ pr, sr }] : [];
      });
      if (pairs.length === 0) return null;
      const bad = pairs.find((x) => !clearlyFaster(x.pr, x.sr));
      return bad
        ? { verdict: 'disagrees', evidence: `here ${at(bad.pr)} is not faster than ${at(bad.sr)}` }
        : { verdict: 'agrees', evidence: `here ${pairs.map((x) => `${at(x.pr)} beats ${at(x.sr)}`).join(', and ')}` };
    },
  },
] satisfies StudyFinding[]);

export interface FindingVerdict {
  id: string;
  arxiv: readonly string[];
  verdict: Verdict;
  finding: string;
  evidence: string;
  /** Whether the finding is about the recommended operator or placement. */
  aboutPick: boolean;
}

/** Every finding the results can speak to, those about the pick first. */
export function judgeFindings(ctx: FindingContext): FindingVerdict[] {
  const out = STUDY_FINDINGS.flatMap((f) => {
    const j = f.judge(ctx);
    if (!j) return [];
    const p = ctx.pick;
    const aboutPick = !!p && (f.appliesTo.operators?.includes(p.operator) ?? true) && (f.appliesTo.placements?.includes(p.placement) ?? true);
    return [{ id: f.id, arxiv: f.arxiv, verdict: j.verdict, finding: f.text, evidence: j.evidence, aboutPick }];
  });
  return [...out.filter((v) => v.aboutPick), ...out.filter((v) => !v.aboutPick)];
}

/** `Agrees with the study (arXiv 2411.00907): DSPTQ ... — here ...`. */
export function formatVerdict(v: FindingVerdict): string {
  const ids = v.arxiv.map((a) => `arXiv ${a}`).join(', ');
  return `${v.verdict === 'agrees' ? 'Agrees' : 'Disagrees'} with the study (${ids}): ${v.finding}; ${v.evidence}.`;
}
