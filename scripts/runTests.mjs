// Runs every *.test.ts beside the code it checks (src/, webview/, test/), through Node's own
// test runner with tsx for TypeScript. e2e tests are separate (npm run test:e2e).
// Usage: node scripts/runTests.mjs [substring-filter...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'webview', 'test'];
const skip = new Set(['node_modules', 'e2e', 'dist']);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (!skip.has(name)) walk(p); }
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots) { try { walk(r); } catch { /* root may not exist yet */ } }
const filters = process.argv.slice(2);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (selected.length === 0) { console.error('no test files matched'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected], { stdio: 'inherit' });
process.exit(r.status ?? 1);
