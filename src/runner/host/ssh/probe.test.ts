/** What the probe makes of a device's answers (the script's key=value lines), and the errors it gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdvisorError } from '../../../core/errors';
import { effectiveCores, parseProbe } from './probe';
import { sshFailure, shq } from './sshCommand';

const target = { ssh: 'pi@raspberrypi', executionProvider: 'cpu' };
const answer = (over: Record<string, string> = {}) => Object.entries({
  os: 'Linux', arch: 'aarch64', home: '/home/pi', cpu: 'Cortex-A72', nproc: '4', memkb: '3884096', node: 'v20.11.1', diskkb: '10485760', ...over,
}).map(([k, v]) => `${k}=${v}`).join('\n');

test('a Raspberry Pi: arm64 Linux, its cores, memory and Node', () => {
  const p = parseProbe(target, answer(), '1.30.0');
  assert.equal(p.platform, 'linux-arm64');
  assert.deepEqual([p.cores, p.memoryMB, p.node, p.cpuModel, p.home, p.freeDiskMB], [4, 3793, 'v20.11.1', 'Cortex-A72', '/home/pi', 10240]);
});

test('a CPU quota and a memory limit lower what a process may use', () => {
  assert.equal(effectiveCores(2, '50000 100000'), 0.5, 'cgroup v2 cpu.max');
  assert.equal(effectiveCores(1, undefined, '1000 2000'), 0.5, 'cgroup v1 quota/period');
  assert.equal(effectiveCores(8, 'max 100000', '-1 100000'), 8, 'no quota');
  const p = parseProbe(target, answer({ memlimit: String(512 * 2 ** 20) }), '1.30.0');
  assert.equal(p.memoryMB, 512);
});

test('devices the runner cannot run on: one line naming the host and what to do', () => {
  const refused = (over: Record<string, string>, re: RegExp) => assert.throws(() => parseProbe(target, answer(over), '1.30.0'),
    (e: unknown) => e instanceof AdvisorError && e.category === 'device' && e.message.startsWith('ssh pi@raspberrypi: ') && re.test(e.message));
  refused({ node: '' }, /Node is not installed .* install Node 18 or newer/);
  refused({ node: 'v16.20.0' }, /Node v16\.20\.0 is too old/);
  refused({ os: 'Darwin', arch: 'arm64' }, /Darwin on arm64 is not supported as a device .* linux-x64 and linux-arm64/);
  refused({ arch: 'armv7l' }, /armv7l is not supported/);
});

test('ssh failures become causes a user can act on', () => {
  const cause = (code: number, stderr: string) => sshFailure(target, code, stderr)?.message;
  assert.match(cause(255, 'pi@raspberrypi: Permission denied (publickey).')!, /key was refused/);
  assert.match(cause(255, 'ssh: connect to host raspberrypi port 22: Connection timed out')!, /unreachable/);
  assert.match(cause(255, 'ssh: connect to host raspberrypi port 22: Connection refused')!, /refused/);
  assert.match(cause(255, 'Host key verification failed.')!, /host key is unknown or changed/);
  assert.match(cause(255, 'ssh: Could not resolve hostname raspberrypi: Name or service not known')!, /does not resolve/);
  assert.match(cause(1, 'tar: write error: No space left on device')!, /out of disk space/);
  assert.equal(sshFailure(target, 1, 'some remote error'), undefined, 'a remote command failing is not an ssh problem');
});

test('shq quotes a word so that no shell expands it', () => {
  assert.equal(shq(`a b;$(touch x)'q`), `'a b;$(touch x)'\\''q'`);
});
