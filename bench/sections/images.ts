/**
 * Section 7, image data: decode + preprocess throughput of 224×224 JPEGs through the runner's
 * `preprocess` job (the code a tier runs on a request) at 1 and 2 threads, for the inferred
 * preprocessing (no resize) and ImageNet's (resize 256 + crop 224); and peak memory of reading a
 * folder of 1,000 vs 10,000 files end to end (each in its own process), which must follow the batch.
 */
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeImage, type Pixels } from '../../src/core/data/images/testdata/fixtures';
import { inferPreprocess } from '../../src/core/data/images/preprocessSpec';
import type { RunnerHost } from '../../src/core/protocol/runner';
import { RunnerClient } from '../../src/runner/host/client';
import { fmt, fmtSpread, spread } from '../lib';
import { mdTable, type SectionResult, type SuiteSettings } from './types';

/** A photo-like picture: colour gradients, soft blobs and fine noise (JPEG entropy of a real photo). */
function photo(w: number, h: number, seed: number): Pixels {
  let s = seed * 9973 + 1;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const blobs = Array.from({ length: 12 }, () => [r() * w, r() * h, 10 + (r() * w) / 3, r() * 255, r() * 255, r() * 255] as const);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let c = [(x / w) * 120 + 40, (y / h) * 120 + 40, 100];
    for (const [bx, by, br, R, G, B] of blobs) {
      const a = 1 - Math.hypot(x - bx, y - by) / br;
      if (a > 0) c = [c[0]! * (1 - a) + R * a, c[1]! * (1 - a) + G * a, c[2]! * (1 - a) + B * a];
    }
    const n = (r() - 0.5) * 30;
    data.set(c.map((v) => Math.max(0, Math.min(255, v + n))), 3 * (y * w + x));
  }
  return { width: w, height: h, channels: 3, data };
}

const TARGET_PER_S = 500;

/**
 * Decoding is JavaScript and wasm, so it is timed in the shipped bundles (dist/, built by `npm run
 * bench`), not through tsx: from source the runner's main thread decoded ~3-6× slower here.
 */
function bundledRunner(): RunnerClient {
  const runnerPath = path.resolve(__dirname, '../../dist/runner.js');
  if (!fs.existsSync(runnerPath)) throw new Error('dist/runner.js is missing: npm run bench builds it (npm run build)');
  return new RunnerClient({ runnerPath, execArgv: [] });
}

/** bench/imageMemory.ts bundled into `dir`, with the codecs it loads beside it. */
function bundledMemoryProbe(dir: string): string {
  const out = path.join(dir, 'imageMemory.js');
  esbuild.buildSync({ entryPoints: [path.join(__dirname, '..', 'imageMemory.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, external: ['onnxruntime-node'], logLevel: 'error', logOverride: { 'empty-import-meta': 'silent' } });
  fs.cpSync(path.resolve(__dirname, '../../dist/codecs'), path.join(dir, 'codecs'), { recursive: true });
  return out;
}

export async function imagesSection(s: SuiteSettings): Promise<SectionResult> {
  const dir = path.join(s.tmpDir, 'images');
  fs.mkdirSync(dir, { recursive: true });
  const host = bundledRunner();
  try {
    return await measure(s, host, dir);
  } finally {
    host.dispose();
  }
}

async function measure(s: SuiteSettings, host: RunnerHost, dir: string): Promise<SectionResult> {
  const small: Uint8Array[] = [];
  const large: Uint8Array[] = [];
  for (let i = 0; i < 32; i++) {
    small.push(await encodeImage(photo(224, 224, i), 'jpeg', 90));
    large.push(await encodeImage(photo(500, 375, i), 'jpeg', 90));
  }
  const input = { name: 'input', type: 'float32' as const, shape: ['batch', 3, 224, 224] };
  const reps = s.quick ? 1 : 3;
  const budgetMs = s.quick ? 300 : 2000;
  const cases = [
    { name: '224×224 JPEG, inferred (no resize, x/255)', files: small, spec: inferPreprocess(input) },
    { name: '224×224 JPEG, imagenet (resize 256, crop 224, mean/std)', files: small, spec: inferPreprocess(input, 'imagenet') },
    { name: '500×375 JPEG, imagenet (resize 256, crop 224, mean/std)', files: large, spec: inferPreprocess(input, 'imagenet') },
  ];
  const rows: Array<{ name: string; threads: number; perSecond: ReturnType<typeof spread>; msPerImage: number }> = [];
  for (const c of cases) {
    for (const threads of [1, Math.min(2, s.hostCores)]) {
      const perSecond: number[] = [];
      const ms: number[] = [];
      for (let r = 0; r < reps; r++) {
        const res = await host.run('preprocess', { files: c.files, spec: c.spec, threads, budgetMs });
        perSecond.push(res.perSecond);
        ms.push(spread(res.samplesMs).median);
      }
      rows.push({ name: c.name, threads, perSecond: spread(perSecond), msPerImage: spread(ms).median });
    }
  }

  // memory: 1,000 vs 10,000 files (hard links to 32 distinct JPEGs, 10 class folders)
  const sizes = s.quick ? [200, 2000] : [1000, 10000];
  const probe = bundledMemoryProbe(dir);
  const memory: Array<{ files: number; baseMB: number; peakMB: number; scanMs: number; readMs: number }> = [];
  for (const n of sizes) {
    const root = path.join(dir, `folder-${n}`);
    const originals = small.map((b, i) => { const f = path.join(dir, `o${i}.jpg`); fs.writeFileSync(f, b); return f; });
    for (let i = 0; i < n; i++) {
      const cls = path.join(root, `class${i % 10}`);
      fs.mkdirSync(cls, { recursive: true });
      fs.linkSync(originals[i % originals.length]!, path.join(cls, `${String(i).padStart(5, '0')}.jpg`));
    }
    const out = execFileSync(process.execPath, [probe, root], { encoding: 'utf8', maxBuffer: 1 << 20 });
    memory.push(JSON.parse(out.trim().split('\n').pop()!) as (typeof memory)[number]);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const best = rows.find((r) => r.name.startsWith('224×224 JPEG, inferred') && r.threads === Math.min(2, s.hostCores))!;
  const imagenet2 = rows.find((r) => r.name.startsWith('224×224 JPEG, imagenet') && r.threads === Math.min(2, s.hostCores))!;
  const [m1, m2] = memory;
  const markdown = [
    `Through the runner's \`preprocess\` job in the shipped bundle (dist/runner.js, not tsx; wasm mozjpeg decode, src/core/data/images): each thread decodes the files over and over for ${budgetMs} ms; ${reps} repetition${reps > 1 ? 's' : ''}. Files: 32 photo-like JPEGs (quality 90), ${fmt(small.reduce((a, b) => a + b.length, 0) / small.length / 1024, 1)} KiB (224×224) and ${fmt(large.reduce((a, b) => a + b.length, 0) / large.length / 1024, 1)} KiB (500×375) on average.`,
    '',
    mdTable(['files, preprocessing', 'threads', 'images/s median [min–max]', 'ms per image'], rows.map((r) => [r.name, r.threads, fmtSpread(r.perSecond, 0), fmt(r.msPerImage, 2)])),
    '',
    `Memory: an image folder opened and read end to end in chunks of 64 (every file; ImageNet preprocessing, 602 KB float tensors), each size in its own process.`,
    '',
    mdTable(['files', 'RSS before (MB)', 'peak RSS (MB)', 'scan (s)', 'read (s)'], memory.map((m) => [m.files, fmt(m.baseMB, 0), fmt(m.peakMB, 0), fmt(m.scanMs / 1000, 1), fmt(m.readMs / 1000, 1)])),
  ].join('\n');
  return {
    id: 'images', title: '7. Image data: decode + preprocess', data: { rows, memory },
    markdown,
    summary: [
      { figure: `224×224 JPEG decode + preprocess, images/s at ${best.threads} threads (inferred; imagenet ${fmt(imagenet2.perSecond.median, 0)}/s)`, value: fmtSpread(best.perSecond, 0), target: `≥ ${TARGET_PER_S}`, met: best.perSecond.median >= TARGET_PER_S },
      { figure: `peak RSS reading ${m1!.files} vs ${m2!.files} image files (MB)`, value: `${fmt(m1!.peakMB, 0)} vs ${fmt(m2!.peakMB, 0)}`, target: 'bounded by a batch', met: m2!.peakMB < m1!.peakMB * 1.25, note: `${fmt((m2!.peakMB - m1!.peakMB), 0)} MB more for ${m2!.files - m1!.files} more files` },
    ],
  };
}
