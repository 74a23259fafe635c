/**
 * Why a QAT variant (or any QDQ model) can be slower than the float model: its QuantizeLinear/DequantizeLinear pairs
 * only become integer kernels where onnxruntime fuses them (a BatchNormalization left between a
 * Conv and its Q, for one, keeps the Conv float). Like SPTQ's fusion check, this asks onnxruntime
 * for the graph it really runs and counts what became integer kernels.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GraphProto } from '../onnx/types';
import type { JobOptions, RunnerHost } from '../protocol/runner';
import { LOW_FUSION_SHARE, onnxruntimeFusion, type FusionReport } from '../quantize/fusion';
import type { ResultFlag } from '../results';

export interface QdqFusion {
  fusion: FusionReport;
  /** For the QAT rows. */
  note: string;
  flags: ResultFlag[];
  /** Set when most heavy ops stay float: what the user should know about their export. */
  warning?: string;
}

/** `graph` is the model's own (already read); `what` names it in the warning ("the QAT variant", "the model"). */
export async function qdqFusion(runner: RunnerHost, modelPath: string, graph: GraphProto, what: string, job: JobOptions = {}): Promise<QdqFusion> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-qat-'));
  try {
    const fusion = await onnxruntimeFusion(runner, modelPath, graph, path.join(tmp, 'optimized.onnx'), job);
    const pct = (fusion.share * 100).toFixed(0);
    const note = `${fusion.integerKernels}/${fusion.total} Conv/MatMul/Gemm run as integer kernels (${pct}%)`;
    if (fusion.share >= LOW_FUSION_SHARE) return { fusion, note, flags: [] };
    const around = Object.entries(fusion.qdqAroundFloat).map(([op, n]) => `${op}×${n}`).join(' ');
    return {
      fusion, note, flags: ['lowFusionCoverage'],
      warning: `${what} runs only ${fusion.integerKernels} of its ${fusion.total} Conv/MatMul/Gemm as integer kernels: onnxruntime keeps ${around || 'them'} as float math between its Q/DQ pairs (fake quantization), so it pays for quantize steps without integer speed${fusion.qdqAroundFloat['BatchNormalization'] ? '; fold BatchNormalization into the preceding Conv before exporting' : ''}`,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
