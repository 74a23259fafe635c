import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rank } from '../recommend/rank';
import type { AdvisorReport, ResultRow } from '../results';
import { renderCsv } from './csv';
import { renderMarkdown } from './markdown';

const LINKS = { 'mobile-edge': { mbps: 200, rttMs: 0 }, 'edge-cloud': { mbps: 1, rttMs: 0 } };

function report(): AdvisorReport {
  const rows: ResultRow[] = [
    { operator: 'identity', placement: 'mobile', latencyMs: { median: 300, ciLow: 290, ciHigh: 310 }, computeMs: { median: 300 }, transferMs: 0, transfers: [], accuracy: 80, flags: [] },
    { operator: 'identity', placement: 'edge', latencyMs: { median: 156, ciLow: 150, ciHigh: 160 }, computeMs: { median: 100 }, transferMs: 56,
      transfers: [{ link: 'mobile-edge', bytes: 1_400_000, what: 'input' }], accuracy: 80, flags: [] },
    { operator: 'sptq', placement: 'edge', latencyMs: { median: 120, ciLow: 118, ciHigh: 122 }, computeMs: { median: 64 }, transferMs: 56,
      transfers: [{ link: 'mobile-edge', bytes: 1_400_000, what: 'input' }], accuracy: 79.5, flags: ['syntheticCalibration'] },
    { operator: 'qat', placement: 'mobile', latencyMs: { median: 90 }, accuracy: 79.9, flags: ['doesNotFit'], note: 'needs 5 GB, "large"' },
  ];
  return rank({
    model: { path: '/models/net|v2.onnx', name: 'net|v2', modality: 'image' },
    metric: 'top1',
    results: rows,
    baselineAccuracy: 80,
    tiers: { name: 'study', description: 'The study set-up.', tiers: {
      mobile: { id: 'mobile', cpus: 4, memoryMB: 4096, speed: 1 }, edge: { id: 'edge', cpus: 8, memoryMB: 16384, speed: 1 },
      cloud: { id: 'cloud', cpus: 16, memoryMB: 65536, speed: 1 } }, links: {
      'mobile-edge': { id: 'mobile-edge', ...LINKS['mobile-edge'] }, 'edge-cloud': { id: 'edge-cloud', ...LINKS['edge-cloud'] } } },
    environment: { host: 'box', cpus: 2, node: 'v20.0.0', advisor: '0.1.0', date: '2026-01-01T00:00:00.000Z' },
  });
}

test('the Markdown report leads with the recommendation, then study, sensitivity, the table and exclusions', () => {
  const md = renderMarkdown(report());
  const order = ['# Deployment advice: net\\|v2', '## Recommendation: Edge SPTQ', '**120 ms** median, 1.30× vs Edge Identity (95% CI',
    '## Bandwidth sensitivity', 'Mobile Identity becomes best below 50.0 Mbit/s Mobile↔Edge', '## All configurations', '| Edge SPTQ **(recommended)** | 120 ms | 118 ms–122 ms |',
    '## Not recommended', 'Mobile QAT: does not fit', '## Not provided', 'Distilled not provided.'];
  let at = -1;
  for (const s of order) {
    const i = md.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  // Table cells with a pipe are escaped so the table keeps its columns.
  for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.equal(line.split(/(?<!\\)\|/).length, 12, line);
});

test('the CSV has one line per result row, a Pareto and a recommended column, and quotes what needs it', () => {
  const csv = renderCsv(report());
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + 4);
  const header = lines[0]!.split(',');
  assert.deepEqual(header.slice(0, 3), ['operator', 'placement', 'median_ms']);
  const col = (line: string, name: string) => line.split(',')[header.indexOf(name)];
  assert.equal(col(lines[3]!, 'recommended'), 'yes');
  assert.equal(col(lines[3]!, 'pareto'), 'yes');
  assert.equal(col(lines[3]!, 'accuracy_drop'), '0.5');
  assert.equal(col(lines[1]!, 'recommended'), 'no');
  assert.ok(lines[4]!.endsWith(',doesNotFit,Mobile QAT: does not fit in the tier\'s memory,"needs 5 GB, ""large"""'), lines[4]);
});
