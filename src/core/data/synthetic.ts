/**
 * Synthetic inputs for when the user gives no data: enough to measure latency and fidelity to the
 * float model, never accuracy. Values follow the modality: normalised-image-like floats, token ids
 * (all-ones masks, zero segment ids), random bytes. Symbolic batch dimensions become 1; other
 * symbolic dimensions take a typical size (sequence 128, image side 224). Deterministic (seeded).
 */
import { AdvisorError } from '../errors';
import { seededRandom } from '../stats/bootstrap';
import type { Feeds, TensorArray, TensorData } from '../protocol/tensor';
import type { Modality } from '../results';
import type { InputSpec } from './inputs';

const CHANNELS = new Set([1, 3, 4]);

export function syntheticDims(input: InputSpec, modality: Modality): number[] {
  if (input.unknownRank) {
    throw new AdvisorError('input', `input "${input.name}" declares no shape (not even its rank), so synthetic samples cannot be made for it: give real samples (--data, and --calib for SPTQ)`);
  }
  const s = input.shape;
  // a TensorFlow export's N×H×W×C image: channels last, and not also plausibly first
  const nhwc = modality === 'image' && s.length === 4 && CHANNELS.has(s[3] as number) && !CHANNELS.has(s[1] as number);
  const spatial = (i: number) => (nhwc ? i === 1 || i === 2 : i >= s.length - 2);
  return s.map((d, i) => {
    if (typeof d === 'number' && d > 0) return d;
    if (i === 0) return 1;
    if (input.type === 'int64' || input.type === 'int32') return 128;
    return modality === 'image' && spatial(i) ? 224 : modality === 'image' ? 3 : 1;
  });
}

export function syntheticSamples(inputs: InputSpec[], modality: Modality, count = 1, seed = 7): Feeds[] {
  const rand = seededRandom(seed);
  const samples: Feeds[] = [];
  for (let s = 0; s < count; s++) {
    const feeds: Feeds = {};
    for (const input of inputs) feeds[input.name] = syntheticTensor(input, modality, rand);
    samples.push(feeds);
  }
  return samples;
}

function syntheticTensor(input: InputSpec, modality: Modality, rand: () => number): TensorData {
  const dims = syntheticDims(input, modality);
  const n = dims.reduce((a, b) => a * b, 1);
  const name = input.name.toLowerCase();
  let data: TensorArray;
  switch (input.type) {
    case 'float32': case 'float64': {
      const a = input.type === 'float32' ? new Float32Array(n) : new Float64Array(n);
      // standard normal (Box–Muller): what normalised images and embeddings look like
      for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      data = a;
      break;
    }
    case 'int64': case 'int32': {
      const value = (i: number): number => {
        if (/mask/.test(name)) return 1;
        if (/type|segment/.test(name)) return 0;
        if (/position/.test(name)) return i % (dims[dims.length - 1] ?? 1);
        // token ids well inside any vocabulary, and inside the embedding table the model gathers from
        const bound = Math.min(1000, input.idBound ?? 1000);
        return bound > 1 ? 1 + Math.floor(rand() * (bound - 1)) : 0;
      };
      if (input.type === 'int64') { const a = new BigInt64Array(n); for (let i = 0; i < n; i++) a[i] = BigInt(value(i)); data = a; }
      else { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = value(i); data = a; }
      break;
    }
    case 'int8': { const a = new Int8Array(n); for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * 256) - 128; data = a; break; }
    case 'uint8': { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * 256); data = a; break; }
    case 'bool': data = new Uint8Array(n).fill(1); break;
  }
  return { type: input.type, dims, data };
}
