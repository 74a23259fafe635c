/**
 * Device tiers (issue 17): reach each device (probe, install), take its facts in place of the
 * preset's cores and memory, measure the links with a device at one end, and — after the race —
 * run Mobile-Edge partitions for real across the machines. A device that cannot be reached is one
 * warning naming it; the other tiers' rows are still measured.
 */
import { deviceSummary } from '../../devices/facts';
import { AdvisorError, toAdvisorError } from '../../errors';
import { measureLink } from '../../measure/link';
import type { DeviceSession } from '../../protocol/device';
import type { DeviceRunnerHost, JobOptions, RunnerHost } from '../../protocol/runner';
import { feedsBytes, type Feeds } from '../../protocol/tensor';
import type { ResultRow } from '../../results';
import { median, medianCi } from '../../stats/describe';
import { threadsFor } from '../../tiers/compute';
import { LINK_IDS } from '../../tiers/presets';
import type { DeviceTarget, LinkId, TierId, TierSet } from '../../tiers/types';
import { deviceThreads, type OperatorBuild } from '../rows';

export type DeviceRunnerFactory = (tier: TierId, target: DeviceTarget) => DeviceRunnerHost;

export interface Devices {
  /** The tiers with device facts in place and measured links. */
  tiers: TierSet;
  runners: Partial<Record<TierId, DeviceRunnerHost>>;
  sessions: Partial<Record<TierId, DeviceSession>>;
  /** Device tiers that could not be used, with why: their placements are left out. */
  unavailable: Map<TierId, string>;
  warnings: string[];
  dispose(): void;
}

const LINK_ENDS: Record<LinkId, [TierId, TierId]> = { 'mobile-edge': ['mobile', 'edge'], 'edge-cloud': ['edge', 'cloud'] };

export async function connectDevices(
  requested: TierSet, factory: DeviceRunnerFactory | undefined,
  opts: { signal?: AbortSignal; log?: (line: string) => void; progress?: (message: string) => void } = {},
): Promise<Devices> {
  const tiers = structuredClone(requested) as TierSet;
  const out: Devices = { tiers, runners: {}, sessions: {}, unavailable: new Map(), warnings: [], dispose: () => { for (const r of Object.values(out.runners)) r.dispose(); } };
  for (const tier of Object.values(tiers.tiers)) {
    const target = tier.device;
    if (!target) continue;
    if (!factory) throw new AdvisorError('usage', `tiers.${tier.id} is a device (ssh ${target.ssh}), which this host cannot reach`);
    opts.progress?.(`reaching ${tier.id} (ssh ${target.ssh})`);
    const runner = factory(tier.id, target);
    try {
      const session = await runner.device(opts.signal);
      // the runner starts there now, so a device that cannot run it is found before the race
      await runner.info();
      out.runners[tier.id] = runner;
      out.sessions[tier.id] = session;
      target.facts = session.facts;
      tier.cpus = session.facts.cores;
      tier.memoryMB = session.facts.memoryMB;
      tier.speed = 1;
      opts.log?.(`device: ${tier.id} is ssh ${target.ssh} — ${deviceSummary(session.facts)}` +
        ` (${session.installedNow ? 'runner installed' : 'runner already installed'}, ${Math.round(session.setupMs)} ms)`);
    } catch (e) {
      runner.dispose();
      const err = toAdvisorError(e);
      if (err.category === 'cancelled') throw err;
      out.unavailable.set(tier.id, err.message);
      out.warnings.push(`${tier.id} tier left out: ${err.message}`);
    }
  }
  for (const id of LINK_IDS) {
    const ends = LINK_ENDS[id].map((t) => ({ t, device: tiers.tiers[t].device, runner: out.runners[t] }));
    const remote = ends.filter((e) => e.device);
    if (remote.length === 0 || ends.some((e) => out.unavailable.has(e.t))) continue;
    if (remote.length === 2) {
      out.warnings.push(`${id}: both ends are devices; the link between them is not measured (its assumed ${tiers.links[id].mbps} Mbit/s is used)`);
      continue;
    }
    opts.progress?.(`measuring the ${id} link (ssh ${remote[0]!.device!.ssh})`);
    const m = await measureLink(remote[0]!.runner!, opts.signal);
    const link = tiers.links[id];
    link.assumed = { mbps: link.mbps, rttMs: link.rttMs };
    link.measured = { mbps: m.mbps, rttMs: m.rttMs, upMbps: m.upMbps, downMbps: m.downMbps };
    link.mbps = m.mbps;
    link.rttMs = m.rttMs;
    opts.log?.(`device: ${id} link measured ${m.mbps.toFixed(1)} Mbit/s (up ${m.upMbps.toFixed(1)}, down ${m.downMbps.toFixed(1)}), RTT ${m.rttMs.toFixed(2)} ms (assumed ${link.assumed.mbps} Mbit/s)`);
  }
  return out;
}

/**
 * Mobile-Edge partitions with a device at one end, run for real: per request the head runs on its
 * tier's runner, its outputs travel to the other tier's runner (over the device's channel), the tail
 * runs there, and a device holding the tail sends the result back (a device holding the head gets
 * the result sent back to it, as a request from Mobile would). Wall time per request on this host.
 */
export async function runPartitionsForReal(
  builds: readonly OperatorBuild[], devices: Devices, local: RunnerHost, hostCores: number, samples: Feeds[],
  opts: JobOptions & { requests?: number; log?: (line: string) => void } = {},
): Promise<Map<string, NonNullable<ResultRow['realRun']>>> {
  const out = new Map<string, NonNullable<ResultRow['realRun']>>();
  const tiers = devices.tiers.tiers;
  const runnerFor = (t: TierId) => devices.runners[t] ?? (tiers[t].device ? undefined : local);
  const stage = (t: TierId, modelPath: string) => ({
    modelPath, ...(tiers[t].device ? { threads: deviceThreads(tiers[t]), executionProvider: tiers[t].device!.executionProvider } : { threads: threadsFor(tiers[t], hostCores) }),
  });
  const job: JobOptions = opts.signal ? { signal: opts.signal } : {};
  for (const b of builds) {
    if (b.stages.length !== 2 || !b.placements.includes('mobile-edge')) continue;
    if (!tiers.mobile.device === !tiers.edge.device) continue; // needs exactly one device end
    if (devices.unavailable.has('mobile') || devices.unavailable.has('edge')) continue;
    const head = runnerFor('mobile');
    const tail = runnerFor('edge');
    if (!head || !tail) continue;
    const headStage = stage('mobile', b.stages[0]!);
    const tailStage = stage('edge', b.stages[1]!);
    const request = async (k: number) => {
      const feeds = samples[k % samples.length]!;
      const t0 = performance.now();
      const h = await head.run('infer', { stages: [headStage], feeds }, job);
      const t = await tail.run('infer', { stages: [tailStage], feeds: h.outputs }, job);
      // the answer goes back to Mobile: a device at Mobile's end receives it
      if (tiers.mobile.device) await head.run('echo', { payload: new Uint8Array(feedsBytes(t.outputs)), replyBytes: 0 }, job);
      return performance.now() - t0;
    };
    await request(0); // sessions load and warm up: not timed
    const times: number[] = [];
    for (let k = 1; k <= (opts.requests ?? 40); k++) times.push(await request(k));
    const ci = medianCi(times);
    const medianMs = median(times);
    out.set(`${b.operator}@mobile-edge`, { medianMs, n: times.length, ...(ci.valid ? { ciLow: ci.low, ciHigh: ci.high } : {}) });
    opts.log?.(`device: ${b.operator}@mobile-edge run for real: median ${medianMs.toFixed(2)} ms over ${times.length} requests`);
  }
  return out;
}
