/** A probed device in words: the Add Device confirmation and the panel's device badges say the same. */
import type { DeviceFacts } from '../tiers/types';

function gb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}

function cores(n: number): string {
  // a CPU quota gives fractional cores (half of one core: 0.5)
  const v = Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
  return `${v} core${n === 1 ? '' : 's'}`;
}

/** "linux arm64 · Cortex-A72 · 4 cores · 3.7 GB · Node v20.11.1" */
export function deviceSummary(f: DeviceFacts): string {
  return [`${f.os} ${f.arch}`, f.cpuModel, cores(f.cores), gb(f.memoryMB), `Node ${f.node}`].filter((x) => x.trim() !== '').join(' · ');
}

/** Every fact, one per line (a tooltip). */
export function deviceDetails(f: DeviceFacts): string {
  return [
    `Host: ${f.host}`,
    `System: ${f.os} ${f.arch}`,
    `CPU: ${f.cpuModel || 'unknown'} (${cores(f.cores)} available)`,
    `Memory: ${gb(f.memoryMB)}`,
    `Node: ${f.node}`,
    `onnxruntime: ${f.onnxruntime || 'not installed yet'}`,
    `Execution provider: ${f.executionProvider}`,
  ].join('\n');
}
