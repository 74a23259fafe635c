import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResultsCache, cacheKey, canonicalJson, defaultOutDir, type CacheKeyParts } from './cache';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const model = path.join(dir, 'm.onnx');
  const data = path.join(dir, 'data');
  fs.writeFileSync(model, 'model-bytes');
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, 'a.npy'), 'a');
  const parts: CacheKeyParts = { modelFiles: [model], dataFiles: [data], tiers: { a: 1, b: 2 }, settings: { budget: 10 }, onnxruntimeVersion: '1.30.0' };
  return { dir, model, data, parts };
}

test('the key changes when any input of a measurement changes, and only then', () => {
  const { model, data, parts } = setup();
  const k = cacheKey(parts);
  assert.equal(cacheKey({ ...parts, tiers: { b: 2, a: 1 } }), k, 'key order does not matter');
  assert.notEqual(cacheKey({ ...parts, settings: { budget: 11 } }), k);
  assert.notEqual(cacheKey({ ...parts, onnxruntimeVersion: '1.31.0' }), k);
  assert.notEqual(cacheKey({ ...parts, benchmarkMethod: 1 }), k, 'latencies measured the old way are not reused');
  assert.notEqual(cacheKey({ ...parts, tiers: { a: 1, b: 3 } }), k);
  fs.writeFileSync(path.join(data, 'a.npy'), 'b');
  const k2 = cacheKey(parts);
  assert.notEqual(k2, k, 'data file content');
  fs.writeFileSync(model, 'model-bytes-2');
  assert.notEqual(cacheKey(parts), k2, 'model content');
  assert.equal(canonicalJson({ z: 1n, a: [{ y: 1, x: 2 }] }), '{"a":[{"x":2,"y":1}],"z":"1"}');
});

test('entries round-trip, misses are undefined, damaged entries are misses', () => {
  const { dir, parts, model } = setup();
  const cache = new ResultsCache(defaultOutDir(model));
  assert.equal(cache.dir, path.join(dir, '.edge-advisor', 'cache'));
  const key = cacheKey(parts);
  assert.equal(cache.get(key), undefined);
  cache.put(key, { rows: [1, 2] });
  assert.deepEqual(cache.get(key), { rows: [1, 2] });
  assert.deepEqual(fs.readdirSync(cache.dir), [`${key}.json`], 'no temp files left behind');
  fs.writeFileSync(path.join(cache.dir, `${key}.json`), '{"format":1,"key":"');
  assert.equal(cache.get(key), undefined);
  assert.throws(() => cache.get('../../etc/passwd'), /invalid cache key/);
});
