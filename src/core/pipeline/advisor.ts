/**
 * The advisor's main job, shared by the CLI (`recommend`) and the extension: inspect the model,
 * gather its variants, build the black-box operators (SPTQ, DSPTQ, Partition, SPTQ-Partition),
 * benchmark every operator on every placement in the runner process, measure accuracy on the same
 * samples, and let the engine recommend. Pure orchestration: the runner is injected, so this file
 * has no process, VS Code or onnxruntime dependency.
 */
import * as path from 'node:path';
import { AdvisorError, toAdvisorError } from '../errors';
import { saveRun } from '../history/runs';
import { validateGraph } from '../graph/graph';
import { inspectModel, type Inspection } from '../inspect/inspect';
import { allTensors, readModel, type LoadedModel } from '../onnx/io';
import { externalRef, resolveExternalPath } from '../onnx/tensor';
import { ADVISOR_VERSION, hostFacts } from '../hostFacts';
import { findVariants } from './steps/variants';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { AdvisorReport, Metric, OperatorId, PlacementId, ResultRow } from '../results';
import { rank } from '../recommend/rank';
import { cacheKey, defaultOutDir, ResultsCache } from '../cache/cache';
import { ensureWritableDir } from '../fsutil';
import { measureAccuracy } from './accuracy';
import { measure, type OperatorBuild } from './measure';
import { buildOperators, type BuiltOperators } from './operators';
import { dataCacheParts, measurePreprocessing, prepareData } from './data';
import type { AdvisorProgress, AdvisorRequest, AdvisorStage } from './types';


const ALL_SINGLE: PlacementId[] = ['mobile', 'edge', 'cloud'];
const ALL_SPLIT: PlacementId[] = ['mobile-edge', 'edge-cloud'];

/** Stage weights for the overall progress fraction (benchmarking dominates). */
const WEIGHTS: Record<AdvisorStage, number> = {
  inspect: 0.02, variants: 0.02, calibrate: 0.1, quantize: 0.04, partition: 0.1, benchmark: 0.5, accuracy: 0.2, recommend: 0.02,
};
const ORDER: AdvisorStage[] = ['inspect', 'variants', 'calibrate', 'quantize', 'partition', 'benchmark', 'accuracy', 'recommend'];

function progressFor(stage: AdvisorStage, within: number): number {
  let done = 0;
  for (const s of ORDER) { if (s === stage) break; done += WEIGHTS[s]; }
  return Math.min(1, done + WEIGHTS[stage] * Math.max(0, Math.min(1, within)));
}

export interface AdvisorHooks {
  onProgress?: (p: AdvisorProgress) => void;
  signal?: AbortSignal;
  /** Log lines (the extension's output channel, the CLI's --verbose). */
  log?: (line: string) => void;
  /**
   * A report of what has finished so far (latencies before accuracy), for a host to show if the
   * run is cancelled; never cached.
   */
  onPartial?: (report: AdvisorReport) => void;
}

export async function runAdvisor(req: AdvisorRequest, runner: RunnerHost, hooks: AdvisorHooks = {}): Promise<AdvisorReport> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, t0: number) => { timings[name] = (timings[name] ?? 0) + (Date.now() - t0); };
  const report = (stage: AdvisorStage, message: string, within = 0, current?: AdvisorProgress['current']) => {
    if (hooks.signal?.aborted) throw new AdvisorError('cancelled', 'cancelled');
    const fraction = progressFor(stage, within);
    const elapsed = (Date.now() - started) / 1000;
    hooks.onProgress?.({ stage, message, fraction, ...(current ? { current } : {}), ...(fraction > 0.05 ? { etaSeconds: Math.round(elapsed / fraction - elapsed) } : {}) });
    hooks.log?.(`[${stage}] ${message}`);
  };
  const jobOpts: JobOptions = hooks.signal ? { signal: hooks.signal } : {};
  const outDir = req.outDir ?? defaultOutDir(req.modelPath);
  /** Every finished run goes into the model's run history; failing to write it never fails the run. */
  const keep = (r: AdvisorReport): AdvisorReport => {
    try { saveRun(outDir, r); } catch (e) { hooks.log?.(`warning: the run could not be added to the history in ${outDir}: ${toAdvisorError(e).message}`); }
    return r;
  };

  // 1. the model
  let t0 = Date.now();
  report('inspect', `reading ${path.basename(req.modelPath)}`);
  const loaded = readModel(req.modelPath);
  validateGraph(loaded.model.graph!, req.modelPath);
  const inspection: Inspection = inspectModel(loaded);
  if (inspection.quantization.state !== 'float') {
    hooks.log?.(`note: the model is already quantized (${inspection.quantization.state}); SPTQ operators are skipped`);
  }
  report('variants', 'looking for distilled, pruned and QAT variants');
  const found = findVariants(req, inspection);
  for (const w of found.warnings) hooks.log?.(`warning: ${w}`);
  lap('inspect', t0);

  // a run on unchanged files and settings is answered from the cache; the engine re-runs so a
  // new accuracy budget or latency target applies without re-measuring
  const cache = new ResultsCache(outDir);
  const ortVersion = runner.runtimeVersion?.() ?? (await runner.info()).onnxruntime;
  const key = runCacheKey(req, [loaded, ...found.variants.map((v) => v.loaded)], ortVersion);
  const hit = req.useCache === false ? undefined : cache.get<AdvisorReport>(key);
  if (hit) {
    report('recommend', 'using cached measurements (nothing changed since they were taken)');
    return keep({ ...rank(hit, { maxAccuracyDrop: req.maxAccuracyDrop, latencyTargetMs: req.latencyTargetMs ?? null }), cachedAt: hit.environment.date });
  }
  const info = await runner.info();
  const hostCores = req.maxThreads && req.maxThreads > 0 ? Math.min(info.hostCores, Math.floor(req.maxThreads)) : info.hostCores;

  ensureWritableDir(outDir);

  // 2. data
  t0 = Date.now();
  const data = await prepareData(req, loaded.model, inspection);
  for (const w of data.warnings) hooks.log?.(`warning: ${w}`);
  lap('data', t0);

  // 3. operators
  const built: BuiltOperators = await buildOperators({
    req, loaded, inspection, variants: found.variants, data, runner, outDir, hostCores, jobOpts,
    progress: (stage, message, within, current) => report(stage, message, within, current),
    timings, log: (line) => hooks.log?.(line),
  });
  const wanted = (op: OperatorId) => !req.operators || req.operators.includes(op);
  const placements = (split: boolean) => (req.placements ?? [...ALL_SINGLE, ...ALL_SPLIT]).filter((p) => (split ? ALL_SPLIT : ALL_SINGLE).includes(p));
  const builds: OperatorBuild[] = built.builds
    .filter((b) => wanted(b.operator))
    .map((b) => ({ ...b, placements: placements(b.stages.length === 2).filter((p) => b.placements.includes(p)) }))
    .filter((b) => b.placements.length > 0);

  /** The engine over these rows, wrapped with everything the report says about the run. */
  const assemble = (rows: ResultRow[], metric: Metric, baseline: number | undefined, noRecommendationReason?: string): AdvisorReport => {
    const r = rank({
      model: { path: loaded.path, name: path.basename(loaded.path), modality: inspection.modality, inputBytes: data.inputBytes },
      metric,
      results: rows,
      ...(baseline !== undefined ? { baselineAccuracy: baseline } : {}),
      tiers: req.tiers,
      ...(built.quantization ? { quantization: built.quantization } : {}),
      environment: {
        host: hostFacts().hostname, cpus: info.hostCores, cpuModel: info.cpuModel, node: process.version,
        onnxruntime: info.onnxruntime, advisor: ADVISOR_VERSION, date: new Date().toISOString(),
      },
      timings: { ...timings },
      data: data.summary,
    }, { maxAccuracyDrop: req.maxAccuracyDrop, ...(req.latencyTargetMs !== undefined ? { latencyTargetMs: req.latencyTargetMs } : {}) });
    return noRecommendationReason ? { ...r, noRecommendationReason } : r;
  };
  /** Hands a host latencies without accuracy (no pick, and why), built only when a host listens. */
  const partial = (rows: ResultRow[], why: string) => {
    if (hooks.onPartial) hooks.onPartial(assemble(rows, data.labels ? 'top1' : 'agreement', undefined, why));
  };

  // 4. latency (with the decode + preprocessing of sample files, timed on the receiving tier's side)
  t0 = Date.now();
  const preprocessMs = await measurePreprocessing(data, req.tiers, hostCores, runner, jobOpts);
  lap('preprocess', t0);
  report('benchmark', `benchmarking ${builds.length} operators on ${req.tiers.name} tiers`, 0);
  let rows: ResultRow[] = await measure({
    builds, tiers: req.tiers, hostCores, samples: data.benchSamples, inputBytes: data.inputBytes,
    budgetMs: req.budgetSeconds * 1000, preprocessMs,
  }, runner, {
    ...jobOpts,
    timeoutMs: req.budgetSeconds * 1000 * 3 + 120_000,
    onProgress: (p) => report('benchmark', p.message, p.fraction ?? 0),
  }, (soFar) => partial(soFar,
    `The run stopped during the latency benchmarks: these latencies are from the ${soFar[0]?.latencyMs.n ?? 0} rounds measured so far (their confidence intervals were not reached), and nothing can be recommended without accuracy.`));
  lap('benchmark', t0);
  // what a cancel from here on still shows: every latency, no accuracy, so no pick
  partial(rows, 'The run stopped after the latency benchmarks, before accuracy was measured: the latencies are real, but nothing can be recommended without accuracy.');

  // 5. accuracy (same samples for every operator; partitions measured through head and tail)
  t0 = Date.now();
  // one build per operator: a partition's per-link cuts compute the same function
  const identityBuild = built.builds.find((b) => b.operator === 'identity')!;
  const accBuilds = [identityBuild, ...builds.filter((b, i) => b.operator !== 'identity' && builds.findIndex((x) => x.operator === b.operator) === i)];
  const acc = await measureAccuracy(accBuilds, data.evalSource, data.labels, runner, hostCores, {
    ...jobOpts,
    ...(req.labelsPath ? { labelsFile: req.labelsPath } : {}),
    onOperator: (op, i, n) => report('accuracy', `measuring ${data.labels ? 'accuracy' : 'fidelity'} of ${op} on ${data.evalSource.count} samples`, i / n, { operator: op }),
  });
  rows = rows.map((r) => {
    const a = acc.perOperator.get(r.operator);
    if (!a) return r;
    const flags = data.labels ? r.flags : [...new Set([...r.flags, 'fidelityOnly' as const])];
    return { ...r, accuracy: a.accuracy, accuracyDrop: a.drop, accuracyDropCi: a.dropCi, fidelity: a.fidelity, flags };
  });
  lap('accuracy', t0);

  // 6. recommendation
  t0 = Date.now();
  report('recommend', 'recommending');
  const result = assemble(rows, acc.metric, acc.baseline);
  lap('recommend', t0);
  timings['total'] = Date.now() - started;
  const warnings = [...found.warnings, ...data.warnings, ...built.warnings, ...(acc.note ? [acc.note] : [])];
  const final = warnings.length ? { ...result, warnings } : result;
  cache.put(key, final);
  return keep(final);
}

/** Everything a measurement depends on: file bytes (model, variants, their external data, data), tiers, settings, runtime. */
function runCacheKey(req: AdvisorRequest, models: LoadedModel[], onnxruntime: string): string {
  const modelFiles = [...new Set(models.flatMap((m) => [m.path, ...externalDataFiles(m)]))];
  // preprocessing and tokenizer change every number measured on files (pipeline/data.ts)
  const decoding = dataCacheParts(req);
  const dataFiles = [req.dataPath, req.labelsPath, req.calibrationPath, ...decoding.files].filter((f): f is string => !!f);
  return cacheKey({
    modelFiles, dataFiles, tiers: req.tiers, onnxruntimeVersion: onnxruntime,
    settings: { job: 'recommend', advisor: ADVISOR_VERSION, budgetSeconds: req.budgetSeconds, maxThreads: req.maxThreads ?? null, placements: req.placements ?? null, operators: req.operators ?? null, data: decoding.settings },
  });
}

function externalDataFiles(m: LoadedModel): string[] {
  const files = new Set<string>();
  for (const t of allTensors(m.model.graph!)) {
    const ref = externalRef(t);
    if (ref) files.add(resolveExternalPath(m.dir, ref.location, m.path));
  }
  return [...files].sort();
}
