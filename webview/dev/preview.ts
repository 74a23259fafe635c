/**
 * Dev harness (not shipped): renders the panel outside VS Code and screenshots it with headless
 * Chromium (Debian's /usr/bin/chromium driven by playwright-core, so long pages can be shot in parts), under the real CSP from renderPanelHtml, a fake acquireVsCodeApi, and a theme emulated
 * by setting VS Code's CSS variables. CSP violations are painted as a red banner.
 *
 *   npm run build && npx tsx webview/dev/preview.ts [out-dir] [report.json]   (Debian: apt-get install -y chromium)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { parseFromWebview } from '../../src/core/protocol/panel';
import { createNonce, renderPanelHtml } from '../../src/core/protocol/panelHtml';

const root = resolve(__dirname, '../..');
const out = resolve(process.argv[2] ?? '/tmp/edge-advisor-preview');
const report = readFileSync(process.argv[3] ?? join(root, 'test/fixtures/reports/digits.report.json'), 'utf8');

const THEMES: Record<string, { body: string; vars: Record<string, string> }> = {
  dark: {
    body: 'vscode-dark',
    vars: {
      'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
      'panel-border': '#2b2b2b', focusBorder: '#0078d4', 'editorWidget-background': '#202020', 'editorWidget-border': '#454545',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
      'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c',
      'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'errorForeground': '#f85149',
      'editorWarning-foreground': '#cca700', 'progressBar-background': '#0078d4', 'list-hoverBackground': '#2a2d2e',
      'list-inactiveSelectionBackground': '#37373d', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
      'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff',
      'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
      'textBlockQuote-background': '#2b2b2b',
    },
  },
  light: {
    body: 'vscode-light',
    vars: {
      'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', descriptionForeground: '#717171',
      'panel-border': '#e5e5e5', focusBorder: '#005fb8', 'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece',
      'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8', 'errorForeground': '#f85149',
      'editorWarning-foreground': '#bf8803', 'progressBar-background': '#005fb8', 'list-hoverBackground': '#f2f2f2',
      'list-inactiveSelectionBackground': '#e4e6f1', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
      'charts-foreground': '#616161', 'charts-lines': 'rgba(97, 97, 97, 0.5)', 'charts-red': '#e51400', 'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
      'textBlockQuote-background': '#f8f8f8',
    },
  },
  hc: {
    body: 'vscode-high-contrast',
    vars: {
      'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff', descriptionForeground: '#ffffff',
      'panel-border': '#6fc3df', focusBorder: '#f38518', contrastBorder: '#6fc3df', 'contrastActiveBorder': '#f38518',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
      'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
      'textLink-foreground': '#21a6ff', 'errorForeground': '#f48771', 'editorWarning-foreground': '#ffd700',
      'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)', 'charts-red': '#f48771', 'charts-blue': '#3794ff',
      'charts-yellow': '#ffd700', 'charts-orange': '#f38518', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    },
  },
};

/** What the fake host posts after `ready`. */
const SCENARIOS: Record<string, string> = {
  report: `post({ type: 'showReport', report: REPORT, cached: true }); post({ type: 'jobState', state: 'done' });`,
  running: `const r = structuredClone(REPORT); r.results = r.results.slice(0, 7); r.recommendation = null; r.noRecommendationReason = 'Partial results: the run was cancelled before every configuration finished.';
    post({ type: 'showReport', report: r }); post({ type: 'jobState', state: 'running' });
    post({ type: 'progress', progress: { stage: 'benchmark', message: 'Benchmarking', fraction: 0.42, current: { operator: 'sptq', placement: 'edge' }, etaSeconds: 35 } });`,
  restore: '', // the host posts nothing: the panel must come back from its saved state alone
  cancelled: `const r = structuredClone(REPORT); r.results = r.results.slice(0, 7); r.recommendation = null; r.noRecommendationReason = 'The run was cancelled; nothing measured so far is within the budget on every tier.';
    post({ type: 'showReport', report: r }); post({ type: 'jobState', state: 'cancelled', message: 'Cancelled by you after 21 s.' });`,
};

function page(theme: string, scenario: string, saved = 'undefined'): string {
  const nonce = createNonce();
  const t = THEMES[theme === 'narrow' ? 'dark' : theme];
  const vars = Object.entries(t.vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  const head = `<style nonce="${nonce}">:root { ${vars} --vscode-font-family: system-ui, 'DejaVu Sans', sans-serif; --vscode-font-size: 13px; }
  #csp-violations { background: #c00; color: #fff; padding: 4px; white-space: pre-wrap; }</style>
<script nonce="${nonce}">
  const REPORT = ${report};
  window.posted = [];
  let state = ${saved};
  window.savedState = () => state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => state, setState: (s) => { state = s; } });
  const post = (m) => window.postMessage(m, '*');
  document.addEventListener('securitypolicyviolation', (e) => {
    let b = document.getElementById('csp-violations');
    if (!b) { b = document.createElement('pre'); b.id = 'csp-violations'; document.body.prepend(b); }
    b.textContent += 'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '') + ' @' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + '\\n';
  });
  window.addEventListener('DOMContentLoaded', () => setTimeout(() => { ${SCENARIOS[scenario]} }, 50));
</script>`;
  return renderPanelHtml({ scriptUri: pathToFileURL(join(root, 'dist/webview.js')).href, cspSource: 'file:', nonce, title: 'preview' })
    .replace('</head>', `${head}\n</head>`)
    .replace('<body>', `<body class="${t.body}">`);
}

/** Drives the controls like a user and checks every message the panel posts against the host's validator. */
async function interact(tab: Page): Promise<void> {
  await tab.click('#btn-export-png-scatter');
  await tab.click('#btn-export-md');
  await tab.click('#results-grid [data-sort="drop"]');
  await tab.waitForTimeout(100); // the grid is rebuilt on the next frame
  await tab.focus('#results-grid [data-sort="median"]');
  await tab.keyboard.press('Enter');
  console.log(`keyboard sort: median is ${await tab.getAttribute('#results-grid [data-sort="median"]', 'aria-sort')}`);
  await tab.focus('#bw-mobile-edge');
  for (let i = 0; i < 150; i++) await tab.keyboard.press('ArrowLeft'); // 200 → ~50 Mbit/s, below the crossover
  await tab.waitForTimeout(100);
  await tab.screenshot({ path: join(out, 'light-after-slider.png'), clip: { x: 0, y: 0, width: 800, height: 1300 } });
  console.log(`after the slider: ${await tab.textContent('[data-testid="rec-config"]')}; focus on ${await tab.evaluate<string>('document.activeElement?.id')}`);
  // Page-side code is passed as strings: this file is type-checked for Node, without DOM types.
  await tab.evaluate(`{ const d = document.getElementById('budget'); d.value = '2'; d.dispatchEvent(new Event('change')); }`);
  await tab.waitForTimeout(100);
  console.log(`budget 2: ${await tab.textContent('[data-testid="rec-config"]')}`);
  await tab.click('#btn-export-csv');
  // A theme switch as VS Code does it: new body class, new variables on <html> (CSSOM, CSP-safe).
  const dark = JSON.stringify(THEMES.dark.vars);
  await tab.evaluate(`{ for (const [k, v] of Object.entries(${dark})) document.documentElement.style.setProperty('--vscode-' + k, v);
    document.body.className = 'vscode-dark'; }`);
  await tab.waitForTimeout(200);
  await tab.screenshot({ path: join(out, 'light-switched-to-dark.png'), clip: { x: 0, y: 0, width: 800, height: 1300 } });
  const posted = await tab.evaluate<unknown[]>('window.posted');
  // Re-open the panel from the saved state only, as VS Code does when a hidden panel is shown again.
  const saved = await tab.evaluate<string>('JSON.stringify(window.savedState())');
  const html = join(out, 'light-restore.html');
  writeFileSync(html, page('light', 'restore', saved));
  const again = await tab.context().browser()!.newPage();
  await again.goto(pathToFileURL(html).href);
  await again.waitForSelector('[data-testid="rec-config"]');
  console.log(`restored from state (${saved.length} chars): ${await again.textContent('[data-testid="rec-config"]')}, ${await again.textContent('#bw-mobile-edge-value')}, first row ${await again.getAttribute('#results-grid [data-testid="result-row"]', 'data-config')}`);
  await again.close();
  for (const m of posted) {
    const ok = parseFromWebview(m) !== null;
    const t = (m as { type: string; format?: string }).type;
    console.log(`posted ${t}${(m as { format?: string }).format ? `/${(m as { format?: string }).format}` : ''}: ${ok ? 'valid' : 'REJECTED by parseFromWebview'}`);
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Full report in three themes, shot in viewport-sized parts; then the running and cancelled states.
  const shots: Array<[string, string, number[]]> = [
    ['dark', 'report', [0, 1300, 2600]], ['light', 'report', [0, 1300, 2600]], ['hc', 'report', [0]],
    ['light', 'running', [0]], ['dark', 'cancelled', [0]], ['narrow', 'report', [0]],
  ];
  for (const [theme, scenario, ys] of shots) {
    const html = join(out, `${theme}-${scenario}.html`);
    writeFileSync(html, page(theme, scenario));
    // 'narrow' is the dark theme in a 560 px wide editor (half of a small laptop screen).
    const width = theme === 'narrow' ? 560 : 800;
    const tab = await browser.newPage({ viewport: { width, height: 1300 } });
    tab.on('console', (m) => { if (m.type() === 'error') console.log(`[${theme}-${scenario}] console error: ${m.text()}`); });
    tab.on('pageerror', (e) => console.log(`[${theme}-${scenario}] page error: ${e.message}`));
    await tab.goto(pathToFileURL(html).href);
    await tab.waitForSelector('#results-grid [data-testid="result-row"]');
    await tab.waitForTimeout(300);
    const csp = await tab.locator('#csp-violations').count();
    if (csp) console.log(`[${theme}-${scenario}] ${await tab.locator('#csp-violations').textContent()}`);
    for (const y of ys) {
      const png = join(out, `${theme}-${scenario}-${y}.png`);
      await tab.screenshot(theme === 'narrow' ? { path: png, fullPage: true } : { path: png, fullPage: true, clip: { x: 0, y, width, height: 1300 } });
      console.log(`wrote ${png}`);
    }
    if (theme === 'light' && scenario === 'report') await interact(tab);
    await tab.close();
  }
  await browser.close();
}

void main();
