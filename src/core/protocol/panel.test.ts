import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isToWebview, LIMITS, parseFromWebview } from './panel';
import { createNonce, panelCsp, renderPanelHtml } from './panelHtml';

// A real (1×1, transparent) PNG, as chart.toBase64Image() would produce.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

test('every well-formed webview message is accepted and returned as typed data', () => {
  const good = [
    { type: 'ready', protocol: 1 },
    { type: 'rerun' },
    { type: 'cancel' },
    { type: 'openLog' },
    { type: 'rememberBudget', maxAccuracyDrop: 1.5 },
    { type: 'rememberBudget', maxAccuracyDrop: 0 },
    { type: 'revealFile', path: '/work/models/.edge-advisor/digits_teacher.sptq.onnx' },
    { type: 'export', format: 'md' },
    { type: 'export', format: 'csv', settings: { mbps: { 'mobile-edge': 50, 'edge-cloud': 1 } } },
    { type: 'export', format: 'json', settings: { mbps: {} } },
    { type: 'export', format: 'png', chart: 'scatter', dataUrl: PNG },
  ];
  for (const m of good) assert.deepEqual(parseFromWebview(m), m, JSON.stringify(m));
});

test('malformed messages are rejected, never thrown on', () => {
  const bad: Array<[string, unknown]> = [
    ['not an object', 'rerun'],
    ['null', null],
    ['array', [{ type: 'rerun' }]],
    ['no type', { path: '/a' }],
    ['type not a string', { type: 42 }],
    ['unknown type', { type: 'runShell', command: 'rm -rf /' }],
    ['prototype-ish type', { type: '__proto__' }],
    ['extra field', { type: 'rerun', force: true }],
    ['ready without protocol', { type: 'ready' }],
    ['ready with fractional protocol', { type: 'ready', protocol: 1.5 }],
    ['budget as string', { type: 'rememberBudget', maxAccuracyDrop: '2' }],
    ['budget NaN', { type: 'rememberBudget', maxAccuracyDrop: NaN }],
    ['budget Infinity', { type: 'rememberBudget', maxAccuracyDrop: Infinity }],
    ['budget negative', { type: 'rememberBudget', maxAccuracyDrop: -1 }],
    ['budget over 100 points', { type: 'rememberBudget', maxAccuracyDrop: LIMITS.maxBudgetPoints + 1 }],
    ['path missing', { type: 'revealFile' }],
    ['path empty', { type: 'revealFile', path: '' }],
    ['path not a string', { type: 'revealFile', path: ['/a'] }],
    ['path with NUL', { type: 'revealFile', path: '/a\0/b' }],
    ['path oversized', { type: 'revealFile', path: 'a'.repeat(LIMITS.pathChars + 1) }],
    ['unknown export format', { type: 'export', format: 'pdf' }],
    ['png without chart', { type: 'export', format: 'png', dataUrl: PNG }],
    ['png unknown chart', { type: 'export', format: 'png', chart: 'pie', dataUrl: PNG }],
    ['png not a data url', { type: 'export', format: 'png', chart: 'sqnr', dataUrl: 'https://evil.example/x.png' }],
    ['png of another type', { type: 'export', format: 'png', chart: 'sqnr', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' }],
    ['png bytes are not a PNG', { type: 'export', format: 'png', chart: 'sqnr', dataUrl: 'data:image/png;base64,R0lGODlhAQABAAAAACw=' }],
    ['png with non-base64 chars', { type: 'export', format: 'png', chart: 'sqnr', dataUrl: `${PNG.slice(0, -4)}<sc>` }],
    ['png oversized', { type: 'export', format: 'png', chart: 'latency', dataUrl: `data:image/png;base64,iVBORw0KGgoA${'A'.repeat(LIMITS.dataUrlChars)}` }],
    ['md with a data url', { type: 'export', format: 'md', chart: 'scatter', dataUrl: PNG }],
    ['bandwidth for unknown link', { type: 'export', format: 'csv', settings: { mbps: { 'mobile-cloud': 5 } } }],
    ['bandwidth non-finite', { type: 'export', format: 'csv', settings: { mbps: { 'edge-cloud': Infinity } } }],
    ['bandwidth out of range', { type: 'export', format: 'csv', settings: { mbps: { 'edge-cloud': 1e6 } } }],
    ['bandwidths as array', { type: 'export', format: 'json', settings: { mbps: [1, 2] } }],
    ['export budget negative', { type: 'export', format: 'md', settings: { maxAccuracyDrop: -1 } }],
    ['export settings with an unknown key', { type: 'export', format: 'md', settings: { sensitivity: false } }],
    ['class instance', new (class { type = 'rerun'; })()],
  ];
  for (const [why, m] of bad) assert.equal(parseFromWebview(m), null, why);
});

test('a message smuggling __proto__ through JSON is rejected and pollutes nothing', () => {
  const m = JSON.parse('{"type":"export","format":"csv","settings":{"mbps":{"__proto__":{"polluted":1}}}}') as unknown;
  assert.equal(parseFromWebview(m), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('the panel recognises host messages by type only', () => {
  assert.equal(isToWebview({ type: 'jobState', state: 'running' }), true);
  assert.equal(isToWebview({ type: 'rerun' }), false);
  assert.equal(isToWebview('showReport'), false);
});

test('the panel HTML has a strict CSP with the nonce and no unsafe sources', () => {
  const nonce = createNonce();
  assert.match(nonce, /^[0-9a-f]{64}$/);
  assert.notEqual(nonce, createNonce());
  const html = renderPanelHtml({
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
    cspSource: 'https://*.vscode-cdn.net',
    nonce,
    title: 'digits <teacher>.onnx',
  });
  const csp = panelCsp('https://*.vscode-cdn.net', nonce);
  assert.equal(csp, `default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src https://*.vscode-cdn.net`);
  assert.ok(html.includes(`content="${csp.replace(/'/g, '&#39;')}"`));
  assert.doesNotMatch(html, /unsafe-(inline|eval)/);
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js">`));
  assert.ok(html.includes(`<link rel="stylesheet" nonce="${nonce}"`));
  assert.ok(html.includes('<title>digits &lt;teacher&gt;.onnx</title>'), 'title is escaped');
  // Only one script, and no inline code.
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('renderPanelHtml refuses a nonce or csp source that could break out of the policy', () => {
  const base = { scriptUri: 'x.js', cspSource: 'vscode-resource:', title: 't' };
  assert.throws(() => renderPanelHtml({ ...base, nonce: "abc' 'unsafe-inline" }));
  assert.throws(() => renderPanelHtml({ ...base, nonce: 'short' }));
  assert.throws(() => renderPanelHtml({ ...base, nonce: createNonce(), cspSource: "x; script-src 'unsafe-eval'" }));
  assert.throws(() => renderPanelHtml({ ...base, nonce: createNonce(), cspSource: "'self' 'unsafe-inline'" }));
  // What VS Code (1.100, desktop and code-server) really passes: a source list with 'self'.
  assert.ok(renderPanelHtml({ ...base, nonce: createNonce(), cspSource: "'self' https://*.vscode-cdn.net" }).includes('img-src &#39;self&#39; https://*.vscode-cdn.net data:'));
});
