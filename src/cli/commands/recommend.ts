/**
 * `recommend`: the advisor's answer. Two modes share the engine and the output:
 * - measurements mode (`--measurements <file.json>`): the engine alone, on results measured elsewhere;
 * - model mode (`<model.onnx>`): builds and benchmarks every operator × placement first (recommendModel.ts).
 * Gates (exit 3): gates.ts.
 */
import * as path from 'node:path';
import { AdvisorError } from '../../core/errors';
import { atomicWriteFile } from '../../core/fsutil';
import { configLabel, formatMs, formatPoints } from '../../core/labels';
import { loadMeasurements } from '../../core/recommend/loadMeasurements';
import { measuredElsewhereTiers } from '../../core/recommend/measurements';
import { rank } from '../../core/recommend/rank';
import { renderCsv } from '../../core/report/csv';
import { reportJson, toReportDocument } from '../../core/report/document';
import { streamLine } from '../stream';
import { renderMarkdown } from '../../core/report/markdown';
import type { AdvisorReport } from '../../core/results';
import { DEFAULT_MAX_ACCURACY_DROP, MEDIUM_DROP_MAX } from '../../core/study/accuracyClasses';
import { listOpt, numberOpt, parseArgs, stringOpt, type OptionSpec, type ParsedArgs } from '../args';
import { EXIT_GATE_NOT_MET, gateFailure, parseRequire, type Configuration } from '../gates';
import { table } from '../format';
import { DATA_OPTIONS, DATA_USAGE } from '../dataOptions';
import { DEFAULT_BUDGET_SECONDS, runModelMode } from './recommendModel';
import type { Command } from './command';
import { ADVISOR_VERSION, hostFacts } from '../../core/hostFacts';

/** Options only model mode understands; accepted by the parser so the error can say so. */
const MODEL_MODE_OPTIONS = ['data', 'labels', 'calib', 'preprocess', 'tokenizer', 'variant', 'tiers', 'budget-seconds', 'out-dir', 'quiet', 'cache', 'threads'] as const;

const SPEC: Record<string, OptionSpec> = {
  ...DATA_OPTIONS,
  measurements: { type: 'string' },
  'max-accuracy-drop': { type: 'string' },
  'latency-target-ms': { type: 'string' },
  json: { type: 'boolean' },
  'json-stream': { type: 'boolean' },
  report: { type: 'string' },
  data: { type: 'string' },
  labels: { type: 'string' },
  variant: { type: 'string', multiple: true },
  tiers: { type: 'string' },
  'budget-seconds': { type: 'string' },
  calib: { type: 'string' },
  'out-dir': { type: 'string' },
  quiet: { type: 'boolean' },
  cache: { type: 'boolean' },
  threads: { type: 'string' },
  require: { type: 'string', multiple: true },
};

export type Write = (text: string) => void;

export const recommendCommand: Command & { run(argv: string[], write?: Write): Promise<number> } = {
  summary: 'benchmark every operator on every tier and recommend one (or --measurements <file.json>)',
  usage: `usage: edge-advisor recommend --measurements <file.json> [--max-accuracy-drop <points>]
                                [--latency-target-ms N] [--require OP@PLACEMENT]... [--json] [--report <out.md|out.csv|out.json>]
       edge-advisor recommend <model.onnx> [--data <file.npy|dir|images|texts>] [--labels <file>] [--calib <same kinds>]
                              [--preprocess <preset|file.json>] [--tokenizer <tokenizer.json>]
                              [--variant distilled=<path>] [--variant pruned=<path>] [--variant qat=<path>]
                              [--tiers study|local|<file.json>] [--max-accuracy-drop <points>]
                              [--latency-target-ms N] [--require OP@PLACEMENT]...
                              [--budget-seconds N] [--out-dir <dir>] [--json] [--report <out.md>] [--quiet]

  model mode: builds SPTQ, DSPTQ, Partition and SPTQ-Partition, finds distilled/pruned/QAT variants
  beside the model (<name>.distilled.onnx, <name>_distilled.onnx, ...; or --variant), benchmarks every
  operator on every placement in a background process and measures accuracy on the same samples.
  --data F               input samples: .npy with a sample axis, or a folder of .npy; an image or an image
                         folder (JPEG, PNG, WebP, BMP, GIF; root/<class>/<image> gives labels by sorted
                         class name, or by the order of labels.txt/classes.txt in the root); a text file
                         (.txt one text a line, .jsonl or .csv with a text and an optional label field).
                         None → synthetic inputs and fidelity to the float model instead of accuracy
  --labels F             labels for .npy or text data (.npy or .json): top-1, F1 (binary) or mIoU (masks)
  --calib F              SPTQ calibration samples, any --data kind (default: spread over --data, else synthetic)
${DATA_USAGE}
  --tiers T              study (the paper's Mobile/Edge/Cloud, default), local, or a JSON tier file
  --budget-seconds N     time for latency measurement (default ${DEFAULT_BUDGET_SECONDS})
  --out-dir D            where produced models and the results cache go (default .edge-advisor/ beside the model)
  --threads N            use at most N host cores for measurement (default: all)
  --no-cache             measure again even when the model, data, tiers and settings are unchanged

  --measurements F       results measured elsewhere (a device, a paper): {"model", "modality", "metric",
                         "baselineAccuracy", "results": [{"operator", "placement",
                         "latencyMs": {"median", "mean"?, "sd"?, "n"?} | "samplesMs": [...], "accuracy"}]}
  --max-accuracy-drop P  accuracy budget in points (default ${DEFAULT_MAX_ACCURACY_DROP}, the study's "small";
                         ${MEDIUM_DROP_MAX} accepts the study's "small to medium")
  --latency-target-ms N  pick the most accurate configuration whose median meets N ms; exit 3 when none
                         within the accuracy budget does
  --require OP@PLACEMENT exit 3 unless the pick is this configuration (e.g. sptq@edge; repeat to accept
                         any of several)
  --json-stream          NDJSON on stdout as the run goes: {"event":"progress",...} lines, {"event":"report",...}
                         provisional reports (rows so far, a provisional pick), last {"event":"final","report":...}
  --json                 print the report as JSON (AdvisorReport: recommendation, results, pareto,
                         sensitivity, tiers, environment)
  --report FILE          also write the report as Markdown, CSV or JSON (by the file name's ending)

  exit codes: 0 a recommendation that meets the gates; 1 bad input or a failed job; 2 usage error;
  3 gate not met (nothing within the accuracy budget and latency target, or not the --require'd pick):
  the report is still printed and written, and stderr's last line says which target failed by how much`,

  async run(argv, write: Write = (t) => void process.stdout.write(t)) {
    const args = parseArgs(argv, SPEC);
    const measurements = stringOpt(args, 'measurements');
    if (measurements !== undefined && args.positionals.length > 0) {
      throw new AdvisorError('usage', 'give either --measurements <file.json> or a model path, not both');
    }
    if (measurements !== undefined) return measurementsMode(measurements, args, write);
    if (args.positionals.length === 1) return modelMode(args.positionals[0]!, args, write);
    throw new AdvisorError('usage', args.positionals.length === 0 ? 'expected --measurements <file.json> or a model path' : 'expected one model path');
  },
};

interface CommonOptions {
  maxAccuracyDrop: number;
  required: Configuration[];
  latencyTargetMs?: number;
  json: boolean;
  /** NDJSON events on stdout (cli/stream.ts); the last line is the final report. */
  stream: boolean;
  report?: string;
}

function commonOptions(args: ParsedArgs): CommonOptions {
  const maxAccuracyDrop = numberOpt(args, 'max-accuracy-drop') ?? DEFAULT_MAX_ACCURACY_DROP;
  if (maxAccuracyDrop < 0) throw new AdvisorError('usage', `--max-accuracy-drop must be ≥ 0 points, got ${maxAccuracyDrop}`);
  const latencyTargetMs = numberOpt(args, 'latency-target-ms');
  if (latencyTargetMs !== undefined && !(latencyTargetMs > 0)) throw new AdvisorError('usage', `--latency-target-ms must be > 0, got ${latencyTargetMs}`);
  const report = stringOpt(args, 'report');
  if (report !== undefined && !/\.(md|markdown|csv|json)$/i.test(report)) {
    throw new AdvisorError('usage', `--report ${report}: use a .md, .csv or .json file name`);
  }
  const stream = args.options['json-stream'] === true;
  if (stream && args.options['json'] === true) throw new AdvisorError('usage', 'give --json or --json-stream, not both');
  return { maxAccuracyDrop, required: listOpt(args, 'require').map(parseRequire), latencyTargetMs, json: args.options['json'] === true, stream, report };
}

function measurementsMode(file: string, args: ParsedArgs, write: Write): Promise<number> {
  const modelOnly = MODEL_MODE_OPTIONS.filter((o) => args.options[o] !== undefined);
  if (modelOnly.length > 0) throw new AdvisorError('usage', `--${modelOnly[0]} applies to model mode only, not to --measurements`);
  const opts = commonOptions(args);
  const m = loadMeasurements(file);
  const report = rank({
    model: { path: path.resolve(file), name: m.model, modality: m.modality },
    metric: m.metric,
    results: m.rows,
    ...(m.baselineAccuracy !== undefined ? { baselineAccuracy: m.baselineAccuracy } : {}),
    tiers: measuredElsewhereTiers(m, path.basename(file)),
    environment: environment(),
  }, { maxAccuracyDrop: opts.maxAccuracyDrop, ...(opts.latencyTargetMs !== undefined ? { latencyTargetMs: opts.latencyTargetMs } : {}) });
  return Promise.resolve(emit(report, opts, write));
}

async function modelMode(model: string, args: ParsedArgs, write: Write): Promise<number> {
  const opts = commonOptions(args);
  const report = await runModelMode(model, args, {
    maxAccuracyDrop: opts.maxAccuracyDrop, ...(opts.latencyTargetMs !== undefined ? { latencyTargetMs: opts.latencyTargetMs } : {}),
    ...(opts.stream ? { stream: write } : {}),
  });
  return emit(report, opts, write);
}

function environment(): AdvisorReport['environment'] {
  const h = hostFacts();
  return {
    host: h.hostname, cpus: h.cores, cpuModel: h.cpuModel,
    node: h.node, advisor: ADVISOR_VERSION, date: new Date().toISOString(),
  };
}

function emit(report: AdvisorReport, opts: CommonOptions, write: Write): number {
  if (opts.report) {
    const ext = path.extname(opts.report).toLowerCase();
    atomicWriteFile(opts.report, ext === '.csv' ? renderCsv(report) : ext === '.json' ? reportJson(report) : renderMarkdown(report));
  }
  write(opts.stream ? streamLine({ event: 'final', report: toReportDocument(report) }) : opts.json ? reportJson(report) : human(report) + '\n');
  const failed = gateFailure(report, opts.required);
  if (failed === undefined) return 0;
  process.stderr.write(`edge-advisor recommend: gate not met: ${failed}\n`);
  return EXIT_GATE_NOT_MET;
}

function human(r: AdvisorReport): string {
  const out: string[] = [];
  const rec = r.recommendation;
  if (rec) {
    out.push(`Recommendation: ${configLabel(rec)} — ${formatMs(rec.latencyMs.median)} median, ${formatPoints(rec.accuracyDrop)}-point accuracy drop`);
    for (const s of rec.rationale) out.push(`  - ${s}`);
    if (rec.studyFindings.length > 0) out.push('', 'The study:', ...rec.studyFindings.map((s) => `  - ${s}`));
  } else {
    out.push(`No recommendation: ${r.noRecommendationReason ?? 'nothing qualified'}`);
  }
  if (r.sensitivity.length > 0 || r.sensitivityNote) {
    out.push('', 'Bandwidth sensitivity:', ...r.sensitivity.map((p) => `  - ${p.summary}`), ...(r.sensitivityNote ? [`  - ${r.sensitivityNote}`] : []));
  }
  if (r.warnings && r.warnings.length > 0) out.push('', 'Warnings:', ...r.warnings.map((w) => `  - ${w}`));
  if (r.cachedAt) out.push('', `Measurements from the cache (taken ${r.cachedAt}; --no-cache measures again).`);
  out.push('', `Configurations (budget ${r.maxAccuracyDrop} points; * Pareto front, > recommended):`);
  const rows = r.results.map((row, i) => [
    `${rec && rec.operator === row.operator && rec.placement === row.placement ? '>' : ' '}${r.pareto.includes(i) ? '*' : ' '}`,
    configLabel(row),
    formatMs(row.latencyMs.median),
    row.accuracy !== undefined ? `${row.accuracy.toFixed(2)}%` : '',
    row.accuracyDrop !== undefined ? formatPoints(row.accuracyDrop) : '',
    row.flags.join(' '),
  ]);
  out.push(table([['', 'configuration', 'median', 'accuracy', 'drop', 'flags'], ...rows], ['l', 'l', 'r', 'r', 'r', 'l']));
  return out.join('\n');
}
