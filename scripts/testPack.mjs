// The CLI as a pipeline installs it: `npm pack`, then in a clean folder outside the repository
// `npm install <tarball>` and `npx edge-advisor ...` — the version, a real `recommend` on the bundled
// sample (its JSON checked against schemas/report.schema.json), and both outcomes of the latency
// gate (exit 3 with its one line, exit 0). Only the npm registry is used (onnxruntime-node comes from
// it, usually from npm's cache); ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's postinstall
// from fetching optional CUDA libraries from outside it, as the README tells users to do.
//
// usage: node scripts/testPack.mjs            (CI runs it after npm test)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const sample = (f) => join(ROOT, 'samples', 'digits', f);
const t0 = Date.now();
const lap = (m) => console.log(`[pack ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const fail = (m) => { console.error(`test:pack FAILED: ${m}`); process.exitCode = 1; throw new Error(m); };

const tmp = mkdtempSync(join(tmpdir(), 'edge-advisor-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
try {
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const tarball = join(tmp, packed[0].filename);
  lap(`packed ${packed[0].filename}: ${(packed[0].size / 1024).toFixed(0)} KiB, ${packed[0].entryCount} files`);

  const app = join(tmp, 'pipeline');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pipeline', private: true }));
  execFileSync(npm, ['install', '--prefer-offline', '--no-package-lock', tarball], { cwd: app, env, stdio: ['ignore', 'ignore', 'inherit'] });
  lap('npm install <tarball> in a clean folder');

  const npx = (...args) => spawnSync(npm, ['exec', '--no', '--', 'edge-advisor', ...args], { cwd: app, env, encoding: 'utf8', timeout: 600_000 });
  const v = npx('--version');
  if (v.status !== 0 || v.stdout.trim() !== pkg.version) fail(`npx edge-advisor --version: exit ${v.status}, "${v.stdout.trim()}" ${v.stderr}`);
  lap(`npx edge-advisor --version → ${v.stdout.trim()}`);

  const run = ['recommend', sample('digits_teacher.onnx'), '--data', sample('digits_test_x.npy'), '--labels', sample('digits_test_y.npy'),
    '--calib', sample('digits_calib_x.npy'), '--budget-seconds', '3', '--out-dir', join(app, 'out'), '--quiet'];
  const r = npx(...run, '--json', '--report', join(app, 'report.md'));
  if (r.status !== 0) fail(`recommend exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(join(app, 'node_modules', 'edge-advisor', 'schemas', 'report.schema.json'), 'utf8')));
  if (!validate(report)) fail(`the report does not match the packaged schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  if (!readFileSync(join(app, 'report.md'), 'utf8').startsWith('# Deployment advice')) fail('no Markdown report');
  const pick = `${report.recommendation.operator}@${report.recommendation.placement}`;
  lap(`recommend on the sample: ${pick} at ${report.recommendation.latencyMs.median.toFixed(3)} ms, ${report.results.length} configurations, schemaVersion ${report.schemaVersion}`);

  // the gates, answered from the results cache of the run above
  const missed = npx(...run, '--latency-target-ms', '0.001');
  const lines = missed.stderr.trim().split('\n');
  if (missed.status !== 3 || lines.length !== 1 || !/^edge-advisor recommend: gate not met: latency target .* not met: .* over/.test(lines[0])) {
    fail(`an unmeetable latency target should exit 3 with one line; got exit ${missed.status}: ${missed.stderr}`);
  }
  lap(`gate missed → exit 3: ${lines[0]}`);
  for (const gate of [['--latency-target-ms', '100000'], ['--require', pick]]) {
    const met = npx(...run, ...gate);
    if (met.status !== 0) fail(`a met gate (${gate.join(' ')}) should exit 0; got ${met.status}: ${met.stderr}`);
    lap(`gate met (${gate.join(' ')}) → exit 0`);
  }
  lap('test:pack OK');
} catch (e) {
  if (!process.exitCode) { console.error(`test:pack FAILED: ${e.message}`); process.exitCode = 1; }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
