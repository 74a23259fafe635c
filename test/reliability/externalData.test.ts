/**
 * External data cannot reach outside the model's folder: absolute locations, `..` and symlinks
 * that leave it are refused with a security error; ranges past the end of the data file are input
 * errors; and a file outside the folder is provably never read (its access time stays put).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../src/core/errors';
import { readModel } from '../../src/core/onnx/io';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec';
import { tensorBytes } from '../../src/core/onnx/tensor';
import { writeExternalDataModel } from '../fixtures/models';
import { atimeWorks, resetSecret, secretWasRead } from '../fuzz/layout';
import { assertOneLineError, cli, listFiles, tempRoot } from './support';

const root = tempRoot('edge-advisor-extdata-');
test.after(() => {
  root.cleanup();
  assert.equal(fs.existsSync(root.dir), false, 'temp root removed');
});

/** root/outside/secret.bin (must never be read) and root/<name>/ holding the external-data CNN. */
function setup(name: string): { dir: string; model: string; secret: string } {
  const outside = path.join(root.dir, 'outside');
  const secret = path.join(outside, 'secret.bin');
  if (!fs.existsSync(secret)) {
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(secret, new Uint8Array(1 << 20).fill(7));
  }
  resetSecret(secret);
  const model = writeExternalDataModel(path.join(root.dir, name));
  return { dir: path.dirname(model), model, secret };
}

/** Rewrites the first initializer's external_data entries of `model`. */
function setExternal(model: string, entries: Record<string, string>): void {
  const m = decodeModel(fs.readFileSync(model));
  const t = m.graph!.initializer[0]!;
  const kv = new Map(t.external_data.map((e) => [e.key!, e.value!]));
  for (const [k, v] of Object.entries(entries)) kv.set(k, v);
  t.external_data = [...kv].map(([key, value]) => ({ key, value }));
  fs.writeFileSync(model, encodeModel(m));
}

function category(fn: () => unknown): string {
  try { fn(); } catch (e) { if (e instanceof AdvisorError) return e.category; throw e; }
  return 'no error';
}

test('locations that leave the model folder are refused, and the file outside is never read', (t) => {
  const checkAtime = atimeWorks(root.dir);
  if (!checkAtime) t.diagnostic('this filesystem does not record atime: only the errors are checked');
  const escapes: Array<[string, (dir: string, secret: string) => string]> = [
    ['absolute path', (_d, secret) => secret],
    ['.. to a sibling folder', () => '../outside/secret.bin'],
    ['.. after a subfolder', () => 'a/../../outside/secret.bin'],
    ['symlinked file', (dir) => { fs.symlinkSync('../outside/secret.bin', path.join(dir, 'link.bin')); return 'link.bin'; }],
    ['symlinked folder', (dir) => { fs.symlinkSync('../outside', path.join(dir, 'linkdir')); return 'linkdir/secret.bin'; }],
    ['Windows drive path', () => 'C:\\outside\\secret.bin'],
    ['UNC path', () => '\\\\server\\share\\secret.bin'],
  ];
  escapes.forEach(([why, make], i) => {
    const { dir, model, secret } = setup(`escape-${i}`);
    setExternal(model, { location: make(dir, secret), offset: '0' });
    assert.equal(category(() => readModel(model)), 'security', why);
    // the CLI on a few (each run is a process start): bench must refuse before onnxruntime,
    // which resolves locations itself, ever sees the model
    const commands = why === 'symlinked folder' ? ['inspect', 'bench'] : why.startsWith('absolute') || why === 'symlinked file' ? ['inspect'] : [];
    for (const cmd of commands) {
      const line = assertOneLineError(cli(cmd === 'bench' ? [cmd, model, '--no-cache'] : [cmd, model]));
      assert.match(line, /external data outside the model folder/, `${cmd}, ${why}`);
      assert.ok(line.includes(model), `names the model: ${line}`);
    }
    if (checkAtime) assert.equal(secretWasRead(secret), false, `${why}: the outside file was read`);
  });
});

test('locations that stay inside the folder are followed: in-folder symlinks, subfolders, names starting with dots', () => {
  const { dir, model } = setup('inside');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.renameSync(path.join(dir, 'weights.bin'), path.join(dir, 'sub', '..weights.bin'));
  fs.symlinkSync('sub/..weights.bin', path.join(dir, 'weights.bin'));
  const m = decodeModel(fs.readFileSync(model));
  m.graph!.initializer.forEach((t, i) => {
    const loc = ['weights.bin', 'sub/..weights.bin', './sub/../weights.bin'][i % 3]!;
    t.external_data = t.external_data.map((e) => (e.key === 'location' ? { key: 'location', value: loc } : e));
  });
  fs.writeFileSync(model, encodeModel(m));
  const r = cli(['inspect', model, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).externalData, true);
  const loaded = readModel(model);
  for (const t of loaded.model.graph!.initializer) assert.ok(tensorBytes(t, { modelDir: loaded.dir }).length > 0);
});

test('ranges past the end of the data file, and bad offsets, are input errors naming the tensor', () => {
  const { model, dir } = setup('ranges');
  const size = fs.statSync(path.join(dir, 'weights.bin')).size;
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ offset: String(size) }, /past the end of weights\.bin/],
    [{ offset: '0', length: String(size + 1) }, /past the end of weights\.bin/],
    [{ offset: String(2 ** 53 - 1) }, /past the end of weights\.bin/],
    [{ offset: '-4' }, /invalid external offset "-4"/],
    [{ offset: '12abc' }, /invalid external offset/],
    [{ offset: '18446744073709551615' }, /invalid external offset/],
    [{ location: 'missing.bin' }, /external data file not found: missing\.bin/],
  ];
  cases.forEach(([entries, expect], i) => {
    const copy = path.join(dir, 'case.onnx');
    fs.copyFileSync(model, copy);
    setExternal(copy, entries);
    let err: unknown;
    try { readModel(copy); } catch (e) { err = e; }
    assert.ok(err instanceof AdvisorError && err.category === 'input', `${JSON.stringify(entries)}: ${String(err)}`);
    assert.match(err.message, expect);
    assert.match(err.message, /tensor "conv_w_0"|missing\.bin/);
    if (i < 2) assert.match(assertOneLineError(cli(['inspect', copy])), expect);
  });
});

test('a data file that shrinks after loading gives an error, not a short tensor', () => {
  const { model, dir } = setup('shrink');
  const loaded = readModel(model);
  fs.truncateSync(path.join(dir, 'weights.bin'), 100);
  const last = loaded.model.graph!.initializer.at(-1)!;
  assert.throws(() => tensorBytes(last, { modelDir: loaded.dir, modelFile: model }), (e: unknown) => e instanceof AdvisorError && e.category === 'input' && /past the end/.test(e.message));
});

test('a folder or FIFO as the location is refused without blocking', (t) => {
  const { model, dir } = setup('special');
  fs.mkdirSync(path.join(dir, 'adir'));
  setExternal(model, { location: 'adir' });
  assert.match(assertOneLineError(cli(['inspect', model])), /not a regular file: adir/);
  const fifo = path.join(dir, 'pipe.bin');
  if (spawnSync('mkfifo', [fifo]).status !== 0) { t.diagnostic('mkfifo unavailable: FIFO case skipped'); return; }
  setExternal(model, { location: 'pipe.bin' });
  // before the regular-file check, reading the weights for sparsity opened the FIFO and blocked forever
  assert.match(assertOneLineError(cli(['inspect', model], { timeoutMs: 30_000 })), /not a regular file: pipe\.bin/);
  assert.deepEqual(listFiles(dir).filter((f) => f.includes('.tmp')), []);
});
