/** Small helpers shared by the benchmark sections: timing, medians with spread, formatting. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface Spread { median: number; min: number; max: number; n: number }

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** Runs `fn` `reps` times (after one warm-up) and returns the times, ms. */
export async function timeIt(fn: () => unknown | Promise<unknown>, reps: number): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = nowMs();
    await fn();
    out.push(nowMs() - t);
  }
  return out;
}

export const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
export const fmtSpread = (s: Spread, d = 2) => `${fmt(s.median, d)} [${fmt(s.min, d)}–${fmt(s.max, d)}]`;
