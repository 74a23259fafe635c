// End-to-end test in a real VS Code: builds the VSIX, installs it into a fresh code-server profile,
// opens a workspace holding the digits sample family, and drives it with playwright-core + Debian
// Chromium (recipe: ../shared/e2e/RECIPE.md). Everything lives in one temp folder that is removed
// at the end; code-server runs in its own process group and is killed as a group.
//
// usage: npm run test:e2e            (after `npm ci --prefix test/e2e`)
// env:   E2E_KEEP=1 keeps the temp folder; E2E_PORT picks the port (default: a free one);
//        E2E_REUSE_VSIX=1 skips packaging (iterating on the test itself).
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { flow, restrictedFlow } from './flow.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CODE_SERVER = path.join(HERE, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-results', 'e2e');
const t0 = Date.now();
const lap = (m) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

for (const [what, p] of [['code-server (npm ci --prefix test/e2e)', CODE_SERVER], ['chromium (apt-get install chromium)', CHROMIUM]]) {
  if (!fs.existsSync(p)) { console.error(`e2e: ${what} not found at ${p}`); process.exit(1); }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitHealthy(url, child, logFile) {
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    try { if ((await fetch(`${url}/healthz`)).ok) return; } catch { /* not up yet */ }
  }
  throw new Error('code-server did not become healthy in 60 s');
}

/**
 * The digits test split as a PNG class-folder tree (images/digits/<label>/<n>.png), the way a user
 * holds image data; the e2e picks it from the model card. Written with pngjs from the root install.
 */
function writeDigitsPngTree(root, count = 150) {
  const { PNG } = createRequire(path.join(ROOT, 'package.json'))('pngjs');
  const npy = (f) => {
    const b = fs.readFileSync(f);
    const headerLen = b.readUInt16LE(8);
    const header = b.subarray(10, 10 + headerLen).toString('latin1');
    const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    const data = b.subarray(10 + headerLen);
    return { shape, f32: (i) => data.readFloatLE(4 * i), i64: (i) => Number(data.readBigInt64LE(8 * i)) };
  };
  const x = npy(path.join(ROOT, 'samples', 'digits', 'digits_test_x.npy'));
  const y = npy(path.join(ROOT, 'samples', 'digits', 'digits_test_y.npy'));
  const [h, w] = [x.shape[2], x.shape[3]];
  for (let i = 0; i < count; i++) {
    const png = new PNG({ width: w, height: h });
    for (let k = 0; k < h * w; k++) {
      const v = Math.round(Math.max(0, Math.min(1, x.f32(i * h * w + k))) * 255);
      png.data.set([v, v, v, 255], 4 * k);
    }
    const dir = path.join(root, String(y.i64(i)));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${String(i).padStart(3, '0')}.png`), PNG.sync.write(png));
  }
}

/** The workspace: the bundled digits family, its test split declared as evaluation data. */
function makeWorkspace(ws) {
  const src = path.join(ROOT, 'samples', 'digits');
  fs.mkdirSync(path.join(ws, 'models'), { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(ws, 'models', f));
  fs.writeFileSync(path.join(ws, 'edge-advisor.json'), JSON.stringify({
    models: { 'models/digits_teacher.onnx': { data: 'models/digits_test_x.npy', labels: 'models/digits_test_y.npy' } },
  }, null, 2));
  // a wrong one elsewhere in the workspace, for the editor's schema squiggles
  fs.mkdirSync(path.join(ws, 'bad'));
  fs.writeFileSync(path.join(ws, 'bad', 'edge-advisor.json'), JSON.stringify({
    varients: { distilled: 'student.onnx' },
    models: { 'net.onnx': { preprocess: { color: 'cmyk' } } },
  }, null, 2));
  writeDigitsPngTree(path.join(ws, 'images', 'digits'));
  fs.mkdirSync(path.join(ws, '.vscode'));
  // A short budget keeps the run inside the e2e time limit; the numbers are still real.
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'edgeAdvisor.budgetSeconds': 15 }, null, 2));
}

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-e2e-'));
const R = (...p) => path.join(run, ...p);
let server;
let exitCode = 1;
try {
  for (const d of ['ws', 'data/User', 'tmp', 'home', 'exts']) fs.mkdirSync(R(d), { recursive: true });
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });

  // 1. the VSIX, exactly as users get it
  if (!process.env.E2E_REUSE_VSIX) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--target', 'linux-x64'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, `${pkg.name}-${pkg.version}-linux-x64.vsix`);
  lap(`packaged ${path.basename(vsix)} (${(fs.statSync(vsix).size / 2 ** 20).toFixed(1)} MiB)`);

  makeWorkspace(R('ws'));
  const userSettings = R('data', 'User', 'settings.json');
  const baseSettings = {
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'update.mode': 'none', 'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'window.zoomLevel': 0,
  };
  fs.writeFileSync(userSettings, JSON.stringify({ ...baseSettings, 'workbench.colorTheme': 'Default Dark Modern' }, null, 2));

  // 2. install into a fresh profile, then start the server in its own process group
  const port = Number(process.env.E2E_PORT) || await freePort();
  const env = { ...process.env, XDG_CONFIG_HOME: R('xdg'), XDG_DATA_HOME: R('xdg'), XDG_CACHE_HOME: R('xdg'), TMPDIR: R('tmp') };
  const cs = [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--config', R('config.yaml'), '--user-data-dir', R('data'), '--extensions-dir', R('exts')];
  execFileSync(process.execPath, [...cs, '--install-extension', vsix], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  lap('installed the VSIX into a fresh profile');
  const url = `http://127.0.0.1:${port}`;
  const startServer = async (extra, folder, logName) => {
    const logFile = R(logName);
    const log = fs.openSync(logFile, 'w');
    server = spawn(process.execPath, [...cs, ...extra, folder], { env, detached: true, stdio: ['ignore', log, log] });
    await waitHealthy(url, server, logFile);
  };
  const stopServer = async () => {
    const s = server;
    server = undefined;
    if (!s?.pid) return;
    const exited = new Promise((r) => (s.exitCode !== null ? r() : s.once('exit', r)));
    try { process.kill(-s.pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
  };
  await startServer(['--disable-workspace-trust'], R('ws'), 'code-server.log');
  lap(`code-server up on ${url}`);

  // 3. drive it
  await flow({ url, ws: R('ws'), shots: SHOTS, chromium: CHROMIUM, home: R('home'), lap });
  await stopServer();

  // 4. the same model in an untrusted folder (Restricted Mode): inspection only, and the UI says why
  fs.mkdirSync(R('untrusted'));
  fs.copyFileSync(path.join(ROOT, 'samples', 'digits', 'digits_teacher.onnx'), R('untrusted', 'digits_teacher.onnx'));
  fs.writeFileSync(userSettings, JSON.stringify({ ...baseSettings, 'workbench.colorTheme': 'Default Dark Modern',
    'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }, null, 2));
  await startServer([], R('untrusted'), 'code-server-restricted.log');
  await restrictedFlow({ url, ws: R('untrusted'), shots: SHOTS, chromium: CHROMIUM, home: R('home'), lap });
  exitCode = 0;
  lap('E2E OK');
} catch (e) {
  console.error(`e2e failed: ${e?.stack ?? e}`);
  for (const f of ['code-server.log', 'code-server-restricted.log']) if (fs.existsSync(R(f))) fs.copyFileSync(R(f), path.join(SHOTS, f));
  const extLogs = R('data', 'logs');
  if (fs.existsSync(extLogs)) fs.cpSync(extLogs, path.join(SHOTS, 'vscode-logs'), { recursive: true });
} finally {
  if (server?.pid) { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ } }
  if (!process.env.E2E_KEEP) fs.rmSync(run, { recursive: true, force: true });
  else console.log(`kept ${run}`);
}
process.exit(exitCode);
