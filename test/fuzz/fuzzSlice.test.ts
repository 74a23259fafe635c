/**
 * A bounded slice of the fuzz set inside `npm test`: ~200 mutated models, each of which must end in
 * a valid inspection or a typed one-line AdvisorError, in a worker that is killed if a case hangs.
 * The full set (2400 cases and a CLI sample) is `npm run fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { runFuzz, sweepTruncations } from './fuzz';
import { runPipeline } from './harness';
import { cnn } from '../fixtures/models';
import { encodeModel } from '../../src/core/onnx/codec';

test('200 mutated models: typed errors or valid results, no crash, hang, blowup or outside read', async () => {
  // a different window of the same seed than the first cases of `npm run fuzz`, so the two add up
  const s = await runFuzz({ seed: 20261125, first: 5000, cases: 200, batch: 200, cliEvery: 100 });
  assert.equal(s.cases, 200);
  assert.deepEqual(s.failures, []);
  assert.equal(s.crashes + s.hangs + s.allocBlowups + s.outsideReads + s.cliFailures, 0);
  // the slice exercised both outcomes, and most mutations are caught as typed input errors
  assert.ok(s.ok > 0 && (s.errors['input'] ?? 0) > 0, JSON.stringify(s.errors));
  assert.equal(s.cliRuns, 2);
  assert.equal(s.leftBehind, 0);
});

test('a tensor declaring 10^12 elements is refused before anything is allocated', () => {
  const m = cnn();
  m.graph!.initializer[0]!.dims = [10n ** 6n, 10n ** 6n];
  const rssBefore = process.memoryUsage().rss;
  const o = runPipeline(encodeModel(m), os.tmpdir());
  assert.equal(o.verdict, 'error');
  assert.equal(o.kind, 'unsupported');
  assert.equal(o.stage, 'tensors');
  assert.match(o.message!, /declares 1000000000000 elements .* more than the 4 GiB limit/);
  assert.ok(process.memoryUsage().rss - rssBefore < 256 * 2 ** 20);
});

test('declared input dims of 10^12 still inspect, with MACs that stay a finite number or null', () => {
  const m = cnn();
  m.graph!.input[0]!.type!.tensor_type!.shape!.dim = [10n ** 12n, 3n, 10n ** 12n, 10n ** 12n].map((d) => ({ dim_value: d }));
  assert.equal(runPipeline(encodeModel(m), os.tmpdir()).verdict, 'ok');
});

test('truncation at every field boundary (±1 byte) of every fixture seed ends in a typed error or a valid model', () => {
  const s = sweepTruncations();
  assert.deepEqual(s.crashes, []);
  assert.ok(s.cuts > 1000, `${s.cuts} cuts`);
  assert.equal(s.ok + s.errors, s.cuts);
});
