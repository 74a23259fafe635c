/**
 * `recommend --json-stream`: a CI log sees the run as it happens — progress lines with the plan,
 * provisional reports with rows so far, and last the final report document (schema-valid).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeModel } from '../src/core/onnx/io';
import { cnnModel } from '../src/core/quantize/testdata/fixtures';
import { assertMatchesSchema } from './support/schemas';
import { runCli, tempDir } from './support/shared';

test('--json-stream writes progress, provisional reports and the final report as NDJSON', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const model = path.join(dir, 'cnn.onnx');
  writeModel(cnnModel(), model);
  const r = runCli(['recommend', model, '--budget-seconds', '3', '--out-dir', path.join(dir, 'out'), '--json-stream'], { timeoutMs: 300_000 });
  assert.ok(r.code === 0 || r.code === 3, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; progress?: { plan?: unknown }; report?: { provisional?: boolean; results: unknown[] } });
  assert.ok(events.length >= 3, `${events.length} events`);
  assert.ok(events.some((e) => e.event === 'progress' && e.progress?.plan), 'progress carries the plan');
  const provisional = events.filter((e) => e.event === 'report');
  assert.ok(provisional.length >= 1 && provisional.every((e) => e.report!.provisional === true && e.report!.results.length > 0));
  const last = events.at(-1)!;
  assert.equal(last.event, 'final');
  assertMatchesSchema('report', last.report);
  assert.equal(events.filter((e) => e.event === 'final').length, 1);
  assert.equal(r.stderr.includes('%]'), false, 'no progress lines on stderr: they are in the stream');
});
