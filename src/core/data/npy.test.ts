import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../errors';
import type { TensorArray, TensorType } from '../protocol/tensor';
import { encodeNpy, parseNpy, readNpyFile } from './npy';

const SAMPLES = path.resolve(__dirname, '../../../samples/digits');

const isInput = (re: RegExp) => (e: unknown) => e instanceof AdvisorError && e.category === 'input' && re.test(e.message);

test('every supported element type survives a write → read round trip', () => {
  const cases: Array<[TensorType, TensorArray]> = [
    ['float32', Float32Array.from([1.5, -2, 3.25, 0, 1e-8, -7])],
    ['float64', Float64Array.from([Math.PI, -1e300, 0, 1, 2, 3])],
    ['int64', BigInt64Array.from([-(2n ** 62n), 0n, 1n, 2n, 3n, 9007199254740993n])],
    ['int32', Int32Array.from([-2147483648, 0, 1, 2, 3, 2147483647])],
    ['int8', Int8Array.from([-128, -1, 0, 1, 2, 127])],
    ['uint8', Uint8Array.from([0, 1, 2, 128, 254, 255])],
    ['bool', Uint8Array.from([1, 0, 0, 1, 1, 0])],
  ];
  for (const [type, data] of cases) {
    const back = parseNpy(encodeNpy({ type, shape: [2, 3], data }));
    assert.equal(back.type, type);
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>), type);
  }
});

test('files written by NumPy read back and re-encode byte for byte', () => {
  for (const name of ['digits_test_y.npy', 'digits_test_x.npy']) {
    const bytes = fs.readFileSync(path.join(SAMPLES, name));
    const a = parseNpy(bytes);
    assert.deepEqual(Buffer.from(encodeNpy(a)), bytes, name);
  }
  const y = readNpyFile(path.join(SAMPLES, 'digits_test_y.npy'));
  assert.equal(y.type, 'int64');
  assert.deepEqual(y.shape, [450]);
  const x = readNpyFile(path.join(SAMPLES, 'digits_test_x.npy'));
  assert.deepEqual([x.type, ...x.shape], ['float32', 450, 1, 32, 32]);
});

test('a 1-D header is written as NumPy writes it, 64-byte aligned', () => {
  const bytes = encodeNpy({ type: 'float32', shape: [3], data: new Float32Array(3) });
  const header = Buffer.from(bytes.subarray(10, 10 + new DataView(bytes.buffer).getUint16(8, true))).toString('latin1');
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
  assert.equal((10 + header.length) % 64, 0);
});

test('big-endian arrays are byte-swapped on read', () => {
  const le = encodeNpy({ type: 'int32', shape: [2], data: Int32Array.from([1, 258]) });
  const be = Buffer.from(le);
  const text = be.toString('latin1').replace("'<i4'", "'>i4'");
  const swapped = Buffer.from(text, 'latin1');
  const off = swapped.length - 8;
  swapped.writeInt32BE(1, off);
  swapped.writeInt32BE(258, off + 4);
  assert.deepEqual(Array.from(parseNpy(swapped).data as Int32Array), [1, 258]);
});

test('broken and unsupported files are refused with the file named', () => {
  const good = encodeNpy({ type: 'float32', shape: [4], data: new Float32Array(4) });
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy'), isInput(/^x\.npy: not a valid \.npy file: missing/));
  assert.throws(() => parseNpy(good.subarray(0, good.length - 4), 'short.npy'), isInput(/short\.npy: .*needs 16/));
  const fortran = Buffer.from(Buffer.from(good).toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1');
  assert.throws(() => parseNpy(fortran, 'f.npy'), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported' && /Fortran/.test(e.message));
  const complex = Buffer.from(Buffer.from(good).toString('latin1').replace("'<f4'", "'<c8'"), 'latin1');
  assert.throws(() => parseNpy(complex, 'c.npy'), (e: unknown) => e instanceof AdvisorError && e.category === 'unsupported' && /<c8/.test(e.message));
  assert.throws(() => readNpyFile('/nonexistent/data.npy'), isInput(/data\.npy: file not found/));
});
