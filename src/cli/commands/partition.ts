import { hostFacts } from '../../core/hostFacts';
import * as path from 'node:path';
import { parseShapeArgs, withInputShapes } from '../../core/data/inputShapes';
import { syntheticSamples } from '../../core/data/synthetic';
import { modelInputSpecs } from '../../core/data/inputs';
import { AdvisorError } from '../../core/errors';
import { inspectModel } from '../../core/inspect/inspect';
import { atomicWriteFile } from '../../core/fsutil';
import { validateGraph } from '../../core/graph/graph';
import { readModel, writeModel } from '../../core/onnx/io';
import { describeWrongAnnotation, enumerateCuts, extractPartition, verifyCuts, type CutCheck, type CutListing, type CutOptions, type PricedCut, type WrongAnnotation } from '../../core/partition';
import { listCutsMeasured, rankCutsForTiers } from '../../core/partition/tiers';
import { TIER_IDS, resolveTiers } from '../../core/tiers/presets';
import type { TierId } from '../../core/tiers/types';
import { RunnerClient } from '../../runner/host/client';
import { listOpt, numberOpt, parseArgs, stringOpt, type ParsedArgs } from '../args';
import { bytes, table } from '../format';
import type { Command } from './command';

export const partitionCommand: Command = {
  summary: 'list the cut points of a model, or split it into head.onnx and tail.onnx',
  usage: `usage: edge-advisor partition <model.onnx> --list [--measure] [--verify] [--json]
       edge-advisor partition <model.onnx> --cut <id|tensor[,tensor...]> --out-dir <dir>
       edge-advisor partition <model.onnx> --rank [--tiers study|local|<file.json>] [--from mobile] [--to edge]

  --list              list every cut in topological order: the tensors that cross it, their bytes
                      and the compute nodes on each side (--json: {cuts:[{id,tensors,bytes,
                      headNodes,tailNodes,quantized,floatTwin?}], symbolicFixed, inputBytes, outputBytes})
  --measure           with --list: size the tensors static shape inference cannot by running the model
                      once in the runner on a synthetic sample (shaped by --shape)
                      (the model's own value_info never sizes a cut: shapes it declares are checked
                      against inference and measurement, and a warning names each one that is wrong)
  --cut <ref>         a listed cut id (c7) or the tensor names to cut at, comma-separated
  --out-dir <dir>     where head.onnx, tail.onnx and partition.json are written (never over the input)
  --verify            then run head → tail and the full model in the runner on synthetic inputs and
                      compare (exit 1 unless |diff| ≤ 1e-5 × max(1, |output|), or bit-identical for an 8-bit cut);
                      with --list: every listed cut is extracted and checked that way (implies --measure)
  --rank              profile the model once per tier (in the runner, synthetic inputs) and rank every cut
                      and the two single-tier placements by estimated latency: head on --from, transfer
                      of the cut tensors and the result over the links between them, tail on --to
  --tiers <spec>      tier set for --rank (default study); --from/--to pick the two tiers (mobile, edge)
  --mbps <n>, --rtt-ms <n>  what-if link between the two tiers for --rank
  --top <k>           placements shown by --rank (default 10)
  --max-tensors <n>   most tensors a cut may transfer (default 3)
  --shape <in=d,d,..> concrete shape of an input for symbolic dims (repeatable), e.g. input=1,3,224,224;
                      other symbolic dims count as 1
  --json              machine-readable output`,
  async run(argv) {
    const args = parseArgs(argv, {
      list: { type: 'boolean' }, json: { type: 'boolean' }, cut: { type: 'string' }, 'out-dir': { type: 'string' },
      'max-tensors': { type: 'string' }, shape: { type: 'string', multiple: true },
      rank: { type: 'boolean' }, verify: { type: 'boolean' }, measure: { type: 'boolean' }, tiers: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      mbps: { type: 'string' }, 'rtt-ms': { type: 'string' }, top: { type: 'string' },
    });
    if (args.positionals.length !== 1) throw new AdvisorError('usage', 'expected exactly one model path');
    const file = args.positionals[0]!;
    const cut = stringOpt(args, 'cut');
    const modes = [args.options['list'], cut !== undefined, args.options['rank']].filter(Boolean).length;
    if (modes !== 1) throw new AdvisorError('usage', 'give one of --list, --cut or --rank');
    const opts = cutOptions(args);
    const loaded = readModel(file);
    validateGraph(loaded.model.graph!, file);
    withInputShapes(modelInputSpecs(loaded.model, file), opts.inputShapes, file); // a name that is no input, or a size the model fixes otherwise
    if (args.options['rank']) return rank(args, loaded, opts);

    if (args.options['list']) {
      const verifying = Boolean(args.options['verify']);
      const { listing, checks } = args.options['measure'] || verifying
        ? await measuredListing(loaded, opts, verifying)
        : { listing: enumerateCuts(loaded.model, opts), checks: undefined };
      warnAnnotations(listing.wrongAnnotations);
      const cuts = listing.cuts.map(({ head: _h, tail: _t, ...c }) => c);
      const checkOf = new Map((checks ?? []).map((c) => [c.id, c]));
      const failed = (checks ?? []).filter((c) => !c.ok).length;
      if (args.options['json']) {
        const { inputBytes, outputBytes, symbolicFixed, wrongAnnotations } = listing;
        const rows = cuts.map((c) => (checks ? { ...c, verify: checkOf.get(c.id) } : c));
        process.stdout.write(JSON.stringify({ model: loaded.path, cuts: rows, inputBytes, outputBytes, symbolicFixed, wrongAnnotations }, null, 2) + '\n');
      } else {
        const rows = [['id', 'bytes', 'head', 'tail', ...(checks ? ['verify'] : []), 'tensors']];
        for (const c of cuts) {
          const ts = c.tensors.map((t) => `${t.name} ${t.dtype}[${t.shape?.join('×') ?? '?'}]`).join(' + ');
          const v = checks ? [verdict(checkOf.get(c.id)!)] : [];
          rows.push([c.id, c.bytes === null ? '?' : bytes(c.bytes), String(c.headNodes), String(c.tailNodes), ...v, ts + (c.quantized ? ` (8-bit${c.floatTwin ? `, replaces ${c.floatTwin}` : ''})` : '')]);
        }
        process.stdout.write(`${cuts.length} cuts${listing.symbolicFixed ? ' (symbolic dims counted as 1; pass --shape to resolve them)' : ''}\n`);
        if (cuts.length) process.stdout.write(table(rows, ['l', 'r', 'r', 'r', ...(checks ? ['l' as const] : []), 'l']) + '\n');
        if (checks) process.stdout.write(`${checks.length - failed} of ${checks.length} cuts verified in onnxruntime (head → tail against the full model, ${VERIFY_SAMPLES} synthetic samples)\n`);
        for (const c of (checks ?? []).filter((x) => x.error)) process.stdout.write(`${c.id}: ${c.error}\n`);
      }
      return failed ? 1 : 0;
    }

    const outDir = stringOpt(args, 'out-dir');
    if (!outDir) throw new AdvisorError('usage', '--cut needs --out-dir');
    const p = extractPartition(loaded.model, cut!, { ...opts, source: loaded.path });
    warnAnnotations(p.info.wrongAnnotations ?? []);
    const headPath = path.join(outDir, 'head.onnx');
    const tailPath = path.join(outDir, 'tail.onnx');
    const w = { sourceDir: loaded.dir, protect: [loaded.path] };
    writeModel(p.head, headPath, w);
    writeModel(p.tail, tailPath, w);
    const infoPath = path.join(outDir, 'partition.json');
    if (path.resolve(infoPath) === loaded.path) throw new AdvisorError('usage', `refusing to overwrite the input model ${file}`);
    atomicWriteFile(infoPath, JSON.stringify(p.info, null, 2) + '\n');
    const check = args.options['verify'] ? await verify(loaded, opts, headPath, tailPath) : undefined;
    const ok = !check || (p.info.cut.quantized ? check.identical : check.withinTolerance);
    if (args.options['json']) {
      process.stdout.write(JSON.stringify({ head: headPath, tail: tailPath, info: infoPath, partition: p.info, ...(check ? { verify: { ...check, ok } } : {}) }, null, 2) + '\n');
    } else {
      const c = p.info.cut;
      const rows = [
        ['cut', `${c.id}: ${c.tensors.map((t) => t.name).join(', ')} (${c.bytes === null ? 'size unknown' : bytes(c.bytes)})`],
        ['head', `${headPath} (${c.headNodes} compute nodes)`],
        ['tail', `${tailPath} (${c.tailNodes} compute nodes)`],
        ['info', infoPath],
      ];
      if (check) rows.push(['verify', `${ok ? 'ok' : 'MISMATCH'}: ${check.identical ? 'bit-identical' : `max |diff| ${check.maxAbsDiff.toExponential(2)}`} on ${check.samples} synthetic samples`]);
      process.stdout.write(table(rows) + '\n');
    }
    return ok ? 0 : 1;
  },
};

/** Synthetic samples for the model, with --shape dims where given. */
function samplesFor(loaded: ReturnType<typeof readModel>, opts: CutOptions, count: number) {
  return syntheticSamples(withInputShapes(modelInputSpecs(loaded.model, loaded.path), opts.inputShapes, loaded.path), inspectModel(loaded).modality, count);
}

const VERIFY_SAMPLES = 2;

/** The listing with unsized (and wrongly declared) cut tensors measured; with `verifyAll`, every cut checked. */
async function measuredListing(loaded: ReturnType<typeof readModel>, opts: CutOptions, verifyAll: boolean): Promise<{ listing: CutListing; checks?: CutCheck[] }> {
  const runner = new RunnerClient({ defaultMemoryLimitMB: Math.round(hostFacts().memoryMB * 0.75) });
  try {
    const m = await listCutsMeasured(runner, loaded.path, loaded.model, samplesFor(loaded, opts, 1), opts);
    if (!verifyAll) return { listing: m.listing };
    const checks = await verifyCuts(runner, loaded.path, loaded.model, m.listing.cuts, samplesFor(loaded, opts, VERIFY_SAMPLES), {
      ...opts, measured: m.shapes, sourceDir: loaded.dir,
    });
    return { listing: m.listing, checks };
  } finally {
    runner.dispose();
  }
}

function verdict(c: CutCheck): string {
  if (c.error) return 'FAILED';
  return `${c.ok ? 'ok' : 'MISMATCH'} ${c.identical ? '(identical)' : c.maxAbsDiff.toExponential(1)}`;
}

/** Declared shapes the model contradicts: on stderr, so a listing's stdout stays parseable. */
function warnAnnotations(wrong: readonly WrongAnnotation[]): void {
  for (const w of wrong) process.stderr.write(`warning: ${describeWrongAnnotation(w)}\n`);
}

async function verify(loaded: ReturnType<typeof readModel>, opts: CutOptions, head: string, tail: string) {
  const samples = samplesFor(loaded, opts, VERIFY_SAMPLES);
  const runner = new RunnerClient({ defaultMemoryLimitMB: Math.round(hostFacts().memoryMB * 0.75) });
  try {
    return await runner.run('verifyPartition', { model: loaded.path, head, tail, samples });
  } finally {
    runner.dispose();
  }
}

function tierOpt(args: ParsedArgs, key: string, dflt: TierId): TierId {
  const v = stringOpt(args, key) ?? dflt;
  if (!(TIER_IDS as readonly string[]).includes(v)) throw new AdvisorError('usage', `--${key} must be one of ${TIER_IDS.join(', ')}`);
  return v as TierId;
}

async function rank(args: ParsedArgs, loaded: ReturnType<typeof readModel>, opts: CutOptions): Promise<number> {
  const from = tierOpt(args, 'from', 'mobile');
  const to = tierOpt(args, 'to', 'edge');
  const top = numberOpt(args, 'top') ?? 10;
  const mbps = numberOpt(args, 'mbps');
  const rttMs = numberOpt(args, 'rtt-ms');
  if (mbps !== undefined && !(mbps > 0)) throw new AdvisorError('usage', '--mbps must be a positive number');
  const tiers = resolveTiers(stringOpt(args, 'tiers') ?? 'study', hostFacts());
  const samples = samplesFor(loaded, opts, 1);
  const runner = new RunnerClient({ defaultMemoryLimitMB: Math.round(hostFacts().memoryMB * 0.75) });
  try {
    const r = await rankCutsForTiers(runner, loaded.path, loaded.model, tiers, from, to, samples, {
      ...opts, link: { ...(mbps !== undefined ? { mbps } : {}), ...(rttMs !== undefined ? { rttMs } : {}) },
    });
    const shown = r.ranked.slice(0, Math.max(1, top));
    if (args.options['json']) {
      process.stdout.write(JSON.stringify({ model: loaded.path, tiers: tiers.name, head: from, tail: to, link: r.link, estimated: true, notes: r.notes, ranked: shown }, null, 2) + '\n');
      return 0;
    }
    const where = (p: PricedCut) => (p.placement === 'split' ? `${p.cut!.id} ${p.cut!.tensors.map((t) => t.name).join(' + ')}` : `all on ${p.placement === 'all-head-tier' ? from : to}`);
    const ms = (v: number) => v.toFixed(2);
    const rows = [['#', 'placement', 'bytes', `${from} ms`, 'link ms', `${to} ms`, 'total ms']];
    shown.forEach((p, i) => rows.push([String(i + 1), where(p), bytes(p.bytes), ms(p.headMs), ms(p.transferMs), ms(p.tailMs), ms(p.totalMs)]));
    process.stdout.write(`estimated from one profiled run per tier (${tiers.name} tiers; link ${r.link.mbps.toPrecision(4)} Mbit/s, RTT ${r.link.rttMs} ms)\n`);
    for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(table(rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r']) + '\n');
    return 0;
  } finally {
    runner.dispose();
  }
}

function cutOptions(args: ParsedArgs): CutOptions {
  const inputShapes = parseShapeArgs(listOpt(args, 'shape'));
  const max = numberOpt(args, 'max-tensors');
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new AdvisorError('usage', '--max-tensors needs a positive integer');
  return { inputShapes, ...(max !== undefined ? { maxTensors: max } : {}) };
}
