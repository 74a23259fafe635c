// Builds a platform-specific VSIX: `node scripts/package.mjs [--target linux-x64]`.
// The allow-list .vscodeignore names one platform's onnxruntime binaries; for another target we
// package with a copy that names that platform instead, then check the VSIX holds exactly one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const target = argv.includes('--target') ? argv[argv.indexOf('--target') + 1] : 'linux-x64';
// vsce targets → onnxruntime-node's bin/napi-v6/<platform>/<arch> folders (those it ships).
const ORT = { 'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'darwin-arm64': 'darwin/arm64', 'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64' };
if (!ORT[target]) { console.error(`unsupported target ${target}; one of ${Object.keys(ORT).join(', ')}`); process.exit(2); }

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const out = `${pkg.name}-${pkg.version}-${target}.vsix`;
mkdirSync('.tmp', { recursive: true });
const ignore = join('.tmp', `vscodeignore-${target}`);
writeFileSync(ignore, readFileSync('.vscodeignore', 'utf8').replaceAll('bin/napi-v6/linux/x64/', `bin/napi-v6/${ORT[target]}/`));

execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
const vsce = join('node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignore, '-o', out], { stdio: 'inherit' });

const listing = execFileSync(process.execPath, [vsce, 'ls', '--ignoreFile', ignore], { encoding: 'utf8' }).split('\n');
const natives = listing.filter((f) => f.endsWith('onnxruntime_binding.node'));
if (natives.length !== 1 || !natives[0].includes(`/${ORT[target]}/`)) {
  console.error(`expected exactly one onnxruntime binding for ${target}, found: ${natives.join(', ') || 'none'}`);
  process.exit(1);
}
console.log(`${out}: ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB, ${listing.filter(Boolean).length} files`);
