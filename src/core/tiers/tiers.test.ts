import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import { amdahlPredict, computeScale, fitAmdahl, threadsFor } from './compute';
import { totalTransferMs, transferMs } from './network';
import { placementTransfers, placementTiers } from './placement';
import { STUDY_TIERS, localTiers, parseTierOverrides, resolveTiers } from './presets';

const host = { cores: 2, memoryMB: 24576 };

test('a 1.4 MB payload at 1 Mbit/s costs about 11 s (the study\'s Cloud uploads)', () => {
  // 1.4e6 B · 8 / 1e6 bit/s = 11.2 s
  assert.ok(Math.abs(transferMs(1.4e6, { mbps: 1, rttMs: 0 }) - 11200) < 1e-9);
  assert.ok(Math.abs(transferMs(1.4e6, { mbps: 200, rttMs: 0 }) - 56) < 1e-9);
  assert.equal(transferMs(0, { mbps: 10, rttMs: 20 }), 10, 'one way: half the round trip');
});

test('the study preset is the paper\'s set-up, frozen', () => {
  const t = STUDY_TIERS.tiers;
  assert.deepEqual([t.mobile.cpus, t.mobile.memoryMB, t.edge.cpus, t.edge.memoryMB, t.cloud.cpus, t.cloud.memoryMB], [4, 4096, 8, 16384, 16, 65536]);
  assert.equal(t.cloud.accelerator, 'A100 (not emulated)');
  assert.deepEqual(STUDY_TIERS.links['mobile-edge'], { id: 'mobile-edge', mbps: 200, rttMs: 0 });
  assert.deepEqual(STUDY_TIERS.links['edge-cloud'], { id: 'edge-cloud', mbps: 1, rttMs: 0 });
  assert.throws(() => { (STUDY_TIERS.tiers.mobile as { cpus: number }).cpus = 2; }, TypeError);
});

test('Cloud requests travel Mobile→Edge→Cloud and the result comes back the same way', () => {
  const tr = placementTransfers('cloud', { inputBytes: 1.4e6, outputBytes: 4000 });
  assert.deepEqual(tr.map((x) => `${x.what}:${x.link}`), ['input:mobile-edge', 'input:edge-cloud', 'output:edge-cloud', 'output:mobile-edge']);
  const ms = totalTransferMs(tr, STUDY_TIERS.links);
  // 56 + 11200 + 32 + 0.16 ms
  assert.ok(Math.abs(ms - (56 + 11200 + 32 + 0.16)) < 1e-9, String(ms));
  assert.deepEqual(placementTransfers('mobile', { inputBytes: 10, outputBytes: 10 }), []);
});

test('a partition sends its cut tensor between its two tiers', () => {
  assert.deepEqual(placementTiers('mobile-edge'), ['mobile', 'edge']);
  const tr = placementTransfers('mobile-edge', { inputBytes: 600000, outputBytes: 40, cutBytes: 5000 });
  assert.deepEqual(tr, [
    { link: 'mobile-edge', bytes: 5000, what: 'cut' },
    { link: 'mobile-edge', bytes: 40, what: 'output' },
  ]);
  const ec = placementTransfers('edge-cloud', { inputBytes: 100, outputBytes: 40, cutBytes: 5000 });
  assert.deepEqual(ec.map((x) => `${x.what}:${x.link}`), ['input:mobile-edge', 'cut:edge-cloud', 'output:edge-cloud', 'output:mobile-edge']);
});

test('local makes every tier this machine', () => {
  const l = localTiers(host);
  assert.equal(l.tiers.cloud.cpus, 2);
  assert.equal(l.tiers.mobile.memoryMB, 24576);
});

test('a tier file overrides single fields of a preset and rejects mistakes with the file name', () => {
  const t = parseTierOverrides({ tiers: { mobile: { cpus: 2, speed: 0.5 }, cloud: { accelerator: null } }, links: { 'edge-cloud': { mbps: 10 } } }, host);
  assert.equal(t.tiers.mobile.cpus, 2);
  assert.equal(t.tiers.mobile.speed, 0.5);
  assert.equal(t.tiers.mobile.memoryMB, 4096);
  assert.equal(t.tiers.cloud.accelerator, undefined);
  assert.equal(t.links['edge-cloud'].mbps, 10);
  assert.equal(STUDY_TIERS.tiers.mobile.cpus, 4, 'the preset itself is untouched');
  const err = (json: unknown, re: RegExp) => assert.throws(() => parseTierOverrides(json, host, 'tiers.json'),
    (e: unknown) => e instanceof AdvisorError && e.category === 'input' && re.test(e.message) && e.message.startsWith('tiers.json'));
  err({ tiers: { mobile: { cpu: 2 } } }, /unknown field "tiers\.mobile\.cpu"/);
  err({ links: { 'edge-cloud': { mbps: -1 } } }, /tiers\.json: links\.edge-cloud\.mbps must be > 0 \(got -1\)/);
  err({ preset: 'fast' }, /preset must be one of "study", "local", got "fast"/);
  err([], /the file must be a JSON object \(got \[\]\)/);
});

test('resolveTiers reads presets and JSON files', () => {
  assert.equal(resolveTiers('study', host), STUDY_TIERS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiers-'));
  try {
    const f = path.join(dir, 't.json');
    fs.writeFileSync(f, JSON.stringify({ preset: 'local', links: { 'mobile-edge': { mbps: 50, rttMs: 20 } } }));
    const t = resolveTiers(f, host);
    assert.equal(t.links['mobile-edge'].rttMs, 20);
    assert.equal(t.tiers.edge.cpus, 2);
    fs.writeFileSync(f, '{ nope');
    assert.throws(() => resolveTiers(f, host), /not valid JSON/);
    assert.throws(() => resolveTiers(path.join(dir, 'missing.json'), host), (e: unknown) => e instanceof AdvisorError && e.category === 'usage');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('threads are capped at the host\'s cores', () => {
  assert.equal(threadsFor({ cpus: 4 }, 2), 2);
  assert.equal(threadsFor({ cpus: 1 }, 2), 1);
  assert.equal(threadsFor({ cpus: 1.5 }, 8), 1);
});

test('Amdahl fit recovers t(n) = 2 + 8/n and extrapolates beyond the host', () => {
  const fit = fitAmdahl([1, 2].map((n) => ({ threads: n, ms: 2 + 8 / n })));
  assert.ok(Math.abs(fit.serialMs - 2) < 1e-9 && Math.abs(fit.parallelMs - 8) < 1e-9);
  assert.ok(Math.abs(fit.serialFraction - 0.2) < 1e-12);
  assert.ok(Math.abs(amdahlPredict(fit, 16) - 2.5) < 1e-9);
  // a 4-core tier measured at 2 threads: ×(2 + 8/4)/(2 + 8/2)
  const s = computeScale({ cpus: 4, speed: 1 }, 2, fit);
  assert.equal(s.measuredThreads, 2);
  assert.ok(s.extrapolated);
  assert.ok(Math.abs(s.factor - 4 / 6) < 1e-12);
  // a tier within the host is only scaled by its speed
  assert.deepEqual(computeScale({ cpus: 1, speed: 0.5 }, 2, fit), { factor: 2, measuredThreads: 1, extrapolated: false });
});

test('noisy scaling never yields negative times', () => {
  // two threads slower than one (a busy host): no speed-up, not a negative parallel part
  const fit = fitAmdahl([{ threads: 1, ms: 10 }, { threads: 2, ms: 11 }]);
  assert.ok(fit.parallelMs >= 0 && fit.serialMs >= 0);
  assert.ok(amdahlPredict(fit, 16) > 0);
  // super-linear: clamped to perfect scaling
  const sup = fitAmdahl([{ threads: 1, ms: 10 }, { threads: 2, ms: 4 }]);
  assert.equal(sup.serialMs, 0);
});
