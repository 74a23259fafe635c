/**
 * The one place where an extension job meets the advisor pipeline: resolve the tier set, start a
 * runner process, run the orchestrator, and always dispose the runner (cancel = SIGKILL via the
 * client). Everything heavy happens in the runner; this function only awaits.
 */
import { hostFacts } from '../core/hostFacts';
import { AdvisorError } from '../core/errors';
import { runAdvisor, type AdvisorHooks } from '../core/pipeline/advisor';
import type { AdvisorProgress, AdvisorRequest } from '../core/pipeline/types';
import type { AdvisorReport } from '../core/results';
import { withDevices } from '../core/tiers/devices';
import { resolveTiers } from '../core/tiers/presets';
import type { TierSet } from '../core/tiers/types';
import type { RunnerHost } from '../core/protocol/runner';
import { RunnerClient } from '../runner/host/client';
import { DeviceClient } from '../runner/host/ssh/deviceClient';
import type { JobContext, StartJob } from './jobs';
import type { JobRequest } from './runOptions';

/** The orchestrator's signature (src/core/pipeline/advisor.ts); injectable for tests. */
export type RunAdvisor = (
  request: AdvisorRequest,
  runner: RunnerHost,
  hooks: AdvisorHooks,
) => Promise<AdvisorReport>;

/** The run's tiers: the preset or custom tier file, with the `edgeAdvisor.devices` setting on top. */
export function tierSetFor(spec: JobRequest['tiers']): TierSet {
  const host = hostFacts();
  if (spec.preset === 'custom' && !spec.customFile) throw new AdvisorError('usage', 'tier preset is "custom" but no tier file is set (edgeAdvisor.customTiersFile)');
  const base = resolveTiers(spec.preset === 'custom' ? spec.customFile! : spec.preset, host);
  return withDevices(base, spec.devices, spec.devicesBase ? { baseDir: spec.devicesBase } : {});
}

/** A progress line for the notification and the log: "benchmark: sptq on edge (ETA 12 s)". */
export function describeProgress(p: AdvisorProgress): string {
  const what = p.current ? ` ${p.current.operator}${p.current.placement ? ` on ${p.current.placement}` : ''}` : '';
  const eta = p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? ` (ETA ${Math.max(1, Math.round(p.etaSeconds))} s)` : '';
  return `${p.message || p.stage}${what && !p.message.includes(p.current!.operator) ? ` —${what}` : ''}${eta}`;
}

export interface AdvisorStartOptions {
  run?: RunAdvisor;
}

export type AdvisorJob = StartJob<JobRequest, AdvisorReport, AdvisorProgress>;

export function createAdvisorStart(opts: AdvisorStartOptions = {}): AdvisorJob {
  const run = opts.run ?? runAdvisor;
  return async (req: JobRequest, ctx: JobContext<AdvisorReport, AdvisorProgress>) => {
    const request: AdvisorRequest = { ...req.advisor, tiers: tierSetFor(req.tiers) };
    ctx.log(`start: ${request.modelPath} (tiers ${request.tiers.name}, budget ${request.budgetSeconds} s, max drop ${request.maxAccuracyDrop} pts)`);
    // onnxruntime's warnings go to the log as they happen, not only as a tail after a crash
    const runner = new RunnerClient({ onStderr: (line) => ctx.log(`runner: ${line}`) });
    try {
      return await run(request, runner, {
        onProgress: (p) => ctx.progress(p),
        signal: ctx.signal,
        log: (line) => ctx.log(line),
        // shown if the run is cancelled from here on (latencies without accuracy)
        onPartial: (report) => ctx.partial(report),
        deviceRunner: (tier, target) => new DeviceClient(target, { onStderr: (line) => ctx.log(`runner (${tier}): ${line}`) }),
      });
    } finally {
      runner.dispose();
    }
  };
}
