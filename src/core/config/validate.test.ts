/** Config files checked against schemas/: what passes, and errors that name the file and the JSON path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { parseTierOverrides } from '../tiers/presets';
import { jsonPath, readConfig, validateConfig } from './validate';
import { tempDir } from '../../../test/support/shared';

const inputError = (re: RegExp) => (e: unknown) => e instanceof AdvisorError && e.category === 'input' && re.test(e.message);

test('edge-advisor.json: per-model data, calibration, labels, tokenizer and preprocessing (a preset or the steps)', () => {
  const cfg = {
    $schema: './node_modules/edge-advisor/schemas/edge-advisor.schema.json',
    variants: { distilled: 'student.onnx' },
    models: {
      'models/resnet.onnx': {
        variants: { qat: 'models/resnet_qat.onnx' }, data: 'images/val', calib: 'images/calib', labels: 'images/labels.json',
        preprocess: { resize: 256, crop: [224, 224], color: 'rgb', layout: 'NCHW', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], dtype: 'float32' },
      },
      'models/bert.onnx': { data: 'text/dev.csv', tokenizer: 'models/tokenizer.json', preprocess: 'imagenet' },
    },
  };
  assert.deepEqual(validateConfig('edge-advisor', cfg, 'edge-advisor.json'), cfg);
});

test('edge-advisor.json errors name the file and the JSON path, down to the wrong field', () => {
  const bad = (value: unknown, re: RegExp) => assert.throws(() => validateConfig('edge-advisor', value, 'ws/edge-advisor.json'), inputError(re));
  bad({ models: { 'nets/a.onnx': { preprocess: { color: 'cmyk' } } } },
    /^ws\/edge-advisor\.json: models\["nets\/a\.onnx"\]\.preprocess\.color must be one of "gray", "rgb", "bgr", got "cmyk"$/);
  bad({ models: { 'a.onnx': { data: 3 } } }, /models\["a\.onnx"\]\.data must be a string \(got 3\)/);
  bad({ models: { 'a.onnx': { preprocess: { resize: 0 } } } }, /models\["a\.onnx"\]\.preprocess\.resize must be >= 1 \(got 0\)/);
  bad({ model: {} }, /unknown field "model" \(allowed: \$schema, variants, models\)/);
});

test('tier files: a tier with "ssh" is a device; sshConfig is found from the tier file; other providers need a device', () => {
  const withDevice = { tiers: { edge: { ssh: 'pi@raspberrypi.local', sshConfig: 'ssh_config', executionProvider: 'cpu' } } };
  assert.deepEqual(validateConfig('tiers', withDevice, 'tiers.json'), withDevice);
  const tiers = parseTierOverrides(withDevice, { cores: 4, memoryMB: 8192 }, '/home/u/proj/tiers.json');
  assert.deepEqual(tiers.tiers.edge.device, { ssh: 'pi@raspberrypi.local', sshConfig: '/home/u/proj/ssh_config', executionProvider: 'cpu' });
  assert.equal(tiers.tiers.mobile.device, undefined);
  assert.throws(() => parseTierOverrides({ tiers: { cloud: { executionProvider: 'cuda' } } }, { cores: 4, memoryMB: 8192 }, 'tiers.json'),
    (e: unknown) => e instanceof AdvisorError && e.category === 'usage' && /tiers\.json: tiers\.cloud: executionProvider "cuda" needs "ssh"/.test(e.message));
});


test('readConfig: unreadable and non-JSON files are input errors naming the file', () => {
  const dir = tempDir();
  const file = path.join(dir, 'edge-advisor.json');
  assert.throws(() => readConfig('edge-advisor', file), inputError(/edge-advisor\.json: cannot read it \(file not found\)/));
  fs.writeFileSync(file, '{ "models": ');
  assert.throws(() => readConfig('edge-advisor', file), inputError(/edge-advisor\.json: not valid JSON/));
});

test('JSON paths read like the file', () => {
  assert.equal(jsonPath(['tiers', 'edge', 'cpus']), 'tiers.edge.cpus');
  assert.equal(jsonPath(['links', 'mobile-edge', 'mbps']), 'links.mobile-edge.mbps');
  assert.equal(jsonPath(['models', 'nets/a b.onnx', 'preprocess', 'mean', '2']), 'models["nets/a b.onnx"].preprocess.mean[2]');
});
