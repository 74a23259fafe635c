/**
 * One error type for everything a user can hit. `category` drives exit codes, UI actions and
 * retry decisions; `message` is a single line a user can act on, naming the file when there is one.
 */
export type ErrorCategory =
  | 'usage' // bad command line or settings (CLI exit 2)
  | 'input' // a model or data file is unreadable, malformed or mismatched
  | 'unsupported' // valid input we cannot handle (op, dtype, opset, size)
  | 'security' // refused for safety (external data outside the model folder, untrusted workspace)
  | 'runtime' // onnxruntime rejected or failed on a model
  | 'device' // a device tier cannot be reached or used (ssh failed, no Node there, disk full)
  | 'crash' // the runner process died (signal, segfault)
  | 'oom' // the runner exceeded its memory cap
  | 'timeout' // a job ran past its time limit
  | 'cancelled' // the user cancelled
  | 'internal'; // a bug in the advisor

export class AdvisorError extends Error {
  override readonly name = 'AdvisorError';
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly file?: string,
    readonly details?: { exitCode?: number | null; signal?: string | null; stderrTail?: string },
  ) {
    super(oneLine(file ? `${file}: ${message}` : message));
  }

  /** Plain data for crossing a process boundary (runner frames, JSON). */
  toJSON(): SerializedError {
    return { category: this.category, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/**
 * Messages quote names read from model files; a newline or escape sequence in a node name must not
 * break the one-line contract (or forge extra lines in a terminal or log), so control characters are escaped.
 */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export interface SerializedError {
  category: ErrorCategory;
  message: string;
  details?: { exitCode?: number | null; signal?: string | null; stderrTail?: string };
}

export function isAdvisorError(e: unknown): e is AdvisorError {
  return e instanceof AdvisorError;
}

/** Wraps anything thrown into an AdvisorError without losing an existing category. */
export function toAdvisorError(e: unknown, fallback: ErrorCategory = 'internal'): AdvisorError {
  if (e instanceof AdvisorError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new AdvisorError(fallback, msg);
}

/** Rebuilds an error that crossed a process boundary. */
export function fromSerialized(s: SerializedError): AdvisorError {
  const err = new AdvisorError(s.category, s.message, undefined, s.details);
  return err;
}

/**
 * Errors that end a whole run — the user stopped it, or the runner died, ran out of memory or time —
 * as opposed to one operator that could not be built (a warning, and the run goes on).
 */
export function endsRun(e: AdvisorError): boolean {
  return e.category === 'cancelled' || e.category === 'crash' || e.category === 'oom' || e.category === 'timeout';
}

/** The first non-empty line of an error's message (native libraries append stack-like detail). */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}
