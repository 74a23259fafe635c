/**
 * Paths that come from a webview are untrusted: resolve them only inside known roots (the
 * workspace folders and the output folder), after following symlinks, or refuse.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function within(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  // `..` as a whole first segment escapes; a name like `..x` does not
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real path of `p` if it exists and lies inside one of `roots` (symlinks resolved on both
 * sides), else null. A relative `p` is taken relative to the first root.
 */
export function resolveInside(p: string, roots: readonly string[]): string | null {
  if (roots.length === 0 || p.includes('\0')) return null;
  const abs = path.isAbsolute(p) ? path.normalize(p) : path.resolve(roots[0], p);
  let real: string;
  try { real = fs.realpathSync(abs); } catch { return null; }
  for (const r of roots) {
    let realRoot: string;
    try { realRoot = fs.realpathSync(r); } catch { continue; }
    if (within(real, realRoot)) return real;
  }
  return null;
}
