/** The `echo` job: answers with as many bytes as asked, so the host can time a link (core/measure/link.ts). */
import type { JobHandler } from './context';

let reply = new Uint8Array(0);

export const echoJob: JobHandler<'echo'> = async (params) => {
  // one buffer reused: a measurement must not time page faults on the device
  if (reply.byteLength < params.replyBytes) reply = new Uint8Array(params.replyBytes).fill(7);
  return { reply: reply.subarray(0, params.replyBytes) };
};
