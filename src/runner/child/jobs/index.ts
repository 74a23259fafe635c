/**
 * The runner's job registry. Each job kind is one file, `jobs/<kind>.ts`, exporting a typed
 * handler `(params, ctx) => Promise<result>`. To add a job (e.g. `calibrate`, `profile`, `optimize`):
 *  1. add `<kind>: { params: P; result: R }` to `RunnerJobs` in `src/core/protocol/runner.ts`
 *     (P and R are plain data: numbers, strings, arrays, typed arrays — they cross the process
 *     boundary as frames, src/runner/wire/frames.ts);
 *  2. write `src/runner/child/jobs/<kind>.ts` exporting `export const <kind>Job: JobHandler<'<kind>'>`;
 *  3. add it to `JOBS` below (the compiler insists every kind has a handler).
 * Handlers run one at a time in the runner process; they may load onnxruntime (via `../ort`),
 * block for as long as they need (cancel and timeouts kill the process), and report progress with
 * `ctx.progress`. Hosts call them with `new RunnerClient().run('<kind>', params, opts)`.
 */
import type { JobKind } from '../../../core/protocol/runner';
import { benchmarkJob } from './benchmark';
import { calibrateJob } from './calibrate';
import { fidelityJob } from './fidelity';
import { kernelProfileJob } from './kernelProfile';
import { sensitivityJob } from './sensitivity';
import { optimizeJob } from './optimize';
import type { JobHandler } from './context';
import { evaluateJob } from './evaluate';
import { probeJob } from './probe';
import { profileJob } from './profile';
import { verifyPartitionJob } from './verifyPartition';
import { tensorShapesJob } from './tensorShapes';
import { preprocessJob } from './preprocess';
import { echoJob } from './echo';
import { inferJob } from './infer';

export type { RunnerJobContext, JobHandler } from './context';

export const JOBS: { [K in JobKind]: JobHandler<K> } = {
  benchmark: benchmarkJob,
  evaluate: evaluateJob,
  calibrate: calibrateJob,
  optimize: optimizeJob,
  fidelity: fidelityJob,
  kernelProfile: kernelProfileJob,
  sensitivity: sensitivityJob,
  probe: probeJob,
  profile: profileJob,
  verifyPartition: verifyPartitionJob,
  tensorShapes: tensorShapesJob,
  preprocess: preprocessJob,
  echo: echoJob,
  infer: inferJob,
};
