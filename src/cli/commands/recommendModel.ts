/**
 * `recommend <model.onnx>`: the full advisor run from the command line — the same orchestrator the
 * extension uses, with the runner process forked here. Progress goes to stderr; the report to
 * stdout (table or JSON) and optionally to a file.
 */
import { hostFacts } from '../../core/hostFacts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../core/errors';
import { DEFAULT_BUDGET_SECONDS } from '../../core/pipeline/defaults';
import { runAdvisor } from '../../core/pipeline/advisor';
import type { AdvisorRequest } from '../../core/pipeline/types';
import type { VariantKind } from '../../core/variants/kinds';
import type { AdvisorReport } from '../../core/results';
import { resolveTiers } from '../../core/tiers/presets';
import { RunnerClient } from '../../runner/host/client';
import { DeviceClient } from '../../runner/host/ssh/deviceClient';
import { listOpt, numberOpt, stringOpt, type ParsedArgs } from '../args';
import { provisionalEvent, streamLine } from '../stream';
import { dataOptions } from '../dataOptions';

export { DEFAULT_BUDGET_SECONDS };

export function parseVariants(specs: string[]): Partial<Record<VariantKind, string>> {
  const out: Partial<Record<VariantKind, string>> = {};
  for (const s of specs) {
    const m = /^(distilled|pruned|qat)=(.+)$/.exec(s);
    if (!m) throw new AdvisorError('usage', `--variant ${s}: expected distilled=<path>, pruned=<path> or qat=<path>`);
    out[m[1] as VariantKind] = path.resolve(m[2]!);
  }
  return out;
}

export interface ModelModeOptions {
  maxAccuracyDrop: number;
  latencyTargetMs?: number;
  /** Each progress report and provisional report as it happens (--json-stream); stderr progress lines stop. */
  stream?: (line: string) => void;
}

export async function runModelMode(model: string, args: ParsedArgs, common: ModelModeOptions): Promise<AdvisorReport> {
  const variants = parseVariants(listOpt(args, 'variant'));
  const budgetSeconds = numberOpt(args, 'budget-seconds') ?? DEFAULT_BUDGET_SECONDS;
  const maxThreads = numberOpt(args, 'threads');
  if (maxThreads !== undefined && !(Number.isInteger(maxThreads) && maxThreads >= 1)) throw new AdvisorError('usage', `--threads must be a whole number ≥ 1, got ${maxThreads}`);
  if (!(budgetSeconds > 0)) throw new AdvisorError('usage', `--budget-seconds must be > 0, got ${budgetSeconds}`);
  const tiers = resolveTiers(stringOpt(args, 'tiers') ?? 'study', hostFacts());
  const dataPath = stringOpt(args, 'data');
  const labelsPath = stringOpt(args, 'labels');
  const calibrationPath = stringOpt(args, 'calib');
  const outDir = stringOpt(args, 'out-dir');
  if (!fs.existsSync(model)) throw new AdvisorError('input', 'file not found', model);
  for (const [kind, p] of Object.entries(variants)) if (!fs.existsSync(p)) throw new AdvisorError('input', `${kind} variant not found`, p);
  const req: AdvisorRequest = {
    modelPath: path.resolve(model),
    ...(dataPath ? { dataPath: path.resolve(dataPath) } : {}),
    ...(labelsPath ? { labelsPath: path.resolve(labelsPath) } : {}),
    ...(calibrationPath ? { calibrationPath: path.resolve(calibrationPath) } : {}),
    ...dataOptions(args),
    ...(outDir ? { outDir: path.resolve(outDir) } : {}),
    variants,
    ...(fs.existsSync('edge-advisor.json') ? { configFile: path.resolve('edge-advisor.json') } : {}),
    tiers,
    maxAccuracyDrop: common.maxAccuracyDrop,
    ...(common.latencyTargetMs !== undefined ? { latencyTargetMs: common.latencyTargetMs } : {}),
    budgetSeconds,
    ...(maxThreads !== undefined ? { maxThreads } : {}),
    useCache: args.options['cache'] !== false,
  };
  const runner = new RunnerClient();
  const quiet = args.options['quiet'] === true;
  let last = '';
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    return await runAdvisor(req, runner, {
      signal: abort.signal,
      ...(common.stream ? { onPartial: (r: AdvisorReport) => common.stream!(streamLine(provisionalEvent(r))) } : {}),
      onProgress: (p) => {
        if (common.stream) { common.stream(streamLine({ event: 'progress', progress: p })); return; }
        if (quiet) return;
        const line = `[${Math.round(p.fraction * 100).toString().padStart(3)}%] ${p.message}${p.etaSeconds !== undefined ? ` (about ${p.etaSeconds}s left)` : ''}`;
        if (line !== last) process.stderr.write(line + '\n');
        last = line;
      },
      log: (l) => { if (!quiet && (l.startsWith('warning:') || l.startsWith('device:'))) process.stderr.write(l + '\n'); },
      deviceRunner: (_tier, target) => new DeviceClient(target),
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    runner.dispose();
  }
}
