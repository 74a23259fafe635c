/**
 * A diagnostic job: hold memory, sleep, or die like a native crash. Used by the runner's tests to
 * check the host's crash, OOM and timeout handling without needing a misbehaving model.
 */
import type { JobHandler } from './context';

export const probeJob: JobHandler<'probe'> = async (params) => {
  const held: Buffer[] = [];
  if (params.allocateMB) {
    // filled so the pages are resident, like onnxruntime's arena after a run
    for (let i = 0; i < params.allocateMB; i++) held.push(Buffer.alloc(1 << 20, 1));
  }
  if (params.crash === 'abort') process.abort();
  if (params.crash === 'exit') process.exit(3);
  if (params.sleepMs) await new Promise((r) => setTimeout(r, params.sleepMs));
  held.length = 0;
  return { ok: true };
};
