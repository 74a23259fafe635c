/**
 * The results panel's HTML shell. The host sets `webview.html = renderPanelHtml(...)`; everything
 * else is built by the bundled script (dist/webview.js). Strict CSP: nothing inline runs or styles
 * without the nonce, no eval, no remote resources. The toolkit and the panel's own CSS use
 * constructable stylesheets (adoptedStyleSheets), which this CSP allows; FAST's one feature probe
 * that appends a <style> element reads the nonce from `<meta property="csp-nonce">`.
 */

export interface PanelHtmlOptions {
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** Optional extra stylesheet (`webview.asWebviewUri(media/…css)`). */
  styleUri?: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce per render (see `createNonce`). */
  nonce: string;
  /** Panel title, e.g. the model's file name. */
  title: string;
}

/** 32 random bytes as hex: what a CSP nonce needs (unguessable, base64/hex charset). */
export function createNonce(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The Content-Security-Policy the panel runs under. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function renderPanelHtml({ scriptUri, styleUri, cspSource, nonce, title }: PanelHtmlOptions): string {
  // A nonce or source that could break out of the CSP or an attribute is a bug in the caller.
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('renderPanelHtml: nonce must be ≥16 base64/hex characters');
  // VS Code's cspSource is a space-separated source list, e.g. `'self' https://*.vscode-cdn.net`.
  const sources = cspSource.split(' ');
  if (cspSource.length === 0 || !sources.every((t) => t === "'self'" || /^[A-Za-z0-9+.*:/_-]+$/.test(t))) throw new Error('renderPanelHtml: invalid cspSource');
  const style = styleUri ? `\n  <link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(styleUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(panelCsp(cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta property="csp-nonce" content="${nonce}">
  <title>${escapeHtml(title)}</title>${style}
</head>
<body>
  <main id="app" aria-live="polite" data-testid="panel-root"><p class="muted">Loading results…</p></main>
  <script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
