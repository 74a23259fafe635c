/**
 * Decode + preprocess time of sample files at the tier's thread count: `threads` worker threads
 * each decode the files over and over for the budget (one request = one file on one thread), so
 * the per-request times include the contention of a tier that is busy on every core.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AdvisorError } from '../../../core/errors';
import { timeDecode } from '../../../core/data/images/timing';
import type { JobHandler } from './context';

/**
 * The worker: beside the bundle (dist/preprocessWorker.js); from source (tests run through tsx),
 * the .ts file behind tsx's CommonJS hook, which a worker thread must register for itself.
 */
function newWorker(data: object): Worker {
  const bundled = path.join(__dirname, 'preprocessWorker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled, { workerData: data });
  const source = path.join(__dirname, '..', 'preprocessWorker.ts');
  const api = 'tsx/cjs/api'; // a variable, so bundlers leave this dev-only lookup alone
  return new Worker(`require(${JSON.stringify(require.resolve(api))}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData: data });
}

function runWorker(data: object): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = newWorker(data);
    w.once('message', (m: { ms?: number[]; error?: string }) => {
      void w.terminate();
      if (m.ms) resolve(m.ms);
      else reject(new AdvisorError('input', `decoding a sample failed: ${m.error}`));
    });
    w.once('error', (e) => reject(new AdvisorError('runtime', `preprocessing thread failed: ${e.message}`)));
  });
}

export const preprocessJob: JobHandler<'preprocess'> = async (params, ctx) => {
  const threads = Math.max(1, Math.floor(params.threads));
  ctx.progress(`timing decode + preprocessing of ${params.files.length} files on ${threads} thread${threads > 1 ? 's' : ''}`);
  const t0 = performance.now();
  const perThread = threads === 1
    ? [await timeDecode(params.files, params.spec, params.budgetMs)]
    : await Promise.all(Array.from({ length: threads }, () => runWorker({ files: params.files, spec: params.spec, budgetMs: params.budgetMs })));
  const wall = performance.now() - t0;
  const samplesMs = perThread.flat();
  // throughput over the threads' own measuring time (their start-up is not a request's cost)
  const busy = Math.max(...perThread.map((ms) => ms.reduce((a, b) => a + b, 0)));
  return { threads, samplesMs, perSecond: busy > 0 ? (samplesMs.length / busy) * 1000 : samplesMs.length / (wall / 1000) };
};
