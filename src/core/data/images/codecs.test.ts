import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage, ImageDecodeError, jpegInfo, sniffFormat } from './codecs';
import { encodeImage, type FixtureFormat, type Pixels } from './testdata/fixtures';

/** A 12×8 RGB picture with a horizontal red ramp, a vertical green ramp and constant blue. */
function picture(): Pixels {
  const [w, h] = [12, 8];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 20, y * 30, 128], 3 * (y * w + x));
  return { width: w, height: h, channels: 3, data };
}

const decodesTo = async (bytes: Uint8Array, maxError: number) => {
  const img = await decodeImage(bytes);
  assert.equal(img.width, 12);
  assert.equal(img.height, 8);
  const want = picture().data;
  let worst = 0;
  for (let i = 0; i < 96; i++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(img.rgba[4 * i + c]! - want[3 * i + c]!));
  assert.ok(worst <= maxError, `largest channel error ${worst} > ${maxError}`);
  return img;
};

test('every supported format decodes to RGBA of the right size, told by its bytes not its name', async () => {
  const lossless: FixtureFormat[] = ['png', 'webp', 'bmp'];
  for (const f of lossless) {
    const bytes = await encodeImage(picture(), f);
    assert.equal(sniffFormat(bytes), f);
    assert.equal((await decodesTo(bytes, 0)).format, f);
  }
  // JPEG is lossy (and subsamples chroma); GIF here is a 256-gray palette
  await decodesTo(await encodeImage(picture(), 'jpeg', 100), 40);
  const gif = await decodeImage(await encodeImage({ ...picture(), channels: 1, data: new Uint8Array(96).fill(77) }, 'gif'));
  assert.deepEqual([gif.width, gif.height, gif.rgba[0], gif.rgba[1], gif.rgba[2], gif.rgba[3]], [12, 8, 77, 77, 77, 255]);
});

test('gray files say so (a gray image for an RGB model is converted and counted)', async () => {
  const gray: Pixels = { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(200) };
  for (const f of ['png', 'jpeg'] as const) {
    const img = await decodeImage(await encodeImage(gray, f));
    assert.equal(img.gray, true, f);
    assert.ok(Math.abs(img.rgba[0]! - 200) <= 1 && img.rgba[0] === img.rgba[1] && img.rgba[1] === img.rgba[2], f);
  }
  assert.equal((await decodeImage(await encodeImage(picture(), 'png'))).gray, false);
});

test('corrupt, truncated and non-image bytes are refused with the reason, never decoded as gray noise', async () => {
  const bad = (re: RegExp) => (e: unknown) => e instanceof ImageDecodeError && re.test(e.message);
  const jpeg = await encodeImage(picture(), 'jpeg');
  assert.equal(jpegInfo(jpeg).complete, true);
  await assert.rejects(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), bad(/truncated JPEG/));
  const png = await encodeImage(picture(), 'png');
  await assert.rejects(decodeImage(png.subarray(0, png.length - 30)), bad(/corrupt or unreadable PNG/));
  const flipped = png.slice();
  flipped[60] = flipped[60]! ^ 0xff;
  await assert.rejects(decodeImage(flipped), bad(/PNG/));
  await assert.rejects(decodeImage(new TextEncoder().encode('not an image at all')), bad(/not an image/));
  await assert.rejects(decodeImage(new Uint8Array(0)), bad(/not an image/));
});
