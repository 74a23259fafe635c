/**
 * A watchdog thread inside the runner. `session.run()` blocks the runner's main thread for the
 * whole inference, so anything that must react during a run lives in a worker thread:
 * - memory cap: polls the process RSS (native allocations included, which `--max-old-space-size`
 *   does not cap); above the cap it writes an `OOM_MARKER` line straight to fd 2 and SIGKILLs
 *   the process. The host reads the marker from stderr and reports AdvisorError 'oom'.
 * - peak RSS: keeps the highest RSS seen since the main thread last reset it.
 * - parent death: if the parent process is gone, the runner kills itself (no orphans).
 */
import { Worker } from 'node:worker_threads';
import { OOM_MARKER } from '../../core/protocol/runner';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const slots = new BigInt64Array(workerData.sab);
const ppid = workerData.ppid;
function tick() {
  const rss = BigInt(process.memoryUsage.rss());
  if (rss > Atomics.load(slots, 0)) Atomics.store(slots, 0, rss);
  const limit = Atomics.load(slots, 1);
  if (limit > 0n && rss > limit) {
    fs.writeSync(2, '\\n' + workerData.marker + ' rss=' + rss + ' limit=' + limit + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
  try { process.kill(ppid, 0); } catch (e) { if (e.code === 'ESRCH') process.kill(process.pid, 'SIGKILL'); }
}
setInterval(tick, workerData.intervalMs);
`;

export class Watchdog {
  private readonly slots: BigInt64Array;
  private readonly worker: Worker;

  constructor(intervalMs = 20) {
    const sab = new SharedArrayBuffer(16);
    this.slots = new BigInt64Array(sab);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sab, ppid: process.ppid, intervalMs, marker: OOM_MARKER },
    });
    // the watchdog must never keep the runner alive on its own
    this.worker.unref();
  }

  /** Memory cap in bytes for the job about to run; 0 = none. */
  setLimit(bytes: number): void {
    Atomics.store(this.slots, 1, BigInt(Math.max(0, Math.floor(bytes))));
  }

  /** Starts a new peak window at the current RSS. */
  resetPeak(): void {
    Atomics.store(this.slots, 0, BigInt(process.memoryUsage.rss()));
  }

  /** Highest RSS (bytes) seen since the last reset, including now. */
  peak(): number {
    const now = process.memoryUsage.rss();
    return Math.max(now, Number(Atomics.load(this.slots, 0)));
  }
}
