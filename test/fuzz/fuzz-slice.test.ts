/**
 * A bounded slice of the fuzz set inside `npm test`: ~200 mutated models, each of which must end in
 * a valid inspection or a typed one-line AdvisorError, in a worker that is killed if a case hangs.
 * The full set (2400 cases and a CLI sample) is `npm run fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './fuzz';

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
