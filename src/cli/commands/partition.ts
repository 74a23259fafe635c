import * as path from 'node:path';
import { AdvisorError } from '../../core/errors';
import { atomicWriteFile } from '../../core/fsutil';
import { validateGraph } from '../../core/graph/graph';
import { readModel, writeModel } from '../../core/onnx/io';
import { enumerateCuts, extractPartition, type CutOptions } from '../../core/partition';
import { listOpt, numberOpt, parseArgs, stringOpt, type ParsedArgs } from '../args';
import { bytes, table } from '../format';
import type { Command } from './index';

export const partitionCommand: Command = {
  summary: 'list the cut points of a model, or split it into head.onnx and tail.onnx',
  usage: `usage: edge-advisor partition <model.onnx> --list [--json]
       edge-advisor partition <model.onnx> --cut <id|tensor[,tensor...]> --out-dir <dir>

  --list              list every cut in topological order: the tensors that cross it, their bytes
                      and the compute nodes on each side (--json: {cuts:[{id,tensors,bytes,
                      headNodes,tailNodes,quantized,floatTwin?}], symbolicFixed, inputBytes, outputBytes})
  --cut <ref>         a listed cut id (c7) or the tensor names to cut at, comma-separated
  --out-dir <dir>     where head.onnx, tail.onnx and partition.json are written (never over the input)
  --max-tensors <n>   most tensors a cut may transfer (default 3)
  --shape <in=d,d,..> concrete shape of an input for symbolic dims (repeatable), e.g. input=1,3,224,224;
                      other symbolic dims count as 1
  --json              machine-readable output`,
  async run(argv) {
    const args = parseArgs(argv, {
      list: { type: 'boolean' }, json: { type: 'boolean' }, cut: { type: 'string' }, 'out-dir': { type: 'string' },
      'max-tensors': { type: 'string' }, shape: { type: 'string', multiple: true },
    });
    if (args.positionals.length !== 1) throw new AdvisorError('usage', 'expected exactly one model path');
    const file = args.positionals[0]!;
    const cut = stringOpt(args, 'cut');
    if (!args.options['list'] && cut === undefined) throw new AdvisorError('usage', 'give --list or --cut');
    if (args.options['list'] && cut !== undefined) throw new AdvisorError('usage', '--list and --cut cannot be combined');
    const opts = cutOptions(args);
    const loaded = readModel(file);
    validateGraph(loaded.model.graph!, file);

    if (args.options['list']) {
      const listing = enumerateCuts(loaded.model, opts);
      const cuts = listing.cuts.map(({ head: _h, tail: _t, ...c }) => c);
      if (args.options['json']) {
        const { inputBytes, outputBytes, symbolicFixed } = listing;
        process.stdout.write(JSON.stringify({ model: loaded.path, cuts, inputBytes, outputBytes, symbolicFixed }, null, 2) + '\n');
      } else {
        const rows = [['id', 'bytes', 'head', 'tail', 'tensors']];
        for (const c of cuts) {
          const ts = c.tensors.map((t) => `${t.name} ${t.dtype}[${t.shape?.join('×') ?? '?'}]`).join(' + ');
          rows.push([c.id, c.bytes === null ? '?' : bytes(c.bytes), String(c.headNodes), String(c.tailNodes), ts + (c.quantized ? ` (8-bit${c.floatTwin ? `, replaces ${c.floatTwin}` : ''})` : '')]);
        }
        process.stdout.write(`${cuts.length} cuts${listing.symbolicFixed ? ' (symbolic dims counted as 1; pass --shape to resolve them)' : ''}\n`);
        if (cuts.length) process.stdout.write(table(rows, ['l', 'r', 'r', 'r', 'l']) + '\n');
      }
      return 0;
    }

    const outDir = stringOpt(args, 'out-dir');
    if (!outDir) throw new AdvisorError('usage', '--cut needs --out-dir');
    const p = extractPartition(loaded.model, cut!, { ...opts, source: loaded.path });
    const headPath = path.join(outDir, 'head.onnx');
    const tailPath = path.join(outDir, 'tail.onnx');
    const w = { sourceDir: loaded.dir, protect: [loaded.path] };
    writeModel(p.head, headPath, w);
    writeModel(p.tail, tailPath, w);
    const infoPath = path.join(outDir, 'partition.json');
    if (path.resolve(infoPath) === loaded.path) throw new AdvisorError('usage', `refusing to overwrite the input model ${file}`);
    atomicWriteFile(infoPath, JSON.stringify(p.info, null, 2) + '\n');
    if (args.options['json']) {
      process.stdout.write(JSON.stringify({ head: headPath, tail: tailPath, info: infoPath, partition: p.info }, null, 2) + '\n');
    } else {
      const c = p.info.cut;
      process.stdout.write(table([
        ['cut', `${c.id}: ${c.tensors.map((t) => t.name).join(', ')} (${c.bytes === null ? 'size unknown' : bytes(c.bytes)})`],
        ['head', `${headPath} (${c.headNodes} compute nodes)`],
        ['tail', `${tailPath} (${c.tailNodes} compute nodes)`],
        ['info', infoPath],
      ]) + '\n');
    }
    return 0;
  },
};

function cutOptions(args: ParsedArgs): CutOptions {
  const inputShapes: Record<string, number[]> = {};
  for (const s of listOpt(args, 'shape')) {
    const m = /^([^=]+)=(\d+(?:[,x×]\d+)*)$/.exec(s);
    if (!m) throw new AdvisorError('usage', `--shape needs name=d,d,... (got "${s}")`);
    inputShapes[m[1]!] = m[2]!.split(/[,x×]/).map(Number);
  }
  const max = numberOpt(args, 'max-tensors');
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new AdvisorError('usage', '--max-tensors needs a positive integer');
  return { inputShapes, ...(max !== undefined ? { maxTensors: max } : {}) };
}
