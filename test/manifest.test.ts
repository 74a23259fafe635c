/**
 * The extension manifest (package.json) as the Marketplace and VS Code read it: localised strings,
 * menus, the model card's priority, JSON validation, and defaults shared with the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BUDGET_SECONDS } from '../src/core/pipeline/defaults';
import { DEFAULT_MAX_ACCURACY_DROP } from '../src/core/study/accuracyClasses';
import { REPO_ROOT } from './support/shared';

const read = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json'));
const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;

test('every user-facing manifest string comes from package.nls.json, and every entry there is used', () => {
  const used = new Set([...read('package.json').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
  for (const k of used) assert.ok(nls[k], `package.nls.json lacks "${k}"`);
  for (const k of Object.keys(nls)) assert.ok(used.has(k), `package.nls.json has unused "${k}"`);
  assert.equal(pkg.displayName, '%displayName%');
  for (const c of pkg.contributes.commands) assert.match(c.title, /^%command\./);
});

test('Marketplace metadata: publishable (no "private"), a repository, a licence, an icon', () => {
  assert.equal(pkg.private, undefined);
  assert.ok(pkg.repository?.url && pkg.license && pkg.icon && pkg.publisher);
});

test('.onnx menus match any case of the extension; Cancel Run is in the palette only while a job runs', () => {
  const menus = pkg.contributes.menus as Record<string, Array<{ command: string; when?: string }>>;
  const all = Object.values(menus).flat();
  for (const m of all.filter((x) => x.when?.includes('onnx'))) assert.match(m.when!, /resourceExtname =~ \/\^\\\.onnx\$\/i/, `${m.command}: ${m.when}`);
  assert.deepEqual(menus['commandPalette']!.find((m) => m.command === 'edgeAdvisor.cancel'), { command: 'edgeAdvisor.cancel', when: 'edgeAdvisor.jobRunning' });
  assert.match(read('src/extension/jobStatus.ts'), /JOB_RUNNING_CONTEXT = 'edgeAdvisor\.jobRunning'/);
});

test('the model card is an optional editor for .onnx, with Open Model Card in the Explorer and editor title', () => {
  const [card] = pkg.contributes.customEditors;
  assert.equal(card.priority, 'option');
  for (const where of ['explorer/context', 'editor/title']) {
    assert.ok(pkg.contributes.menus[where].some((m: { command: string }) => m.command === 'edgeAdvisor.openModelCard'), where);
  }
});

test('edge-advisor.json and *.tiers.json get the repository\'s schemas in the editor, and the VSIX carries them', () => {
  const jv = pkg.contributes.jsonValidation as Array<{ fileMatch: string[]; url: string }>;
  assert.deepEqual(jv.map((j) => j.url), ['./schemas/edge-advisor.schema.json', './schemas/tiers.schema.json']);
  for (const j of jv) assert.ok(fs.existsSync(path.join(REPO_ROOT, j.url)), j.url);
  assert.match(read('.vscodeignore'), /^!schemas\/\*\.schema\.json$/m);
});

test('the extension\'s defaults are the CLI\'s: time budget and accuracy budget', () => {
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['edgeAdvisor.budgetSeconds'].default, DEFAULT_BUDGET_SECONDS);
  assert.equal(props['edgeAdvisor.maxAccuracyDrop'].default, DEFAULT_MAX_ACCURACY_DROP);
});
