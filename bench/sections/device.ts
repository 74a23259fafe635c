/**
 * Section: a real device tier (issue 17). A real sshd on this machine plays Edge with half of one
 * core (cgroup v1 CFS quota, 2 ms period, pinned) behind a 20 Mbit/s link (tbf, network namespace);
 * Mobile and Cloud are this machine (`local` preset). `recommend` on the bundled digits sample:
 * - Edge's compute measured there against Mobile's here (same run): the device's slowdown;
 * - the Mobile-Edge link as measured against the shaped 20 Mbit/s (target ±25%);
 * - the Mobile-Edge partition run for real against its priced estimate (target ±20%);
 * - a second run: runner and models reused (setup time, bytes sent);
 * - Ctrl-C mid-run: processes left on the device (target 0);
 * - Cloud pointing at an unreachable host: the run's wall time and the one-line warning.
 * Needs root and openssh-server (test/support/sshDevice.ts); skipped otherwise.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fmt } from '../lib';
import { sshDeviceUnavailable, startSshDevice } from '../../test/support/sshDevice';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

const ROOT = path.resolve(__dirname, '../..');
const SHAPE = { cpuQuota: 0.5, pinCpu: 1, mbit: 20 };

interface Row { operator: string; placement: string; latencyMs: { median: number }; computeMs: { median: number }; realRun?: { medianMs: number; n: number } }
interface Report { results: Row[]; recommendation?: { operator: string; placement: string }; warnings?: string[]; tiers: { links: Record<string, { mbps: number; measured?: { mbps: number; upMbps: number; downMbps: number; rttMs: number } }> } }

function recommend(args: string[], opts: { interruptAfter?: RegExp; delayMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'recommend', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.interruptAfter && !armed && opts.interruptAfter.test(stderr)) { armed = true; setTimeout(() => child.kill('SIGINT'), opts.delayMs ?? 0); }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

export async function deviceSection(s: SuiteSettings): Promise<SectionResult> {
  const why = sshDeviceUnavailable(SHAPE);
  if (why) return { id: 'device', title: 'Device tier over SSH', summary: [], markdown: `Skipped: ${why}.\n`, data: { skipped: why } };
  const dev = await startSshDevice(SHAPE);
  try {
    const tierFile = path.join(s.tmpDir, 'device-tiers.json');
    const tiers = (cloud?: string) => ({ preset: 'local', tiers: { edge: { ssh: dev.host, sshConfig: dev.sshConfig }, ...(cloud ? { cloud: { ssh: cloud, sshConfig: dev.sshConfig } } : {}) } });
    fs.writeFileSync(tierFile, JSON.stringify(tiers()));
    const sample = (f: string) => path.join(ROOT, 'samples/digits', f);
    const args = (out: string, file = tierFile) => [sample('digits_teacher.onnx'), '--data', sample('digits_test_x.npy'), '--labels', sample('digits_test_y.npy'),
      '--calib', sample('digits_calib_x.npy'), '--tiers', file, '--budget-seconds', s.quick ? '8' : '30', '--no-cache', '--json', '--out-dir', path.join(s.tmpDir, out)];
    const setupOf = (stderr: string) => /device: edge is .*\((runner (?:already )?installed), (\d+) ms\)/.exec(stderr);
    const sentOf = (stderr: string) => Number(/device: edge: (\d+) bytes of models sent/.exec(stderr)?.[1] ?? NaN);

    const first = await recommend(args('device-1'));
    if (first.code !== 0 && first.code !== 3) throw new Error(`recommend exited ${first.code}: ${first.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const report = JSON.parse(first.stdout) as Report;
    const row = (op: string, p: string) => report.results.find((r) => r.operator === op && r.placement === p);
    const mobile = row('identity', 'mobile')!;
    const edge = row('identity', 'edge')!;
    const link = report.tiers.links['mobile-edge']!;
    const parts = report.results.filter((r) => r.realRun);

    // the same project again: its models are unchanged, so nothing is sent
    const second = await recommend(args('device-1'));
    // Ctrl-C once the race runs on the device, then count what is left there
    const cancelled = await recommend(args('device-3'), { interruptAfter: /measuring/, delayMs: 3000 });
    await new Promise((r) => setTimeout(r, 3000));
    const left = dev.processes();
    const unreachableFile = path.join(s.tmpDir, 'device-tiers-unreachable.json');
    fs.writeFileSync(unreachableFile, JSON.stringify(tiers(dev.unreachableHost)));
    const unreachable = await recommend(args('device-4', unreachableFile));
    const uReport = unreachable.stdout ? JSON.parse(unreachable.stdout) as Report : undefined;

    const figures = {
      edgeComputeMs: edge.computeMs.median, mobileComputeMs: mobile.computeMs.median, slowdown: edge.computeMs.median / mobile.computeMs.median,
      linkMbps: link.measured?.mbps, upMbps: link.measured?.upMbps, downMbps: link.measured?.downMbps, rttMs: link.measured?.rttMs,
      linkError: link.measured ? link.measured.mbps / SHAPE.mbit - 1 : NaN,
      partitions: parts.map((p) => ({ operator: p.operator, pricedMs: p.latencyMs.median, realMs: p.realRun!.medianMs, error: p.latencyMs.median / p.realRun!.medianMs - 1 })),
      recommendation: report.recommendation ? `${report.recommendation.operator}@${report.recommendation.placement}` : 'none',
      firstSetup: setupOf(first.stderr)?.slice(1), secondSetup: setupOf(second.stderr)?.slice(1), firstSent: sentOf(first.stderr), secondSent: sentOf(second.stderr),
      firstWallMs: first.ms, secondWallMs: second.ms, cancelExit: cancelled.code, processesLeft: left.length,
      unreachableExit: unreachable.code, unreachableWallMs: unreachable.ms, unreachableWarning: uReport?.warnings?.find((w) => w.startsWith('cloud')),
      unreachableRows: uReport?.results.length ?? 0,
    };
    const md = [
      `Edge = sshd with ${SHAPE.cpuQuota} of core ${SHAPE.pinCpu} behind ${SHAPE.mbit} Mbit/s (tbf); Mobile and Cloud = this machine. Bundled digits sample, budget ${s.quick ? 8 : 30} s.`,
      '',
      mdTable(['figure', 'value', 'target'], [
        ['Identity compute: Edge (device) / Mobile (here)', `${fmt(figures.edgeComputeMs)} / ${fmt(figures.mobileComputeMs)} ms = ${figures.slowdown.toFixed(2)}×`, 'several times slower'],
        ['Mobile-Edge link measured', `${fmt(figures.linkMbps ?? NaN)} Mbit/s (up ${fmt(figures.upMbps ?? NaN)}, down ${fmt(figures.downMbps ?? NaN)}), RTT ${fmt(figures.rttMs ?? NaN)} ms: ${(figures.linkError * 100).toFixed(1)}% off ${SHAPE.mbit}`, '±25%'],
        ...figures.partitions.map((p) => [`${p.operator}@mobile-edge: priced / real`, `${fmt(p.pricedMs)} / ${fmt(p.realMs)} ms: ${(p.error * 100).toFixed(1)}%`, '±20%']),
        ['Recommendation', figures.recommendation, ''],
        ['Device setup: first run / second run', `${figures.firstSetup?.join(' ') ?? '?'} / ${figures.secondSetup?.join(' ') ?? '?'} ms`, 'reused'],
        ['Model bytes sent: first / second run', `${figures.firstSent} / ${figures.secondSent}`, '0 the second time'],
        ['Wall time: first / second run', `${(figures.firstWallMs / 1000).toFixed(1)} / ${(figures.secondWallMs / 1000).toFixed(1)} s`, ''],
        ['Ctrl-C mid-run: exit code, processes left on the device', `${figures.cancelExit}, ${figures.processesLeft}`, '0 left'],
        ['Cloud unreachable: exit, wall time, rows, warning', `${figures.unreachableExit}, ${(figures.unreachableWallMs / 1000).toFixed(1)} s, ${figures.unreachableRows} rows, "${figures.unreachableWarning ?? 'none'}"`, 'completes, one line'],
      ]),
    ].join('\n');
    const within = (x: number, tol: number) => Number.isFinite(x) && Math.abs(x) <= tol;
    const summary = [
      { figure: 'device: Edge (½ core) compute ÷ Mobile (here)', value: `${figures.slowdown.toFixed(2)}×`, target: 'several ×', met: figures.slowdown >= 2 },
      { figure: 'device: Mobile-Edge link vs shaped 20 Mbit/s', value: `${(figures.linkError * 100).toFixed(1)}%`, target: '±25%', met: within(figures.linkError, 0.25) },
      ...figures.partitions.map((p) => ({ figure: `device: ${p.operator}@mobile-edge priced vs real`, value: `${(p.error * 100).toFixed(1)}%`, target: '±20%', met: within(p.error, 0.2) })),
      { figure: 'device: model bytes re-sent on a second run', value: String(figures.secondSent), target: '0', met: figures.secondSent === 0 },
      { figure: 'device: processes left after Ctrl-C', value: String(figures.processesLeft), target: '0', met: figures.processesLeft === 0 },
    ];
    return { id: 'device', title: 'Device tier over SSH (issue 17)', summary, markdown: md + '\n', data: { ...figures, left } };
  } finally {
    await dev.stop();
  }
}
