// Assembles the runtimes the advisor copies to remote Linux devices (issue 17) into
// dist/device-runtime/<platform>-<arch>/ — one self-contained folder per device platform:
//
//   dist/device-runtime/linux-x64/            (and linux-arm64/, same layout)
//     runner.js                               a copy of dist/runner.js (the child side of the runner)
//     node_modules/onnxruntime-node/          package.json, dist/*.js and bin/napi-v6/linux/<arch>/
//                                             {onnxruntime_binding.node, libonnxruntime.so.1}
//     node_modules/onnxruntime-common/        package.json, dist/cjs/** (JavaScript only)
//     manifest.json                           {platform, arch, advisor, onnxruntime, hash, files:
//                                             [{path, bytes, sha256}]} — `hash` is the sha256 of the
//                                             sorted "sha256  path" lines: name the device's cache
//                                             folder after it (~/.cache/edge-advisor/<version>/<hash>/)
//
// Copy the folder as it is to the device and start `node runner.js` there: require('onnxruntime-node')
// resolves inside it. Only the onnxruntime-node package's own binaries; nothing is downloaded.
//
// usage: node scripts/deviceRuntime.mjs [--out dist/device-runtime]   (after the build)
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE_TARGETS, ORT_BIN, TARGETS } from './targets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** JavaScript files under `dir` (recursively), relative to ROOT: no maps, no typings. */
function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...jsFiles(rel));
    else if (name.endsWith('.js') || name === 'package.json') out.push(rel);
  }
  return out;
}

/** Repository-relative files of one device runtime, with where they go inside its folder. */
export function deviceRuntimeFiles(target) {
  const t = TARGETS[target];
  const pkgFiles = [
    'node_modules/onnxruntime-node/package.json',
    ...jsFiles('node_modules/onnxruntime-node/dist').filter((f) => f.endsWith('.js')),
    ...t.files.map((f) => `${ORT_BIN}/${t.dir}/${f}`),
    'node_modules/onnxruntime-common/package.json',
    ...jsFiles('node_modules/onnxruntime-common/dist/cjs'),
  ];
  return [{ from: 'dist/runner.js', to: 'runner.js' }, ...pkgFiles.map((f) => ({ from: f, to: f }))];
}

export function assembleDeviceRuntimes(outDir = join(ROOT, 'dist', 'device-runtime')) {
  if (!existsSync(join(ROOT, 'dist', 'runner.js'))) throw new Error('dist/runner.js is missing: build first (node scripts/build.mjs --production)');
  const advisor = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const onnxruntime = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  rmSync(outDir, { recursive: true, force: true });
  const manifests = {};
  for (const target of DEVICE_TARGETS) {
    const dir = join(outDir, target);
    const files = [];
    for (const { from, to } of deviceRuntimeFiles(target)) {
      const dst = join(dir, to);
      mkdirSync(dirname(dst), { recursive: true });
      copyFileSync(join(ROOT, from), dst);
      const bytes = readFileSync(dst);
      files.push({ path: relative(dir, dst).split(sep).join('/'), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    const [platform, arch] = target.split('-');
    const manifest = { platform, arch, advisor, onnxruntime, hash: runtimeHash(files), files };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    manifests[target] = manifest;
  }
  return manifests;
}

/** One hash for a runtime's content: the sha256 of its sorted "sha256  path" lines. */
export function runtimeHash(files) {
  return createHash('sha256').update(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')).digest('hex');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const m = assembleDeviceRuntimes(i > 0 ? process.argv[i + 1] : undefined);
  for (const [t, x] of Object.entries(m)) console.log(`${t}: ${x.files.length} files, ${(x.files.reduce((s, f) => s + f.bytes, 0) / 2 ** 20).toFixed(1)} MiB, hash ${x.hash.slice(0, 12)}`);
}
