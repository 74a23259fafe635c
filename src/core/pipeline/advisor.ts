/**
 * The advisor's main job, shared by the CLI (`recommend`) and the extension: inspect the model,
 * gather its variants, build the black-box operators (SPTQ, DSPTQ, Partition, SPTQ-Partition),
 * measure accuracy on the same samples and race every operator on every placement for latency in
 * the runner process, then let the engine recommend. Results arrive as they are measured: Identity
 * and the user's variants are timed first, the rest join as they are built, and a provisional
 * report (rows so far, a provisional pick once accuracy is known) follows every slice.
 * Pure orchestration: the runner is injected, so this file has no process, VS Code or onnxruntime
 * dependency.
 */
import * as path from 'node:path';
import { scoreOutputs, type AccuracyResult } from '../accuracy/score';
import { cacheKey, defaultOutDir, ResultsCache } from '../cache/cache';
import { AdvisorError, toAdvisorError } from '../errors';
import { ensureWritableDir } from '../fsutil';
import { validateGraph } from '../graph/graph';
import { saveRun } from '../history/runs';
import { ADVISOR_VERSION, hostFacts } from '../hostFacts';
import { inspectModel, type Inspection } from '../inspect/inspect';
import { externalDataFiles, readModel, type LoadedModel } from '../onnx/io';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import type { TensorData } from '../protocol/tensor';
import { rank } from '../recommend/rank';
import type { AdvisorReport, OperatorId, PlacementId, ResultRow } from '../results';
import { evaluateBuild } from './accuracy';
import { headOf } from '../data/source';
import { dataCacheParts, measurePreprocessing, prepareData } from './data';
import { withSyntheticHint } from '../data/inputShapes';
import { baseOperators, quantizationSection } from './operators';
import { Planner } from './plan';
import { Race } from './race';
import type { OperatorBuild } from './rows';
import type { BuildContext } from './steps/context';
import { buildPartitions } from './steps/partition';
import { buildSptqOperators, sptqFlags } from './steps/sptq';
import { findVariants } from './steps/variants';
import { connectDevices, runPartitionsForReal, type DeviceRunnerFactory, type Devices } from './steps/devices';
import { placementTiers } from '../tiers/placement';
import type { AdvisorProgress, AdvisorRequest, AdvisorStage } from './types';

const ALL_SINGLE: PlacementId[] = ['mobile', 'edge', 'cloud'];
const ALL_SPLIT: PlacementId[] = ['mobile-edge', 'edge-cloud'];
/** Provisional reports at most this often (each carries every row's samples). */
const PARTIAL_EVERY_MS = 1000;

export interface AdvisorHooks {
  onProgress?: (p: AdvisorProgress) => void;
  signal?: AbortSignal;
  /** Log lines (the extension's output channel, the CLI's --verbose). */
  log?: (line: string) => void;
  /**
   * Reports of the run so far (`provisional: true`): the rows measured, a provisional pick once
   * accuracy is known. The last one is what a host shows if the run is cancelled. Never cached.
   */
  onPartial?: (report: AdvisorReport) => void;
  /** Runners for device tiers (the SSH transport); needed when a tier names a device. */
  deviceRunner?: DeviceRunnerFactory;
}

export async function runAdvisor(req: AdvisorRequest, runner: RunnerHost, hooks: AdvisorHooks = {}): Promise<AdvisorReport> {
  const seen: Seen = {};
  try {
    return await advise(req, runner, hooks, seen);
  } catch (e) {
    throw withSyntheticHint(e, seen.syntheticGuess);
  }
}

/**
 * Time the reference evaluation on synthetic samples may take before it stops (at least 8 samples):
 * a tenth of the latency budget, at least 5 s. Labelled data is always evaluated whole.
 */
export function syntheticFidelityCap(budgetSeconds: number): { ms: number; minSamples: number } {
  return { ms: Math.max(5_000, budgetSeconds * 100), minSamples: 8 };
}

/** What the run learnt that an error leaving it should mention. */
interface Seen {
  syntheticGuess?: string;
}

async function advise(req: AdvisorRequest, runner: RunnerHost, hooks: AdvisorHooks, seen: Seen): Promise<AdvisorReport> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, t0: number) => { timings[name] = (timings[name] ?? 0) + (Date.now() - t0); };
  /** Set once known; progress reports use them from then on. */
  const live: { planner?: Planner; race?: Race } = {};
  const report = (stage: AdvisorStage, message: string, within = 0, current?: AdvisorProgress['current']) => {
    if (hooks.signal?.aborted) throw new AdvisorError('cancelled', 'cancelled');
    const elapsed = Date.now() - started;
    const remaining = live.planner?.remainingMs(live.race?.budgetLeftMs ?? req.budgetSeconds * 1000);
    const fraction = remaining !== undefined ? elapsed / (elapsed + remaining) : 0.02 * Math.max(0, Math.min(1, within));
    hooks.onProgress?.({
      stage, message, fraction: Math.min(1, fraction), ...(current ? { current } : {}),
      ...(remaining !== undefined ? { etaSeconds: Math.round(remaining / 1000) } : {}),
      ...(live.planner ? { plan: live.planner.update(live.race?.budgetLeftMs) } : {}),
    });
    hooks.log?.(`[${stage}] ${message}`);
  };
  const jobOpts: JobOptions = hooks.signal ? { signal: hooks.signal } : {};
  const outDir = req.outDir ?? defaultOutDir(req.modelPath);
  /** Every finished run goes into the model's run history; failing to write it never fails the run. */
  const keep = (r: AdvisorReport): AdvisorReport => {
    try { saveRun(outDir, r); } catch (e) { hooks.log?.(`warning: the run could not be added to the history in ${outDir}: ${toAdvisorError(e).message}`); }
    return r;
  };

  // 1. the model and its variants
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

  // a run on unchanged files and settings is answered from the cache, ranked at the new budget and
  // latency target, without starting a runner
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
  if (data.syntheticGuess) seen.syntheticGuess = data.syntheticGuess;
  for (const w of data.warnings) hooks.log?.(`warning: ${w}`);
  lap('data', t0);

  // device tiers: reached, probed and their links measured before anything is timed
  t0 = Date.now();
  const devices: Devices = await connectDevices(req.tiers, hooks.deviceRunner, {
    ...(hooks.signal ? { signal: hooks.signal } : {}), log: (l) => hooks.log?.(l), progress: (m) => report('inspect', m),
  });
  const tiers = devices.tiers;
  lap('devices', t0);

  const quantizable = inspection.quantization.state === 'float';
  const distilled = found.variants.find((v) => v.kind === 'distilled');
  const plan = new Planner(req, path.basename(loaded.path), [
    'identity', ...found.variants.map((v) => v.kind),
    ...(quantizable ? ['sptq' as const] : []), ...(distilled ? ['dsptq' as const] : []),
    'partition', ...(quantizable ? ['sptq-partition' as const] : []),
  ], req.budgetSeconds * 1000);
  live.planner = plan;
  // building operators (calibration, kernel profiles, partition profiles) and decoding samples run in
  // a runner of their own: memory those jobs leave allocated would otherwise stay in the race's runner
  // and count against its memory bound (one configuration's own peak + 25%)
  const builder = runner.sibling?.() ?? runner;
  const ctx: BuildContext = {
    // steps see the tiers as they are: device facts in place, links as measured (a cut is priced at the real link)
    req: { ...req, tiers }, loaded, inspection, variants: found.variants, data, runner: builder, outDir, hostCores, jobOpts,
    progress: (stage, message, within, current) => report(stage, message, within, current),
    timings, log: (line) => hooks.log?.(line),
  };
  // decode + preprocessing of sample files, timed on the receiving tier's side, is part of every request
  t0 = Date.now();
  const preprocessMs = await measurePreprocessing(data, tiers, hostCores, builder, jobOpts).catch((e: unknown) => { devices.dispose(); if (builder !== runner) builder.dispose(); throw e; });
  lap('preprocess', t0);
  const theRace = new Race(runner, {
    tiers, hostCores, samples: data.benchSamples, inputBytes: data.inputBytes, ...(preprocessMs ? { preprocessMs } : {}),
    budgetMs: req.budgetSeconds * 1000, job: { ...jobOpts, timeoutMs: 120_000 + req.budgetSeconds * 1000 }, devices: devices.runners,
  });
  live.race = theRace;
  const warnings: string[] = [...devices.warnings];
  let realRuns = new Map<string, NonNullable<ResultRow['realRun']>>();

  /** The engine over these rows, wrapped with everything the report says about the run. */
  const assemble = (rows: ResultRow[], acc: AccuracyResult | undefined, extra: Partial<AdvisorReport> = {}): AdvisorReport => ({
    ...rank({
      model: { path: loaded.path, name: path.basename(loaded.path), modality: inspection.modality, inputBytes: data.inputBytes },
      metric: acc?.metric ?? (data.labels ? 'top1' : 'agreement'),
      results: rows.map((r) => { const real = realRuns.get(`${r.operator}@${r.placement}`); return real ? { ...r, realRun: real } : r; }),
      ...(acc ? { baselineAccuracy: acc.baseline } : {}),
      tiers,
      ...(sptqQuantization ? { quantization: sptqQuantization } : {}),
      environment: {
        host: hostFacts().hostname, cpus: info.hostCores, cpuModel: info.cpuModel, node: process.version,
        // the run's start: provisional reports and the final one are the same run
        onnxruntime: info.onnxruntime, advisor: ADVISOR_VERSION, date: new Date(started).toISOString(),
      },
      timings: { ...timings },
      data: data.summary,
    }, { maxAccuracyDrop: req.maxAccuracyDrop, ...(req.latencyTargetMs !== undefined ? { latencyTargetMs: req.latencyTargetMs } : {}) }),
    ...extra,
  });
  let sptqQuantization: AdvisorReport['quantization'];
  let acc: AccuracyResult | undefined;
  let lastPartial = 0;
  /** A provisional report for a host that listens (throttled unless forced). */
  const partial = (why: string | undefined, force = false) => {
    if (!hooks.onPartial || (!force && Date.now() - lastPartial < PARTIAL_EVERY_MS)) return;
    const rows = theRace.rows();
    if (rows.length === 0) return;
    lastPartial = Date.now();
    const r = assemble(rows, acc, { provisional: true });
    hooks.onPartial(why && !r.recommendation ? { ...r, noRecommendationReason: why } : r);
  };

  // accuracy of every operator on the same samples, evaluated as operators join (one build per operator:
  // a partition's per-link cuts compute the same function)
  const outputs = new Map<OperatorId, TensorData[]>();
  // accuracy runs in a runner of its own, fresh for each operator: its peak memory is then that
  // operator's own, and the race's runner keeps its loaded sessions
  const evaluator = runner.sibling?.() ?? runner;
  const evaluate = async (builds: OperatorBuild[]) => {
    const t = Date.now();
    for (const b of builds) {
      if (outputs.has(b.operator)) continue;
      report('accuracy', `measuring ${data.labels ? 'accuracy' : 'fidelity'} of ${b.operator} on ${data.evalSource.count} samples`, 0, { operator: b.operator });
      // fidelity on synthetic samples need not cost minutes per operator on a slow model: the first
      // (reference) evaluation stops at a time cap, and every operator is then compared on those samples
      const cap = outputs.size === 0 && data.evalSource.kind === 'synthetic' ? { timeCap: syntheticFidelityCap(req.budgetSeconds) } : {};
      // in a fresh runner, so its peak memory is this operator's own (what a tier running it needs)
      const ev = await evaluateBuild(b, data.evalSource, evaluator, hostCores, { ...jobOpts, fresh: true, ...cap });
      if (ev.outputs.length < data.evalSource.count) {
        warnings.push(`fidelity is measured on ${ev.outputs.length} of ${data.evalSource.count} synthetic samples: the model's reference outputs took the ${Math.round(cap.timeCap!.ms / 1000)} s given to them (a tenth of the budget, at least 5 s)`);
        data.evalSource = headOf(data.evalSource, ev.outputs.length);
        data.summary = { ...data.summary, samples: ev.outputs.length };
      }
      outputs.set(b.operator, ev.outputs);
      if (ev.peakRssMB !== undefined) theRace.setOwnPeak(b.operator, ev.peakRssMB);
    }
    acc = scoreOutputs(outputs, data.labels, data.evalSource.count, req.labelsPath);
    for (const [op, a] of acc.perOperator) {
      theRace.setAccuracy(op, { accuracy: a.accuracy, drop: a.drop, dropCi: a.dropCi, fidelity: a.fidelity, ...(data.labels ? {} : { flags: ['fidelityOnly'] }) });
    }
    lap('accuracy', t);
  };
  const wanted = (op: OperatorId) => !req.operators || req.operators.includes(op);
  const placements = (split: boolean) => (req.placements ?? [...ALL_SINGLE, ...ALL_SPLIT])
    .filter((p) => (split ? ALL_SPLIT : ALL_SINGLE).includes(p))
    // a device that could not be reached takes its placements with it
    .filter((p) => placementTiers(p).every((t) => !devices.unavailable.has(t)));
  /**
   * Builds the user asked for, on the placements asked for, join the race; their accuracy is
   * measured right after (`latencyFirst`: after a first slice, so the first rows arrive sooner).
   */
  const join = async (built: OperatorBuild[], latencyFirst = false) => {
    const builds = built.filter((b) => wanted(b.operator))
      .map((b) => ({ ...b, placements: placements(b.stages.length === 2).filter((p) => b.placements.includes(p)) }))
      .filter((b) => b.placements.length > 0);
    // Identity's outputs are every operator's reference: measured even when it is not raced
    const toEvaluate = [...built.filter((b) => b.operator === 'identity' && !builds.includes(b)), ...builds];
    if (!latencyFirst) await evaluate(toEvaluate);
    theRace.add(builds);
    for (const b of builds) plan.set(b.operator, 'measuring');
    plan.configurations(theRace.active.length);
    if (latencyFirst) {
      await benchmark(`first latencies of ${builds.map((b) => b.operator).join(', ')}`);
      await evaluate(toEvaluate);
      partial(undefined, true);
    }
    return builds;
  };
  const benchmark = async (what: string) => {
    const t = Date.now();
    report('benchmark', what);
    await theRace.step();
    lap('benchmark', t);
    partial('Accuracy is not measured yet.', true);
  };

  try {
    // 3. what needs no building: measured at once, so the first rows arrive in seconds
    const base = await baseOperators(ctx);
    warnings.push(...base.warnings);
    await join(base.builds, true);

    // 4. the black-box operators join as they are built
    for (const op of ['sptq', 'dsptq'] as const) plan.set(op, 'building');
    t0 = Date.now();
    const quantized = await buildSptqOperators(ctx);
    plan.built(Date.now() - t0);
    warnings.push(...quantized.warnings);
    if (quantized.sptq) sptqQuantization = quantizationSection(quantized.sptq);
    for (const op of ['sptq', 'dsptq'] as const) if (!quantized.builds.some((b) => b.operator === op)) plan.set(op, 'skipped', quantized.warnings.find((w) => w.startsWith(op)));
    await join(quantized.builds);
    if (quantized.builds.length) await benchmark('latencies with the quantized operators');

    for (const op of ['partition', 'sptq-partition'] as const) plan.set(op, 'building');
    t0 = Date.now();
    const parts = await buildPartitions(ctx, [
      { operator: 'partition', file: loaded.path, flags: [] },
      ...(quantized.sptq ? [{ operator: 'sptq-partition' as const, file: quantized.sptq.out, flags: sptqFlags(quantized.sptq) }] : []),
    ]);
    plan.built(Date.now() - t0);
    warnings.push(...parts.warnings);
    for (const op of ['partition', 'sptq-partition'] as const) if (!parts.builds.some((b) => b.operator === op)) plan.set(op, 'skipped');
    await join(parts.builds);
    for (const w of warnings) hooks.log?.(`warning: ${w}`);

    // 5. the race: slices until every configuration is decided or the budget is spent
    const t = Date.now();
    await theRace.run((r) => {
      report('benchmark', `measuring ${r.active.length} configuration(s) still in the race`, 0);
      partial('Accuracy is not measured yet.');
    });
    lap('benchmark', t);
    for (const [tier, why] of theRace.deviceFailures) {
      warnings.push(`${tier} tier stopped during the race: ${why}; its rows keep what was measured before`);
      devices.unavailable.set(tier, why);
    }

    // 6. partitions across a real link, where one end is a device
    if (Object.keys(devices.runners).length > 0) {
      const t1 = Date.now();
      report('benchmark', 'running Mobile-Edge partitions for real across the device link');
      try {
        realRuns = await runPartitionsForReal(theRace.builds, devices, runner, hostCores, data.benchSamples, { ...jobOpts, log: (l) => hooks.log?.(l) });
      } catch (e) {
        const err = toAdvisorError(e);
        if (err.category === 'cancelled') throw err;
        warnings.push(`the partition could not be run for real across the device link: ${err.message}`);
      }
      lap('realPartition', t1);
    }
  } catch (e) {
    // what a cancel (or a dead runner) still shows: every row measured so far, marked stopped
    theRace.stopAll('stopped');
    partial(`The run stopped before it finished: ${toAdvisorError(e).message}. These rows are what was measured so far.`, true);
    throw e;
  } finally {
    if (evaluator !== runner) evaluator.dispose();
    if (builder !== runner) builder.dispose();
    for (const [tier, session] of Object.entries(devices.sessions)) hooks.log?.(`device: ${tier}: ${session.sentBytes()} bytes of models sent this run`);
    devices.dispose();
  }

  // 6. recommendation
  t0 = Date.now();
  report('recommend', 'recommending');
  const result = assemble(theRace.rows(), acc, { benchmarkMemory: { runnerPeakRssMB: theRace.runnerPeakRssMB, baseRssMB: theRace.baseRssMB, freshRunners: theRace.recycles } });
  lap('recommend', t0);
  timings['total'] = Date.now() - started;
  const all = [...found.warnings, ...data.warnings, ...warnings, ...(acc?.note ? [acc.note] : [])];
  const final: AdvisorReport = { ...result, timings: { ...timings }, ...(all.length ? { warnings: all } : {}) };
  cache.put(key, final);
  return keep(final);
}

/** Everything a measurement depends on: file bytes (model, variants, their external data, data), tiers, settings, runtime. */
function runCacheKey(req: AdvisorRequest, models: LoadedModel[], onnxruntime: string): string {
  const modelFiles = [...new Set(models.flatMap((m) => [m.path, ...externalDataFiles(m).map((f) => f.path)]))];
  // preprocessing and tokenizer change every number measured on files (pipeline/data.ts)
  const decoding = dataCacheParts(req);
  const dataFiles = [req.dataPath, req.labelsPath, req.calibrationPath, ...decoding.files].filter((f): f is string => !!f);
  return cacheKey({
    modelFiles, dataFiles, tiers: req.tiers, onnxruntimeVersion: onnxruntime,
    settings: { job: 'recommend', advisor: ADVISOR_VERSION, budgetSeconds: req.budgetSeconds, maxThreads: req.maxThreads ?? null, placements: req.placements ?? null, operators: req.operators ?? null, data: decoding.settings },
  });
}
