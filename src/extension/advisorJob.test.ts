// The job's bridge to the pipeline: tier presets resolved in one place, the advisor's progress and cancel passed through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../core/errors';
import type { AdvisorReport } from '../core/results';
import { createAdvisorStart, describeProgress, tierSetFor, type RunAdvisor } from './advisorJob';
import type { AdvisorProgress } from '../core/pipeline/types';
import type { JobRequest } from './runOptions';

const report = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;
const req: JobRequest = { advisor: { modelPath: '/m/a.onnx', variants: {}, maxAccuracyDrop: 2, budgetSeconds: 30 }, tiers: { preset: 'study' }, threads: 0 };

test('tier presets: study is the study set-up; custom without a file is a usage error', () => {
  const study = tierSetFor({ preset: 'study' });
  assert.equal(study.tiers.mobile.cpus, 4);
  assert.equal(study.links['edge-cloud'].mbps, 1);
  assert.throws(() => tierSetFor({ preset: 'custom' }), (e: unknown) => e instanceof AdvisorError && e.category === 'usage');
});

test('edgeAdvisor.devices goes on top of the preset or tier file; a mistake fails the run naming the setting', () => {
  const t = tierSetFor({ preset: 'study', devices: { edge: { ssh: 'pi@raspberrypi', sshConfig: 'lab/ssh_config' } }, devicesBase: '/ws' });
  assert.deepEqual(t.tiers.edge.device, { ssh: 'pi@raspberrypi', sshConfig: '/ws/lab/ssh_config', executionProvider: 'cpu' });
  assert.equal(t.tiers.edge.cpus, 8);
  assert.throws(() => tierSetFor({ preset: 'local', devices: { gpu: { ssh: 'x' } } }), (e: unknown) => e instanceof AdvisorError && e.category === 'usage' && /edgeAdvisor\.devices: unknown tier "gpu"/.test(e.message));
  assert.throws(() => tierSetFor({ preset: 'study', devices: 'pi' }), /edgeAdvisor\.devices: must be an object/);
});

test('progress reads as one line with the configuration and ETA', () => {
  assert.equal(describeProgress({ stage: 'benchmark', message: 'benchmarking', fraction: 0.5, current: { operator: 'sptq', placement: 'edge' }, etaSeconds: 12.4 }), 'benchmarking — sptq on edge (ETA 12 s)');
  assert.equal(describeProgress({ stage: 'calibrate', message: '', fraction: 0.1 }), 'calibrate');
});

test('the orchestrator gets the resolved tiers, the job signal and a log; its progress reaches the job', async () => {
  const seen: { tiers?: string; signal?: AbortSignal } = {};
  const run: RunAdvisor = async (request, _runner, hooks) => {
    seen.tiers = request.tiers.name;
    seen.signal = hooks.signal;
    hooks.log?.('[inspect] reading a.onnx');
    hooks.onProgress?.({ stage: 'benchmark', message: 'benchmarking', fraction: 0.7, current: { operator: 'sptq' } });
    return report;
  };
  const progress: AdvisorProgress[] = [];
  const logs: string[] = [];
  const abort = new AbortController();
  const out = await createAdvisorStart({ run })(req, { signal: abort.signal, progress: (p) => progress.push(p), partial: () => {}, log: (l) => logs.push(l) });
  assert.equal(out, report);
  assert.equal(seen.tiers, 'study');
  assert.equal(seen.signal, abort.signal);
  assert.deepEqual(progress, [{ stage: 'benchmark', message: 'benchmarking', fraction: 0.7, current: { operator: 'sptq' } }], 'the advisor\'s progress, unchanged: one type from core to the panel');
  assert.ok(logs.some((l) => l.includes('[inspect] reading a.onnx')));
});
