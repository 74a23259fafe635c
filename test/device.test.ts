/**
 * Device tiers for real (issue 17): a real sshd on this machine plays the device (test/support/sshDevice.ts:
 * its own home, none of this machine's files), reached with the system ssh client through the SSH transport.
 * Needs root and openssh-server; skips saying why otherwise (CI installs them).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../src/core/errors';
import { writeModel } from '../src/core/onnx/io';
import { runAdvisor } from '../src/core/pipeline/advisor';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { parseTierOverrides } from '../src/core/tiers/presets';
import { RunnerClient } from '../src/runner/host/client';
import { DeviceClient } from '../src/runner/host/ssh/deviceClient';
import { sshDeviceUnavailable, startSshDevice, type SshDevice } from './support/sshDevice';
import { tempDir } from './support/shared';

const skip = sshDeviceUnavailable();
const dir = tempDir('device-test-');
let device: SshDevice | undefined;
after(async () => { await device?.stop(); });

async function theDevice(): Promise<SshDevice> {
  device ??= await startSshDevice();
  return device;
}

const sample = () => [{ image: { type: 'float32' as const, dims: [1, 5, 16, 16], data: new Float32Array(5 * 16 * 16).fill(0.5) } }];

test('a device gets the runner once and each model once; a model name with shell syntax reaches no shell', { skip, timeout: 180_000 }, async () => {
  const dev = await theDevice();
  const target = { ssh: dev.host, sshConfig: dev.sshConfig, executionProvider: 'cpu' };
  const model = path.join(dir, 'a b;$(touch pwned).onnx');
  writeModel(cnnModel(), model);
  const params = { configs: [{ id: 'x', stages: [{ modelPath: model, threads: 1 }] }], samples: sample(), sliceMs: 200 };

  const first = new DeviceClient(target);
  const s1 = await first.device();
  assert.equal(s1.installedNow, true, 'a fresh device gets the runner');
  assert.equal(s1.facts.os, 'linux');
  assert.ok(s1.facts.cores > 0 && s1.facts.memoryMB > 0 && /^v\d+/.test(s1.facts.node));
  const r1 = await first.run('benchmark', params);
  assert.ok(r1.configs[0]!.samplesMs.length > 0, 'measured on the device');
  assert.ok(s1.sentBytes() > 0, 'the model was sent');
  first.dispose();

  const second = new DeviceClient(target);
  const s2 = await second.device();
  await second.run('benchmark', params);
  second.dispose();
  assert.equal(s2.installedNow, false, 'the runner is reused');
  assert.equal(s2.sentBytes(), 0, 'nothing sent again');
  for (const where of [dev.home, dev.tmp, process.cwd(), dir]) assert.ok(!fs.existsSync(path.join(where, 'pwned')), `nothing ran in ${where}`);
  const cache = fs.readdirSync(path.join(dev.home, '.cache', 'edge-advisor')).sort();
  assert.deepEqual(cache.filter((n) => !['models', 'tmp'].includes(n)).length, 1, `one runtime version: ${cache}`);
});

test('cancel mid-run leaves no process on the device', { skip, timeout: 120_000 }, async () => {
  const dev = await theDevice();
  const model = path.join(dir, 'cancel.onnx');
  writeModel(cnnModel(), model);
  const client = new DeviceClient({ ssh: dev.host, sshConfig: dev.sshConfig, executionProvider: 'cpu' });
  await client.info();
  assert.ok(dev.processes().length > 0, 'the runner runs there');
  const abort = new AbortController();
  const run = client.run('benchmark', { configs: [{ id: 'x', stages: [{ modelPath: model, threads: 1 }] }], samples: sample(), sliceMs: 60_000 }, { signal: abort.signal });
  await new Promise((r) => setTimeout(r, 1500));
  abort.abort();
  await assert.rejects(run, (e: unknown) => e instanceof AdvisorError && e.category === 'cancelled');
  // the cancel returns at once; its clean-up call over ssh (itself a process there) ends after it
  await client.stopped();
  await noProcessLeft(dev, 'no process left');
  client.dispose();
});

test('an unreachable device is one line naming it, quickly', { skip, timeout: 60_000 }, async () => {
  const dev = await theDevice();
  for (const host of [dev.unreachableHost, dev.refusedHost]) {
    const t0 = Date.now();
    const client = new DeviceClient({ ssh: host, sshConfig: dev.sshConfig, executionProvider: 'cpu' });
    await assert.rejects(client.device(), (e: unknown) => e instanceof AdvisorError && e.category === 'device' &&
      e.message.startsWith(`ssh ${host}: `) && /unreachable|refused/.test(e.message) && !e.message.includes('\n'));
    assert.ok(Date.now() - t0 < 25_000, `gave up after ${Date.now() - t0} ms`);
    client.dispose();
  }
});

test('recommend with Edge on a device: Edge measured there, links measured, an unreachable Cloud left out with a warning', { skip, timeout: 300_000 }, async () => {
  const dev = await theDevice();
  const model = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), model);
  const tiers = parseTierOverrides({
    preset: 'local',
    tiers: { edge: { ssh: dev.host, sshConfig: dev.sshConfig }, cloud: { ssh: dev.unreachableHost, sshConfig: dev.sshConfig } },
  }, { cores: 2, memoryMB: 8192 });
  const runner = new RunnerClient();
  const logs: string[] = [];
  const used: DeviceClient[] = [];
  try {
    const report = await runAdvisor({
      modelPath: model, variants: {}, discoverVariants: false, tiers, maxAccuracyDrop: 2, budgetSeconds: 4,
      outDir: path.join(dir, 'out'), operators: ['identity', 'partition'], useCache: false,
    }, runner, { log: (l) => logs.push(l), deviceRunner: (_t, target) => { const c = new DeviceClient(target); used.push(c); return c; } });
    const edge = report.tiers.tiers.edge.device;
    assert.equal(edge?.facts?.host, dev.host, 'the report says where Edge ran');
    assert.ok(report.results.some((r) => r.placement === 'edge'), 'Edge rows measured');
    assert.ok(!report.results.some((r) => r.placement === 'cloud' || r.placement === 'edge-cloud'), 'no rows for the unreachable tier');
    assert.ok(report.warnings?.some((w) => w.startsWith('cloud tier left out: ssh advisor-unreachable: ')), String(report.warnings));
    const link = report.tiers.links['mobile-edge'];
    assert.ok(link.measured && link.measured.mbps > 0 && link.assumed, 'Mobile-Edge measured, the assumption kept');
    const part = report.results.find((r) => r.operator === 'partition' && r.placement === 'mobile-edge');
    assert.ok(part?.realRun && part.realRun.medianMs > 0, 'the partition also ran for real across the link');
  } finally {
    runner.dispose();
  }
  await Promise.all(used.map((c) => c.stopped()));
  await noProcessLeft(dev, 'no process left on the device after the run');
});

test('a device without room for the runner: one line saying how much is needed, nothing half-installed', { skip, timeout: 60_000 }, async () => {
  const small = await startSshDevice({ diskMB: 8 });
  try {
    const client = new DeviceClient({ ssh: small.host, sshConfig: small.sshConfig, executionProvider: 'cpu' });
    await assert.rejects(client.device(), (e: unknown) => e instanceof AdvisorError && e.category === 'device' &&
      /^ssh advisor-device: out of disk space in ~\/\.cache\/edge-advisor \(the runner needs \d+ MB, \d+ MB free\)/.test(e.message));
    client.dispose();
    const cache = path.join(small.home, '.cache', 'edge-advisor');
    assert.deepEqual(fs.existsSync(cache) ? fs.readdirSync(cache) : [], [], 'nothing written but the empty cache folder');
  } finally {
    await small.stop();
  }
});

const shapedSkip = sshDeviceUnavailable({ mbit: 100 });

test('a link that drops once the race starts: the local tiers finish, one warning names the device, no hang', { skip: shapedSkip, timeout: 240_000 }, async () => {
  const shaped = await startSshDevice({ mbit: 100 });
  const runner = new RunnerClient();
  try {
    const model = path.join(dir, 'drop.onnx');
    writeModel(cnnModel(), model);
    const tiers = parseTierOverrides({ preset: 'local', tiers: { edge: { ssh: shaped.host, sshConfig: shaped.sshConfig } } }, { cores: 2, memoryMB: 8192 });
    let dropped = false;
    const t0 = Date.now();
    const report = await runAdvisor({
      modelPath: model, variants: {}, discoverVariants: false, tiers, maxAccuracyDrop: 2, budgetSeconds: 20,
      outDir: path.join(dir, 'out-drop'), operators: ['identity'], useCache: false,
    }, runner, {
      deviceRunner: (_t, target) => new DeviceClient(target),
      // the device leaves the network once it is set up and the race starts
      onProgress: (p) => { if (!dropped && p.stage === 'benchmark') { dropped = true; shaped.setLink(false); } },
    });
    assert.ok(dropped, 'the link went down mid-run');
    assert.ok(Date.now() - t0 < 150_000, `finished in ${Date.now() - t0} ms`);
    assert.ok(report.results.some((r) => r.placement === 'mobile'), 'Mobile measured');
    assert.ok(report.warnings?.some((w) => /^edge tier stopped during the race: ssh advisor-device: /.test(w)), String(report.warnings));
  } finally {
    runner.dispose();
    await shaped.stop();
  }
});

/** Once our clean-up calls have ended nothing new starts there; a killed process may take a moment to be reaped. */
async function noProcessLeft(dev: SshDevice, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (dev.processes().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(dev.processes(), [], what);
}
