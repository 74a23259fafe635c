/**
 * The runner process: started by a transport (src/runner/host/), locally or on a device over SSH,
 * the only process that loads onnxruntime-node. It reads request frames on stdin, answers them one
 * at a time (src/core/protocol/runner.ts), sends progress, and exits when its host goes away
 * (stdin closes, or the watchdog thread notices its parent is gone while a run blocks this thread).
 * stdout carries only frames: anything else printing to it is sent to stderr instead.
 */
import * as os from 'node:os';
import { AdvisorError, toAdvisorError } from '../../core/errors';
import type { ChildMessage, RequestMessage } from '../../core/protocol/runner';
import { encodeFrame, FrameDecoder } from '../wire/frames';
import { JOBS } from './jobs';
import type { RunnerJobContext } from './jobs/context';
import { ort } from './ort';
import { Watchdog } from './watchdog';

if (process.stdin.isTTY) {
  process.stderr.write('edge-advisor runner: started by the advisor, which talks to it over stdin/stdout; not for direct use\n');
  process.exit(2);
}

const writeFrame = process.stdout.write.bind(process.stdout);
// a stray console.log (ours or a dependency's) must not land inside the frame stream
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function send(m: ChildMessage): void {
  for (const part of encodeFrame(m)) writeFrame(part);
}

const watchdog = new Watchdog();
const baseRssBytes = process.memoryUsage.rss();
const queue: RequestMessage[] = [];
let busy = false;

const decoder = new FrameDecoder((m) => {
  const req = m as RequestMessage;
  if (req?.type !== 'request') return;
  queue.push(req);
  void drain();
}, (stray) => process.stderr.write(`runner: ignored ${stray.byteLength} bytes outside a frame on stdin\n`));
process.stdin.on('data', (chunk: Buffer) => decoder.push(chunk));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

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
  const handler = JOBS[m.kind] as ((p: unknown, c: RunnerJobContext) => Promise<unknown>) | undefined;
  const ctx: RunnerJobContext = {
    progress: (message, fraction, measured) => send({ type: 'progress', id: m.id, message, ...(fraction !== undefined ? { fraction } : {}), ...(measured ? { measured } : {}) }),
    watchdog,
    baseRssBytes,
  };
  watchdog.setLimit(m.memoryLimitMB ? m.memoryLimitMB * 2 ** 20 : 0);
  try {
    if (!handler) throw new AdvisorError('internal', `the runner has no job "${String(m.kind)}"`);
    const result = await handler(m.params, ctx);
    send({ type: 'response', id: m.id, ok: true, result });
  } catch (e) {
    send({ type: 'response', id: m.id, ok: false, error: toAdvisorError(e, 'runtime').toJSON() });
  } finally {
    watchdog.setLimit(0);
  }
}

send({
  type: 'ready',
  info: {
    pid: process.pid,
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    node: process.version,
    hostCores: os.availableParallelism(),
    platform: process.platform,
    arch: process.arch,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
  },
});
