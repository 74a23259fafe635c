/**
 * The report as a JSON document (`recommend --json`, `recommend --report out.json`): the `AdvisorReport` with a `schemaVersion`. The type is the source of
 * `schemas/report.schema.json` (npm run gen:json-schemas; CI checks it is current).
 *
 * `schemaVersion` changes only when a consumer written for the old one could misread the new one
 * (a field removed, renamed or changing meaning); new optional fields keep it.
 */
import type { AdvisorReport } from '../results';

export const REPORT_SCHEMA_VERSION = 1;

/** An Edge AI Deployment Advisor report: the recommendation, every configuration measured, and how. */
export interface ReportDocument extends AdvisorReport {
  /** Version of this document's format (schemas/report.schema.json). */
  schemaVersion: 1;
}

export function toReportDocument(report: AdvisorReport): ReportDocument {
  return { schemaVersion: REPORT_SCHEMA_VERSION, ...report };
}

/** The document as JSON text; numbers JSON cannot hold (NaN, ±Infinity) become null. */
export function reportJson(report: AdvisorReport): string {
  return JSON.stringify(toReportDocument(report), null, 2) + '\n';
}
