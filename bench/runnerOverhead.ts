/**
 * Runner vs deployment: what the advisor measures against what a deployment of the same model
 * does — a bare onnxruntime-node loop in this process with onnxruntime's default session options
 * and the same intra-op thread count, running requests back to back.
 *
 * Per model, rounds alternate: one runner slice in which every thread count 1..host cores takes
 * turns in blocks (as the advisor's race does), then a bare block of each thread count. The first
 * ~25 ms of every block, runner or bare, re-warm and are not recorded. Reported per thread count:
 * pooled runner median / pooled bare median (target within ±3%), and each round's ratio.
 * Run by hand: `npx tsx bench/runnerOverhead.ts [model.onnx ...]`; `npm run bench` runs it as section 1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelInputSpecs, syntheticSamples } from '../src/core/data';
import { hostFacts } from '../src/core/hostFacts';
import { inspectModel } from '../src/core/inspect/inspect';
import { readModel } from '../src/core/onnx/io';
import { median } from '../src/core/stats/describe';
import { DEFAULT_BLOCKS } from '../src/core/stats/blocks';
import { RunnerClient } from '../src/runner/host/client';
import { sessionOptions, toOrtFeeds } from '../src/runner/child/ort';

export interface OverheadRow {
  model: string;
  threads: number;
  runnerMs: number;
  bareMs: number;
  ratio: number;
  /** Ratio of each round's medians. */
  rounds: number[];
  runnerRuns: number;
  bareRuns: number;
}

/** Bare runs for `blockMs` after a `rewarmMs` re-warm, as a deployment's steady state. */
async function bareBlock(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, blockMs: number): Promise<number[]> {
  const rewarmEnd = performance.now() + DEFAULT_BLOCKS.rewarmMs;
  while (performance.now() < rewarmEnd) await session.run(feeds);
  const out: number[] = [];
  const end = performance.now() + blockMs;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

export async function benchRunnerOverhead(models: string[], { rounds = 8, sliceMs = 1500, blockMs = 300 } = {}): Promise<OverheadRow[]> {
  const cores = hostFacts().cores;
  const threads = Array.from({ length: cores }, (_, i) => i + 1);
  const rows: OverheadRow[] = [];
  for (const modelPath of models) {
    if (!fs.existsSync(modelPath)) { console.log(`skipped: ${modelPath} not found`); continue; }
    const loaded = readModel(modelPath);
    const samples = syntheticSamples(modelInputSpecs(loaded.model), inspectModel(loaded).modality, 1, 7);
    const feeds = toOrtFeeds(samples[0]!);
    const bare = new Map<number, ort.InferenceSession>();
    for (const t of threads) bare.set(t, await ort.InferenceSession.create(modelPath, sessionOptions({ threads: t })));
    const client = new RunnerClient();
    const runnerSamples = new Map<number, number[]>(threads.map((t) => [t, []]));
    const bareSamples = new Map<number, number[]>(threads.map((t) => [t, []]));
    const perRound = new Map<number, number[]>(threads.map((t) => [t, []]));
    try {
      const configs = threads.map((t) => ({ id: `t${t}`, stages: [{ modelPath, threads: t }] }));
      await client.run('benchmark', { configs, samples, sliceMs: 500 }); // load and warm up
      for (const s of bare.values()) for (let i = 0; i < 5; i++) await s.run(feeds);
      for (let r = 0; r < rounds; r++) {
        const slice = await client.run('benchmark', { configs, samples, sliceMs, firstPass: r });
        for (const t of threads) {
          const mine = slice.configs.find((c) => c.id === `t${t}`)!.samplesMs;
          const theirs = await bareBlock(bare.get(t)!, feeds, blockMs);
          runnerSamples.get(t)!.push(...mine);
          bareSamples.get(t)!.push(...theirs);
          perRound.get(t)!.push(median(mine) / median(theirs));
        }
      }
    } finally {
      client.dispose();
      for (const s of bare.values()) await s.release();
    }
    for (const t of threads) {
      const rm = median(runnerSamples.get(t)!);
      const bm = median(bareSamples.get(t)!);
      const row: OverheadRow = {
        model: path.basename(modelPath), threads: t, runnerMs: rm, bareMs: bm, ratio: rm / bm, rounds: perRound.get(t)!,
        runnerRuns: runnerSamples.get(t)!.length, bareRuns: bareSamples.get(t)!.length,
      };
      rows.push(row);
      console.log(`${row.model} @${t} thread(s): runner ${rm.toFixed(3)} ms (n ${row.runnerRuns}), bare ${bm.toFixed(3)} ms (n ${row.bareRuns}), ` +
        `ratio ${row.ratio.toFixed(3)} (rounds ${Math.min(...row.rounds).toFixed(3)}–${Math.max(...row.rounds).toFixed(3)})`);
    }
  }
  return rows;
}

if (require.main === module) {
  const shared = path.resolve(__dirname, '../../shared/models');
  const models = process.argv.length > 2 ? process.argv.slice(2) : ['mobilenet_v2.onnx', 'digits_teacher.onnx', 'tinybert_text.onnx'].map((m) => path.join(shared, m));
  benchRunnerOverhead(models).catch((e) => { console.error(e); process.exitCode = 1; });
}
