/**
 * Entry of the results panel bundle (dist/webview.js, an IIFE loaded under a nonce'd CSP).
 * Restores the saved state at once (the panel may have been hidden), then tells the host it is
 * ready so the host replays the latest report and job state.
 */
import { isToWebview, PANEL_PROTOCOL_VERSION } from '../src/core/protocol/panel';
import { App } from './app';
import css from './styles.css';
import { registerToolkit } from './toolkit';
import { loadState, post } from './vscode';

function installStyles(): void {
  // A constructable stylesheet: no <style> element, so no 'unsafe-inline' is needed.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function main(): void {
  installStyles();
  registerToolkit();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
  const app = new App(root, loadState() ?? { v: 1, sort: { key: 'median', dir: 'asc' }, canRun: true });
  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (isToWebview(e.data)) app.handle(e.data);
  });
  post({ type: 'ready', protocol: PANEL_PROTOCOL_VERSION });
}

main();
