/**
 * `bench`: the model as it is (operator `identity`) measured on each tier placement, in the runner
 * process: latency statistics (median with its 95% CI, percentiles, cold start, peak memory, the
 * analytic transfers) and, with labels, accuracy. Rows have the shape `recommend --json` uses.
 * Results are cached under `.edge-advisor/` beside the model and reused while nothing changed.
 */
import * as path from 'node:path';
import { cacheKey, defaultOutDir, ResultsCache } from '../../core/cache/cache';
import { AdvisorError } from '../../core/errors';
import { validateGraph } from '../../core/graph/graph';
import { inspectModel } from '../../core/inspect/inspect';
import { readModel } from '../../core/onnx/io';
import { measureAccuracy } from '../../core/pipeline/accuracy';
import { dataCacheParts, prepareData } from '../../core/pipeline/data';
import type { AdvisorRequest } from '../../core/pipeline/types';
import { Race } from '../../core/pipeline/race';
import { threadCounts, type OperatorBuild } from '../../core/pipeline/rows';
import type { PlacementId, ResultRow } from '../../core/results';
import { resolveTiers } from '../../core/tiers/presets';
import type { TierSet } from '../../core/tiers/types';
import { RunnerClient } from '../../runner/host/client';
import { numberOpt, parseArgs, stringOpt } from '../args';
import { table } from '../format';
import { DATA_OPTIONS, DATA_USAGE, dataOptions } from '../dataOptions';
import { withSyntheticHint } from '../../core/data/inputShapes';
import type { Command } from './command';
import { ADVISOR_VERSION, hostFacts } from '../../core/hostFacts';

const WHOLE: PlacementId[] = ['mobile', 'edge', 'cloud'];
const DEFAULT_BUDGET_SECONDS = 20;

/**
 * `bench --json`: the model as is on each tier. The source of `schemas/bench.schema.json`
 * (npm run gen:json-schemas); `schemaVersion` changes only with an incompatible change.
 */
export interface BenchOutput {
  /** Version of this document's format (schemas/bench.schema.json). */
  schemaVersion: 1;
  results: ResultRow[];
  tiers: TierSet;
  environment: { host: string; cpus: number; cpuModel: string; node: string; onnxruntime: string; advisor: string; date: string; cached: boolean };
}

export const benchCommand: Command = {
  summary: 'benchmark the model as is on each tier (latency with 95% CI, cold start, memory, accuracy)',
  usage: `usage: edge-advisor bench <model.onnx> [--tiers study|local|<file.json>] [--placements mobile,edge,cloud]
                            [--data <file.npy|dir|images|texts>] [--labels <file.npy|file.json>] [--budget-seconds N]
                            [--preprocess <preset|file.json>] [--tokenizer <tokenizer.json>]
                            [--out <dir>] [--no-cache] [--json]

  --tiers T           tier profiles: "study" (default: the study's containers and links), "local"
                      (every tier is this machine) or a JSON file overriding either
  --placements P      comma-separated subset of mobile, edge, cloud (default all three); partitions
                      (mobile-edge, edge-cloud) need a cut: use "recommend"
  --data D            input samples: one .npy with a leading sample axis, a folder of per-sample
                      .npy files, or one .npy/folder per input name; an image or an image folder
                      (root/<class>/<image> labels by class); a .txt/.jsonl/.csv of texts
                      (default: synthetic inputs)
  --labels L          labels for --data (.npy or .json): adds top-1 accuracy (F1 for two classes,
                      mIoU for masks)
${DATA_USAGE}
  --budget-seconds N  measuring time for all configurations together (default ${DEFAULT_BUDGET_SECONDS}); sampling
                      stops earlier once every median's 95% CI (over blocks of runs) is within ±3%
  --out DIR           output folder for the cache (default .edge-advisor/ beside the model)
  --no-cache          measure again even when a cached result exists
  --json              print {results: [...], tiers, environment}`,

  async run(argv) {
    const args = parseArgs(argv, {
      ...DATA_OPTIONS, tiers: { type: 'string' }, placements: { type: 'string' }, data: { type: 'string' }, labels: { type: 'string' },
      'budget-seconds': { type: 'string' }, out: { type: 'string' }, cache: { type: 'boolean' }, json: { type: 'boolean' },
    });
    if (args.positionals.length !== 1) throw new AdvisorError('usage', 'expected exactly one model path');
    const modelPath = args.positionals[0]!;
    const placements = parsePlacements(stringOpt(args, 'placements'));
    const budgetSeconds = numberOpt(args, 'budget-seconds') ?? DEFAULT_BUDGET_SECONDS;
    if (!(budgetSeconds > 0)) throw new AdvisorError('usage', `--budget-seconds must be a positive number, got ${budgetSeconds}`);
    const dataPath = stringOpt(args, 'data');
    const labelsPath = stringOpt(args, 'labels');
    if (labelsPath && !dataPath) throw new AdvisorError('usage', '--labels needs --data (the samples they label)');
    const tiers = resolveTiers(stringOpt(args, 'tiers') ?? 'study', hostFacts());

    const loaded = readModel(modelPath);
    validateGraph(loaded.model.graph!, modelPath);
    const inspection = inspectModel(loaded);
    const req: AdvisorRequest = {
      modelPath, variants: {}, tiers, maxAccuracyDrop: 0, budgetSeconds,
      ...(dataPath ? { dataPath } : {}), ...(labelsPath ? { labelsPath } : {}), ...dataOptions(args),
    };
    const data = await prepareData(req, loaded.model, inspection);
    const say = (line: string) => { if (!args.options['json'] || process.stderr.isTTY) process.stderr.write(line + '\n'); };
    for (const w of data.warnings.filter((w) => !w.startsWith('SPTQ'))) say(`note: ${w}`);

    // a model too big for this machine stops with an 'oom' error instead of swapping the host to a halt
    const runner = new RunnerClient({ defaultMemoryLimitMB: Math.round(hostFacts().memoryMB * 0.75) });
    try {
      const info = await runner.info();
      const cache = new ResultsCache(stringOpt(args, 'out') ?? defaultOutDir(modelPath));
      // preprocessing, tokenizer and synthetic sizes change every number measured (pipeline/data.ts)
      const decoding = dataCacheParts(req);
      const key = cacheKey({
        modelFiles: [loaded.path], dataFiles: [dataPath, labelsPath, ...decoding.files].filter((p): p is string => !!p), tiers,
        settings: { command: 'bench', placements, budgetSeconds, data: decoding.settings, threads: threadCounts(tiers, info.hostCores), hostCores: info.hostCores, cpu: hostFacts().cpuModel },
        onnxruntimeVersion: info.onnxruntime,
      });
      const hit = args.options['cache'] === false ? undefined : cache.get<ResultRow[]>(key);
      const cached = hit !== undefined;
      let results: ResultRow[];
      if (hit) {
        results = hit;
        say(`using cached results (${path.join(cache.dir, key.slice(0, 12))}…; --no-cache to measure again)`);
      } else {
        const build: OperatorBuild = { operator: 'identity', stages: [loaded.path], placements };
        let lastLine = 0;
        const race = new Race(runner, {
          tiers, hostCores: info.hostCores, samples: data.benchSamples, inputBytes: data.inputBytes,
          budgetMs: budgetSeconds * 1000, job: { timeoutMs: budgetSeconds * 3000 + 120_000 },
        });
        race.add([build]);
        await race.run((r) => {
          if (process.stderr.isTTY && Date.now() - lastLine > 1000) { lastLine = Date.now(); say(`  measuring ${r.active.length} configuration(s), ${(r.budgetLeftMs / 1000).toFixed(0)} s of budget left`); }
        });
        results = race.rows();
        if (data.labels) {
          const acc = await measureAccuracy([build], data.evalSource, data.labels, runner, info.hostCores, { timeoutMs: 600_000, ...(labelsPath ? { labelsFile: labelsPath } : {}) });
          const a = acc.perOperator.get('identity')!;
          results = results.map((r) => ({ ...r, accuracy: a.accuracy }));
          say(`accuracy (${acc.metric}) on ${acc.samples} samples: ${a.accuracy.toFixed(2)}%`);
        }
        try {
          cache.put(key, results);
        } catch (e) {
          say(`note: results not cached (${(e as Error).message})`);
        }
      }
      const out: BenchOutput = {
        schemaVersion: 1,
        results,
        tiers,
        environment: {
          host: hostFacts().hostname, cpus: info.hostCores, cpuModel: info.cpuModel, node: process.version,
          onnxruntime: info.onnxruntime, advisor: ADVISOR_VERSION, date: new Date().toISOString(), cached,
        },
      };
      process.stdout.write(args.options['json'] ? JSON.stringify(out, null, 2) + '\n' : human(out) + '\n');
      return 0;
    } catch (e) {
      throw withSyntheticHint(e, data.syntheticGuess);
    } finally {
      runner.dispose();
    }
  },
};

function parsePlacements(spec: string | undefined): PlacementId[] {
  if (spec === undefined) return WHOLE;
  const list = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new AdvisorError('usage', '--placements needs at least one of mobile, edge, cloud');
  for (const p of list) {
    if (p === 'mobile-edge' || p === 'edge-cloud') throw new AdvisorError('usage', `--placements ${p} runs a partition, which needs a cut: use "recommend"`);
    if (!WHOLE.includes(p as PlacementId)) throw new AdvisorError('usage', `unknown placement "${p}" (use mobile, edge, cloud)`);
  }
  return [...new Set(list as PlacementId[])];
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function human(o: BenchOutput): string {
  const rows = [['placement', 'median ms', '95% CI', 'p90', 'p95', 'n', 'compute', 'transfer', 'cold start', 'peak MB', 'accuracy', 'flags']];
  for (const r of o.results) {
    const l = r.latencyMs;
    rows.push([
      r.placement, ms(l.median), `${ms(l.ciLow)}–${ms(l.ciHigh)}`, ms(l.p90), ms(l.p95), String(l.n ?? r.samplesMs?.length ?? ''),
      ms(r.computeMs?.median), ms(r.transferMs), ms(r.coldStartMs), r.peakRssMB !== undefined ? r.peakRssMB.toFixed(0) : '–',
      r.accuracy !== undefined ? `${r.accuracy.toFixed(2)}%` : '–', r.flags.join(' '),
    ]);
  }
  return [
    `${o.tiers.name} tiers: ${o.tiers.description}`,
    '',
    table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
    '',
    `${o.environment.cpus} cores (${o.environment.cpuModel}), onnxruntime ${o.environment.onnxruntime}${o.environment.cached ? ', cached result' : ''}`,
  ].join('\n');
}
