/**
 * Fuzz worker (a child process, so a hang can be killed): runs cases [from, to) of a master seed
 * and reports each over IPC — `start` before, `done` after with the outcome, time and peak RSS.
 * Usage (by fuzz.ts): worker.ts <master> <from> <to> <workdir>
 */
import * as fs from 'node:fs';
import { makeCase, runPipeline } from './harness';
import { makeCaseDir, resetSecret, secretWasRead } from './layout';
import { seeds } from './corpus';

const [master, from, to] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const workdir = process.argv[5]!;

const ext = seeds().find((s) => s.external)?.external;
const dir = makeCaseDir(workdir, ext);
const env = { secretAbs: dir.secret };
const send = (m: unknown) => new Promise<void>((res) => process.send!(m, () => res()));

async function main() {
  for (let i = from; i < to; i++) {
    const c = makeCase(master, i, env);
    await send({ type: 'start', index: i });
    const t0 = performance.now();
    const outcome = runPipeline(c.bytes, dir.modelDir);
    const ms = performance.now() - t0;
    const secretRead = secretWasRead(dir.secret);
    if (secretRead) resetSecret(dir.secret);
    await send({ type: 'done', index: i, base: c.base, mutator: c.mutator, seed: c.seed, size: c.bytes.length, outcome, ms, maxRssKb: process.resourceUsage().maxRSS, secretRead });
  }
  fs.rmSync(workdir, { recursive: true, force: true });
  await send({ type: 'end' });
  process.disconnect();
}

void main();
