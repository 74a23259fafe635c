/**
 * The runner process: forked by `RunnerClient` (src/runner/client.ts), the only process that
 * loads onnxruntime-node. It answers typed requests one at a time (src/core/protocol/runner.ts),
 * sends progress notifications, and exits when its parent goes away (IPC disconnect, or the
 * watchdog thread noticing the parent's pid is gone while a run blocks this thread).
 */
import * as os from 'node:os';
import { AdvisorError, toAdvisorError } from '../../core/errors';
import type { ChildMessage, ParentMessage, RequestMessage } from '../../core/protocol/runner';
import { BulkReader, bulkFile, pack } from '../wire/bulk';
import { JOBS } from './jobs';
import type { JobContext } from './jobs/context';
import { ort } from './ort';
import { Watchdog } from './watchdog';

function send(m: ChildMessage): void {
  process.send?.(m);
}

if (!process.send) {
  process.stderr.write('edge-advisor runner: must be started by the advisor (child_process.fork), not directly\n');
  process.exit(2);
}

const watchdog = new Watchdog();
const baseRssBytes = process.memoryUsage.rss();
const queue: RequestMessage[] = [];
const bulk = new BulkReader();
let busy = false;

process.on('disconnect', () => process.exit(0));

process.on('message', (m: ParentMessage) => {
  if (m?.type !== 'request') return;
  queue.push(m);
  void drain();
});

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let m = queue.shift(); m; m = queue.shift()) await handle(m);
  } finally {
    busy = false;
  }
}

async function handle(m: RequestMessage): Promise<void> {
  const handler = JOBS[m.kind] as ((p: unknown, c: JobContext) => Promise<unknown>) | undefined;
  const ctx: JobContext = {
    progress: (message, fraction, measured) => send({ type: 'progress', id: m.id, message, ...(fraction !== undefined ? { fraction } : {}), ...(measured ? { measured } : {}) }),
    watchdog,
    baseRssBytes,
  };
  watchdog.setLimit(m.memoryLimitMB ? m.memoryLimitMB * 2 ** 20 : 0);
  try {
    if (!handler) throw new AdvisorError('internal', `the runner has no job "${String(m.kind)}"`);
    const params = bulk.read({ message: m.params, ...(m.bulk ? { bulk: m.bulk } : {}) });
    const result = pack(await handler(params, ctx), bulkFile(os.tmpdir(), 'out'));
    send({ type: 'response', id: m.id, ok: true, result: result.message, ...(result.bulk ? { bulk: result.bulk } : {}) });
  } catch (e) {
    send({ type: 'response', id: m.id, ok: false, error: toAdvisorError(e, 'runtime').toJSON() });
  } finally {
    watchdog.setLimit(0);
  }
}

send({
  type: 'ready',
  info: { pid: process.pid, onnxruntime: ort.env.versions.node ?? ort.env.versions.common, node: process.version, hostCores: os.availableParallelism() },
});
