// Builds platform-specific VSIXs and checks each one:
//
//   node scripts/package.mjs                    linux-x64 (npm run package)
//   node scripts/package.mjs --target darwin-arm64 [--target win32-x64 ...]
//   node scripts/package.mjs --all              the five targets onnxruntime-node 1.30 ships binaries for
//
// Writes edge-advisor-<version>-<target>.vsix in the repository root. Each VSIX holds:
//   extension/dist/{extension,runner,webview}.js          the bundles (production build, no source maps)
//   extension/node_modules/onnxruntime-node/bin/napi-v6/<platform>/<arch>/
//                                                         its own platform's onnxruntime binding and
//                                                         libraries only (scripts/targets.mjs)
//   extension/dist/device-runtime/linux-x64/, linux-arm64/
//                                                         what the advisor copies to remote Linux
//                                                         devices, in every VSIX whatever its platform:
//                                                         runner.js + onnxruntime-node/-common + the
//                                                         binding and libonnxruntime.so.1 + manifest.json
//                                                         (layout and hash: scripts/deviceRuntime.mjs)
//   extension/samples/digits/                             the walkthrough's sample, once
//   extension/schemas/*.schema.json                       JSON Schemas for jsonValidation
// The allow-list .vscodeignore names linux-x64's binaries; for each target the package uses a copy
// whose bin/ line names that target's files instead. scripts/checkVsix.mjs then checks contents,
// binary architectures and size (< 100 MiB) of every VSIX written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkVsix, printSummary } from './checkVsix.mjs';
import { assembleDeviceRuntimes } from './deviceRuntime.mjs';
import { ORT_BIN, TARGETS } from './targets.mjs';

const argv = process.argv.slice(2);
const targets = argv.includes('--all') ? Object.keys(TARGETS)
  : argv.flatMap((a, i) => (a === '--target' ? [argv[i + 1]] : []));
if (targets.length === 0) targets.push('linux-x64');
for (const t of targets) {
  if (!TARGETS[t]) { console.error(`unsupported target ${t}; one of ${Object.keys(TARGETS).join(', ')}`); process.exit(2); }
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const base = readFileSync('.vscodeignore', 'utf8');
const binLine = /^!node_modules\/onnxruntime-node\/bin\/napi-v6\/.*$/m;
if (!binLine.test(base)) { console.error('.vscodeignore has no onnxruntime-node bin/ line to replace'); process.exit(1); }
mkdirSync('.tmp', { recursive: true });

execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
assembleDeviceRuntimes();

const vsce = join('node_modules', '@vscode', 'vsce', 'vsce');
const results = [];
for (const target of targets) {
  const t = TARGETS[target];
  const ignore = join('.tmp', `vscodeignore-${target}`);
  writeFileSync(ignore, base.replace(binLine, t.files.map((f) => `!${ORT_BIN}/${t.dir}/${f}`).join('\n')));
  const out = `${pkg.name}-${pkg.version}-${target}.vsix`;
  const t0 = Date.now();
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignore, '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (Date.now() - t0) / 1000;
  results.push({ ...(await checkVsix(out, { smoke: true })), seconds });
}
printSummary(results);
if (results.some((r) => r.problems.length > 0)) process.exit(1);
