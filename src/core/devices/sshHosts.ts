/**
 * The concrete hosts of an OpenSSH config file: what VS Code's Remote-SSH offers in its picker.
 * Only `Host` aliases a user can type are listed (patterns with `*` / `?` and negations are rules,
 * not hosts); `Include` is followed the way ssh(1) does (globs, relative to ~/.ssh).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshHost {
  /** What `ssh <alias>` takes. */
  alias: string;
  /** The block's `HostName`, `User` and `Port` when it sets them (shown beside the alias). */
  hostName?: string;
  user?: string;
  port?: string;
  /** The config file that declares it. */
  file: string;
}

/** ssh(1) refuses deeper nesting (READCONF_MAX_DEPTH); the same bound stops an Include cycle. */
const MAX_DEPTH = 16;

export function defaultSshConfig(home = os.homedir()): string {
  return path.join(home, '.ssh', 'config');
}

/**
 * Hosts of `file` (default ~/.ssh/config), in file order, each alias once. A missing or unreadable
 * file lists nothing: the picker still offers "Enter a destination…".
 */
export function listSshHosts(file = defaultSshConfig(), opts: { home?: string } = {}): SshHost[] {
  const home = opts.home ?? os.homedir();
  const out = new Map<string, SshHost>();
  readConfig(path.resolve(expandHome(file, home)), home, 0, out);
  return [...out.values()];
}

function readConfig(file: string, home: string, depth: number, out: Map<string, SshHost>): void {
  if (depth > MAX_DEPTH) return;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  // the hosts of the Host block being read; `Match` ends it (its settings are conditional)
  let block: SshHost[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = parseLine(raw);
    if (!line) continue;
    const key = line.keyword.toLowerCase();
    if (key === 'host') {
      block = [];
      for (const pattern of line.args) {
        if (/[*?]/.test(pattern) || pattern.startsWith('!')) continue;
        // ssh takes the first value of each setting: a later block only fills what is still unset
        let h = out.get(pattern);
        if (!h) out.set(pattern, (h = { alias: pattern, file }));
        block.push(h);
      }
    } else if (key === 'match') {
      block = [];
    } else if (key === 'include') {
      for (const arg of line.args) {
        const p = expandHome(arg, home);
        // relative includes of a user config are read from ~/.ssh (ssh_config(5))
        const abs = path.isAbsolute(p) ? p : path.join(home, '.ssh', p);
        for (const f of glob(abs)) readConfig(f, home, depth + 1, out);
      }
    } else if (key === 'hostname' || key === 'user' || key === 'port') {
      const field = key === 'hostname' ? 'hostName' : key;
      for (const h of block) if (h[field] === undefined && line.args[0] !== undefined) h[field] = line.args[0];
    }
  }
}

/** `Keyword args…` or `Keyword=args…`; double-quoted arguments may hold spaces; `#` starts a comment. */
function parseLine(raw: string): { keyword: string; args: string[] } | undefined {
  const s = raw.trim();
  if (s === '' || s.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(s);
  if (!m) return undefined;
  const args: string[] = [];
  const re = /"([^"]*)"|([^\s"]+)/g;
  for (let a = re.exec(m[2]!); a; a = re.exec(m[2]!)) {
    if (a[2]?.startsWith('#')) break;
    args.push(a[1] ?? a[2]!);
  }
  return { keyword: m[1]!, args };
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p;
}

/** Files matching an absolute path whose segments may hold `*`, `?` and `[…]`, sorted like glob(3). */
function glob(abs: string): string[] {
  const parts = abs.split(path.sep).filter((x) => x !== '');
  let found = [path.parse(abs).root];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      const re = segmentRegex(part);
      // like the shell, a wildcard does not match a leading dot
      for (const n of names.sort()) if (re.test(n) && (!n.startsWith('.') || part.startsWith('.'))) next.push(path.join(dir, n));
    }
    found = next;
  }
  return found.filter((f) => { try { return fs.statSync(f).isFile(); } catch { return false; } });
}

function segmentRegex(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      const body = part.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
