/**
 * What a device's `ssh` destination may be: an alias, `user@host` or `ssh://user@host:port`, as
 * ssh(1) takes it. Checked before it reaches a command line: a leading `-` would be read as an option.
 */

/** Why `dest` is not a destination, or undefined when it is one. */
export function destinationProblem(dest: string): string | undefined {
  if (dest.trim() === '') return 'is empty (give an alias from your SSH config, user@host or ssh://user@host:port)';
  if (/[\s\u0000-\u001f\u007f]/.test(dest)) return `"${dest}" contains spaces or control characters`;
  if (dest.startsWith('-')) return `"${dest}" starts with "-" (ssh would read it as an option)`;
  if (/^ssh:\/\//i.test(dest)) {
    // ssh://[user@]host[:port]: the only URI form ssh(1) accepts
    const m = /^ssh:\/\/(?:[^@/]+@)?(\[[0-9A-Fa-f:.]+\]|[^@/:[\]]+)(?::(\d{1,5}))?\/?$/i.exec(dest);
    if (!m || m[1]!.startsWith('-')) return `"${dest}" is not ssh://[user@]host[:port]`;
    if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `"${dest}" has port ${m[2]} (1-65535)`;
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dest)) return `"${dest}" is a URL ssh does not take (use ssh://user@host:port)`;
  const at = dest.lastIndexOf('@');
  const host = dest.slice(at + 1);
  if (at === 0 || host === '' || host.startsWith('-')) return `"${dest}" has no host (user@host)`;
  return undefined;
}
