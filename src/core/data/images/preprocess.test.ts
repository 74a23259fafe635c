import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedImage } from './codecs';
import { preprocessImage, resizedSize } from './preprocess';
import { describePreprocess, inferPreprocess, resolvePreprocess, type PreprocessSpec } from './preprocessSpec';
import type { InputSpec } from '../inputs';

const rgbInput: InputSpec = { name: 'input', type: 'float32', shape: ['batch', 3, 224, 224] };
const grayInput: InputSpec = { name: 'image', type: 'float32', shape: ['batch', 1, 4, 4] };

/** An image from a function of (x, y) → [r, g, b]. */
function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): DecodedImage {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([...f(x, y), 255], 4 * (y * w + x));
  return { width: w, height: h, rgba, format: 'png', gray: false };
}

const raw = (over: Partial<PreprocessSpec>): PreprocessSpec => ({
  resize: 'exact', size: [4, 4], color: 'gray', layout: 'nchw', scale: 1, mean: [0], std: [1], dtype: 'float32', ...over,
});

test('a 2× downscale averages with Pillow\'s bilinear weights [1, 3, 3, 1] / 8: a ramp keeps its centres', () => {
  const t = preprocessImage(image(8, 8, (x) => [x * 10, x * 10, x * 10]), raw({ size: [4, 4] }));
  assert.deepEqual(t.dims, [1, 1, 4, 4]);
  // output column i covers input columns 2i, 2i+1: centre 2i + 0.5 → value 10·(2i + 0.5), edges clamp
  assert.deepEqual(Array.from(t.data.slice(0, 4) as Float32Array).map((v) => +Number(v).toFixed(3)), [(0 * 1 + 0 * 3 + 10 * 3 + 20 * 1) / 7, 25, 45, (50 * 1 + 60 * 3 + 70 * 3) / 7].map((v) => +v.toFixed(3)));
});

test('same size is the identity; shorter-side resize keeps the aspect like torchvision; the crop rounds half to even', () => {
  const img = image(4, 4, (x, y) => [x + 4 * y, 0, 0]);
  const same = preprocessImage(img, raw({ color: 'rgb', resize: 'shorter', size: [4, 4], crop: [4, 4] }));
  assert.deepEqual(Array.from(same.data.slice(0, 16) as Float32Array), Array.from({ length: 16 }, (_, i) => i));
  assert.deepEqual(resizedSize(raw({ resize: 'shorter', size: [256, 256] }), 500, 375), [341, 256]);
  assert.deepEqual(resizedSize(raw({ resize: 'shorter', size: [256, 256] }), 375, 500), [256, 341]);
  // 5 wide, crop 2: offset round(1.5) = 2 (Python rounds half to even), so columns 2 and 3
  const wide = image(5, 1, (x) => [x * 10, x * 10, x * 10]);
  assert.deepEqual(Array.from(preprocessImage(wide, raw({ resize: 'none', crop: [1, 2] })).data as Float32Array), [20, 30]);
  // a crop larger than the image pads with zeros (after normalisation: (0 − mean) / std)
  const padded = preprocessImage(image(2, 2, () => [100, 100, 100]), raw({ resize: 'none', crop: [2, 4], mean: [50], std: [2] }));
  assert.deepEqual(Array.from(padded.data as Float32Array), [-25, 25, 25, -25, -25, 25, 25, -25]);
});

test('colour order, layout, ImageNet normalisation and 8-bit inputs', () => {
  const px = image(1, 1, () => [255, 128, 0]);
  const bgr = preprocessImage(px, raw({ color: 'bgr', size: [1, 1] }));
  assert.deepEqual(Array.from(bgr.data as Float32Array), [0, 128, 255]);
  const nhwc = preprocessImage(image(2, 1, (x) => [x, 10 + x, 20 + x]), raw({ color: 'rgb', size: [1, 2], layout: 'nhwc' }));
  assert.deepEqual(nhwc.dims, [1, 1, 2, 3]);
  assert.deepEqual(Array.from(nhwc.data as Float32Array), [0, 10, 20, 1, 11, 21]);
  // Pillow's luma: a gray pixel keeps its value exactly; (255, 128, 0) → 151
  assert.deepEqual(Array.from(preprocessImage(px, raw({ size: [1, 1] })).data as Float32Array), [151]);
  const imagenet = inferPreprocess({ ...rgbInput, shape: ['batch', 3, 1, 1] }, 'imagenet');
  const v = Array.from(preprocessImage(px, { ...imagenet, resize: 'exact', size: [1, 1], crop: [1, 1] }).data as Float32Array);
  [(1 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225].forEach((want, i) => assert.ok(Math.abs(v[i]! - want) < 1e-5));
  const u8 = preprocessImage(px, { ...inferPreprocess({ name: 'x', type: 'uint8', shape: [1, 8, 8, 3] }), resize: 'exact', size: [1, 1], crop: [1, 1] });
  assert.equal(u8.type, 'uint8');
  assert.deepEqual([u8.dims, Array.from(u8.data as Uint8Array)], [[1, 1, 1, 3], [255, 128, 0]]);
});

test('the default comes from the input and is marked a guess; presets and objects override it; mistakes are named', () => {
  const guess = resolvePreprocess(undefined, grayInput, 'inferred');
  assert.equal(guess.guess, true);
  assert.match(guess.origin, /inferred from input "image" \[batch, 1, 4, 4\]/);
  assert.equal(describePreprocess(guess.spec), 'gray, shorter side → 4, center crop 4×4, NCHW float32, x/255');
  const imagenet = resolvePreprocess('imagenet', rgbInput, '--preprocess');
  assert.equal(imagenet.guess, false);
  assert.equal(describePreprocess(imagenet.spec), 'RGB, shorter side → 256, center crop 224×224, NCHW float32, (x/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]');
  assert.equal(describePreprocess(resolvePreprocess('caffe', rgbInput, 'x').spec), 'BGR, shorter side → 224, center crop 224×224, NCHW float32, x − [103.9, 116.8, 123.7]');
  const custom = resolvePreprocess({ preset: '[-1,1]', resize: 'exact', size: 224 }, rgbInput, 'edge-advisor.json');
  assert.deepEqual([custom.spec.resize, custom.spec.size, custom.spec.crop, custom.spec.mean], ['exact', [224, 224], undefined, [0.5]]);
  const usage = (re: RegExp) => (e: unknown) => e instanceof Error && re.test(e.message);
  assert.throws(() => resolvePreprocess('imagenett', rgbInput, 'x'), usage(/unknown preprocessing preset "imagenett"/));
  assert.throws(() => resolvePreprocess({ colour: 'rgb' }, rgbInput, 'edge-advisor.json'), usage(/unknown preprocess field "colour"/));
  assert.throws(() => resolvePreprocess({ color: 'gray' }, rgbInput, 'edge-advisor.json'), usage(/gives 1 channel, input "input" takes 3/));
  assert.throws(() => resolvePreprocess({ crop: 200 }, rgbInput, 'f.json'), usage(/produces 200×200 images, input "input" takes 224×224/));
  assert.throws(() => resolvePreprocess({ mean: [1, 2] }, rgbInput, 'f.json'), usage(/"mean" has 2 values for 3 channels/));
  assert.throws(() => resolvePreprocess(undefined, { name: 'ids', type: 'int64', shape: [1, 128] }, 'x'), usage(/rank 2: images feed a rank-4 input/));
});
