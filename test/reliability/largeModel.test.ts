/**
 * Large models: a MatMul chain with a few hundred MB of external weights, written to its .data file
 * chunk by chunk, is inspected (and benchmarked) while the CLI's peak RSS stays well under the size
 * of the weights; an .onnx file over protobuf's 2 GB limit is refused with the limit named.
 * Size: EDGE_ADVISOR_LARGE_MB (default 320; 2200 gives the ">2 GB" case, slowly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelBuilder } from '../../src/core/onnx/builder';
import { DataType } from '../../src/core/onnx/dtypes';
import { encodeModel } from '../../src/core/onnx/codec';
import { writeFixtures } from '../fixtures/models';
import { CLI, assertOneLineError, cli, listFiles, tempRoot } from './support';

const root = tempRoot('edge-advisor-large-');
test.after(() => {
  root.cleanup();
  assert.equal(fs.existsSync(root.dir), false, 'temp root removed');
});

const N = 4096; // each weight is N×N float32 = 64 MiB
const LAYERS = Math.max(1, Math.round(Number(process.env['EDGE_ADVISOR_LARGE_MB'] ?? 320) / 64));

/**
 * x[1,N] → MatMul W0 → ... → MatMul W(L-1), weights in big.data. Every 4th weight is exactly 0,
 * so the expected sparsity is 0.25. Written 4 MiB at a time; no buffer holds a whole weight.
 */
function writeLargeModel(dir: string): { file: string; dataBytes: number } {
  fs.mkdirSync(dir, { recursive: true });
  const b = new ModelBuilder({ opset: 13 });
  let x = b.input('x', DataType.FLOAT, [1, N]);
  const fd = fs.openSync(path.join(dir, 'big.data'), 'w');
  const chunk = new Float32Array(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 4 === 0 ? 0 : ((i % 97) + 1) / 4096;
  const weightBytes = N * N * 4;
  let offset = 0;
  try {
    for (let l = 0; l < LAYERS; l++) {
      for (let done = 0; done < weightBytes; done += chunk.byteLength) fs.writeSync(fd, chunk);
      b.graph.initializer.push({
        name: `w${l}`, data_type: DataType.FLOAT, dims: [BigInt(N), BigInt(N)], data_location: 1,
        external_data: [{ key: 'location', value: 'big.data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(weightBytes) }],
        float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [],
      });
      offset += weightBytes;
      x = b.node('MatMul', [x, `w${l}`]);
    }
  } finally {
    fs.closeSync(fd);
  }
  b.output(x, DataType.FLOAT, [1, N]);
  const file = path.join(dir, 'large.onnx');
  fs.writeFileSync(file, encodeModel(b.build()));
  return { file, dataBytes: offset };
}

/** Runs the CLI with a preload that records the process's peak RSS (bytes) when it exits. */
function cliPeakRss(args: string[]): { code: number | null; stdout: string; stderr: string; peakRss: number } {
  const preload = path.join(root.dir, 'peak-rss.cjs');
  const out = path.join(root.dir, `rss-${process.hrtime.bigint()}.txt`);
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(process.env.PEAK_RSS_OUT, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const r = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, PEAK_RSS_OUT: out } });
  const peakRss = Number(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, peakRss };
}

const MB = 1024 * 1024;
let large: { file: string; dataBytes: number } | undefined;
const model = () => (large ??= writeLargeModel(path.join(root.dir, 'large')));

test(`inspect streams ${LAYERS * 64} MiB of external weights without holding them`, (t) => {
  const { file, dataBytes } = model();
  const r = cliPeakRss(['inspect', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.externalData, true);
  assert.equal(info.parameterCount, LAYERS * N * N);
  assert.equal(info.weightBytes, dataBytes);
  assert.equal(info.macs, LAYERS * N * N);
  assert.equal(info.sparsity, 0.25);
  // the same command on a 24 KB model: what the CLI costs before any weight
  const small = cliPeakRss(['inspect', writeFixtures(path.join(root.dir, 'small')).cnn, '--json']);
  t.diagnostic(`inspect: ${Math.round(dataBytes / MB)} MiB of weights, CLI peak RSS ${Math.round(r.peakRss / MB)} MiB (${Math.round(small.peakRss / MB)} MiB on a 24 KB model)`);
  // weights are scanned in 16 MiB chunks: holding one 64 MiB weight whole would break this, all of them by far
  assert.ok(r.peakRss < small.peakRss + 56 * MB, `peak RSS ${Math.round(r.peakRss / MB)} MiB`);
});

test('bench runs the large model; the CLI process itself never holds the weights', { skip: process.env['EDGE_ADVISOR_SKIP_LARGE_BENCH'] ? 'EDGE_ADVISOR_SKIP_LARGE_BENCH is set' : false }, (t) => {
  const { file, dataBytes } = model();
  const r = cliPeakRss(['bench', file, '--tiers', 'local', '--placements', 'edge', '--budget-seconds', '2', '--out', path.join(root.dir, 'bench'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  t.diagnostic(`bench: CLI (host) peak RSS ${Math.round(r.peakRss / MB)} MiB for ${Math.round(dataBytes / MB)} MiB of weights (the runner holds them)`);
  assert.ok(r.peakRss < dataBytes / 2, `host peak RSS ${Math.round(r.peakRss / MB)} MiB`);
});

test('an .onnx file over the 2 GB protobuf limit is refused by name, before reading it', () => {
  const dir = path.join(root.dir, 'huge');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'huge.onnx');
  // a sparse file: 2 GiB + 1 KiB of apparent size, almost no disk
  fs.writeFileSync(file, encodeModel(new ModelBuilder().build()));
  fs.truncateSync(file, 2 ** 31 + 1024);
  const r = cliPeakRss(['inspect', file]);
  assert.match(assertOneLineError(r), /over protobuf's 2 GB limit for an \.onnx file: store the weights as external data/);
  assert.ok(r.peakRss < 512 * MB, 'refused without reading the file');
  assert.deepEqual(listFiles(dir), ['huge.onnx']);
  assert.equal(cli(['inspect', '--help']).code, 0);
});
