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
import { encodeFrame, FrameDecoder, reusedBody } from '../wire/frames';
import { JOBS } from './jobs';
import type { RunnerJobContext } from './jobs/context';
import { encodeModel } from '../../core/onnx/codec';
import { ModelBuilder } from '../../core/onnx/builder';
import { DataType } from '../../core/onnx/dtypes';
import { ort } from './ort';
import { SessionPool } from './sessionPool';
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
let baseRssBytes = process.memoryUsage.rss();
let sessions = new SessionPool(watchdog, baseRssBytes);

/**
 * onnxruntime's one-time set-up (environment, kernel registries, the first thread pool: ~28 MB
 * here) happens with the first session. Doing it now, on a one-node model, puts it in the base RSS,
 * so what a job measures over the base is what its own sessions take.
 */
async function initRuntime(): Promise<void> {
  const b = new ModelBuilder({ opset: 13 });
  b.output(b.node('Relu', [b.input('x', DataType.FLOAT, [1, 1])]), DataType.FLOAT);
  const s = await ort.InferenceSession.create(encodeModel(b.build()), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  await s.run({ x: new ort.Tensor('float32', new Float32Array(1), [1, 1]) });
  await s.release();
  baseRssBytes = process.memoryUsage.rss();
  sessions = new SessionPool(watchdog, baseRssBytes);
}
const queue: RequestMessage[] = [];
let busy = false;

const decoder = new FrameDecoder((m) => {
  const req = m as RequestMessage;
  if (req?.type !== 'request') return;
  queue.push(req);
  void drain();
}, (stray) => process.stderr.write(`runner: ignored ${stray.byteLength} bytes outside a frame on stdin\n`),
// requests are handled one at a time and nothing keeps their arrays afterwards: one body buffer serves them all
reusedBody());
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
    progress: (message, fraction) => send({ type: 'progress', id: m.id, message, ...(fraction !== undefined ? { fraction } : {}) }),
    watchdog,
    baseRssBytes,
    sessions,
  };
  watchdog.setLimit(m.memoryLimitMB ? m.memoryLimitMB * 2 ** 20 : 0);
  try {
    // benchmark slices and infer requests keep their sessions; any other job runs without them (the memory bound holds job by job)
    if (m.kind !== 'benchmark' && m.kind !== 'infer' && m.kind !== 'echo') await sessions.releaseAll();
    if (!handler) throw new AdvisorError('internal', `the runner has no job "${String(m.kind)}"`);
    const result = await handler(m.params, ctx);
    send({ type: 'response', id: m.id, ok: true, result });
  } catch (e) {
    // not one of ours: its stack goes to the log (the host's output channel), the message to the user
    if (!(e instanceof AdvisorError) && e instanceof Error) process.stderr.write(`runner: job "${m.kind}" failed: ${e.stack ?? e.message}\n`);
    send({ type: 'response', id: m.id, ok: false, error: toAdvisorError(e, 'runtime').toJSON() });
  } finally {
    watchdog.setLimit(0);
  }
}

void initRuntime().catch(() => undefined).then(() => send({
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
}));
