/**
 * The bulk side channel: large typed arrays leave the message for a file and come back as equal
 * arrays of the same type; small ones and everything else stay in the message untouched.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BULK_MIN_BYTES, BulkReader, bulkFile, pack, unpack } from '../wire/bulk';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulk-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const big = (n: number, k = 0.5) => Float32Array.from({ length: n }, (_, i) => i * k - 7);

test('large arrays of every tensor type travel through the file and come back equal', () => {
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
  const file = bulkFile(dir, 'in');
  const packed = pack(message, file);
  assert.equal(packed.bulk?.file, file);
  assert.ok(packed.message.small instanceof Int32Array, 'small arrays stay in the message');
  assert.ok(!ArrayBuffer.isView(packed.message.bytes), 'large arrays leave the message');
  assert.ok(message.bytes instanceof Uint8Array, 'the input message is not modified');

  const back = unpack(packed);
  assert.deepEqual(back, message);
  assert.ok((back.samples[1] as { ids: { data: unknown } }).ids.data instanceof BigInt64Array);
});

test('the file is reused: a smaller message overwrites its start and reads back only its own bytes', () => {
  const file = bulkFile(dir, 'out');
  unpack(pack({ x: big(4 * BULK_MIN_BYTES) }, file));
  const size = fs.statSync(file).size;
  const second = pack({ x: big(BULK_MIN_BYTES, 2) }, file);
  assert.equal(fs.statSync(file).size, size, 'not truncated: its pages are reused');
  assert.equal(second.bulk!.bytes, BULK_MIN_BYTES * 4);
  assert.deepEqual(unpack(second), { x: big(BULK_MIN_BYTES, 2) });
});

test('a message without large arrays needs no file', () => {
  const packed = pack({ a: new Float32Array(4), b: [1, 2] }, path.join(dir, 'unused.bin'));
  assert.equal(packed.bulk, undefined);
  assert.ok(!fs.existsSync(path.join(dir, 'unused.bin')));
  assert.deepEqual(unpack(packed), { a: new Float32Array(4), b: [1, 2] });
});

test('subarray views send only their own bytes', () => {
  const whole = big(4 * BULK_MIN_BYTES);
  const view = whole.subarray(BULK_MIN_BYTES, 2 * BULK_MIN_BYTES);
  const packed = pack({ view }, path.join(dir, 'view.bin'));
  assert.equal(packed.bulk!.bytes, view.byteLength);
  assert.deepEqual(unpack(packed).view, view);
});

test('the reader reuses its buffer once it is large enough', () => {
  const reader = new BulkReader();
  const file = path.join(dir, 'reader.bin');
  const first = reader.read(pack({ x: big(BULK_MIN_BYTES) }, file));
  const second = reader.read(pack({ x: big(BULK_MIN_BYTES / 2, 3) }, file));
  assert.equal(first.x.buffer, second.x.buffer);
  assert.deepEqual(second.x, big(BULK_MIN_BYTES / 2, 3));
});
