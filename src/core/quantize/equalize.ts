/**
 * Cross-layer equalization (Nagel et al., "Data-Free Quantization Through Weight Equalization and
 * Bias Correction", ICCV 2019): for Conv₁ → f → Conv₂ where f is positively homogeneous
 * (f(s·x) = s·f(x) for s > 0: Relu, LeakyRelu, MaxPool, a Clip whose lower bound is 0 and upper
 * bound unbounded, zero Pad, nothing), output channel i of Conv₁ can be divided by sᵢ and the
 * matching input channel of Conv₂ multiplied by sᵢ without changing the function. With
 * sᵢ = √(r₁ᵢ / r₂ᵢ) (rⱼ = max |w| of the channel) both channel ranges become √(r₁ᵢ r₂ᵢ), and the
 * activation channels between them — quantized with one scale per tensor — no longer differ by
 * orders of magnitude. Relu6 (Clip 0..6) is not homogeneous and stops a chain: equalizing across
 * it would change the model. Exactness is checked in onnxruntime (test/equalize.test.ts).
 */
import { indexGraph } from '../graph/graph';
import { attrFloat, attrInt, attrString } from '../graph/shapes';
import { DataType } from '../onnx/dtypes';
import { makeTensor, tensorToFloat32, type TensorSource } from '../onnx/tensor';
import type { GraphProto, NodeProto } from '../onnx/types';

/** Scales outside this band are clamped; a (nearly) dead channel is left alone: scaling it up would only widen the other layer's per-channel weight range. */
const MAX_SCALE = 1e3;
const DEAD = 1e-4;

interface Pair { first: number; second: number }

function constValue(g: GraphProto, name: string | undefined, src: TensorSource): number | undefined {
  if (!name) return undefined;
  const t = g.initializer.find((x) => x.name === name);
  if (!t) return undefined;
  try { const a = tensorToFloat32(t, src); return a.length === 1 ? a[0] : undefined; } catch { return undefined; }
}

/** f(s·x) = s·f(x) for every s > 0, per channel. */
function homogeneous(n: NodeProto, g: GraphProto, src: TensorSource): boolean {
  if ((n.domain ?? '') !== '') return false;
  switch (n.op_type) {
    case 'Relu': case 'LeakyRelu': case 'MaxPool': return n.output.filter(Boolean).length === 1;
    case 'Clip': {
      const lo = n.input[1] ? constValue(g, n.input[1], src) : n.attribute.some((a) => a.name === 'min') ? attrFloat(n, 'min', 0) : -Infinity;
      const hi = n.input[2] ? constValue(g, n.input[2], src) : n.attribute.some((a) => a.name === 'max') ? attrFloat(n, 'max', 0) : Infinity;
      return (lo === 0 || lo === -Infinity) && hi === Infinity;
    }
    case 'Pad': {
      if ((attrString(n, 'mode') ?? 'constant') !== 'constant') return false;
      const v = n.input[2] ? constValue(g, n.input[2], src) : attrFloat(n, 'value', 0);
      return v === 0;
    }
    default: return false;
  }
}

function floatWeight(g: GraphProto, name: string | undefined) {
  const t = name ? g.initializer.find((x) => x.name === name) : undefined;
  return t && t.data_type === DataType.FLOAT && t.dims.length >= 3 ? t : undefined;
}

/** Conv → (homogeneous ops, each the only reader) → Conv pairs. */
function findPairs(g: GraphProto, src: TensorSource): Pair[] {
  const idx = indexGraph(g);
  const outputs = new Set(g.output.map((o) => o.name));
  const pairs: Pair[] = [];
  g.node.forEach((n, i) => {
    if (n.op_type !== 'Conv' || (n.domain ?? '') !== '' || !floatWeight(g, n.input[1])) return;
    if (n.input[2] && !g.initializer.some((t) => t.name === n.input[2])) return;
    let v = n.output[0]!;
    for (let hops = 0; hops < 8; hops++) {
      const cons = idx.consumers.get(v) ?? [];
      if (outputs.has(v) || cons.length !== 1) return;
      const c = g.node[cons[0]!]!;
      if (c.op_type === 'Conv' && (c.domain ?? '') === '' && c.input[0] === v && floatWeight(g, c.input[1])) {
        pairs.push({ first: i, second: cons[0]! });
        return;
      }
      if (!homogeneous(c, g, src) || c.input[0] !== v) return;
      v = c.output[0]!;
    }
  });
  return pairs;
}

export interface EqualizeResult { pairs: number; /** Largest per-channel scale applied (how imbalanced the ranges were). */ maxScale: number }

/** Equalizes every exact pair in `g` in place (new initializers; shared weights are never changed). */
export function equalizeCrossLayer(g: GraphProto, src: TensorSource = {}, sweeps = 2): EqualizeResult {
  const pairs = findPairs(g, src);
  let maxScale = 1;
  const data = new Map<string, Float32Array>();
  const get = (name: string) => data.get(name) ?? tensorToFloat32(g.initializer.find((t) => t.name === name)!, src);
  const readers = new Map<string, number>();
  for (const n of g.node) for (const v of n.input) readers.set(v, (readers.get(v) ?? 0) + 1);
  // a weight read by another node too (tied weights) cannot be rescaled for one of them
  const usable = pairs.filter((p) => [g.node[p.first]!, g.node[p.second]!].every((n) => n.input.slice(1).every((v) => !v || readers.get(v) === 1)));
  for (let s = 0; s < sweeps; s++) {
    for (const { first, second } of usable) {
      const a = g.node[first]!;
      const b = g.node[second]!;
      const wa = g.initializer.find((t) => t.name === a.input[1])!;
      const wb = g.initializer.find((t) => t.name === b.input[1])!;
      const W1 = get(a.input[1]!);
      const W2 = get(b.input[1]!);
      const m = Number(wa.dims[0]);
      const per1 = W1.length / m;
      const [n2, cPerGroup] = [Number(wb.dims[0]), Number(wb.dims[1])];
      const k2 = W2.length / (n2 * cPerGroup);
      const groups = attrInt(b, 'group', 1);
      if (cPerGroup * groups !== m) continue; // shapes do not line up: leave it
      const outPerGroup = n2 / groups;
      const r1 = new Float64Array(m);
      const r2 = new Float64Array(m);
      for (let i = 0; i < m; i++) for (let k = 0; k < per1; k++) r1[i] = Math.max(r1[i]!, Math.abs(W1[i * per1 + k]!));
      for (let i = 0; i < m; i++) {
        const grp = Math.floor(i / cPerGroup);
        const li = i % cPerGroup;
        for (let o = grp * outPerGroup; o < (grp + 1) * outPerGroup; o++) {
          for (let k = 0; k < k2; k++) r2[i] = Math.max(r2[i]!, Math.abs(W2[(o * cPerGroup + li) * k2 + k]!));
        }
      }
      const [m1, m2] = [Math.max(...r1), Math.max(...r2)];
      const live = (i: number) => r1[i]! > DEAD * m1 && r2[i]! > DEAD * m2;
      const scale = Float64Array.from(r1, (x, i) => (live(i) ? Math.min(MAX_SCALE, Math.max(1 / MAX_SCALE, Math.sqrt(x / r2[i]!))) : 1));
      const W1n = Float32Array.from(W1, (w, j) => w / scale[Math.floor(j / per1)]!);
      const W2n = Float32Array.from(W2, (w, j) => {
        const o = Math.floor(j / (cPerGroup * k2));
        const li = Math.floor(j / k2) % cPerGroup;
        return w * scale[Math.floor(o / outPerGroup) * cPerGroup + li]!;
      });
      for (const v of scale) maxScale = Math.max(maxScale, v, 1 / v);
      const put = (n: NodeProto, at: number, dims: number[], values: Float32Array) => {
        const name = n.input[at]!.endsWith('_equalized') ? n.input[at]! : `${n.input[at]}_equalized`;
        g.initializer = g.initializer.filter((t) => t.name !== name);
        g.initializer.push(makeTensor(name, DataType.FLOAT, dims, values));
        data.set(name, values);
        n.input[at] = name;
      };
      put(a, 1, wa.dims.map(Number), W1n);
      if (a.input[2]) put(a, 2, [m], Float32Array.from(get(a.input[2]), (x, i) => x / scale[i]!));
      put(b, 1, wb.dims.map(Number), W2n);
    }
  }
  return { pairs: usable.length, maxScale };
}
