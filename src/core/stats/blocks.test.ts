import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockRuns, DEFAULT_BLOCKS, rewarmDue } from './blocks';

const rule = { rewarmMs: 25, blockMs: 150, maxRuns: 200, minBlocks: 5 };

test('a block records about blockMs of runs: many short runs, one long one, capped for tiny models', () => {
  assert.equal(blockRuns(2, rule), 75, 'a 2 ms int8 mobilenet_v2: 75 runs per turn');
  assert.equal(blockRuns(30, rule), 5);
  assert.equal(blockRuns(400, rule), 1, 'a run longer than the block is a block of one');
  assert.equal(blockRuns(0.01, rule), 200, 'a 10 µs model is capped');
  assert.equal(blockRuns(0, rule), 1, 'no estimate yet: one run');
  assert.equal(blockRuns(Number.NaN), 1);
  assert.deepEqual(DEFAULT_BLOCKS, rule);
});

test('re-warm runs are discarded only while they fit in the re-warm time', () => {
  // a 2 ms model: runs at 0, 2, … 22 ms fit in 25 ms (12 runs); the 13th would end at 26 ms
  let elapsed = 0;
  let discarded = 0;
  while (rewarmDue(elapsed, 2, rule)) { elapsed += 2; discarded++; }
  assert.equal(discarded, 12);
  assert.equal(rewarmDue(0, 30, rule), false, 'a 30 ms run is longer than the re-warm time: measured, not discarded');
  assert.equal(rewarmDue(0, 0, rule), false, 'no estimate: nothing to size the re-warm by');
});
