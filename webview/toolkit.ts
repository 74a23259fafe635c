/**
 * The ONLY module that imports `@vscode/webview-ui-toolkit` (deprecated upstream, required by the
 * product; design-facts §7). Everything else builds UI through these factories, so moving to
 * `@vscode-elements/elements` later changes this file alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Defines the custom elements once (the toolkit injects its styles via adoptedStyleSheets, CSP-safe). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(),
    vsCodeDivider(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(),
  );
}

export interface ButtonOptions {
  id: string;
  label: string;
  title?: string;
  secondary?: boolean;
  onClick: () => void;
}

export function button(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = o.id;
  b.dataset.testid = o.id;
  b.textContent = o.label;
  if (o.title) b.title = o.title;
  if (o.secondary) b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', () => { if (!b.hasAttribute('disabled')) o.onClick(); });
  return b;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
}

export interface DropdownOption {
  value: string;
  label: string;
}

/** A select; `onChange` gets the chosen value. */
export function dropdown(id: string, label: string, options: DropdownOption[], value: string, onChange: (v: string) => void): HTMLElement {
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.id = id;
  d.dataset.testid = id;
  d.setAttribute('aria-label', label);
  for (const o of options) {
    const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === value) opt.setAttribute('selected', '');
    d.append(opt);
  }
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

/** An indeterminate spinner (the determinate ring binds an inline style attribute, which the CSP refuses). */
export function progressRing(): HTMLElement {
  const r = document.createElement('vscode-progress-ring');
  r.setAttribute('aria-label', 'Working');
  return r;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

/** A badge. Not the toolkit's: its template binds an inline style attribute, which the CSP refuses. */
export function badge(text: string): HTMLElement {
  const b = document.createElement('span');
  b.className = 'badge';
  b.textContent = text;
  return b;
}

// The data grid, built from explicit rows so cells can carry ids, titles and buttons.

export function dataGrid(id: string, columns: string, label: string): HTMLElement {
  const g = document.createElement('vscode-data-grid');
  g.id = id;
  g.dataset.testid = id;
  g.setAttribute('generate-header', 'none');
  g.setAttribute('grid-template-columns', columns);
  g.setAttribute('aria-label', label);
  return g;
}

export function gridRow(header: boolean): HTMLElement {
  const r = document.createElement('vscode-data-grid-row');
  if (header) r.setAttribute('row-type', 'sticky-header');
  return r;
}

export function gridCell(column: number, header: boolean, content: string | Node): HTMLElement {
  const c = document.createElement('vscode-data-grid-cell');
  c.setAttribute('grid-column', String(column));
  if (header) c.setAttribute('cell-type', 'columnheader');
  c.append(content);
  return c;
}
