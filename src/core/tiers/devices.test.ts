// The edgeAdvisor.devices setting on top of a tier set: devices set, everything else kept, mistakes named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { withDevices } from './devices';
import { parseTierOverrides, STUDY_TIERS } from './presets';

const host = { cores: 8, memoryMB: 16384 };

test('a device setting makes that tier a device; the preset is not changed', () => {
  const t = withDevices(STUDY_TIERS, { edge: { ssh: 'pi@raspberrypi', sshConfig: 'ssh/test_config' } }, { baseDir: '/ws' });
  assert.deepEqual(t.tiers.edge.device, { ssh: 'pi@raspberrypi', sshConfig: '/ws/ssh/test_config', executionProvider: 'cpu' });
  assert.equal(t.tiers.edge.cpus, 8, 'the preset figures stay (the device\'s replace them once probed)');
  assert.equal(t.tiers.mobile.device, undefined);
  assert.equal(STUDY_TIERS.tiers.edge.device, undefined, 'presets are shared: never mutated');
  assert.equal(withDevices(STUDY_TIERS, { cloud: { ssh: 'gpu', sshConfig: '~/.ssh/lab', executionProvider: 'cuda' } }).tiers.cloud.device?.sshConfig, path.join(os.homedir(), '.ssh/lab'));
});

test('the setting wins over a tier file\'s device for the same tier; others are kept', () => {
  const file = parseTierOverrides({ tiers: { mobile: { ssh: 'phone' }, edge: { ssh: 'old-edge', executionProvider: 'cuda' } } }, host, '/ws/my.tiers.json');
  const t = withDevices(file, { edge: { ssh: 'ssh://pi@jetson:2222' } });
  assert.equal(t.tiers.mobile.device?.ssh, 'phone');
  assert.deepEqual(t.tiers.edge.device, { ssh: 'ssh://pi@jetson:2222', executionProvider: 'cpu' });
  assert.equal(t.name, file.name);
});

test('nothing set: the tier set is returned as it is', () => {
  assert.equal(withDevices(STUDY_TIERS, undefined), STUDY_TIERS);
  assert.equal(withDevices(STUDY_TIERS, {}), STUDY_TIERS);
});

test('mistakes are usage errors naming the setting and the key', () => {
  const cases: [unknown, RegExp][] = [
    [{ gpu: { ssh: 'x' } }, /edgeAdvisor\.devices: unknown tier "gpu" \(use mobile, edge or cloud\)/],
    [{ edge: { ssh: '' } }, /edgeAdvisor\.devices: edge\.ssh is empty/],
    [{ edge: { ssh: '  ' } }, /edge\.ssh is empty/],
    [{ edge: {} }, /edge\.ssh must be an SSH destination/],
    [{ edge: 'pi@host' }, /edge must be an object/],
    [{ edge: { ssh: '-oProxyCommand=x' } }, /edge\.ssh .*starts with "-"/],
    [{ edge: { ssh: 'pi', sshConfig: '' } }, /edge\.sshConfig must be a non-empty string/],
    [{ edge: { ssh: 'pi', executionProvider: 3 } }, /edge\.executionProvider must be a non-empty string/],
    [{ edge: { ssh: 'pi', host: 'x' } }, /edge\.host is not a device field/],
    [['edge'], /must be an object keyed by tier id/],
  ];
  for (const [value, re] of cases) {
    assert.throws(() => withDevices(STUDY_TIERS, value), (e: unknown) => e instanceof AdvisorError && e.category === 'usage' && re.test(e.message), JSON.stringify(value));
  }
});
