/** The `infer` job: one request through a chain of stages, its outputs returned (a real partition run). */
import { fromOrtTensor, runChain, toOrtFeeds } from '../ort';
import type { Feeds } from '../../../core/protocol/tensor';
import type { JobHandler } from './context';

export const inferJob: JobHandler<'infer'> = async (params, ctx) => {
  const config = { id: 'infer', stages: params.stages };
  const { resident, created } = await ctx.sessions.acquire(config);
  const feeds = toOrtFeeds(params.feeds);
  if (created) for (let i = 0; i < (params.warmupRuns ?? 3); i++) await runChain(resident.stages, feeds);
  const r = await runChain(resident.stages, feeds);
  ctx.sessions.settle(resident);
  const outputs: Feeds = {};
  for (const [name, t] of Object.entries(r.outputs)) outputs[name] = fromOrtTensor(t as Parameters<typeof fromOrtTensor>[0], name);
  return { outputs, ms: r.ms.reduce((a, b) => a + b, 0) };
};
