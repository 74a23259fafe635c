/**
 * The wire format: messages with typed arrays, odd numbers and bigints arrive equal, however the
 * byte stream is chopped up, and stray bytes around frames are reported without losing a frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, MAGIC } from './frames';

const message = {
  type: 'response', id: 7, ok: true,
  result: {
    outputs: [
      { type: 'float32', dims: [2, 3], data: Float32Array.from([1.5, -2, 3, 4, 5, 6]) },
      { type: 'int64', dims: [3], data: BigInt64Array.from([1n, -2n, 2n ** 40n]) },
      { type: 'uint8', dims: [5], data: Uint8Array.from([1, 2, 3, 4, 5]) }, // odd length: the next array stays aligned
      { type: 'float64', dims: [2], data: Float64Array.from([Math.PI, -0.5]) },
    ],
    sqnrDb: Infinity, worst: -Infinity, undefinedRatio: NaN, big: 12345678901234567890n,
    names: ['a', 'b'], nothing: null, nested: { deep: [{ x: new Int32Array([9, -9]) }] },
  },
};

function decodeAll(chunks: Buffer[]): { messages: unknown[]; stray: string } {
  const messages: unknown[] = [];
  let stray = '';
  const d = new FrameDecoder((m) => messages.push(m), (b) => { stray += b.toString('latin1'); });
  for (const c of chunks) d.push(c);
  return { messages, stray };
}

test('a message with typed arrays, non-finite numbers and bigints arrives equal', () => {
  const { messages } = decodeAll(encodeFrame(message));
  assert.deepEqual(messages, [message]);
  const out = (messages[0] as typeof message).result.outputs;
  assert.ok(out[1]!.data instanceof BigInt64Array);
  assert.ok(out[3]!.data instanceof Float64Array, 'a float64 view after an odd-length array is aligned');
});

test('any chopping of the stream gives the same messages: byte by byte, and two frames in one chunk', () => {
  const one = Buffer.concat(encodeFrame(message));
  const bytes = [...one].map((b) => Buffer.from([b]));
  assert.deepEqual(decodeAll(bytes).messages, [message]);
  const two = Buffer.concat([one, Buffer.concat(encodeFrame({ type: 'ready' }))]);
  assert.deepEqual(decodeAll([two]).messages, [message, { type: 'ready' }]);
  const third = Math.floor(one.byteLength / 3);
  assert.deepEqual(decodeAll([one.subarray(0, third), one.subarray(third, 2 * third), one.subarray(2 * third)]).messages, [message]);
});

test('stray output around frames (a login banner, a stray print) is reported and skipped', () => {
  const frame = Buffer.concat(encodeFrame({ type: 'ready', n: 1 }));
  const noise = Buffer.from('Welcome to edge-box\nEAW');
  const { messages, stray } = decodeAll([noise, frame, Buffer.from('tail text'), frame]);
  assert.deepEqual(messages, [{ type: 'ready', n: 1 }, { type: 'ready', n: 1 }]);
  assert.equal(stray, 'Welcome to edge-box\nEAWtail text');
});

test('a large sample goes through in one copy and comes back bit-identical', () => {
  const data = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i));
  const frame = encodeFrame({ samples: [{ x: { type: 'float32', dims: [1, 3, 224, 224], data } }] });
  assert.ok(frame[0]!.subarray(0, 4).equals(MAGIC));
  const { messages } = decodeAll(frame);
  assert.deepEqual((messages[0] as { samples: Array<{ x: { data: Float32Array } }> }).samples[0]!.x.data, data);
});
