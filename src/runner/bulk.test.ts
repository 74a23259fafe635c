/**
 * The bulk side channel: large typed arrays leave the message for one file and come back as equal
 * arrays of the same type; small ones and everything else stay in the message untouched.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BULK_MIN_BYTES, BulkReader, bulkFile, pack, unpack } from './bulk';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulk-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const big = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);

test('large arrays of every tensor type travel through one file and come back equal', () => {
  const n = BULK_MIN_BYTES; // elements: every array below is at least BULK_MIN_BYTES long
  const message = {
    samples: [
      { image: { type: 'float32', dims: [n], data: big(n) } },
      { ids: { type: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) - 5n) } },
    ],
    bytes: Uint8Array.from({ length: n + 3 }, (_, i) => i % 251), // odd length: the next part stays aligned
    doubles: Float64Array.from({ length: n }, (_, i) => i / 3),
    small: new Int32Array([1, 2, 3]),
    name: 'x', count: 2, nothing: null,
  };
  const file = bulkFile(dir, 'in', 1);
  const packed = pack(message, file);
  assert.equal(packed.file, file);
  assert.ok(fs.existsSync(file));
  assert.ok(packed.message.small instanceof Int32Array, 'small arrays stay in the message');
  assert.ok(!ArrayBuffer.isView(packed.message.bytes), 'large arrays leave the message');
  assert.ok(message.bytes instanceof Uint8Array, 'the input message is not modified');

  const back = unpack(packed);
  assert.deepEqual(back, message);
  assert.ok((back.samples[1] as { ids: { data: unknown } }).ids.data instanceof BigInt64Array);
  assert.ok(!fs.existsSync(file), 'the file is deleted once read');
});

test('a message without large arrays needs no file', () => {
  const packed = pack({ a: new Float32Array(4), b: [1, 2] }, bulkFile(dir, 'in', 2));
  assert.equal(packed.file, undefined);
  assert.deepEqual(unpack(packed), { a: new Float32Array(4), b: [1, 2] });
});

test('subarray views send only their own bytes', () => {
  const whole = big(4 * BULK_MIN_BYTES);
  const view = whole.subarray(BULK_MIN_BYTES, 2 * BULK_MIN_BYTES);
  const packed = pack({ view }, bulkFile(dir, 'in', 3));
  assert.equal(fs.statSync(packed.file!).size, view.byteLength);
  assert.deepEqual(unpack(packed).view, view);
});

test('the reader reuses its buffer once it is large enough', () => {
  const reader = new BulkReader();
  const first = reader.read(pack({ x: big(BULK_MIN_BYTES) }, bulkFile(dir, 'in', 4)));
  const second = reader.read(pack({ x: big(BULK_MIN_BYTES / 2) }, bulkFile(dir, 'in', 5)));
  assert.equal(first.x.buffer, second.x.buffer);
  assert.deepEqual(second.x, big(BULK_MIN_BYTES / 2));
});

test('an existing file is never overwritten', () => {
  const file = bulkFile(dir, 'in', 6);
  fs.writeFileSync(file, 'keep');
  assert.throws(() => pack({ x: big(BULK_MIN_BYTES) }, file), /EEXIST/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep');
});
