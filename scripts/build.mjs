// Bundles the four entry points with esbuild. onnxruntime-node stays external: its native
// binding must be loaded from node_modules, and only the runner process may load it.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  sourcesContent: false,
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
  // the wasm image decoders' emscripten glue reads import.meta.url only when no locateFile is
  // given (src/core/data/images/codecs.ts gives one), so its absence in CommonJS is harmless
  logOverride: { 'empty-import-meta': 'silent' },
};

// The wasm image decoders travel beside the bundles (codecs.ts looks in dist/codecs/ first).
const CODEC_WASM = ['@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm', '@jsquash/webp/codec/dec/webp_dec.wasm'];
const require = createRequire(import.meta.url);
mkdirSync('dist/codecs', { recursive: true });
for (const f of CODEC_WASM) copyFileSync(require.resolve(f), `dist/codecs/${basename(f)}`);

const builds = [
  { ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/runner/child/main.ts'], outfile: 'dist/runner.js' },
  // the runner's preprocess job decodes on worker threads (one per emulated core)
  { ...node, entryPoints: ['src/runner/child/preprocessWorker.ts'], outfile: 'dist/preprocessWorker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    sourcesContent: false,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    loader: { '.css': 'text' },
    logLevel: 'warning',
  },
].filter((b) => existsSync(b.entryPoints[0]));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // what a device tier installs (issue 17): runner.js with onnxruntime-node's Linux binaries
  const { assembleDeviceRuntimes } = await import('./deviceRuntime.mjs');
  assembleDeviceRuntimes();
}
