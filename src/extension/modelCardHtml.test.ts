// The model card: a real inspection rendered, broken files shown as one line, hostile names escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { inspectModel } from '../core/inspect/inspect';
import { readModel } from '../core/onnx/io';
import { parseCardMessage, renderModelCard } from './modelCardHtml';

const SAMPLE = path.join(__dirname, '..', '..', 'samples', 'digits', 'digits_teacher.onnx');
const base = { variants: {}, canRun: true, cspSource: "'self' https://*.vscode-cdn.net", nonce: 'a'.repeat(32) };

test('the card summarizes the sample model and offers the run button under a nonce-only CSP', () => {
  const html = renderModelCard({ ...base, fileName: 'digits_teacher.onnx', inspection: inspectModel(readModel(SAMPLE)), variants: { distilled: 'digits_distilled.onnx' } });
  assert.match(html, /<code>image<\/code> float32 \[batch, 1, 32, 32\]/);
  assert.match(html, /Conv ×6/);
  assert.match(html, /digits_distilled\.onnx/);
  assert.match(html, /id="recommend" data-testid="recommend">Recommend deployment/);
  assert.match(html, /script-src &#39;nonce-a{32}&#39;;/);
  assert.doesNotMatch(html, /unsafe-(inline|eval)/);
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('a broken model shows its one-line error; untrusted workspaces say why running is off', () => {
  const html = renderModelCard({ ...base, fileName: 'x.onnx', inspection: { error: 'x.onnx: not an ONNX model' }, canRun: false, reason: 'Restricted Mode: inspection only.' });
  assert.match(html, /data-testid="inspect-error">x\.onnx: not an ONNX model</);
  assert.match(html, /data-testid="untrusted">Restricted Mode: inspection only\./);
  assert.match(html, /id="recommend" disabled/);
});

test('names from the file system are escaped', () => {
  const html = renderModelCard({ ...base, fileName: '<img src=x onerror=alert(1)>.onnx', inspection: { error: '"><script>alert(1)</script>' } });
  assert.doesNotMatch(html, /<img src=x/);
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('the card accepts exactly its three button messages', () => {
  assert.deepEqual(parseCardMessage({ type: 'recommend' }), { type: 'recommend' });
  assert.deepEqual(parseCardMessage({ type: 'showLog' }), { type: 'showLog' });
  for (const bad of [null, 'recommend', { type: 'recommend', path: '/etc/passwd' }, { type: 'run' }, []]) assert.equal(parseCardMessage(bad), null);
});
