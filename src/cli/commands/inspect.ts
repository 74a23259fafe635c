import { readModel } from '../../core/onnx/io';
import { inspectModel, type Inspection } from '../../core/inspect/inspect';
import { validateGraph } from '../../core/graph/graph';
import { AdvisorError } from '../../core/errors';
import { parseArgs } from '../args';
import { bytes, count, table } from '../format';
import type { Command } from './command';

export const inspectCommand: Command = {
  summary: 'summarize an ONNX model (IO, ops, parameters, MACs, modality, quantization)',
  usage: `usage: edge-advisor inspect <model.onnx> [--json]

  --json    print the inspection as JSON (fields: path, fileBytes, irVersion, producer, opsets,
            inputs, outputs, nodeCount, opHistogram, initializerCount, parameterCount,
            weightBytes, macs, modality, modalityReason, quantization, sparsity, externalData)`,
  async run(argv) {
    const args = parseArgs(argv, { json: { type: 'boolean' } });
    if (args.positionals.length !== 1) throw new AdvisorError('usage', 'expected exactly one model path');
    const file = args.positionals[0]!;
    const loaded = readModel(file);
    validateGraph(loaded.model.graph!, file);
    const info = inspectModel(loaded);
    process.stdout.write(args.options['json'] ? JSON.stringify(info, null, 2) + '\n' : human(info) + '\n');
    return 0;
  },
};

function io(list: Inspection['inputs']): string {
  return list.map((v) => `${v.name}: ${v.dtype}[${v.shape ? v.shape.join(', ') : '?'}]`).join('; ');
}

function human(i: Inspection): string {
  const ops = Object.entries(i.opHistogram).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`).join(' ');
  return table([
    ['model', i.path],
    ['file', `${bytes(i.fileBytes)}${i.externalData ? ' + external data' : ''}`],
    ['format', `IR ${i.irVersion}, ${i.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}; producer ${i.producer.name} ${i.producer.version}`.trim()],
    ['inputs', io(i.inputs)],
    ['outputs', io(i.outputs)],
    ['nodes', `${i.nodeCount}: ${ops}`],
    ['parameters', `${count(i.parameterCount)} (${bytes(i.weightBytes)} in ${i.initializerCount} initializers)`],
    ['MACs', i.macs === null ? 'unknown (shapes not inferable statically)' : `${count(i.macs)}${i.macsInputs ? ` per sample at ${Object.entries(i.macsInputs).map(([n, d]) => `${n} [${d.join(', ')}]`).join(', ')} (the model's sizes are symbolic)` : ''}`],
    ['modality', `${i.modality} — ${i.modalityReason}`],
    ['quantization', `${i.quantization.state} (${i.quantization.qdqNodes} Q/DQ nodes, ${i.quantization.integerOps} integer ops)`],
    ['sparsity', `${(i.sparsity * 100).toFixed(1)}% zero weights in Conv/MatMul/Gemm`],
  ]);
}
