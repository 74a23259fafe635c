/**
 * A real SSH device on this machine, for tests and benchmarks of device tiers (issue 17).
 *
 * `startSshDevice()` runs the system's `/usr/sbin/sshd` (own host key, key auth only) in its own mount
 * namespace, where the device user's passwd home, /tmp and the repository are replaced, so the device
 * shares nothing with this machine but the OS and /usr/bin/node. Shaped devices also get a network
 * namespace behind a veth pair with `tc tbf` on both ends (link rate) and cgroup v1 `cpu`/`cpuset` limits
 * (a fraction of one pinned core). Clients reach it with the system `ssh -F device.sshConfig <alias>`,
 * host-key checking on. Needs root; `sshDeviceUnavailable()` says why not otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshDeviceOptions {
  /** CPU time in cores, e.g. 0.5: a CFS quota over a 2 ms period (short, or medians hide the throttling). */
  cpuQuota?: number;
  /** The one core (cpuset) the device runs on. */
  pinCpu?: number;
  /** Link rate in Mbit/s, both directions: tbf on both ends of a veth into a network namespace. */
  mbit?: number;
  /** Size of the device user's home in MiB (a tmpfs), for disk-full faults. Default: this machine's disk. */
  diskMB?: number;
  /** Folders of this machine the device must not see (tmpfs over them). Default: the folder holding the repository. */
  hide?: string[];
}

export interface SshResult { code: number | null; stdout: Buffer; stderr: string; ms: number }

export interface SshDevice {
  /** The device's alias in `sshConfig`. */
  host: 'advisor-device';
  /** An alias whose packets are silently dropped (connect hangs until ConnectTimeout). */
  unreachableHost: 'advisor-unreachable';
  /** An alias whose port refuses connections. */
  refusedHost: 'advisor-refused';
  /** An `ssh -F` file with the aliases above. */
  sshConfig: string;
  /** The device user's HOME as seen from this machine (where ~/.cache/edge-advisor lands). */
  home: string;
  /** The device's /tmp as seen from this machine. */
  tmp: string;
  /** Address and port sshd listens on. */
  address: string;
  port: number;
  /** Processes running inside the device (its cgroup and sshd's descendants), sshd's own excluded: "pid cmdline". */
  processes(): string[];
  /** Runs `ssh -F sshConfig -o BatchMode=yes <alias> <command>` with optional stdin. */
  ssh(command: string, opts?: { input?: Buffer | string; alias?: string; sshOptions?: string[]; timeoutMs?: number }): Promise<SshResult>;
  /** The device dies (power loss): every process of it, sshd included, SIGKILLed. stop() still cleans up. */
  kill(): void;
  /** Shaped devices only: the device's end of the link goes down (false) or comes back (true). Packets are
   *  dropped silently, so open connections stall and new ones time out, as when a device leaves the network. */
  setLink(up: boolean): void;
  /** Kills sshd and everything under it; removes namespaces, cgroups and files. Safe to call twice. */
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const PREFIX = 'advisor-device-';
const CGROUP_ROOT = '/sys/fs/cgroup';
const REPO_ROOT = path.resolve(__dirname, '../..');
/** Folders the device needs from this machine; never hidden. */
const SYSTEM_DIRS = ['/', '/usr', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/mnt', '/run', '/proc', '/sys', '/dev', '/var'];

function which(cmd: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (fs.existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

/** Why a device cannot be started here (a skip reason), or undefined when it can. */
export function sshDeviceUnavailable(opts: SshDeviceOptions = {}): string | undefined {
  if (process.platform !== 'linux') return 'SSH devices need Linux (namespaces, cgroups)';
  if (process.getuid?.() !== 0) return 'SSH devices need root (sshd for a test user, mount namespaces, cgroups)';
  if (!fs.existsSync(SSHD)) return `no ${SSHD} (apt-get install openssh-server)`;
  for (const cmd of ['ssh', 'ssh-keygen', 'unshare', 'mount']) if (!which(cmd)) return `no ${cmd} on this machine`;
  if (spawnSync('getent', ['passwd', 'sshd']).status !== 0) return 'no "sshd" privilege-separation user (apt-get install openssh-server)';
  if (opts.mbit !== undefined && (!which('ip') || !which('tc'))) return 'no ip/tc for a shaped link (apt-get install iproute2)';
  if (opts.cpuQuota !== undefined && !fs.existsSync(path.join(CGROUP_ROOT, 'cpu', 'cpu.cfs_quota_us'))) return 'no cgroup v1 cpu controller for a CPU quota';
  if (opts.pinCpu !== undefined && !fs.existsSync(path.join(CGROUP_ROOT, 'cpuset', 'cpuset.cpus'))) return 'no cgroup v1 cpuset controller to pin a core';
  return undefined;
}

let counter = 0;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** pid → parent pid and comm, for every process now. */
function processTable(): Map<number, { ppid: number; comm: string }> {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue; // exited, waiting to be reaped: not running
      table.set(Number(name), { ppid: Number(fields[1]), comm });
    } catch { /* exited meanwhile */ }
  }
  return table;
}

function descendants(root: number, table = processTable()): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [pid, info] of table) if (info.ppid === p) { out.push(pid); queue.push(pid); }
  }
  return out;
}

function cgroupPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch { return []; }
}

/** SIGKILLs every process of the cgroups (and their stragglers) until they are empty, then removes them. */
function removeCgroups(dirs: string[]): void {
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (let i = 0; i < 200; i++) {
      const pids = cgroupPids(dir);
      if (pids.length === 0) break;
      for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      spawnSync('sleep', ['0.01']);
    }
    try { fs.rmdirSync(dir); } catch { /* still busy: reported by the caller's checks */ }
  }
}

/** Leftovers of a test process that died without stop() (SIGKILL, crash): its pid is in every name. */
function sweepLeftovers(): void {
  const dead = (name: string) => {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  };
  for (const ctl of ['pids', 'cpu', 'cpuset']) {
    const root = path.join(CGROUP_ROOT, ctl);
    try { removeCgroups(fs.readdirSync(root).filter(dead).map((n) => path.join(root, n))); } catch { /* no such controller */ }
  }
  try { for (const ns of fs.readdirSync('/run/netns').filter(dead)) spawnSync('ip', ['netns', 'del', ns]); } catch { /* no netns */ }
  try {
    for (const d of fs.readdirSync(os.tmpdir()).filter(dead)) {
      spawnSync('umount', ['-l', path.join(os.tmpdir(), d, 'device', 'home')], { stdio: 'ignore' }); // diskMB's tmpfs
      fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
    }
  } catch { /* unreadable tmp */ }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)); });
  });
}

/** A TCP port that accepts and never speaks: ssh waits for the banner until ConnectTimeout, like a hung host. */
function silentListener(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => { sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); });
    server.once('error', reject);
    server.on('close', () => undefined);
    const close = server.close.bind(server);
    server.close = (cb) => { for (const s of sockets) s.destroy(); return close(cb); };
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

/** A private /29 nobody here uses: .1 this machine, .2 the device, .6 routed into the device and dropped there. */
function freeSubnet(): string {
  const used = run('ip', ['-4', '-o', 'addr']) + run('ip', ['-4', 'route']);
  for (let i = 0; i < 100; i++) {
    const base = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.${8 * Math.floor(Math.random() * 32)}`;
    const prefix = base.split('.').slice(0, 3).join('.') + '.';
    if (!used.includes(prefix)) return base;
  }
  throw new Error('no free 10.x private subnet for the device link');
}

function addr(base: string, n: number): string {
  const p = base.split('.').map(Number);
  return `${p[0]}.${p[1]}.${p[2]}.${p[3] + n}`;
}

interface Resources { state: string; cgroups: string[]; netns?: string; vethHost?: string; silent?: net.Server; sshd?: ChildProcess; tmpfs?: string }

function cleanupSync(r: Resources): void {
  if (r.sshd?.pid !== undefined && r.sshd.exitCode === null && r.sshd.signalCode === null) {
    for (const pid of [r.sshd.pid, ...descendants(r.sshd.pid)]) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  removeCgroups(r.cgroups);
  if (r.netns) spawnSync('ip', ['netns', 'del', r.netns]);
  if (r.vethHost) spawnSync('ip', ['link', 'del', r.vethHost], { stdio: 'ignore' }); // gone with the netns, normally
  r.silent?.close();
  if (r.tmpfs) spawnSync('umount', ['-l', r.tmpfs]);
  fs.rmSync(r.state, { recursive: true, force: true });
}

/** Starts a device: see the file comment. Call `stop()` in `after`, also when a test fails. */
export async function startSshDevice(opts: SshDeviceOptions = {}): Promise<SshDevice> {
  const reason = sshDeviceUnavailable(opts);
  if (reason) throw new Error(`cannot start an SSH device: ${reason}`);
  sweepLeftovers();
  const id = `${PREFIX}${process.pid}-${++counter}`;
  const r: Resources = { state: fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`)), cgroups: [] };
  const onExit = () => cleanupSync(r);
  process.once('exit', onExit);
  try {
    return await start(id, r, opts, onExit);
  } catch (e) {
    process.removeListener('exit', onExit);
    cleanupSync(r);
    throw e;
  }
}

async function start(id: string, r: Resources, opts: SshDeviceOptions, onExit: () => void): Promise<SshDevice> {
  const user = os.userInfo();
  const dev = path.join(r.state, 'device'); // bound to /mnt inside the device
  const client = path.join(r.state, 'client'); // never visible to the device
  for (const d of ['sshd', 'home', 'tmp']) fs.mkdirSync(path.join(dev, d), { recursive: true, mode: 0o700 });
  fs.mkdirSync(client, { mode: 0o700 });
  fs.chmodSync(path.join(dev, 'tmp'), 0o1777);
  if (opts.diskMB !== undefined) {
    r.tmpfs = path.join(dev, 'home');
    run('mount', ['-t', 'tmpfs', '-o', `size=${opts.diskMB}m,mode=700`, 'advisor-device-home', r.tmpfs]);
  }
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'advisor-device host key', '-f', path.join(dev, 'sshd', 'host_key')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'advisor-device client key', '-f', path.join(client, 'id_ed25519')]);
  fs.copyFileSync(path.join(client, 'id_ed25519.pub'), path.join(dev, 'sshd', 'authorized_keys'));
  fs.chmodSync(path.join(dev, 'sshd', 'authorized_keys'), 0o600);

  // Network: loopback, or a shaped veth into a namespace of its own.
  let address = '127.0.0.1';
  let port: number;
  let unreachable: { address: string; port: number };
  let netnsExec: string[] = [];
  let vethDev: string | undefined;
  if (opts.mbit !== undefined) {
    const base = freeSubnet();
    const short = `${process.pid.toString(36)}${counter.toString(36)}`;
    r.netns = id;
    run('ip', ['netns', 'add', id]);
    r.vethHost = `adv${short}h`;
    vethDev = `adv${short}d`;
    run('ip', ['link', 'add', r.vethHost, 'type', 'veth', 'peer', 'name', vethDev]);
    run('ip', ['link', 'set', vethDev, 'netns', id]);
    run('ip', ['addr', 'add', `${addr(base, 1)}/29`, 'dev', r.vethHost]);
    run('ip', ['link', 'set', r.vethHost, 'up']);
    run('ip', ['-n', id, 'addr', 'add', `${addr(base, 2)}/29`, 'dev', vethDev]);
    run('ip', ['-n', id, 'link', 'set', vethDev, 'up']);
    run('ip', ['-n', id, 'link', 'set', 'lo', 'up']);
    // Routed to the device, which does not forward: dropped without an ICMP reply, so connect() hangs.
    run('ip', ['route', 'add', `${addr(base, 6)}/32`, 'via', addr(base, 2), 'dev', r.vethHost]);
    // Burst: ~4 ms at the rate, at least a few frames; the queue holds 50 ms.
    const burst = Math.max(16 * 1024, Math.ceil((opts.mbit * 1e6) / 8 / 250));
    const tbf = ['root', 'tbf', 'rate', `${opts.mbit}mbit`, 'burst', String(burst), 'latency', '50ms'];
    run('tc', ['qdisc', 'add', 'dev', r.vethHost, ...tbf]);
    run('ip', ['netns', 'exec', id, 'tc', 'qdisc', 'add', 'dev', vethDev, ...tbf]);
    address = addr(base, 2);
    port = 22;
    unreachable = { address: addr(base, 6), port: 22 };
    netnsExec = ['ip', 'netns', 'exec', id];
  } else {
    port = await freePort(address);
    const silent = await silentListener();
    r.silent = silent.server;
    unreachable = { address: '127.0.0.1', port: silent.port };
  }
  const refusedPort = await freePort('127.0.0.1');

  // cgroups: pids to find every process of the device (daemons included), cpu and cpuset to slow it.
  const cg = (ctl: string) => { const d = path.join(CGROUP_ROOT, ctl, id); fs.mkdirSync(d); r.cgroups.push(d); return d; };
  if (fs.existsSync(path.join(CGROUP_ROOT, 'pids', 'cgroup.procs'))) cg('pids');
  if (opts.cpuQuota !== undefined) {
    if (!(opts.cpuQuota > 0)) throw new Error(`cpuQuota must be > 0 cores, got ${opts.cpuQuota}`);
    const d = cg('cpu');
    const period = Math.max(2000, Math.ceil(1000 / opts.cpuQuota)); // the kernel's least quota is 1 ms
    fs.writeFileSync(path.join(d, 'cpu.cfs_period_us'), String(period));
    fs.writeFileSync(path.join(d, 'cpu.cfs_quota_us'), String(Math.round(opts.cpuQuota * period)));
  }
  if (opts.pinCpu !== undefined) {
    const d = cg('cpuset');
    const parent = path.join(CGROUP_ROOT, 'cpuset');
    fs.writeFileSync(path.join(d, 'cpuset.cpus'), String(opts.pinCpu));
    fs.writeFileSync(path.join(d, 'cpuset.mems'), fs.readFileSync(path.join(parent, 'cpuset.mems'), 'utf8').trim());
  }

  const sshdConfig = [
    `ListenAddress ${address}:${port}`,
    'HostKey /mnt/sshd/host_key',
    'AuthorizedKeysFile /mnt/sshd/authorized_keys',
    'AuthenticationMethods publickey',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${user.username}`,
    'UsePAM no',
    'StrictModes yes',
    'PidFile none',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxStartups 64', // tests open connections in parallel
    'MaxSessions 64',
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(dev, 'sshd', 'sshd_config'), sshdConfig);

  // Inside the device: its folder at /mnt, the hidden folders emptied, then its home and /tmp bound over.
  const hide = (opts.hide ?? [path.dirname(REPO_ROOT) === '/' ? REPO_ROOT : path.dirname(REPO_ROOT)])
    .concat(os.tmpdir() === '/tmp' ? [] : [os.tmpdir()]).map((p) => path.resolve(p));
  for (const h of hide) {
    if (SYSTEM_DIRS.some((s) => s === h || s.startsWith(h + '/'))) throw new Error(`cannot hide ${h}: the device needs it`);
  }
  const inner = [
    'set -e',
    `mount --rbind ${sh(dev)} /mnt`, // recursive: a size-limited home is a mount of its own
    ...hide.filter((h) => fs.existsSync(h)).map((h) => `mount -t tmpfs -o mode=755,size=16m advisor-hidden ${sh(h)}`),
    `mkdir -p ${sh(user.homedir)}`,
    `mount --bind /mnt/home ${sh(user.homedir)}`,
    'mount --bind /mnt/tmp /tmp',
    `exec ${SSHD} -D -e -f /mnt/sshd/sshd_config`,
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(r.state, 'inner.sh'), inner);
  // Joins the cgroups before anything else runs; `ip netns exec` remounts /sys, so it happens out here.
  const outer = [
    'set -e',
    ...r.cgroups.map((d) => `echo $$ > ${sh(path.join(d, 'cgroup.procs'))}`),
    `exec ${[...netnsExec, 'unshare', '--mount', '--propagation', 'private', 'sh', path.join(r.state, 'inner.sh')].map(sh).join(' ')}`,
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(r.state, 'outer.sh'), outer);

  const sshd = spawn('sh', [path.join(r.state, 'outer.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  r.sshd = sshd;
  let log = '';
  sshd.stderr!.setEncoding('utf8');
  sshd.stderr!.on('data', (d: string) => { log = (log + d).slice(-20_000); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s: ${log.trim()}`)), 10_000);
    const check = () => { if (/Server listening on/.test(log)) { clearTimeout(timer); resolve(); } };
    sshd.stderr!.on('data', check);
    sshd.once('exit', (code) => { clearTimeout(timer); reject(new Error(`sshd exited (${code}) at start: ${log.trim()}`)); });
  });

  // Client side: key auth with this key only, host key pinned, nothing from the user's own ssh files.
  const hostKey = fs.readFileSync(path.join(dev, 'sshd', 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHosts = path.join(client, 'known_hosts');
  fs.writeFileSync(knownHosts, `${port === 22 ? address : `[${address}]:${port}`} ${hostKey}\n`);
  const sshConfig = path.join(client, 'ssh_config');
  fs.writeFileSync(sshConfig, [
    'Host advisor-device', `  HostName ${address}`, `  Port ${port}`,
    'Host advisor-unreachable', `  HostName ${unreachable.address}`, `  Port ${unreachable.port}`,
    'Host advisor-refused', '  HostName 127.0.0.1', `  Port ${refusedPort}`,
    'Host *',
    `  User ${user.username}`,
    `  IdentityFile ${path.join(client, 'id_ed25519')}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  UpdateHostKeys no',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
  ].join('\n') + '\n');

  const sshdPid = sshd.pid!;
  const pidsCgroup = r.cgroups.find((d) => d.includes('/pids/')) ?? r.cgroups[0];
  let stopped = false;
  return {
    host: 'advisor-device',
    unreachableHost: 'advisor-unreachable',
    refusedHost: 'advisor-refused',
    sshConfig,
    home: path.join(dev, 'home'),
    tmp: path.join(dev, 'tmp'),
    address,
    port,
    processes() {
      const table = processTable();
      const pids = new Set([...(pidsCgroup ? cgroupPids(pidsCgroup) : []), ...descendants(sshdPid, table)]);
      const out: string[] = [];
      for (const pid of [...pids].sort((a, b) => a - b)) {
        const info = table.get(pid);
        if (!info || info.comm.startsWith('sshd')) continue;
        let cmd = info.comm;
        try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || cmd; } catch { /* exited */ }
        out.push(`${pid} ${cmd}`);
      }
      return out;
    },
    ssh(command, o = {}) {
      const args = ['-F', sshConfig, '-o', 'BatchMode=yes', ...(o.sshOptions ?? []), o.alias ?? 'advisor-device', command];
      return new Promise((resolve) => {
        const t0 = performance.now();
        const p = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: o.timeoutMs ?? 60_000 });
        const out: Buffer[] = [];
        let err = '';
        p.stdout.on('data', (d: Buffer) => out.push(d));
        p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
        p.stdin.on('error', () => undefined); // the remote side may not read it all
        p.stdin.end(o.input ?? '');
        p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err, ms: performance.now() - t0 }));
      });
    },
    kill() {
      // Until none is left: SIGKILL is delivered asynchronously, and a fork may race the first round.
      for (let i = 0; i < 200; i++) {
        const table = processTable();
        const pids = [sshdPid, ...descendants(sshdPid, table), ...r.cgroups.flatMap(cgroupPids)].filter((p) => table.has(p));
        if (pids.length === 0) return;
        for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        spawnSync('sleep', ['0.01']);
      }
    },
    setLink(up) {
      if (!r.netns || !vethDev) throw new Error('setLink needs a shaped device (mbit)');
      run('ip', ['-n', r.netns, 'link', 'set', vethDev, up ? 'up' : 'down']);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      // exitCode stays null when a signal ended it (kill()).
      const exited = sshd.exitCode !== null || sshd.signalCode !== null ? Promise.resolve() : new Promise<void>((res) => sshd.once('exit', () => res()));
      cleanupSync(r);
      await exited;
    },
  };
}
