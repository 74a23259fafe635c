import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRecord, type ConfigRecord } from '../measure/slices';
import { seededRandom } from '../stats/bootstrap';
import { STUDY_TIERS } from '../tiers/presets';
import { configId, deriveRows, type OperatorBuild, type RowContext } from './rows';

const build: OperatorBuild = { operator: 'identity', stages: ['model.onnx'], placements: ['mobile'] };
// the study's Mobile tier has 4 cores: on a 2-core host it is extrapolated from 1 and 2 threads
const ctx: RowContext = { tiers: STUDY_TIERS, hostCores: 2, samples: [], inputBytes: 0 };

/** A configuration measured in `blocks.length` blocks of 3 runs each around the given block medians. */
function measured(threads: number, blocks: number[]): ConfigRecord {
  const rec = newRecord({ id: configId(0, build, threads), stages: [{ modelPath: 'model.onnx', threads }] });
  const runs = blocks.flatMap((b) => [b * 0.999, b, b * 1.001]);
  Object.assign(rec.stages[0]!, { samplesMs: runs, blockMedians: blocks, outputBytes: 4 });
  Object.assign(rec, { samplesMs: runs, blockMedians: blocks, loads: 1, peakRssMB: 50 });
  return rec;
}

/** Block medians drifting ±`spread` around `ms` (log-normal, as this host's blocks do). */
function blocksAround(ms: number, n: number, spread: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return ms * Math.exp(spread * z);
  });
}

function mobileRow(t1: number[], t2: number[]) {
  const records = new Map([[configId(0, build, 1), measured(1, t1)], [configId(0, build, 2), measured(2, t2)]]);
  return deriveRows([build], records, ctx)[0]!.row;
}

test('an extrapolated row\'s CI carries the fit: wider than the 2-thread measurement it is scaled from', () => {
  const rand = seededRandom(7);
  const row = mobileRow(blocksAround(2.0, 12, 0.02, rand), blocksAround(1.2, 12, 0.02, rand));
  assert.ok(row.flags.includes('extrapolated'));
  const s = row.sampling!;
  // t4 = 1.5·t2 − 0.5·t1: the 1-thread medians' noise adds to the 2-thread ones', at a smaller median
  assert.ok(s.relHalfWidth > 1.5 * s.measuredRelHalfWidth!, `row ±${(100 * s.relHalfWidth).toFixed(1)}% vs measured ±${(100 * s.measuredRelHalfWidth!).toFixed(1)}%`);
  assert.ok(row.latencyMs.ciLow! <= row.latencyMs.median && row.latencyMs.median <= row.latencyMs.ciHigh!);
});

test('an extrapolated row is never surer than the measurement it is scaled from', () => {
  // one slow block in eight: resampled medians never move, but with eight blocks the measurement's
  // distribution-free CI reaches its slowest block
  const row = mobileRow(Array(8).fill(2.0), [...Array(7).fill(1.2), 2.4]);
  const s = row.sampling!;
  assert.ok(s.measuredRelHalfWidth! > 0.5 && s.relHalfWidth >= s.measuredRelHalfWidth! - 1e-12, `row ±${(100 * s.relHalfWidth).toFixed(1)}% vs measured ±${(100 * s.measuredRelHalfWidth!).toFixed(1)}%`);
});

test('the extrapolated CI covers the tier\'s true time about 95% of the time; the scaled measurement\'s does not', () => {
  // true medians 2.0 ms at 1 thread, 1.2 ms at 2: Mobile's 4 cores take 1.5·1.2 − 0.5·2.0 = 0.8 ms
  const truth = 0.8;
  const rand = seededRandom(11);
  let covered = 0;
  let coveredByMeasurement = 0;
  const runs = 200;
  for (let r = 0; r < runs; r++) {
    const row = mobileRow(blocksAround(2.0, 12, 0.03, rand), blocksAround(1.2, 12, 0.03, rand));
    if (row.latencyMs.ciLow! <= truth && truth <= row.latencyMs.ciHigh!) covered++;
    const half = row.sampling!.measuredRelHalfWidth! * row.latencyMs.median;
    if (Math.abs(row.latencyMs.median - truth) <= half) coveredByMeasurement++;
  }
  assert.ok(covered / runs >= 0.88, `extrapolated CI covered the truth in ${covered}/${runs} runs`);
  assert.ok(coveredByMeasurement / runs < 0.8, `the measurement's CI alone covered it in ${coveredByMeasurement}/${runs} runs`);
});

test('a row measured at its own thread count keeps the measurement\'s CI', () => {
  const local = { ...build, placements: ['mobile' as const] };
  const tiers = { ...STUDY_TIERS, tiers: { ...STUDY_TIERS.tiers, mobile: { ...STUDY_TIERS.tiers.mobile, cpus: 2 } } };
  const rand = seededRandom(3);
  const records = new Map([[configId(0, local, 1), measured(1, blocksAround(2, 12, 0.02, rand))], [configId(0, local, 2), measured(2, blocksAround(1.2, 12, 0.02, rand))]]);
  const row = deriveRows([local], records, { ...ctx, tiers })[0]!.row;
  assert.ok(!row.flags.includes('extrapolated'));
  assert.equal(row.sampling!.measuredRelHalfWidth, undefined);
  assert.ok(row.sampling!.relHalfWidth < 0.05);
});
