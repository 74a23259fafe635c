/**
 * Section 6, scaling: each stage's cost against model size, across the shared float models and the
 * built ResNet-18, so growth is visible. Host-side stages (decode, inspect, cut search) are timed
 * here with repetitions; runner-side ones come from the runner's own jobs (session creation, a
 * float inference at 1 thread, onnxruntime's profile run) and from the quantization section
 * (calibration, quantize pass).
 */
import * as fs from 'node:fs';
import { modelInputSpecs, syntheticSamples } from '../../src/core/data';
import { inspectModel } from '../../src/core/inspect/inspect';
import { decodeModel } from '../../src/core/onnx/codec';
import { readModel } from '../../src/core/onnx/io';
import { bestCuts } from '../../src/core/partition';
import type { RunnerHost } from '../../src/core/protocol/runner';
import { median } from '../../src/core/stats/describe';
import { STUDY_TIERS } from '../../src/core/tiers/presets';
import { fmt, fmtSpread, nowMs, spread, timeIt, type Spread } from '../lib';
import type { BenchModel, QuantRow } from './quantization';
import { mdTable, type SectionResult, type SuiteSettings } from './types';
import { measureConfigs } from '../../src/core/measure/slices';

interface ScaleRow {
  model: string; mb: number; params: number; gmacs: number | null; nodes: number;
  decodeMs: Spread; inspectMs: Spread; coldStartMs: number; floatMs: number; profileJobMs: number; cutSearchMs: Spread; cuts: number;
  calibPerSampleMs?: number; quantizeMs?: number;
}

export async function scalingSection(s: SuiteSettings, host: RunnerHost, models: BenchModel[], quant: QuantRow[]): Promise<SectionResult> {
  const reps = s.quick ? 1 : 5;
  const rows: ScaleRow[] = [];
  for (const m of models.filter((x) => !x.diagnostic)) {
    const bytes = fs.statSync(m.path).size;
    const decodeMs = spread(await timeIt(() => decodeModel(fs.readFileSync(m.path), m.path), reps));
    const loaded = readModel(m.path);
    const inspectMs = spread(await timeIt(() => inspectModel(loaded), reps));
    const ins = inspectModel(loaded);
    const samples = syntheticSamples(modelInputSpecs(loaded.model), m.modality, 2, 3);
    const stage = { modelPath: m.path, threads: 1 };
    const bench = await measureConfigs(host, [{ id: 'float', stages: [stage] }], samples, { budgetMs: s.quick ? 300 : 1500 });
    const cfg = bench.records.get('float')!;
    const t0 = nowMs();
    const profile = await host.run('profile', { stage: { ...stage, threads: s.hostCores }, samples, runs: 5 });
    const profileJobMs = nowMs() - t0;
    const inputShapes = Object.fromEntries(Object.entries(samples[0]!).map(([k, t]) => [k, t.dims]));
    let cuts = 0;
    const cutSearchMs = spread(await timeIt(() => { cuts = bestCuts(loaded.model, profile, profile, STUDY_TIERS.links['mobile-edge'], 50, { inputShapes }).length; }, reps));
    const q = quant.find((r) => r.path === m.path);
    rows.push({
      model: m.name, mb: bytes / 1e6, params: ins.parameterCount, gmacs: ins.macs === null ? null : ins.macs / 1e9, nodes: ins.nodeCount,
      decodeMs, inspectMs, coldStartMs: cfg.stages[0]!.coldStartMs, floatMs: median(cfg.samplesMs), profileJobMs, cutSearchMs, cuts,
      ...(q ? { calibPerSampleMs: q.calibration.ms / q.calibration.samples, quantizeMs: q.quantizeMs } : {}),
    });
  }
  rows.sort((a, b) => a.mb - b.mb);
  const markdown = [
    `Models sorted by file size. Host-side stages: median [min–max] over ${reps} repetitions; runner-side: one job each (session creation = cold start; float inference = median at 1 thread over ≥ 10 runs; profile job = wall time of onnxruntime's profiled runs, 5 measured, at ${s.hostCores} threads, including session creation; cut search = enumerate + price every cut for the study's Mobile→Edge link, k = 50). Calibration per sample and the quantize pass come from section 3.`,
    '',
    mdTable(['model', 'MB', 'params M', 'GMACs', 'nodes', 'decode ms', 'inspect ms', 'session create ms', 'float inference ms @1', 'calibration ms/sample', 'quantize pass ms', 'profile job ms', 'cut search ms'],
      rows.map((r) => [r.model, fmt(r.mb, 1), fmt(r.params / 1e6, 2), r.gmacs === null ? '?' : fmt(r.gmacs, 3), r.nodes, fmtSpread(r.decodeMs, 1), fmtSpread(r.inspectMs, 1),
        fmt(r.coldStartMs, 0), fmt(r.floatMs), r.calibPerSampleMs === undefined ? '–' : fmt(r.calibPerSampleMs, 1), r.quantizeMs === undefined ? '–' : fmt(r.quantizeMs, 0), fmt(r.profileJobMs, 0), fmtSpread(r.cutSearchMs, 1)])),
  ].join('\n');
  const big = rows[rows.length - 1];
  const small = rows[0];
  return {
    id: 'scaling', title: '6. Scaling', data: { reps, rows }, markdown,
    summary: big && small ? [{
      figure: `scaling ${small.model} → ${big.model} (${fmt(big.mb / small.mb, 0)}× bytes, ${big.gmacs && small.gmacs ? fmt(big.gmacs / small.gmacs, 0) : '?'}× MACs)`,
      value: `decode ${fmt(big.decodeMs.median / small.decodeMs.median, 1)}×, session ${fmt(big.coldStartMs / small.coldStartMs, 1)}×, inference ${fmt(big.floatMs / small.floatMs, 0)}×, cut search ${fmt(big.cutSearchMs.median / small.cutSearchMs.median, 1)}×`,
    }] : [],
  };
}
