/** Checks a CLI's JSON output against the repository's schema for it (schemas/, what users validate with). */
import assert from 'node:assert/strict';
import Ajv, { type ValidateFunction } from 'ajv';
import bench from '../../schemas/bench.schema.json';
import quantize from '../../schemas/quantize.schema.json';
import report from '../../schemas/report.schema.json';

const SCHEMAS = { report, bench, quantize } as const;
const compiled = new Map<keyof typeof SCHEMAS, ValidateFunction>();

export function assertMatchesSchema(kind: keyof typeof SCHEMAS, doc: unknown): void {
  let v = compiled.get(kind);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    v = ajv.compile(SCHEMAS[kind]);
    compiled.set(kind, v);
  }
  const ok = v(doc);
  assert.ok(ok, `${kind} output does not match schemas/${kind}.schema.json:\n${(v.errors ?? []).slice(0, 8).map((e) => `  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n')}`);
}
