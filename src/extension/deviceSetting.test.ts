// What Add Device writes into edgeAdvisor.devices: the chosen tier replaced, the others kept, and a value withDevices accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STUDY_TIERS } from '../core/tiers/presets';
import { withDevices } from '../core/tiers/devices';
import { currentDestination, deviceTargetFor, hostDescription, updatedDevices } from './deviceSetting';

test('the chosen tier is replaced, the other tiers kept; an execution provider set before stays', () => {
  const current = { mobile: { ssh: 'phone' }, edge: { ssh: 'old', executionProvider: 'cuda' } };
  const target = deviceTargetFor('pi@raspberrypi', 'edge', current, '/home/me/.ssh/lab_config');
  assert.deepEqual(target, { ssh: 'pi@raspberrypi', executionProvider: 'cuda', sshConfig: '/home/me/.ssh/lab_config' });
  const next = updatedDevices(current, 'edge', target);
  assert.deepEqual(next, { mobile: { ssh: 'phone' }, edge: { ssh: 'pi@raspberrypi', sshConfig: '/home/me/.ssh/lab_config', executionProvider: 'cuda' } });
  assert.deepEqual(current.edge, { ssh: 'old', executionProvider: 'cuda' }, 'the read value is not changed');
  // what is written is what a run reads back
  assert.equal(withDevices(STUDY_TIERS, next).tiers.edge.device?.ssh, 'pi@raspberrypi');
});

test('nothing set yet: a new object with one tier, provider cpu', () => {
  assert.deepEqual(updatedDevices(undefined, 'cloud', deviceTargetFor('gpu', 'cloud', undefined)), { cloud: { ssh: 'gpu', executionProvider: 'cpu' } });
  assert.equal(currentDestination(undefined, 'edge'), undefined);
  assert.equal(currentDestination({ edge: { ssh: 'pi' } }, 'edge'), 'pi');
});

test('a host is described by the User, HostName and Port its block sets', () => {
  assert.equal(hostDescription({ alias: 'pi', hostName: '192.168.1.20', user: 'pi', port: '2222', file: '/c' }), 'pi@192.168.1.20:2222');
  assert.equal(hostDescription({ alias: 'jetson', user: 'nv', file: '/c' }), 'nv@jetson');
  assert.equal(hostDescription({ alias: 'bare', file: '/c' }), '');
});
