// The host's last-report cache: valid only for the same request on the same bytes; corrupt = miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdvisorReport } from '../core/results';
import { ReportCache } from './reportCache';
import type { JobRequest } from './runOptions';

const report = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'reports', 'digits.report.json'), 'utf8')) as AdvisorReport;

test('a cached report is returned for the same request and files, and dropped when anything changes', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ea-cache-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = path.join(dir, 'm.onnx');
  fs.writeFileSync(model, 'v1');
  const req: JobRequest = { advisor: { modelPath: model, variants: {}, maxAccuracyDrop: 2, budgetSeconds: 60 }, tiers: { preset: 'study' }, threads: 0 };
  const cache = new ReportCache(path.join(dir, 'cache'));
  assert.equal(cache.get(req), undefined);
  cache.put(req, report);
  assert.deepEqual(cache.get(req), report);
  assert.deepEqual(cache.get({ ...req, advisor: { ...req.advisor, useCache: false } }), report, 'useCache is not part of the key');
  assert.equal(cache.get({ ...req, advisor: { ...req.advisor, maxAccuracyDrop: 1 } }), undefined, 'other options miss');
  assert.equal(cache.get({ ...req, tiers: { preset: 'local' } }), undefined);
  fs.writeFileSync(model, 'v2 with another size');
  assert.equal(cache.get(req), undefined, 'a changed model misses');
  assert.ok(cache.last(model), 'but the card still shows the last results');
  fs.writeFileSync(fs.readdirSync(path.join(dir, 'cache')).map((f) => path.join(dir, 'cache', f))[0], '{ not json');
  assert.equal(cache.last(model), undefined, 'a corrupt entry is a miss');
});
