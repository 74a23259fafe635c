// The test device is real: a system sshd reached with the system ssh, its files apart from this
// machine's, its link and CPU shaped as asked, and nothing left once stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSshDevice, sshDeviceUnavailable, type SshDevice } from './sshDevice';

const REPO_ROOT = path.resolve(__dirname, '../..');
const SHAPED = { mbit: 20, cpuQuota: 0.5, pinCpu: os.cpus().length - 1 };

/** Running, not a zombie waiting for init to reap it (killed is killed). */
function pidAlive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

/** What a stopped device could leave behind: its files, cgroups, network namespace and processes. */
function leftovers(device: SshDevice, pids: number[]): string[] {
  const state = path.dirname(path.dirname(device.sshConfig));
  const tag = path.basename(state).replace(/-[^-]+$/, ''); // advisor-device-<pid>-<n>
  const out: string[] = [];
  if (fs.existsSync(state)) out.push(state);
  for (const ctl of ['pids', 'cpu', 'cpuset']) if (fs.existsSync(`/sys/fs/cgroup/${ctl}/${tag}`)) out.push(`cgroup ${ctl}/${tag}`);
  if (fs.existsSync(`/run/netns/${tag}`)) out.push(`netns ${tag}`);
  for (const pid of pids) if (pidAlive(pid)) out.push(`process ${pid}`);
  return out;
}

// Prints the loop's wall time and CPU time in ms.
const loop = 'const c=process.cpuUsage(),t=process.hrtime.bigint();let x=0;for(let i=0;i<2e8;i++)x+=i%7;' +
  'const u=process.cpuUsage(c);console.log(Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3)';

describe('a plain SSH device', { skip: sshDeviceUnavailable() ?? false, timeout: 120_000 }, () => {
  let device: SshDevice;
  before(async () => { device = await startSshDevice(); });
  after(async () => { await device?.stop(); });

  test('runs node over ssh -F <config> with BatchMode, as the configured user', async () => {
    const r = await device.ssh(`node -e "console.log(require('os').cpus().length)"`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Number(r.stdout.toString().trim()), os.cpus().length);
    // The plain ssh command line a transport would build works as well.
    const plain = spawnSync('ssh', ['-F', device.sshConfig, '-o', 'BatchMode=yes', device.host, 'echo "$USER"'], { encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout.trim(), os.userInfo().username);
  });

  test('has a home and /tmp of its own, and does not see the repository', async () => {
    const probe = path.join(os.tmpdir(), `advisor-host-only-${process.pid}`);
    fs.writeFileSync(probe, 'host');
    try {
      const r = await device.ssh(
        `ls -A ~ | wc -l; echo from-device > ~/marker; echo t > /tmp/t; test -e ${probe} && echo host-tmp-visible; ` +
        `test -e ${path.join(REPO_ROOT, 'package.json')} && echo repo-visible; echo done`);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.toString().trim().split('\n'), ['0', 'done']);
      assert.equal(fs.readFileSync(path.join(device.home, 'marker'), 'utf8'), 'from-device\n');
      assert.ok(fs.existsSync(path.join(device.tmp, 't')));
    } finally { fs.rmSync(probe, { force: true }); }
  });

  test('accepts only its key and only its pinned host key', async () => {
    const noKey = await device.ssh('true', { sshOptions: ['-o', 'PubkeyAuthentication=no'] });
    assert.equal(noKey.code, 255);
    assert.match(noKey.stderr, /Permission denied \(publickey\)/);
    const empty = path.join(path.dirname(device.sshConfig), 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const unknownHost = await device.ssh('true', { sshOptions: ['-o', `UserKnownHostsFile=${empty}`] });
    assert.equal(unknownHost.code, 255);
    assert.match(unknownHost.stderr, /Host key verification failed/);
  });

  test('processes() is empty after a command, and sees a process left running', async () => {
    assert.equal((await device.ssh('node -e 1')).code, 0);
    assert.deepEqual(device.processes(), []);
    // A daemon that left sshd's tree (setsid, reparented) is still the device's.
    assert.equal((await device.ssh('setsid sleep 300 </dev/null >/dev/null 2>&1 &')).code, 0);
    // It may still be exec'ing setsid → sleep when ssh returns: look again for up to 2 s.
    let left = device.processes();
    for (let i = 0; i < 40 && !(left.length === 1 && /^\d+ sleep 300$/.test(left[0])); i++) {
      await new Promise((res) => setTimeout(res, 50));
      left = device.processes();
    }
    assert.equal(left.length, 1, left.join('; '));
    assert.match(left[0], /^\d+ sleep 300$/);
  });

  test('unreachable and refused aliases fail fast with a reason', async () => {
    const hung = await device.ssh('true', { alias: device.unreachableHost, sshOptions: ['-o', 'ConnectTimeout=2'] });
    assert.equal(hung.code, 255);
    assert.match(hung.stderr, /timed out/i);
    assert.ok(hung.ms < 6000, `took ${hung.ms} ms`);
    const refused = await device.ssh('true', { alias: device.refusedHost, sshOptions: ['-o', 'ConnectTimeout=2'] });
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Connection refused/);
  });

  test('stop() leaves no process, cgroup or file behind (sleep 300 included)', async () => {
    const sleeper = device.processes().map((p) => Number(p.split(' ')[0]));
    await device.stop();
    assert.deepEqual(leftovers(device, sleeper), []);
  });
});

describe(`a shaped SSH device (${SHAPED.mbit} Mbit/s, ${SHAPED.cpuQuota} of core ${SHAPED.pinCpu})`, { skip: sshDeviceUnavailable(SHAPED) ?? false, timeout: 180_000 }, () => {
  let device: SshDevice;
  before(async () => { device = await startSshDevice(SHAPED); });
  after(async () => { await device?.stop(); });

  test('offers a process one core', async () => {
    const r = await device.ssh('nproc; node -p "os.availableParallelism()"');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.toString().trim().split('\n'), ['1', '1']);
  });

  test('moves 4 MB each way at the shaped rate (±25%), connection setup subtracted', async (t) => {
    const size = 4 << 20;
    const setup: number[] = [];
    for (let i = 0; i < 3; i++) setup.push((await device.ssh('cat > /dev/null')).ms);
    setup.sort((a, b) => a - b);
    const up = await device.ssh('cat > /dev/null', { input: Buffer.alloc(size, 0x5a) });
    assert.equal(up.code, 0, up.stderr);
    const down = await device.ssh(`head -c ${size} /dev/zero`);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(down.stdout.length, size);
    const mbit = (ms: number) => (size * 8) / ((ms - setup[1]) / 1000) / 1e6;
    t.diagnostic(`setup ${setup[1].toFixed(0)} ms; up ${up.ms.toFixed(0)} ms = ${mbit(up.ms).toFixed(1)} Mbit/s; down ${down.ms.toFixed(0)} ms = ${mbit(down.ms).toFixed(1)} Mbit/s; shaped ${SHAPED.mbit}`);
    for (const [dir, ms] of [['up', up.ms], ['down', down.ms]] as const) {
      assert.ok(Math.abs(mbit(ms) / SHAPED.mbit - 1) <= 0.25, `${dir}: ${mbit(ms).toFixed(1)} Mbit/s, shaped ${SHAPED.mbit}`);
    }
  });

  test('runs a CPU-bound loop at least 1.6× slower than this machine', async (t) => {
    // Device: wall time (its quota shows there). Here: CPU time, which other work on this shared
    // machine does not inflate the way it inflates wall time. Fastest of three each.
    const remote: number[] = [];
    const remoteCpu: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await device.ssh(`node -e '${loop}'`);
      assert.equal(r.code, 0, r.stderr);
      remote.push(Number(r.stdout.toString().split(' ')[0]));
      remoteCpu.push(Number(r.stdout.toString().split(' ')[1]));
      local.push(Number(spawnSync(process.execPath, ['-e', loop], { encoding: 'utf8' }).stdout.split(' ')[1]));
    }
    const ratio = Math.min(...remote) / Math.min(...local);
    t.diagnostic(`loop: device ${remote.map((x) => x.toFixed(0)).join('/')} ms wall (${remoteCpu.map((x) => x.toFixed(0)).join('/')} ms CPU), here ${local.map((x) => x.toFixed(0)).join('/')} ms CPU, ${ratio.toFixed(2)}×`);
    assert.ok(ratio >= 1.6, `only ${ratio.toFixed(2)}× slower`);
  });

  test('unreachable alias: packets dropped in the namespace, ssh gives up at ConnectTimeout', async () => {
    const r = await device.ssh('true', { alias: device.unreachableHost, sshOptions: ['-o', 'ConnectTimeout=2'] });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Connection timed out/);
    assert.ok(r.ms >= 1900 && r.ms < 6000, `took ${r.ms} ms`);
  });

  test('stop() removes the namespace, veth, cgroups and files', async () => {
    await device.stop();
    assert.deepEqual(leftovers(device, []), []);
    // No veth left: the device's address is routed like any other again.
    assert.doesNotMatch(spawnSync('ip', ['route', 'get', device.address], { encoding: 'utf8' }).stdout, / dev adv/);
  });
});

const FAULTY = { mbit: 100, diskMB: 2 };
describe('faults of a device: full disk, link gone mid-run, device killed', { skip: sshDeviceUnavailable(FAULTY) ?? false, timeout: 120_000 }, () => {
  let device: SshDevice;
  before(async () => { device = await startSshDevice(FAULTY); });
  after(async () => { await device?.stop(); });

  test('a 2 MiB home fills up', async () => {
    const r = await device.ssh('head -c 3000000 /dev/zero > ~/big');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No space left on device/);
  });

  test('link down: a running command stalls until ServerAlive gives up, new connections fail, link up recovers', async () => {
    const running = device.ssh('sleep 30', { sshOptions: ['-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'] });
    await new Promise((res) => setTimeout(res, 1500));
    device.setLink(false);
    try {
      const r = await running;
      assert.equal(r.code, 255);
      assert.match(r.stderr, /Timeout, server .* not responding/);
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
      const fresh = await device.ssh('true', { sshOptions: ['-o', 'ConnectTimeout=2'] });
      assert.equal(fresh.code, 255);
      // The link has no carrier, so this machine knows at once (like a device gone from the LAN).
      assert.match(fresh.stderr, /timed out|No route to host/);
    } finally { device.setLink(true); }
    assert.equal((await device.ssh('true')).code, 0);
  });

  test('killed device: the client sees the connection end at once, nothing keeps running', async () => {
    const running = device.ssh('sleep 30');
    await new Promise((res) => setTimeout(res, 1500));
    device.kill();
    const r = await running;
    assert.equal(r.code, 255);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.deepEqual(device.processes(), []);
  });
});
