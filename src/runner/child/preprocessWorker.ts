/**
 * A worker thread of the `preprocess` job: decodes + preprocesses the files it is given for the
 * time it is given and posts each request's time back. Its own thread, so N of them show what a
 * tier with N cores sustains (JavaScript decodes one request on one thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { timeDecode } from '../../core/data/images/timing';
import type { PreprocessParams } from '../../core/protocol/preprocess';

const p = workerData as Pick<PreprocessParams, 'files' | 'spec' | 'budgetMs'>;
timeDecode(p.files, p.spec, p.budgetMs).then(
  (ms) => parentPort!.postMessage({ ms }),
  (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
);
