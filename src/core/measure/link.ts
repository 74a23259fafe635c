/**
 * A link measured as the advisor uses it: timed `echo` jobs over a device runner's channel. The
 * round-trip time is the median of empty echoes; each direction's throughput is the slope of time
 * over size across growing transfers (so per-call overhead is not counted as bandwidth), sizes
 * growing until a transfer takes long enough to time (≥ 300 ms) or reaches 16 MB.
 */
import type { RunnerHost } from '../protocol/runner';
import { median } from '../stats/describe';

export interface LinkMeasurement {
  rttMs: number;
  upMbps: number;
  downMbps: number;
  /** The direction-averaged figure transfers are priced with. */
  mbps: number;
  /** Bytes moved to measure it. */
  bytes: number;
}

const MIN_TIMED_MS = 300;
const MAX_BYTES = 16 * 2 ** 20;
const REPEATS = 3;

async function timed(runner: RunnerHost, up: number, down: number, signal?: AbortSignal): Promise<number> {
  const payload = new Uint8Array(up);
  const t0 = performance.now();
  await runner.run('echo', { payload, replyBytes: down }, signal ? { signal } : {});
  return performance.now() - t0;
}

/** Least-squares slope of ms over bytes → Mbit/s. */
function mbpsFromSlope(points: { bytes: number; ms: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.bytes, 0) / n;
  const my = points.reduce((s, p) => s + p.ms, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.bytes - mx) * (p.ms - my), 0);
  const sxx = points.reduce((s, p) => s + (p.bytes - mx) ** 2, 0);
  const msPerByte = sxy / sxx;
  return msPerByte > 0 ? (8 / 1e3) / msPerByte : Infinity;
}

export async function measureLink(runner: RunnerHost, signal?: AbortSignal): Promise<LinkMeasurement> {
  let moved = 0;
  await timed(runner, 0, 0, signal); // the runner is up and its first answer is not timed
  const rtts: number[] = [];
  for (let i = 0; i < 9; i++) rtts.push(await timed(runner, 0, 0, signal));
  const rttMs = median(rtts);
  const direction = async (up: boolean): Promise<number> => {
    const points: { bytes: number; ms: number }[] = [];
    for (let bytes = 64 * 1024; ; bytes *= 4) {
      const times: number[] = [];
      for (let r = 0; r < REPEATS; r++) times.push(await timed(runner, up ? bytes : 0, up ? 0 : bytes, signal));
      moved += bytes * REPEATS;
      points.push({ bytes, ms: median(times) });
      if (median(times) >= MIN_TIMED_MS || bytes * 4 > MAX_BYTES) break;
    }
    // a single size (a very slow link) still has the empty echo as its other point
    return mbpsFromSlope(points.length > 1 ? points : [{ bytes: 0, ms: rttMs }, ...points]);
  };
  const upMbps = await direction(true);
  const downMbps = await direction(false);
  // one figure per link for pricing: a request's transfers go both ways
  const mbps = 2 / (1 / upMbps + 1 / downMbps);
  return { rttMs, upMbps, downMbps, mbps, bytes: moved };
}
