/** The `partition` command end to end through the built CLI: listing, splitting, refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../../core/onnx/io';
import { bertLike, misannotatedCnn, qdqCnn, tiledCnn } from '../../core/partition/fixtures';
import { tempDir, runCli, skipWithoutCli } from '../../../test/support/shared';

const built = skipWithoutCli;

const cli = (...args: string[]) => runCli(args, { timeoutMs: 60_000 });

const dir = tempDir('edge-advisor-cli-partition-');
const bert = path.join(dir, 'bert.onnx');
const qdq = path.join(dir, 'qdq.onnx');
writeModel(bertLike(), bert);
writeModel(qdqCnn(), qdq);
const tiled = path.join(dir, 'tiled.onnx');
writeModel(tiledCnn(), tiled);
const lying = path.join(dir, 'lying.onnx');
writeModel(misannotatedCnn(), lying);

test('--list --json gives every cut in topological order with tensors, bytes and node counts', { skip: built }, () => {
  const r = cli('partition', qdq, '--list', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cuts: { id: string; tensors: { name: string; dtype: string; bytes: number }[]; bytes: number; headNodes: number; tailNodes: number; quantized: boolean; floatTwin?: string }[] };
  assert.deepEqual(out.cuts.map((c) => c.id), out.cuts.map((_, i) => `c${i + 1}`));
  assert.deepEqual(out.cuts.map((c) => c.headNodes), out.cuts.map((_, i) => i + 1));
  const q = out.cuts.find((c) => c.tensors[0]!.name === 'act1_q')!;
  assert.deepEqual({ dtype: q.tensors[0]!.dtype, bytes: q.bytes, quantized: q.quantized }, { dtype: 'uint8', bytes: 512, quantized: true });
  assert.equal(out.cuts.find((c) => c.id === q.floatTwin)!.bytes, 2048);
});

test('--measure sizes the cuts after an op static inference does not model', { skip: built }, () => {
  const sizes = (...extra: string[]) => {
    const r = cli('partition', tiled, '--list', '--json', ...extra);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { cuts: { bytes: number | null }[] }).cuts.map((c) => c.bytes);
  };
  assert.ok(sizes().includes(null));
  assert.deepEqual(sizes('--measure'), [4 * 4 * 4 * 4, 4 * 8 * 8 * 4, 4 * 8 * 8 * 4, 3 * 8 * 8 * 4]);
});

test('the human listing names symbolic-dim assumptions and 8-bit cuts', { skip: built }, () => {
  const r = cli('partition', qdq, '--list');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^9 cuts\n/);
  assert.match(r.stdout, /c5\s+512 B\s+5\s+5\s+act1_q uint8\[1×8×8×8\] \(8-bit, replaces c6\)/);
});

test('--cut by tensor names writes head.onnx, tail.onnx and partition.json that read back', { skip: built }, () => {
  const out = path.join(dir, 'split');
  const r = cli('partition', bert, '--cut', 'embeddings,mask_bias', '--out-dir', out);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(fs.readFileSync(path.join(out, 'partition.json'), 'utf8'));
  assert.deepEqual(info.cut.tensors.map((t: { name: string }) => t.name), ['embeddings', 'mask_bias']);
  assert.deepEqual(info.tail.inputs, ['embeddings', 'mask_bias']);
  assert.deepEqual(info.head.inputs, ['ids', 'mask']);
  const head = readModel(path.join(out, 'head.onnx')).model;
  const tail = readModel(path.join(out, 'tail.onnx')).model;
  assert.deepEqual(head.graph!.output.map((o) => o.name), ['embeddings', 'mask_bias']);
  assert.deepEqual(tail.graph!.output.map((o) => o.name), ['logits']);
  // no temp files left behind by the atomic writes
  assert.deepEqual(fs.readdirSync(out).sort(), ['head.onnx', 'partition.json', 'tail.onnx']);
});

test('--verify runs head → tail against the full model in the runner', { skip: built }, () => {
  const r = cli('partition', qdq, '--cut', 'c5', '--out-dir', path.join(dir, 'verified'), '--verify', '--json');
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout).verify as { ok: boolean; identical: boolean; samples: number; outputs: { name: string }[] };
  assert.deepEqual({ ok: v.ok, identical: v.identical, samples: v.samples, outputs: v.outputs.map((o) => o.name) }, { ok: true, identical: true, samples: 2, outputs: ['y'] });
});

test('never writes over the input model; bad cuts and usage are one-line errors', { skip: built }, () => {
  const own = path.join(dir, 'own');
  fs.mkdirSync(own);
  const model = path.join(own, 'head.onnx');
  fs.copyFileSync(qdq, model);
  const before = fs.readFileSync(model);
  const r = cli('partition', model, '--cut', 'c5', '--out-dir', own);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing to overwrite the input model/);
  assert.deepEqual(fs.readFileSync(model), before);

  const bad = cli('partition', bert, '--cut', 'embeddings', '--out-dir', path.join(dir, 'bad'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.split('\n')[0]!, /not a cut: the tail would also need "mask"/);
  assert.equal(cli('partition', bert).code, 2);
  assert.equal(cli('partition', bert, '--cut', 'c1').code, 2, '--cut needs --out-dir');
  assert.equal(cli('partition', bert, '--list', '--shape', 'ids').code, 2);
  const unknown = cli('partition', bert, '--list', '--shape', 'tokens=1,8');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /"tokens", which is not an input of the model \(ids, mask\)/);
});

test('--rank profiles both tiers and moves from the fast edge to the phone as the link slows', { skip: built }, () => {
  // an edge 10× faster per core than the phone: with a free link everything goes to the edge
  const tiersFile = path.join(dir, 'tiers.json');
  fs.writeFileSync(tiersFile, JSON.stringify({ preset: 'study', tiers: { edge: { speed: 10 } } }));
  const rank = (mbps: number) => {
    const r = cli('partition', qdq, '--rank', '--tiers', tiersFile, '--mbps', String(mbps), '--rtt-ms', '0', '--json', '--top', '3');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { estimated: boolean; link: { mbps: number }; ranked: { placement: string; totalMs: number; cut?: { id: string } }[] };
  };
  const fast = rank(1e6);
  assert.equal(fast.estimated, true);
  assert.equal(fast.link.mbps, 1e6);
  assert.equal(fast.ranked[0]!.placement, 'all-tail-tier');
  assert.ok(fast.ranked.every((p, i) => i === 0 || p.totalMs >= fast.ranked[i - 1]!.totalMs));
  assert.equal(rank(1e-6).ranked[0]!.placement, 'all-head-tier');
});

test('--list --verify on a model whose value_info declares wrong shapes: every cut passes, each lie is named', { skip: built }, () => {
  const r = cli('partition', lying, '--list', '--verify');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^8 cuts\n/);
  assert.match(r.stdout, /c1\s+768 B\s+1\s+8\s+ok \(identical\)\s+conv1 float32\[1×4×6×8\]/);
  assert.match(r.stdout, /c5\s+768 B\s+5\s+4\s+ok \(identical\)\s+tiled float32\[1×8×3×8\]/);
  assert.match(r.stdout, /\n8 of 8 cuts verified in onnxruntime/);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'warning: value_info of "conv1" declares [?,4,1,?], measured [1,4,6,8]; the declaration is ignored',
    'warning: value_info of "relu1" declares [1,4,8,6], measured [1,4,6,8]; the declaration is ignored',
    'warning: value_info of "pool1" declares [1,4,12], measured [1,4,3,4]; the declaration is ignored',
    'warning: value_info of "tiled" declares [1,8,3,4], measured [1,8,3,8]; the declaration is ignored',
  ]);
});

test('--cut --verify passes at every cut of that model, and partition.json records the ignored declarations', { skip: built }, () => {
  for (let i = 1; i <= 8; i++) {
    const out = path.join(dir, `lying-c${i}`);
    const r = cli('partition', lying, '--cut', `c${i}`, '--out-dir', out, '--verify', '--json');
    assert.equal(r.code, 0, `c${i}: ${r.stderr}`);
    const v = JSON.parse(r.stdout) as { verify: { ok: boolean }; partition: { wrongAnnotations: { name: string }[] } };
    assert.ok(v.verify.ok, `c${i}`);
    assert.deepEqual(v.partition.wrongAnnotations.map((w) => w.name), ['conv1', 'relu1', 'pool1']);
    assert.match(r.stderr, /warning: value_info of "conv1" declares \[\?,4,1,\?\], inferred \[1,4,6,8\]/);
  }
});
