import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdvisorError } from '../errors';
import { linkSettingsOf, parseMeasurements } from './measurements';

const FILE = 'phone.json';

const valid = () => ({
  model: 'mobilenet_v2',
  modality: 'image',
  metric: 'top1',
  baselineAccuracy: 71.8,
  results: [
    { operator: 'identity', placement: 'mobile', latencyMs: { median: 42.5, mean: 43.1, sd: 2.2, n: 200 }, accuracy: 71.8 },
    { operator: 'sptq', placement: 'mobile', samplesMs: [20, 21, 22, 23, 24, 25, 26], accuracy: 71.1 },
    { operator: 'partition', placement: 'mobile-edge', latencyMs: { median: 30 }, accuracy: 71.8 },
  ],
});

/** Asserts that parsing fails with exactly this one-line message. */
function rejects(json: unknown, message: string) {
  assert.throws(() => parseMeasurements(json, FILE), (e: unknown) => {
    assert.ok(e instanceof AdvisorError);
    assert.equal(e.category, 'input');
    assert.equal(e.message, message);
    return true;
  });
}

test('a valid file becomes result rows; samples alone are summarized (median and its 95% CI)', () => {
  const m = parseMeasurements(valid(), FILE);
  assert.equal(m.model, 'mobilenet_v2');
  assert.equal(m.rows.length, 3);
  assert.deepEqual(m.rows[0]!.latencyMs, { median: 42.5, mean: 43.1, sd: 2.2, n: 200 });
  const sptq = m.rows[1]!;
  assert.equal(sptq.latencyMs.median, 23);
  assert.equal(sptq.latencyMs.n, 7);
  // n = 7: P(B ≤ 0) = 1/128 ≤ 0.025 < P(B ≤ 1) = 8/128, so the CI is [x(1), x(7)].
  assert.equal(sptq.latencyMs.ciLow, 20);
  assert.equal(sptq.latencyMs.ciHigh, 26);
  assert.deepEqual(sptq.samplesMs, [20, 21, 22, 23, 24, 25, 26]);
  assert.deepEqual(sptq.flags, []);
});

test('errors name the file and the JSON path', () => {
  rejects({ ...valid(), modality: 'video' }, 'phone.json: $.modality: must be one of image, text, audio, tabular, unknown, got "video"');
  rejects({ ...valid(), extra: 1 }, 'phone.json: $.extra: unknown key (allowed: model, modality, metric, baselineAccuracy, source, links, results)');
  rejects({ ...valid(), results: [] }, 'phone.json: $.results: must not be empty');
  const r = valid();
  r.results[0]!.latencyMs = { median: -1 } as never;
  rejects(r, 'phone.json: $.results[0].latencyMs.median: must be greater than 0, got -1');
  const s = valid();
  (s.results[1] as { samplesMs: unknown[] }).samplesMs = [20, '21'];
  rejects(s, 'phone.json: $.results[1].samplesMs[1]: must be a number, got "21"');
  const a = valid();
  delete (a.results[2] as { accuracy?: number }).accuracy;
  rejects(a, 'phone.json: $.results[2].accuracy: must be a number, got nothing (missing)');
});

test('operator and placement must make sense together, and appear once', () => {
  const p = valid();
  p.results[2]!.placement = 'edge';
  rejects(p, 'phone.json: $.results[2].placement: partition runs across two tiers: use mobile-edge or edge-cloud, not edge');
  const q = valid();
  q.results[0]!.placement = 'mobile-edge';
  rejects(q, 'phone.json: $.results[0].placement: identity runs on one tier: use mobile, edge or cloud, not mobile-edge');
  const d = valid();
  d.results.push({ ...d.results[0]! });
  rejects(d, 'phone.json: $.results[3]: duplicate identity on mobile (also $.results[0])');
  const n = valid();
  delete (n.results[2] as { latencyMs?: unknown }).latencyMs;
  rejects(n, 'phone.json: $.results[2]: needs "latencyMs" ({"median": ...}) or "samplesMs" ([...])');
});

test('transfers need the bandwidth of their link, which then drives the sensitivity analysis', () => {
  const t = valid();
  (t.results[2] as Record<string, unknown>).transfers = [{ link: 'mobile-edge', bytes: 401408, what: 'cut' }];
  rejects(t, 'phone.json: $.results[2].transfers[0].link: transfers over mobile-edge need its bandwidth in $.links.mobile-edge');
  const ok = { ...t, links: { 'mobile-edge': { mbps: 50 } } };
  const m = parseMeasurements(ok, FILE);
  assert.deepEqual(m.rows[2]!.transfers, [{ link: 'mobile-edge', bytes: 401408, what: 'cut' }]);
  assert.deepEqual(linkSettingsOf(m)!['mobile-edge'], { mbps: 50, rttMs: 0 });
});
