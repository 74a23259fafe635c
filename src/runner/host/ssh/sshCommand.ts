/**
 * The system `ssh` client, run the way a device tier needs it: the user's own configuration, keys,
 * agent, ProxyJump and known hosts (nothing stored by us, host-key checking never switched off),
 * BatchMode so nothing ever prompts, and bounded connect and idle timeouts so nothing hangs.
 * Everything sent to the remote shell is either our own script or quoted with `shq`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from '../../../core/errors';
import type { DeviceTarget } from '../../../core/tiers/types';

/** Seconds to establish a connection; then the keep-alives notice a dead link within ~15 s. */
const CONNECT_TIMEOUT_S = 10;
const ALIVE_INTERVAL_S = 5;
const ALIVE_COUNT = 3;

/** A device for messages: the destination as the user wrote it. */
export const deviceLabel = (t: Pick<DeviceTarget, 'ssh'>): string => `ssh ${t.ssh}`;

/** Quotes one word for a POSIX shell: nothing in it is expanded or run. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * One connection per device, shared by every call for a minute (OpenSSH multiplexing): each probe,
 * model check and runner start would otherwise pay a full handshake (~1 s). Not on Windows, whose
 * OpenSSH lacks it. The sockets live in a private folder of this user.
 */
function multiplexArgs(): string[] {
  if (process.platform === 'win32') return [];
  const dir = path.join(os.tmpdir(), `edge-advisor-ssh-${os.userInfo().uid}`);
  try { fs.mkdirSync(dir, { recursive: true, mode: 0o700 }); } catch { return []; }
  return ['-o', 'ControlMaster=auto', '-o', `ControlPath=${dir}/%C`, '-o', 'ControlPersist=60'];
}

/** `ssh` arguments that run `remoteCommand` (a POSIX sh script) on the device, no terminal. */
export function sshArgs(t: Pick<DeviceTarget, 'ssh' | 'sshConfig'>, remoteCommand: string): string[] {
  return [
    ...(t.sshConfig ? ['-F', t.sshConfig] : []),
    ...multiplexArgs(),
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
    '-o', `ServerAliveInterval=${ALIVE_INTERVAL_S}`,
    '-o', `ServerAliveCountMax=${ALIVE_COUNT}`,
    '-T', '--', t.ssh,
    // the remote side runs it with the login shell's -c; sh keeps it POSIX whatever that shell is
    `exec /bin/sh -c ${shq(remoteCommand)}`,
  ];
}

export function spawnSsh(t: Pick<DeviceTarget, 'ssh' | 'sshConfig'>, remoteCommand: string): ChildProcess {
  return spawn('ssh', sshArgs(t, remoteCommand), { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
}

/**
 * What went wrong, from ssh's exit status and stderr, as one line naming the device and what to do;
 * undefined when ssh itself was fine (the remote command failed).
 */
export function sshFailure(t: Pick<DeviceTarget, 'ssh'>, code: number | null, stderr: string): AdvisorError | undefined {
  const host = deviceLabel(t);
  const err = stderr.trim();
  const said = (re: RegExp) => re.test(err);
  let cause: string | undefined;
  if (said(/Permission denied \(/)) cause = 'the key was refused (load it with ssh-add, or set IdentityFile for this host in your ssh config)';
  else if (said(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/)) cause = 'its host key is unknown or changed (connect once with ssh in a terminal to check and accept it)';
  else if (said(/Could not resolve hostname/)) cause = 'the host name does not resolve (check the destination or your ssh config)';
  else if (said(/Connection refused/)) cause = 'the connection was refused (is sshd running there, on that port?)';
  else if (said(/timed out|Timeout, server .* not responding|No route to host|Network is unreachable/)) cause = 'the device is unreachable (connection timed out)';
  else if (said(/Connection (closed|reset)|Broken pipe|client_loop: send disconnect/)) cause = 'the connection dropped';
  else if (code === 255) cause = `ssh failed: ${err.split('\n').filter(Boolean).at(-1) ?? 'exit status 255'}`;
  if (code === 127 || said(/(node|tar): (command )?not found/)) {
    cause = said(/tar: (command )?not found/) ? '`tar` is missing there (install it)' : 'Node is not installed there (install Node 18 or newer; the advisor brings everything else)';
  }
  if (said(/No space left on device/)) cause = 'it is out of disk space in ~/.cache/edge-advisor (free some space there)';
  return cause ? new AdvisorError('device', `${host}: ${cause}`) : undefined;
}

export interface SshResult { stdout: Buffer; stderr: string; code: number | null }

/**
 * Runs a script on the device and collects its output; `input` is streamed to its stdin.
 * Rejects with a device error when ssh fails or the script exits non-zero.
 */
export function sshRun(
  t: Pick<DeviceTarget, 'ssh' | 'sshConfig'>, script: string,
  opts: { input?: NodeJS.ReadableStream | Buffer; signal?: AbortSignal; timeoutMs?: number; what?: string } = {},
): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawnSsh(t, script);
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const finish = (e?: AdvisorError, r?: SshResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (e) { child.kill('SIGKILL'); reject(e); } else resolve(r!);
    };
    const onAbort = () => finish(new AdvisorError('cancelled', 'cancelled'));
    const timer = setTimeout(() => finish(new AdvisorError('device', `${deviceLabel(t)}: ${opts.what ?? 'the command'} did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`)), opts.timeoutMs ?? 60_000);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) return onAbort();
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-8192); });
    child.on('error', (e) => finish(new AdvisorError('device', `${deviceLabel(t)}: cannot run ssh (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no ssh client on this machine: install OpenSSH' : e.message})`)));
    child.on('close', (code) => {
      if (code === 0) return finish(undefined, { stdout: Buffer.concat(out), stderr: err, code });
      finish(sshFailure(t, code, err) ?? new AdvisorError('device', `${deviceLabel(t)}: ${opts.what ?? 'the command'} failed (exit ${code}): ${err.trim().split('\n').at(-1) ?? ''}`));
    });
    // a device that closes early makes writes fail: the exit status says why
    child.stdin!.on('error', () => undefined);
    if (Buffer.isBuffer(opts.input)) child.stdin!.end(opts.input);
    else if (opts.input) opts.input.pipe(child.stdin!);
    else child.stdin!.end();
  });
}
