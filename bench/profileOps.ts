/**
 * Where the time goes, float vs SPTQ int8, by onnxruntime kernel op type (its profiler, Chrome-trace
 * JSON), at one intra-op thread with the runner's session options. Used to explain a missed
 * speed-up target: `npx tsx bench/profileOps.ts <float.onnx> <int8.onnx> [runs]`; without
 * arguments it builds the ResNet-18 CNN and quantizes it with 32 synthetic samples first.
 * TOP_NODES=N also lists each model's N slowest nodes (onnxruntime's names after its rewrites).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelInputSpecs, syntheticSamples } from '../src/core/data';
import { readModel, writeModel } from '../src/core/onnx/io';
import { runSptq } from '../src/core/quantize/sptq';
import { RunnerClient } from '../src/runner/host/client';
import { sessionOptions, toOrtFeeds } from '../src/runner/child/ort';
import { resnet18 } from './models';

interface TraceEvent { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }

/** Median-free summary: total kernel ms per op type over `runs` runs, divided by runs. */
export async function opTimes(modelPath: string, runs: number, threads = 1): Promise<{ perRunMs: Record<string, number>; totalMs: number; perNodeMs: Record<string, number> }> {
  const prefix = path.join(os.tmpdir(), `edge-advisor-prof-${process.pid}-`);
  const session = await ort.InferenceSession.create(modelPath, { ...sessionOptions({ threads }), enableProfiling: true, profileFilePrefix: prefix });
  const feeds = toOrtFeeds(syntheticSamples(modelInputSpecs(readModel(modelPath).model), 'image', 1, 3)[0]!);
  for (let i = 0; i < 3; i++) await session.run(feeds);
  for (let i = 0; i < runs; i++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  // onnxruntime-node does not return the trace's name: it is the prefix plus a timestamp
  const base = path.basename(prefix);
  const file = path.join(os.tmpdir(), fs.readdirSync(os.tmpdir()).find((n) => n.startsWith(base) && n.endsWith('.json'))!);
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as TraceEvent[];
  fs.rmSync(file, { force: true });
  const perRunMs: Record<string, number> = {};
  const perNodeMs: Record<string, number> = {};
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    const ms = (e.dur ?? 0) / 1000 / (runs + 3);
    perRunMs[op] = (perRunMs[op] ?? 0) + ms;
    const node = `${op} ${e.name.slice(0, -'_kernel_time'.length)}`;
    perNodeMs[node] = (perNodeMs[node] ?? 0) + ms;
  }
  return { perRunMs, totalMs: Object.values(perRunMs).reduce((a, b) => a + b, 0), perNodeMs };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[4] ?? 20);
  let [floatPath, quantPath] = process.argv.slice(2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-advisor-prof-'));
  const host = new RunnerClient();
  try {
    if (!floatPath || !quantPath) {
      floatPath = path.join(tmp, 'resnet18.onnx');
      quantPath = path.join(tmp, 'resnet18.sptq.onnx');
      writeModel(resnet18(), floatPath);
      const calib = syntheticSamples(modelInputSpecs(readModel(floatPath).model), 'image', 32, 5);
      // SPTQ_OPTIONS='{"excludeOpTypes":["MaxPool"]}' tries other quantizer options
      await runSptq(host, floatPath, quantPath, calib, { synthetic: true, ...(JSON.parse(process.env.SPTQ_OPTIONS ?? '{}') as object) });
    }
    const f = await opTimes(floatPath, runs);
    const q = await opTimes(quantPath, runs);
    const ops = [...new Set([...Object.keys(f.perRunMs), ...Object.keys(q.perRunMs)])].sort((a, b) => (q.perRunMs[b] ?? 0) + (f.perRunMs[b] ?? 0) - (q.perRunMs[a] ?? 0) - (f.perRunMs[a] ?? 0));
    console.log(`kernel ms per run at 1 thread (onnxruntime profiler, ${runs} runs): float ${f.totalMs.toFixed(2)}, int8 ${q.totalMs.toFixed(2)}`);
    for (const op of ops) console.log(`  ${op.padEnd(24)} float ${(f.perRunMs[op] ?? 0).toFixed(2).padStart(7)}  int8 ${(q.perRunMs[op] ?? 0).toFixed(2).padStart(7)}`);
    const top = Number(process.env.TOP_NODES ?? 0);
    for (const [label, r] of top > 0 ? [['float', f], ['int8', q]] as const : []) {
      console.log(`slowest ${label} nodes (ms per run):`);
      for (const [node, ms] of Object.entries(r.perNodeMs).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(3).padStart(7)}  ${node}`);
    }
  } finally {
    host.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((e) => { console.error(e); process.exitCode = 1; });
