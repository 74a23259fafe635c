/** What every benchmark section hands to the suite (bench/run.ts) for the report. */
export interface SummaryRow {
  figure: string;
  /** The measured value as printed: ratio or rate, median [min–max] over repetitions. */
  value: string;
  target?: string;
  /** undefined: no target for this figure. */
  met?: boolean;
  /** Why it falls short, or what to keep in mind reading it. */
  note?: string;
}

export interface SectionResult {
  id: string;
  title: string;
  summary: SummaryRow[];
  /** Markdown body (tables) for the report. */
  markdown: string;
  /** Raw measurements for the JSON report. */
  data: unknown;
}

/** Settings shared by all sections; `--quick` shrinks every repetition count to debug the suite. */
export interface SuiteSettings {
  quick: boolean;
  modelsDir: string;
  tmpDir: string;
  hostCores: number;
}

/** A Markdown table from a header and rows of cells. */
export function mdTable(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
