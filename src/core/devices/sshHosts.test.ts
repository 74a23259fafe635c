// The hosts the Add Device picker offers, read from real config files in a temporary home.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSshConfig, listSshHosts } from './sshHosts';
import { destinationProblem } from './destination';

function home(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-hosts-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

test('concrete Host aliases in file order; patterns and negations are rules, not hosts', (t) => {
  const h = home({
    '.ssh/config': [
      '# my machines',
      'Host *',
      '  ServerAliveInterval 30',
      'Host pi jetson   # two aliases on one line',
      '  HostName 192.168.1.20',
      '  User pi',
      'host=gpu-server',
      '  hostname = gpu.example.com',
      '  PORT 2222',
      'Host !bastion *.internal web?',
      'Host "quoted alias" pi',
      '  User other',
      'Match host jetson',
      '  User ignored',
    ].join('\n'),
  });
  t.after(() => fs.rmSync(h, { recursive: true, force: true }));
  const hosts = listSshHosts(defaultSshConfig(h), { home: h });
  assert.deepEqual(hosts.map((x) => x.alias), ['pi', 'jetson', 'gpu-server', 'quoted alias']);
  const pi = hosts[0]!;
  assert.equal(pi.hostName, '192.168.1.20');
  assert.equal(pi.user, 'pi', 'the first value wins, as in ssh');
  assert.equal(hosts[1]!.user, 'pi', 'a Match block sets nothing for the hosts before it');
  assert.deepEqual({ hostName: hosts[2]!.hostName, port: hosts[2]!.port }, { hostName: 'gpu.example.com', port: '2222' });
  assert.equal(hosts[3]!.user, 'other');
  assert.equal(pi.file, path.join(h, '.ssh', 'config'));
});

test('Include follows globs relative to ~/.ssh, absolute and ~ paths, and stops on a cycle', (t) => {
  const h = home({
    '.ssh/config': 'Host main\nInclude config.d/*.conf ~/extra/ssh.conf\n',
    '.ssh/config.d/b.conf': 'Host beta\n',
    '.ssh/config.d/a.conf': 'HOST alpha\nInclude config\n',
    '.ssh/config.d/.hidden.conf': 'Host hidden\n',
    '.ssh/config.d/notes.txt': 'Host not-included\n',
    'extra/ssh.conf': 'Host extra\n',
  });
  t.after(() => fs.rmSync(h, { recursive: true, force: true }));
  const hosts = listSshHosts(defaultSshConfig(h), { home: h });
  // a.conf before b.conf (glob order), then the ~ path; a.conf's include of config (a cycle) ends
  assert.deepEqual(hosts.map((x) => x.alias), ['main', 'alpha', 'beta', 'extra']);
  assert.equal(hosts.find((x) => x.alias === 'beta')!.file, path.join(h, '.ssh', 'config.d', 'b.conf'));
});

test('a missing config lists nothing', () => {
  assert.deepEqual(listSshHosts('/nonexistent/ssh_config', { home: '/nonexistent' }), []);
});

test('destinations: aliases, user@host and ssh:// URIs pass; option-like or malformed ones are named', () => {
  for (const ok of ['pi', 'pi@raspberrypi', 'me@10.0.0.5', 'ssh://pi@raspberrypi:2222', 'ssh://host', 'ssh://u@[::1]:22']) {
    assert.equal(destinationProblem(ok), undefined, ok);
  }
  assert.match(destinationProblem('-oProxyCommand=touch x')!, /spaces|starts with "-"/);
  assert.match(destinationProblem('-oProxyCommand=x')!, /starts with "-"/);
  assert.match(destinationProblem('pi@-oX')!, /no host/);
  assert.match(destinationProblem('')!, /empty/);
  assert.match(destinationProblem('pi @host')!, /spaces/);
  assert.match(destinationProblem('ssh://pi@host:99999')!, /port/);
  assert.match(destinationProblem('ssh://pi@host/path')!, /not ssh:\/\//);
  assert.match(destinationProblem('http://host')!, /URL/);
  assert.match(destinationProblem('user@')!, /no host/);
});
