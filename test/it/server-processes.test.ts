// Real kernel, in throw-away network namespaces: `conntopd --share-processes` sends the process behind each
// flow's local end, and `conntop -c HOST --once --json --enrich` prints it in `enrich.process` as a local run
// would; without the flag no process information leaves the server (not in the client's output, not on the
// wire). Socket owners are proc-peers.mjs children whose PIDs are known. Deadlines only bound a failure.
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { startPeer, withDeadline, type Endpoint } from '../helpers/proc-peer.js';
import { helloLine, until } from '../helpers/serve-harness.js';

const skip = needRootAnd('conntrack', 'nft');
const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));
const CONNTOPD = fileURLToPath(new URL('../../dist/lib/conntopd.js', import.meta.url));
const PORT = 55555; // a namespace of our own: the default port is free

interface Line { orig: { src: string; dst: string; sport?: number; dport?: number }; protoNum: number; enrich?: { process?: { kind: string; pid?: number; cmdline?: string } | null } }

function trackLoopback(ns: Netns): void {
  ns.exec('nft', ['-f', '-'], { input: 'table inet conntop_it {\n  chain out { type filter hook output priority 0; ct state new,established counter; }\n}\n' });
}

async function startServer(t: Test, ns: Netns, args: string[]): Promise<void> {
  const d = ns.spawn(process.execPath, [CONNTOPD, '-p', String(PORT), '-d', '0.3', ...args]);
  t.teardown(() => { d.kill('SIGKILL'); });
  let err = '';
  d.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await until(() => /listening on 127\.0\.0\.1/.test(err), `conntopd to listen (${err})`, 15000);
}

/** `conntop -c 127.0.0.1:PORT --once --json --enrich -n --no-geoip` in `ns`: its flow lines. */
async function remoteOnce(ns: Netns): Promise<Line[]> {
  const child = ns.spawn(process.execPath, [CLI, '-c', `127.0.0.1:${PORT}`, '--once', '--json', '--enrich', '-n', '--no-geoip']);
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const code = await withDeadline(new Promise<number | null>((res) => child.once('exit', res)), 'conntop -c --once');
  if (code !== 0) throw new Error(`conntop exited ${code}: ${err}`);
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

/** A TCP client and server on loopback in `ns`: the client's PID and its connection's ends. */
async function tcpPair(t: Test, ns: Netns): Promise<{ pid: number; e: Endpoint }> {
  const server = startPeer(ns, 'tcp-server', '127.0.0.1:0');
  const [l] = await server.waitFor<Array<{ port: number }>>('listening');
  const client = startPeer(ns, 'tcp-client', '127.0.0.1', l.port);
  const e = await client.waitFor<Endpoint>('connected');
  await server.waitFor<Endpoint>('accepted', (a) => a.remotePort === e.localPort);
  t.teardown(() => { client.child.kill('SIGKILL'); server.child.kill('SIGKILL'); });
  return { pid: client.pid, e };
}

/** What a raw client offering `processes` receives in `ns` up to its snapshot's end (the wire's text). */
async function rawSnapshot(ns: Netns): Promise<string> {
  const raw = ns.spawn(process.execPath, ['-e', `
    const s = require('node:net').connect(${PORT}, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => { buf += d; if (/snapshot-end/.test(buf)) { process.stdout.write(buf); process.exit(0); } });
    s.write(${JSON.stringify(helloLine({ capabilities: ['processes'] }))});
  `]);
  let out = '';
  raw.stdout!.on('data', (d: Buffer) => (out += d));
  await withDeadline(new Promise((r) => raw.once('exit', r)), 'a raw client\'s snapshot');
  return out;
}

t.test('--share-processes: the client prints the server\'s process of each flow', { skip }, async (t) => {
  const ns = createNetns(t, 'srvproc');
  trackLoopback(ns);
  const { pid, e } = await tcpPair(t, ns);
  await startServer(t, ns, ['--share-processes']);
  const flows = await remoteOnce(ns);
  const f = flows.find((l) => l.protoNum === 6 && l.orig.sport === e.localPort && l.orig.dport === e.remotePort);
  if (!t.ok(f, 'the peers\' connection is listed')) return;
  t.match(f!.enrich?.process, { kind: 'process', pid, name: 'node' }, `credited to the client's PID ${pid}, found on the server`);
  t.match(f!.enrich?.process?.cmdline ?? '', /proc-peers\.mjs/, 'with its command line');
  // The raw wire: a client that offers `processes` is told the server shares them.
  const out = await rawSnapshot(ns);
  const hello = out.split('\n').map((l) => JSON.parse(l || '{}') as { type?: string; capabilities?: string[] }).find((m) => m.type === 'hello');
  t.ok(hello?.capabilities?.includes('processes'), 'the hello offers the processes capability');
  t.match(out, /"process":\{"kind":"process","pid":/, 'and the snapshot carries processes');
});

t.test('without --share-processes no process information leaves the server', { skip }, async (t) => {
  const ns = createNetns(t, 'srvnoproc');
  trackLoopback(ns);
  const { e } = await tcpPair(t, ns);
  await startServer(t, ns, []);
  const flows = await remoteOnce(ns);
  const f = flows.find((l) => l.protoNum === 6 && l.orig.sport === e.localPort && l.orig.dport === e.remotePort);
  t.ok(f, 'the peers\' connection is listed');
  t.same(flows.filter((l) => l.enrich?.process !== undefined), [], 'no flow carries a process');
  const out = await rawSnapshot(ns);
  t.match(out, /snapshot-end/, 'the raw client got its snapshot');
  t.notMatch(out, /"process"|"pid"|cmdline/, 'with no process, PID or command line on the wire, even when asked');
});
