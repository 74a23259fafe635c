/** What a report says about its data: source, preprocessing (and where it came from), payload, decode time per tier. */
import { formatMs } from '../labels';
import type { DataSummary } from '../results';

function bytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

/** Plain sentences (Markdown-safe once escaped by the caller); none for reports without a data summary. */
export function dataLines(d: DataSummary | undefined): string[] {
  if (!d) return [];
  const out: string[] = [];
  const what = d.kind === 'synthetic' ? `${d.samples} synthetic samples (no data given)` : `${d.describe ?? `${d.samples} samples`}${d.path ? ` from ${d.path}` : ''}`;
  out.push(`Data: ${what}. A request uploads ${bytes(d.payloadBytes)}${d.kind === 'images' || d.kind === 'text' ? ' (the encoded file, as a client sends it)' : ' (the input tensor)'}.`);
  if (d.preprocessing) {
    out.push(`Preprocessing: ${d.preprocessing.description} — ${d.preprocessing.origin}${d.preprocessing.guess ? ' (a guess from the input shape: check it matches training)' : ''}.`);
  }
  if (d.preprocessTiming?.length) {
    out.push(`Decode + preprocess per request, on the tier that receives it: ${d.preprocessTiming.map((t) => `${t.tier} ${formatMs(t.msPerRequest)} (${Math.round(t.perSecond)}/s on ${t.threads} thread${t.threads > 1 ? 's' : ''})`).join(', ')}; included in every latency below.`);
  }
  if (d.calibration) {
    const c = d.calibration;
    out.push(`Calibration: ${c.kind === 'synthetic' ? `${c.samples} synthetic samples` : c.path ? `${c.describe ?? `${c.samples} samples`} from ${c.path}` : `${c.samples} samples of the evaluation data`}.`);
  }
  return out;
}
