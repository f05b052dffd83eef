// The command line as a user meets it: help, version, usage errors (exit 2, one line), runtime failures
// (exit 1 with the fix), a non-root user, captures that are missing or not captures, a kernel without
// accounting. Runs the built CLI (dist/lib/cli.js) as a child process.
import t, { type Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNetns, needRootAnd } from '../helpers/netns.js';
import { NOBODY, unprivilegedCli } from '../helpers/unprivileged.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
const golden = join(root, 'test/fixtures/golden/once-mixed.pcap');
const quiet = ['-n', '--no-geoip', '--no-services', '--no-processes'];
// `env -i`: tap instruments spawned children through NODE_OPTIONS, which writes into .tap/ (not for another uid).
// `cli` picks another copy of the CLI (the unprivileged user's).
const run = (args: string[], opts: { uid?: number; gid?: number; cli?: string } = {}) =>
  spawnSync('env', ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'HOME=/tmp', process.execPath, opts.cli ?? cli, ...args], { encoding: 'utf8', timeout: 30_000, uid: opts.uid, gid: opts.gid });
// The unprivileged user runs a readable copy: the checkout may sit in a folder only root can enter (issue 10).
const nobody = unprivilegedCli(t, root);
/** Options that run the CLI as the unprivileged user, or as this user when that cannot be arranged. */
const asNobody = typeof nobody === 'string' ? {} : { ...NOBODY, cli: nobody.cli };

t.before(() => {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
});

t.test('--help and --version exit 0', async (t) => {
  const h = run(['--help']);
  t.equal(h.status, 0);
  t.match(h.stdout, /--once/);
  t.match(h.stdout, /CC BY 4\.0/, 'the embedded ASN data is credited');
  t.match(h.stdout, /--wide/);
  for (const word of ['fwd:', 'loc:', 'fwdS', 'U unreplied', '8/0', '#77', '0x10', 'not known yet', 'not measured']) t.ok(h.stdout.includes(word), `the legend explains ${word}`);
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

t.test('malformed and out-of-range values exit 2 with one line of reason', async (t) => {
  const bad = [
    ['--zone', '70000'], ['--zone', '65536'], ['--zone', ''], ['--zone', '1.5'],
    ['--mark', '0x10/'], ['--mark', '/'], ['--mark', '/0xff'], ['--mark', '1/2/3'], ['--mark', '0x100000000'], ['--mark', ' 1'],
    ['-d', '3000000'], ['-d', '86401'], ['-d', ''], ['-d', ' '], ['-d', '0x'], ['-d', '0x10'], ['-d', 'Infinity'], ['--interval', '1e9'],
    ['--linger', '1e7'], ['--linger', '0'],
    ['--rcvbuf', '99999999999'], ['--rcvbuf', ''], ['--rcvbuf', '0'], ['--rcvbuf', '1e6'],
    ['--iterations', '1.5'], ['--iterations', ''], ['--iterations', '-1'], ['--iterations', '0x10'],
    ['--speed', '1e-9'], ['--speed', 'Infinity'], ['--speed', ''],
    ['--replay', ''], ['--record', ''],
  ];
  for (const args of bad) {
    const r = run(args);
    t.equal(r.status, 2, `${JSON.stringify(args)} exits 2`);
    t.match(r.stderr, /^conntop: .+\nTry 'conntop --help'\.\n$/, 'one line of reason and a hint');
  }
});

t.test('conflicting or ignored options exit 2 with one line of reason', async (t) => {
  for (const args of [
    ['--once', '--events'], ['--once', '-b'], ['--once', '--json', '--record', 'x.pcap', '--replay', 'y.pcap'],
    ['--once', '--speed', '2'], ['--events', '--speed', 'max'], ['--once', '--enrich'],
    ['--once', '--iterations', '1'], ['--once', '-d', '2'], ['--once', '--interval', '2'], ['--events', '-d', '1', '--interval', '2'],
    ['--once', '--linger', '3'], ['--events', '--linger', '3'], ['--once', '--rcvbuf', '4096'], ['--events', '--replay', 'y.pcap', '--rcvbuf', '4096'],
    ['--events', '--replay', 'y.pcap', '--zone', '1'], ['--once', '--replay', 'y.pcap', '--mark', '1'],
    ['--once', '--geoip-dir', '/tmp', '--no-geoip'], ['--once', '--json', '--wide'], ['--events', '--wide'],
  ]) {
    const r = run(args);
    t.equal(r.status, 2, `${args.join(' ')} exits 2`);
    t.equal(r.stdout, '', 'nothing on stdout');
    t.match(r.stderr, /^conntop: .+\nTry 'conntop --help'\.\n$/, 'one line of reason and a hint');
  }
});

t.test('the limits themselves are accepted', async (t) => {
  const r = run(['--events', '--replay', golden, '--speed', 'max', '-d', '86400', '--iterations', '0', ...quiet]);
  t.equal(r.status, 0, r.stderr);
  const s = run(['--events', '--replay', golden, '--speed', '10000', '--iterations', '0', ...quiet]);
  t.equal(s.status, 0, s.stderr);
});

/** Runs the CLI with stdout on a FIFO whose reader has already gone, so its first write fails with EPIPE. */
function runIntoClosedPipe(t: Test, args: string[]) {
  const fifo = join(t.testdir({}), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, 'w'); // does not block: a reader exists
  closeSync(reader);
  try {
    return spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', writer, 'pipe'], encoding: 'utf8', timeout: 30_000 });
  } finally {
    closeSync(writer);
  }
}

/** Runs the CLI with stdout on /dev/full: every write fails with ENOSPC. */
function runIntoFullDevice(args: string[]) {
  const full = openSync('/dev/full', 'w');
  try {
    return spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
  } finally {
    closeSync(full);
  }
}

t.test('a closed pipe ends --help, --version and --once quietly with status 0', async (t) => {
  for (const args of [['--help'], ['--version'], ['--once', '--json', '--replay', golden], ['--once', '--replay', golden, ...quiet]]) {
    const r = runIntoClosedPipe(t, args);
    t.equal(r.status, 0, `${args.join(' ')} exits 0`);
    t.equal(r.stderr, '', 'and says nothing');
  }
});

t.test('a write error (ENOSPC on /dev/full) ends the run with one line and status 1', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async (t) => {
  for (const args of [['--help'], ['--version'], ['--once', '--json', '--replay', golden], ['--once', '--replay', golden, ...quiet]]) {
    const r = runIntoFullDevice(args);
    t.equal(r.status, 1, `${args.join(' ')} exits 1`);
    t.match(r.stderr, /^conntop: [^\n]*ENOSPC[^\n]*\n$/, 'one line that names the error');
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

/** One line on stderr, prefixed like every conntop message. */
const oneLine = /^conntop: [^\n]+\n$/;

t.test('capture files that cannot be used exit 1 with one line that says what is wrong and what to do', async (t) => {
  const dir = t.testdir({});
  const header = readFileSync(golden);
  const patched = (name: string, off: number, bytes: number[]) => {
    const b = Buffer.from(header);
    b.set(bytes, off);
    writeFileSync(join(dir, name), b);
    return join(dir, name);
  };
  const cases: [string, string[], RegExp][] = [
    ['--replay DIR', ['--once', '--replay', dir], /is a directory/],
    ['--record DIR', ['--once', '--json', '--record', dir], /is a directory.*file name/],
    ['--record into a missing folder', ['--once', '--json', '--record', join(dir, 'no/such/x.pcap')], /folder .*no\/such does not exist/],
    ['pcap version 1', ['--once', '--replay', patched('v1.pcap', 4, [1, 0])], /version 1\b/],
    ['pcapng', ['--once', '--replay', patched('ng.pcap', 0, [0x0a, 0x0d, 0x0d, 0x0a])], /pcapng.*editcap -F pcap.*tshark -F pcap/],
    ['Ethernet link type', ['--once', '--replay', patched('eth.pcap', 20, [1, 0, 0, 0])], /link type is 1\b/],
  ];
  for (const [name, args, what] of cases) {
    const r = run(args);
    t.equal(r.status, 1, `${name} exits 1`);
    t.match(r.stderr, oneLine, `${name}: one line`);
    t.match(r.stderr, what, `${name}: says what`);
    t.notMatch(r.stderr, /EISDIR|undefined|BAD_CAPTURE/, `${name}: no raw codes`);
  }
});

t.test('a --record capture that fills its disk mid-run ends the run with one line and status 1', { skip: needRootAnd('conntrack', 'mount', 'umount') }, async (t) => {
  const ns = createNetns(t, 'recfull');
  for (let i = 1; i <= 100; i++) ns.exec('conntrack', ['-I', '-s', '10.3.0.1', '-d', '10.3.0.2', '-p', 'udp', '--sport', String(i), '--dport', '53', '-t', '60']);
  const small = t.testdir({});
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', small]); // room for the header, not the dump
  t.teardown(() => { spawnSync('umount', [small]); });
  const r = ns.run(process.execPath, [cli, '--once', '--json', '--record', join(small, 'x.pcap')]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^conntop: [^\n]*ENOSPC[^\n]*\n$/, 'one line that names the error, no stack');
});

t.test('a capture cut mid-record replays what comes before the cut, with a warning, status 0', async (t) => {
  const dir = t.testdir({});
  const whole = readFileSync(join(root, 'test/fixtures/golden/events-lifecycle.pcap'));
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 7));
  const full = run(['--events', '--replay', join(root, 'test/fixtures/golden/events-lifecycle.pcap'), '--speed', 'max', ...quiet]);
  const r = run(['--events', '--replay', cut, '--speed', 'max', ...quiet]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /^conntop: note: [^\n]*middle of a record[^\n]*\n$/, 'one line that says so');
  t.ok(r.stdout.split('\n').length > 5, 'the records before the cut were used');
  t.equal(full.stderr, '', 'the whole capture replays without a warning');
});

t.test('a user without CAP_NET_ADMIN is told to run as root or grant the capability', { skip: typeof nobody === 'string' ? nobody : false }, async (t) => {
  const r = run(['--once'], asNobody);
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
  if (typeof nobody === 'string') t.comment(`replayed as this user: ${nobody}`);
  const replay = run(['--once', '--json', '--replay', typeof nobody === 'string' ? file : nobody.readable(file)], asNobody);
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
  const families = new Set(decodePcap(readFileSync(file)).records.map((r) => r.family));
  t.same([...families].sort((a, b) => a - b), [4, 12], 'ctnetlink and sock_diag datagrams are both in the capture');
});
