// Checks what a VSIX holds against what its target needs (scripts/package.mjs runs it on every VSIX
// it writes; CI through `npm run package -- --all`):
//   - its size is under 100 MiB;
//   - exactly its own platform's onnxruntime binaries (scripts/targets.mjs), each built for that OS
//     and CPU (ELF/Mach-O/PE header), and no other platform's;
//   - both Linux device runtimes (dist/device-runtime/<target>/), every file matching its
//     manifest.json by size and sha256, nothing else in them, binaries for the right CPU;
//   - the sample once (samples/digits, byte for byte the repository's), no other model or array;
//   - the bundles, schemas and localised strings, and no source maps, sources or CLI.
// --smoke also loads the device runtime for this machine's platform from the VSIX and runs the
// sample's distilled model with it (a runtime that is complete, not only present).
//
// usage: node scripts/checkVsix.mjs [--smoke] <file.vsix>...
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { runtimeHash } from './deviceRuntime.mjs';
import { binaryArch, binaryFormat, DEVICE_TARGETS, MAX_VSIX_BYTES, ORT_BIN, TARGETS } from './targets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const X = 'extension/';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const MiB = (n) => (n / 2 ** 20).toFixed(1);

/** All entries of a zip, with a reader for each one's bytes. */
function openZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map();
      zip.on('entry', (e) => { entries.set(e.fileName, e); zip.readEntry(); });
      zip.on('end', () => resolve({
        entries,
        read: (e) => new Promise((res, rej) => zip.openReadStream(e, (er, s) => {
          if (er) return rej(er);
          const chunks = [];
          s.on('data', (c) => chunks.push(c)).on('end', () => res(Buffer.concat(chunks))).on('error', rej);
        })),
        close: () => zip.close(),
      }));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function checkVsix(file, { smoke = false } = {}) {
  const problems = [];
  const bad = (m) => problems.push(m);
  const zip = await openZip(file);
  const names = [...zip.entries.keys()];
  const bytes = readFileSync(file).length;
  try {
    const manifest = (await zip.read(zip.entries.get('extension.vsixmanifest'))).toString('utf8');
    const target = /TargetPlatform="([^"]+)"/.exec(manifest)?.[1];
    if (!target || !TARGETS[target]) return { file, target: target ?? '?', bytes, files: names.length, problems: [`no known TargetPlatform in extension.vsixmanifest (${target})`] };
    if (bytes >= MAX_VSIX_BYTES) bad(`${MiB(bytes)} MiB, over the ${MiB(MAX_VSIX_BYTES)} MiB limit`);

    // its own onnxruntime, and no other platform's
    const own = TARGETS[target];
    const ownDir = `${X}${ORT_BIN}/${own.dir}/`;
    const hostBin = names.filter((n) => n.startsWith(`${X}${ORT_BIN}/`));
    const want = own.files.map((f) => ownDir + f);
    for (const n of want) if (!zip.entries.has(n)) bad(`missing ${n}`);
    for (const n of hostBin) if (!want.includes(n)) bad(`not this target's: ${n}`);
    for (const n of want.filter((w) => zip.entries.has(w))) await checkBinary(zip, n, target, bad);

    // the device runtimes, as their manifests say
    for (const dt of DEVICE_TARGETS) await checkDeviceRuntime(zip, names, dt, bad);
    const stray = names.filter((n) => n.startsWith(`${X}dist/device-runtime/`) && !DEVICE_TARGETS.some((d) => n.startsWith(`${X}dist/device-runtime/${d}/`)));
    for (const n of stray) bad(`unexpected device-runtime file ${n}`);

    // bindings anywhere else would be a second copy loaded by someone
    const bindings = names.filter((n) => n.endsWith('onnxruntime_binding.node'));
    if (bindings.length !== 1 + DEVICE_TARGETS.length) bad(`expected ${1 + DEVICE_TARGETS.length} onnxruntime bindings (own + devices), found ${bindings.length}: ${bindings.join(', ')}`);

    // the sample: once, exactly the repository's
    const sampleDir = join(ROOT, 'samples', 'digits');
    for (const f of readdirSync(sampleDir)) {
      const e = zip.entries.get(`${X}samples/digits/${f}`);
      if (!e) { bad(`sample file missing: samples/digits/${f}`); continue; }
      if (sha256(await zip.read(e)) !== sha256(readFileSync(join(sampleDir, f)))) bad(`samples/digits/${f} differs from the repository's`);
    }
    const data = names.filter((n) => /\.(onnx|npy|npz)$/i.test(n) && !n.startsWith(`${X}samples/digits/`));
    for (const n of data) bad(`model or data file outside the sample: ${n}`);

    for (const n of ['package.json', 'package.nls.json', 'dist/extension.js', 'dist/runner.js', 'dist/webview.js']) {
      if (!zip.entries.has(X + n)) bad(`missing ${n}`);
    }
    if (!names.some((n) => n.startsWith(`${X}schemas/`) && n.endsWith('.schema.json'))) bad('no JSON schemas (schemas/*.schema.json)');
    for (const n of names) {
      if (n.endsWith('.map') || n.startsWith(`${X}src/`) || n.startsWith(`${X}test/`) || n === `${X}dist/cli.js`) bad(`should not ship: ${n}`);
    }
    if (smoke) await smokeDeviceRuntime(zip, names, bad);
    const uncompressed = names.reduce((s, n) => s + zip.entries.get(n).uncompressedSize, 0);
    return { file, target, bytes, uncompressed, files: names.length, problems };
  } finally {
    zip.close();
  }
}

async function checkBinary(zip, name, target, bad) {
  const head = (await zip.read(zip.entries.get(name))).subarray(0, 4096);
  const [os] = target.split('-');
  const arch = binaryArch(head);
  if (binaryFormat(head) !== os || arch !== TARGETS[target].arch) bad(`${name}: built for ${binaryFormat(head)}/${arch}, not ${target}`);
}

async function checkDeviceRuntime(zip, names, target, bad) {
  const dir = `${X}dist/device-runtime/${target}/`;
  const me = zip.entries.get(`${dir}manifest.json`);
  if (!me) { bad(`missing ${dir}manifest.json`); return; }
  const m = JSON.parse((await zip.read(me)).toString('utf8'));
  if (`${m.platform}-${m.arch}` !== target) bad(`${dir}manifest.json is for ${m.platform}-${m.arch}`);
  if (m.hash !== runtimeHash(m.files)) bad(`${dir}manifest.json: hash does not match its file list`);
  const listed = new Set(m.files.map((f) => dir + f.path));
  for (const n of names.filter((x) => x.startsWith(dir) && x !== `${dir}manifest.json`)) if (!listed.has(n)) bad(`${n} is not in its manifest`);
  for (const f of m.files) {
    const e = zip.entries.get(dir + f.path);
    if (!e) { bad(`missing ${dir}${f.path}`); continue; }
    const b = await zip.read(e);
    if (b.length !== f.bytes || sha256(b) !== f.sha256) bad(`${dir}${f.path} does not match its manifest`);
    if (/\.(node|so(\.\d+)*)$/.test(f.path) && (binaryFormat(b) !== 'linux' || binaryArch(b) !== TARGETS[target].arch)) {
      bad(`${dir}${f.path}: built for ${binaryFormat(b)}/${binaryArch(b)}, not ${target}`);
    }
  }
  for (const need of ['runner.js', ...TARGETS[target].files.map((f) => `${ORT_BIN}/${TARGETS[target].dir}/${f}`)]) {
    if (!listed.has(dir + need)) bad(`${dir} lacks ${need}`);
  }
}

/** Unpacks this machine's device runtime from the VSIX and runs the sample's distilled model with it. */
async function smokeDeviceRuntime(zip, names, bad) {
  const host = `${process.platform}-${process.arch}`;
  if (!DEVICE_TARGETS.includes(host)) return;
  const dir = `${X}dist/device-runtime/${host}/`;
  const tmp = mkdtempSync(join(tmpdir(), 'edge-advisor-vsix-'));
  try {
    for (const n of names.filter((x) => x.startsWith(dir))) {
      const to = join(tmp, n.slice(dir.length));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, await zip.read(zip.entries.get(n)));
    }
    writeFileSync(join(tmp, 'model.onnx'), await zip.read(zip.entries.get(`${X}samples/digits/digits_distilled.onnx`)));
    const script = `const ort = require('./node_modules/onnxruntime-node');
      ort.InferenceSession.create('model.onnx').then((s) => s.run({ [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(1024), [1, 1, 32, 32]) }))
        .then((o) => console.log(JSON.stringify(Object.values(o)[0].dims)));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } }).trim();
    if (out !== '[1,10]') bad(`device runtime ${host}: the sample ran but gave ${out}`);
  } catch (e) {
    bad(`device runtime ${host} does not run the sample: ${String(e.stderr ?? e.message).trim().split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function printSummary(results) {
  console.log('\ntarget        VSIX MiB  unpacked MiB  files  seconds  check');
  for (const r of results) {
    console.log(`${r.target.padEnd(13)} ${MiB(r.bytes).padStart(8)}  ${MiB(r.uncompressed ?? 0).padStart(12)}  ${String(r.files).padStart(5)}  ${r.seconds !== undefined ? r.seconds.toFixed(1).padStart(7) : '      –'}  ${r.problems.length ? 'FAILED' : 'ok'}`);
    for (const p of r.problems) console.log(`    ${r.file}: ${p}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) { console.error('usage: node scripts/checkVsix.mjs [--smoke] <file.vsix>...'); process.exit(2); }
  const results = [];
  for (const f of files) results.push(await checkVsix(f, { smoke: args.includes('--smoke') }));
  printSummary(results);
  process.exit(results.some((r) => r.problems.length > 0) ? 1 : 0);
}
