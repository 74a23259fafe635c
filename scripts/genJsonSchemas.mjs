// Generates the JSON Schemas in schemas/ from the TypeScript types that define each document
// (ts-json-schema-generator). The types are the one source of truth: the compiler checks every
// producer of a report against them, and the schema follows mechanically. `--check` (CI) fails
// when a committed schema differs from what the types give now.
//
// usage: node scripts/genJsonSchemas.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** schemas/<file> ← <type> in <source>. */
export const SCHEMAS = [
  { file: 'report.schema.json', source: 'src/core/report/document.ts', type: 'ReportDocument', title: 'Edge AI Deployment Advisor report (recommend --json)' },
  { file: 'bench.schema.json', source: 'src/cli/commands/bench.ts', type: 'BenchOutput', title: 'Edge AI Deployment Advisor bench --json' },
  { file: 'quantize.schema.json', source: 'src/cli/commands/quantize.ts', type: 'QuantizeOutput', title: 'Edge AI Deployment Advisor quantize --json' },
  { file: 'edge-advisor.schema.json', source: 'src/core/config/advisorConfig.ts', type: 'AdvisorConfigFile', title: 'edge-advisor.json' },
  { file: 'tiers.schema.json', source: 'src/core/config/tierFile.ts', type: 'TierFile', title: 'Edge AI Deployment Advisor tier file' },
];

function generate({ file, source, type, title }) {
  const schema = createGenerator({
    path: join(ROOT, source),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type,
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    markdownDescription: false,
    additionalProperties: false,
    skipTypeCheck: true,
    sortProps: true,
  }).createSchema(type);
  // draft-07: what VS Code's JSON language service and Ajv's default class both read fully.
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: `https://edge-advisor.invalid/schemas/${file}`, title, ...withoutKey(schema, '$schema') };
}

function withoutKey(o, k) {
  const { [k]: _, ...rest } = o;
  return rest;
}

const check = process.argv.includes('--check');
let stale = 0;
for (const s of SCHEMAS) {
  const text = JSON.stringify(generate(s), null, 2) + '\n';
  const path = join(ROOT, 'schemas', s.file);
  let old = '';
  try { old = readFileSync(path, 'utf8'); } catch { /* new */ }
  if (old === text) continue;
  if (check) { console.error(`schemas/${s.file} is out of date with ${s.type} in ${s.source}: run npm run gen:json-schemas`); stale++; }
  else { writeFileSync(path, text); console.log(`wrote schemas/${s.file}`); }
}
if (check) {
  if (stale) process.exit(1);
  console.log(`schemas/ is current (${SCHEMAS.length} schemas)`);
}
