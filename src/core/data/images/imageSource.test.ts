import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import type { InputSpec } from '../inputs';
import { listImages } from './folder';
import { openImageSource } from './imageSource';
import { resolvePreprocess } from './preprocessSpec';
import { encodeImage, type Pixels } from './testdata/fixtures';

const rgb: InputSpec = { name: 'input', type: 'float32', shape: ['batch', 3, 8, 8] };
const choice = resolvePreprocess(undefined, rgb, 'inferred');

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'images-'));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const solid = (v: number, w = 8, h = 8, channels: 1 | 3 = 3): Pixels => ({ width: w, height: h, channels, data: new Uint8Array(w * h * channels).fill(v) });

async function put(root: string, rel: string, p: Pixels, fmt: 'png' | 'jpeg' | 'bmp' = 'png'): Promise<string> {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, await encodeImage(p, fmt));
  return f;
}

const inputError = (re: RegExp) => (e: unknown) => e instanceof AdvisorError && e.category === 'input' && re.test(e.message);

test('class folders give labels by sorted class name, like torchvision ImageFolder (any depth below the class)', async () => {
  const d = tmp();
  await put(d, 'dog/a.png', solid(10));
  await put(d, 'cat/deep/er/b.png', solid(20));
  await put(d, 'ant/c.jpg', solid(30), 'jpeg');
  await put(d, 'cat/d.bmp', solid(40), 'bmp');
  const src = await openImageSource(d, rgb, choice);
  assert.deepEqual(src.classes, ['ant', 'cat', 'dog']);
  assert.deepEqual(src.files!.map((f) => path.relative(d, f)), ['ant/c.jpg', 'cat/d.bmp', 'cat/deep/er/b.png', 'dog/a.png']);
  assert.deepEqual(Array.from(src.labels!.data), [0, 1, 1, 2]);
  assert.deepEqual(src.payloadBytes, src.files!.map((f) => fs.statSync(f).size), 'a request uploads the file itself');
  const [first] = await src.read(0, 1);
  assert.deepEqual(first!['input']!.dims, [1, 3, 8, 8]);
  assert.ok(Math.abs((first!['input']!.data[0] as number) - 30 / 255) < 3 / 255);
  assert.deepEqual(src.warnings, []);
});

test('labels.txt names the training order; an empty class keeps its index; folders it does not name are skipped and said', async () => {
  const d = tmp();
  fs.mkdirSync(path.join(d, 'ant'));
  await put(d, 'cat/1.png', solid(1));
  await put(d, 'dog/1.png', solid(2));
  await put(d, 'emu/1.png', solid(3));
  fs.writeFileSync(path.join(d, 'labels.txt'), 'dog\nant\ncat\n');
  const src = await openImageSource(d, rgb, choice);
  assert.deepEqual(Array.from(src.labels!.data), [2, 0], 'cat → 2, dog → 0');
  assert.match(src.warnings.join('\n'), /class folder "ant" has no images \(their class indices are kept/);
  assert.match(src.warnings.join('\n'), /not named in labels\.txt, skipped: emu\/ \(1 image\)/);
});

test('bad files are skipped by name with the reason; conversions and mixed sizes are counted; nothing is dropped silently', async () => {
  const d = tmp();
  await put(d, 'a/ok.png', solid(5));
  await put(d, 'a/gray.png', solid(9, 8, 8, 1));
  await put(d, 'a/big.png', solid(7, 16, 12));
  const jpeg = await encodeImage(solid(100, 32, 32), 'jpeg');
  fs.writeFileSync(path.join(d, 'a', 'cut.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  fs.writeFileSync(path.join(d, 'a', 'fake.png'), 'this is text');
  fs.writeFileSync(path.join(d, 'a', 'notes.md'), '# notes');
  const src = await openImageSource(d, rgb, choice);
  assert.equal(src.count, 3);
  const w = src.warnings.join('\n');
  assert.match(w, /1 file is not an image by name and skipped: a\/notes\.md/);
  assert.match(w, /2 files could not be read as images and are skipped: a\/cut\.jpg: truncated JPEG \(no end-of-image marker\); a\/fake\.png: not an image/);
  assert.match(w, /1 grayscale image was converted to RGB for input "input"/);
  assert.match(w, /images come in 2 sizes \(8×8 ×2, 16×12 ×1\); each is resized by the preprocessing to 8×8/);
  const t = (await src.read(0, 3)).map((f) => f['input']!.dims);
  assert.deepEqual(t, [[1, 3, 8, 8], [1, 3, 8, 8], [1, 3, 8, 8]]);
});

test('labels beyond the model\'s classes are skipped with a warning; nothing usable is a clear error', async () => {
  const d = tmp();
  for (const c of ['0', '1', '2']) await put(d, `${c}/x.png`, solid(1));
  const src = await openImageSource(d, rgb, choice, { classCount: 2 });
  assert.equal(src.count, 2);
  assert.match(src.warnings.join('\n'), /the model scores 2 classes \(0–1\); class folder "2" \(index 2, 1 image\) is beyond them and skipped/);
  const empty = tmp();
  fs.mkdirSync(path.join(empty, 'cls'));
  fs.writeFileSync(path.join(empty, 'cls', 'broken.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]));
  await assert.rejects(openImageSource(empty, rgb, choice), inputError(/no usable images \(1 unreadable\).*broken\.jpg/));
  const none = tmp();
  fs.writeFileSync(path.join(none, 'readme.txt'), 'x');
  assert.throws(() => listImages(none), inputError(/no images found/));
});

test('a big folder is sampled evenly across classes, and re-read batch by batch when it does not fit the cache', async () => {
  const d = tmp();
  for (let c = 0; c < 4; c++) for (let i = 0; i < 5; i++) await put(d, `c${c}/${i}.png`, solid(c * 50 + i));
  const src = await openImageSource(d, rgb, choice, { limit: 8, cacheBytes: 0 });
  assert.equal(src.count, 8);
  assert.deepEqual(Array.from(src.labels!.data), [0, 0, 1, 1, 2, 2, 3, 3]);
  assert.match(src.warnings.join('\n'), /using 8 of 20 images, evenly spaced/);
  const cached = await openImageSource(d, rgb, choice, { limit: 8 });
  const [a, b] = [await src.read(2, 5), await cached.read(2, 5)];
  assert.deepEqual(a.map((f) => Array.from(f['input']!.data as Float32Array)), b.map((f) => Array.from(f['input']!.data as Float32Array)), 'a re-read decodes the same tensors');
  fs.rmSync(src.files![3]!);
  await assert.rejects(src.read(3, 4), inputError(/changed since it was first read/));
});
