// The command line as a user meets it: help, version, usage errors (exit 2, one line), runtime failures
// (exit 1 with the fix), a non-root user, captures that are missing or not captures, a kernel without
// accounting. Runs the built CLI (dist/lib/cli.js) as a child process.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNetns, isRoot, needRootAnd } from '../helpers/netns.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
// `env -i`: tap instruments spawned children through NODE_OPTIONS, which writes into .tap/ (not for another uid).
const run = (args: string[], opts: { uid?: number; gid?: number } = {}) =>
  spawnSync('env', ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'HOME=/tmp', process.execPath, cli, ...args], { encoding: 'utf8', timeout: 30_000, ...opts });

t.before(() => {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
});

t.test('--help and --version exit 0', async (t) => {
  const h = run(['--help']);
  t.equal(h.status, 0);
  t.match(h.stdout, /--once/);
  t.match(h.stdout, /CC BY 4\.0/, 'the embedded ASN data is credited');
  const v = run(['--version']);
  t.equal(v.status, 0);
  t.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

t.test('usage errors exit 2 with one line of reason', async (t) => {
  for (const args of [['--bogus'], ['--json'], ['--delay', 'abc'], ['--mark', '1/x'], ['--speed', '0'], ['--zone', '-1']]) {
    const r = run(args);
    t.equal(r.status, 2, `${args.join(' ')} exits 2`);
    t.equal(r.stdout, '', 'nothing on stdout');
    t.match(r.stderr, /^conntop: .+\nTry 'conntop --help'\.\n$/, 'one line of reason and a hint');
  }
});

t.test('replaying a missing file or a file that is not a capture exits 1 and says so', async (t) => {
  const missing = run(['--once', '--replay', join(t.testdirName, 'nope.pcap')]);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /no such file/);
  const dir = t.testdir({});
  const junk = join(dir, 'junk.pcap');
  writeFileSync(junk, 'this is not a pcap file at all');
  const bad = run(['--once', '--replay', junk]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /not a capture/);
});

t.test('a user without CAP_NET_ADMIN is told to run as root or grant the capability', { skip: isRoot() ? false : 'needs root to switch to an unprivileged user' }, async (t) => {
  const r = run(['--once'], { uid: 65534, gid: 65534 });
  t.equal(r.status, 1);
  t.match(r.stderr, /CAP_NET_ADMIN/);
  t.match(r.stderr, /root/);
});

t.test('a kernel without accounting: flows carry no counters, and the text table shows "-"', { skip: needRootAnd('ip', 'conntrack') }, async (t) => {
  const ns = createNetns(t, 'noacct');
  ns.sysctl('net.netfilter.nf_conntrack_acct', 0);
  ns.exec('conntrack', ['-I', '-s', '10.1.0.1', '-d', '10.1.0.2', '-p', 'udp', '--sport', '1', '--dport', '2', '-t', '60']);
  const json = ns.exec(process.execPath, [cli, '--once', '--json']);
  const flows = json.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(flows.length, 1);
  t.notOk('counters' in flows[0], 'no counters key when accounting was off');
  const text = ns.exec(process.execPath, [cli, '--once', '--wide', '--no-geoip', '-n', '--no-processes']);
  t.match(text, /10\.1\.0\.1 .* - +- /, 'counter columns show "-", not zeros');
  // --no-sysctl leaves accounting off and says why counters are missing.
  const ev = ns.run(process.execPath, [cli, '--events', '--no-sysctl', '--iterations', '0', '-n', '--no-geoip', '--no-processes']);
  t.equal(ev.status, 0);
  t.match(ev.stderr, /nf_conntrack_acct is 0/);
  t.match(ev.stderr, /nf_conntrack_events is 2/, 'events "auto" (a new namespace\'s default) is explained');
});

t.test('a capture records what --once saw, and replays without root', { skip: needRootAnd('ip', 'conntrack') }, async (t) => {
  const ns = createNetns(t, 'rec');
  ns.exec('conntrack', ['-I', '-s', '10.2.0.1', '-d', '10.2.0.2', '-p', 'tcp', '--sport', '5', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '60']);
  const dir = t.testdir({});
  const file = join(dir, 'once.pcap');
  const live = ns.exec(process.execPath, [cli, '--once', '--json', '--record', file]);
  execFileSync('chmod', ['a+rx', dir]);
  execFileSync('chmod', ['a+r', file]);
  const replay = run(['--once', '--json', '--replay', file], isRoot() ? { uid: 65534, gid: 65534 } : {});
  t.equal(replay.status, 0, replay.stderr);
  t.equal(replay.stdout, live, 'the replay prints exactly what the live run printed');
});

t.test('--record keeps recording through enrichment: process lookups work and their sock_diag traffic is captured', { skip: needRootAnd('ip', 'nft') }, async (t) => {
  const ns = createNetns(t, 'recproc');
  ns.exec('nft', ['add', 'table', 'inet', 't']);
  ns.exec('nft', ['add', 'chain', 'inet', 't', 'out', '{ type filter hook output priority 0 ; }']);
  ns.exec('nft', ['add', 'rule', 'inet', 't', 'out', 'ct', 'state', 'new,established', 'counter']);
  const peer = ns.spawn(process.execPath, ['-e', `
    const net = require('node:net');
    const srv = net.createServer(() => {}).listen(7071, '127.0.0.1', () => {
      const c = net.connect(7071, '127.0.0.1', () => console.log('ready'));
    });
    setTimeout(() => process.exit(0), 20000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { peer.kill('SIGKILL'); });
  await new Promise<void>((resolve) => peer.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
  const dir = t.testdir({});
  const file = join(dir, 'proc.pcap');
  const text = ns.exec(process.execPath, [cli, '--once', '--wide', '--record', file, '-n', '--no-geoip']);
  t.match(text, new RegExp(`\\b${peer.pid} node\\b`), 'the client process is shown, with its PID');
  const { decodePcap } = await import('../../netlink/pcap.js');
  const { readFileSync } = await import('node:fs');
  const families = new Set(decodePcap(readFileSync(file)).records.map((r) => r.family));
  t.same([...families].sort((a, b) => a - b), [4, 12], 'ctnetlink and sock_diag datagrams are both in the capture');
});
