// Real kernel, in throw-away network namespaces: `conntop --once --json --enrich` names the process behind
// each flow's local end. Socket owners are separate child processes (test/helpers/proc-peers.mjs) whose PIDs
// are known: a TCP client, a TCP server with accepted connections, UDP senders (connected and unconnected),
// over IPv4 and IPv6, on loopback and across a veth pair. Flows injected with `conntrack -I` whose port
// matches an unrelated listener are credited to nobody, and a short-lived client is caught while it lives.
// Readiness comes from the children's stdout lines; deadlines only bound a failure, nothing times anything.
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { startPeer, withDeadline, type Endpoint } from '../helpers/proc-peer.js';

const skip = needRootAnd('conntrack', 'nft');
const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));

interface Tuple { src: string; dst: string; sport?: number; dport?: number }
interface ProcessLabel { kind: string; pid?: number; name?: string; cmdline?: string; inode?: number; uid?: number }
interface EnrichedFlow {
  protoNum: number;
  family: string;
  orig: Tuple;
  reply: Tuple;
  enrich: { dir: string; process?: ProcessLabel | null };
}

function nftCtRule(ns: Netns): void {
  // Without a ruleset that uses conntrack, loopback packets are not tracked in a namespace (ctnetlink.md §4.6).
  ns.exec('nft', ['-f', '-'], {
    input: 'table inet conntop_it {\n  chain out { type filter hook output priority 0; ct state new,established counter; }\n' +
      '  chain in { type filter hook input priority 0; ct state new,established counter; }\n}\n',
  });
}

/** One `conntop --once --json --enrich --no-geoip -n` in `ns`: the flow lines. */
async function conntopOnce(ns: Netns): Promise<EnrichedFlow[]> {
  const child = ns.spawn(process.execPath, [CLI, '--once', '--json', '--enrich', '--no-geoip', '-n']);
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const code = await withDeadline(new Promise<number | null>((res) => child.once('exit', res)), 'conntop --once');
  if (code !== 0) throw new Error(`conntop exited ${code}: ${err}`);
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EnrichedFlow);
}

/** The flow whose original direction is `src:sport → dst:dport` for protocol `protoNum`. */
function findFlow(flows: EnrichedFlow[], protoNum: number, o: Tuple): EnrichedFlow | undefined {
  return flows.find((f) => f.protoNum === protoNum && f.orig.src === o.src && f.orig.dst === o.dst && f.orig.sport === o.sport && f.orig.dport === o.dport);
}

/** Asserts the flow exists and is credited to `pid`. */
function assertPid(t: Test, flows: EnrichedFlow[], protoNum: number, o: Tuple, pid: number, dir: string, what: string): void {
  const f = findFlow(flows, protoNum, o);
  if (!t.ok(f, `${what}: flow ${o.src}:${o.sport} → ${o.dst}:${o.dport} listed`)) return;
  t.equal(f!.enrich.dir, dir, `${what}: direction`);
  t.match(f!.enrich.process, { kind: 'process', pid, name: 'node' }, `${what}: credited to PID ${pid}`);
  t.match(f!.enrich.process?.cmdline ?? '', /proc-peers\.mjs/, `${what}: cmdline is the peer's`);
}

const TCP = 6, UDP = 17;

/**
 * Two namespaces joined by a veth pair: A = 10.7.0.1 / fd00::1 (where conntop runs), B = 10.7.0.2 / fd00::2.
 * Both track their traffic.
 */
function vethPair(t: Test, purpose: string): { a: Netns; b: Netns } {
  const a = createNetns(t, `${purpose}a`);
  const b = createNetns(t, `${purpose}b`);
  a.exec('ip', ['link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name]);
  for (const [ns, dev, v4, v6] of [[a, 'va', '10.7.0.1/24', 'fd00::1/64'], [b, 'vb', '10.7.0.2/24', 'fd00::2/64']] as const) {
    ns.exec('ip', ['addr', 'add', v4, 'dev', dev]);
    ns.exec('ip', ['addr', 'add', v6, 'dev', dev, 'nodad']);
    ns.exec('ip', ['link', 'set', dev, 'up']);
    nftCtRule(ns);
  }
  return { a, b };
}

t.test('loopback in one namespace: TCP and UDP, IPv4 and IPv6, credited to the client end', { skip }, async (t) => {
  const ns = createNetns(t, 'proclo');
  nftCtRule(ns);
  const server = startPeer(ns, 'tcp-server', '127.0.0.1:0', '[::1]:0');
  const [l4, l6] = await server.waitFor<Array<{ host: string; port: number }>>('listening');
  const c4 = startPeer(ns, 'tcp-client', '127.0.0.1', l4.port);
  const c6 = startPeer(ns, 'tcp-client', '::1', l6.port);
  const recv4 = startPeer(ns, 'udp-recv', '127.0.0.1', 0);
  const recv6 = startPeer(ns, 'udp-recv', '::1', 0);
  const r4 = await recv4.waitFor<{ port: number }>('bound');
  const r6 = await recv6.waitFor<{ port: number }>('bound');
  const senders = [
    { peer: startPeer(ns, 'udp-send', '127.0.0.1', r4.port, 'connected'), src: '127.0.0.1', dst: '127.0.0.1', dport: r4.port },
    { peer: startPeer(ns, 'udp-send', '127.0.0.1', r4.port, 'unconnected'), src: '127.0.0.1', dst: '127.0.0.1', dport: r4.port },
    { peer: startPeer(ns, 'udp-send', '::1', r6.port, 'connected'), src: '::1', dst: '::1', dport: r6.port },
    { peer: startPeer(ns, 'udp-send', '::1', r6.port, 'unconnected'), src: '::1', dst: '::1', dport: r6.port },
  ];
  const e4 = await c4.waitFor<Endpoint>('connected');
  const e6 = await c6.waitFor<Endpoint>('connected');
  await server.waitFor<Endpoint>('accepted', (a) => a.remotePort === e4.localPort);
  await server.waitFor<Endpoint>('accepted', (a) => a.remotePort === e6.localPort);
  const sent = await Promise.all(senders.map((s) => s.peer.waitFor<{ localPort: number }>('sent')));
  // Every sender's datagram has reached its receiver, so every conntrack entry exists.
  await Promise.all(senders.map((s, i) => (s.dst === '::1' ? recv6 : recv4).waitFor<Endpoint>('received', (r) => r.remotePort === sent[i].localPort)));

  const flows = await conntopOnce(ns);
  // On loopback conntrack holds one entry per connection and both ends are local: the client's is named.
  assertPid(t, flows, TCP, { src: '127.0.0.1', sport: e4.localPort, dst: '127.0.0.1', dport: l4.port }, c4.pid, 'local', 'TCP/IPv4 client');
  assertPid(t, flows, TCP, { src: '::1', sport: e6.localPort, dst: '::1', dport: l6.port }, c6.pid, 'local', 'TCP/IPv6 client');
  senders.forEach((s, i) => {
    const what = `UDP/${s.src.includes(':') ? 'IPv6' : 'IPv4'} ${i % 2 === 0 ? 'connected' : 'unconnected'} sender`;
    assertPid(t, flows, UDP, { src: s.src, sport: sent[i].localPort, dst: s.dst, dport: s.dport }, s.peer.pid, 'local', what);
  });
});

t.test('across a veth pair: accepted server sockets, clients and UDP senders, IPv4 and IPv6', { skip }, async (t) => {
  const { a, b } = vethPair(t, 'procv');
  // Servers on both sides; clients on the other side of each.
  const srvA = startPeer(a, 'tcp-server', '10.7.0.1:0', '[fd00::1]:0');
  const srvB = startPeer(b, 'tcp-server', '10.7.0.2:0', '[fd00::2]:0');
  const [a4, a6] = await srvA.waitFor<Array<{ port: number }>>('listening');
  const [b4, b6] = await srvB.waitFor<Array<{ port: number }>>('listening');
  const inbound = [
    { peer: startPeer(b, 'tcp-client', '10.7.0.1', a4.port), src: '10.7.0.2', dst: '10.7.0.1', dport: a4.port, what: 'IPv4' },
    { peer: startPeer(b, 'tcp-client', 'fd00::1', a6.port), src: 'fd00::2', dst: 'fd00::1', dport: a6.port, what: 'IPv6' },
  ];
  const outbound = [
    { peer: startPeer(a, 'tcp-client', '10.7.0.2', b4.port), src: '10.7.0.1', dst: '10.7.0.2', dport: b4.port, what: 'IPv4' },
    { peer: startPeer(a, 'tcp-client', 'fd00::2', b6.port), src: 'fd00::1', dst: 'fd00::2', dport: b6.port, what: 'IPv6' },
  ];
  const recv4 = startPeer(b, 'udp-recv', '10.7.0.2', 0);
  const recv6 = startPeer(b, 'udp-recv', 'fd00::2', 0);
  const r4 = await recv4.waitFor<{ port: number }>('bound');
  const r6 = await recv6.waitFor<{ port: number }>('bound');
  const udp = [
    { peer: startPeer(a, 'udp-send', '10.7.0.2', r4.port, 'connected'), recv: recv4, src: '10.7.0.1', dst: '10.7.0.2', dport: r4.port, what: 'IPv4 connected' },
    { peer: startPeer(a, 'udp-send', '10.7.0.2', r4.port, 'unconnected'), recv: recv4, src: '10.7.0.1', dst: '10.7.0.2', dport: r4.port, what: 'IPv4 unconnected' },
    { peer: startPeer(a, 'udp-send', 'fd00::2', r6.port, 'connected'), recv: recv6, src: 'fd00::1', dst: 'fd00::2', dport: r6.port, what: 'IPv6 connected' },
    { peer: startPeer(a, 'udp-send', 'fd00::2', r6.port, 'unconnected'), recv: recv6, src: 'fd00::1', dst: 'fd00::2', dport: r6.port, what: 'IPv6 unconnected' },
  ];
  const inEnds = await Promise.all(inbound.map((c) => c.peer.waitFor<Endpoint>('connected')));
  const outEnds = await Promise.all(outbound.map((c) => c.peer.waitFor<Endpoint>('connected')));
  // The servers have accepted: their connection sockets exist (not just a request socket).
  for (const e of inEnds) await srvA.waitFor<Endpoint>('accepted', (x) => x.remotePort === e.localPort);
  for (const e of outEnds) await srvB.waitFor<Endpoint>('accepted', (x) => x.remotePort === e.localPort);
  const sent = await Promise.all(udp.map((u) => u.peer.waitFor<{ localPort: number }>('sent')));
  await Promise.all(udp.map((u, i) => u.recv.waitFor<Endpoint>('received', (r) => r.remotePort === sent[i].localPort)));

  const inA = await conntopOnce(a);
  inbound.forEach((c, i) => assertPid(t, inA, TCP, { src: c.src, sport: inEnds[i].localPort, dst: c.dst, dport: c.dport }, srvA.pid, 'inbound',
    `A, inbound TCP/${c.what}: the server's accepted socket`));
  outbound.forEach((c, i) => assertPid(t, inA, TCP, { src: c.src, sport: outEnds[i].localPort, dst: c.dst, dport: c.dport }, c.peer.pid, 'outbound',
    `A, outbound TCP/${c.what}: the client`));
  udp.forEach((u, i) => assertPid(t, inA, UDP, { src: u.src, sport: sent[i].localPort, dst: u.dst, dport: u.dport }, u.peer.pid, 'outbound',
    `A, UDP/${u.what} sender`));

  // The same connections seen from B: the other end of each is credited to the other process.
  const inB = await conntopOnce(b);
  inbound.forEach((c, i) => assertPid(t, inB, TCP, { src: c.src, sport: inEnds[i].localPort, dst: c.dst, dport: c.dport }, c.peer.pid, 'outbound',
    `B, outbound TCP/${c.what}: the client`));
  outbound.forEach((c, i) => assertPid(t, inB, TCP, { src: c.src, sport: outEnds[i].localPort, dst: c.dst, dport: c.dport }, srvB.pid, 'inbound',
    `B, inbound TCP/${c.what}: the server's accepted socket`));
  // B's receivers are unconnected sockets bound to the receiving address: they own the inbound UDP flows.
  udp.forEach((u, i) => assertPid(t, inB, UDP, { src: u.src, sport: sent[i].localPort, dst: u.dst, dport: u.dport }, u.recv.pid, 'inbound',
    `B, UDP/${u.what}: the receiver`));
});

t.test('injected flows whose port matches an unrelated listener are credited to nobody', { skip }, async (t) => {
  const { a } = vethPair(t, 'procinj');
  // flowtop credited such flows to whoever listened on the port (peers.md, "Where it fails" 2).
  const listener = startPeer(a, 'tcp-server', '0.0.0.0:8080', '10.7.0.1:8081', '[::]:8082');
  await listener.waitFor('listening');
  const inject = (src: string, dst: string, sport: number, dport: number) =>
    a.exec('conntrack', ['-I', '-p', 'tcp', '-s', src, '-d', dst, '--sport', String(sport), '--dport', String(dport),
      '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '300']);
  const cases = [
    { o: { src: '10.7.0.1', dst: '10.7.0.2', sport: 8080, dport: 40000 }, dir: 'outbound', what: 'outbound from the wildcard listener port' },
    { o: { src: '10.7.0.2', dst: '10.7.0.1', sport: 40001, dport: 8080 }, dir: 'inbound', what: 'inbound to the wildcard listener port' },
    { o: { src: '10.7.0.2', dst: '10.7.0.1', sport: 40002, dport: 8081 }, dir: 'inbound', what: 'inbound to the address-bound listener port' },
    { o: { src: 'fd00::2', dst: 'fd00::1', sport: 40003, dport: 8082 }, dir: 'inbound', what: 'IPv6 inbound to the listener port' },
  ];
  for (const c of cases) inject(c.o.src, c.o.dst, c.o.sport, c.o.dport);
  const flows = await conntopOnce(a);
  for (const c of cases) {
    const f = findFlow(flows, TCP, c.o);
    if (!t.ok(f, `${c.what}: listed`)) continue;
    t.equal(f!.enrich.dir, c.dir, `${c.what}: direction`);
    t.same(f!.enrich.process, { kind: 'no-socket' }, `${c.what}: no socket, not the listener (PID ${listener.pid})`);
  }
});

t.test('a short-lived client is caught while it lives, and credited to nobody once gone', { skip }, async (t) => {
  const { a, b } = vethPair(t, 'procshort');
  const server = startPeer(b, 'tcp-server', '10.7.0.2:0');
  const [l] = await server.waitFor<Array<{ port: number }>>('listening');
  // The client closes and exits ~1.5 s after connecting. If conntop has not finished by then (a very slow
  // host), the attempt proves nothing and is repeated with a longer life; only a failure exhausts the tries.
  let caught: { pid: number; end: Endpoint; flows: EnrichedFlow[] } | undefined;
  for (let life = 1500; life <= 12_000 && !caught; life *= 2) {
    const client = startPeer(a, 'tcp-client', '10.7.0.2', l.port, life);
    const end = await client.waitFor<Endpoint>('connected');
    let gone = false;
    void client.exited.then(() => { gone = true; });
    const flows = await conntopOnce(a);
    if (!gone) caught = { pid: client.pid, end, flows };
    t.equal(await withDeadline(client.exited, 'the short-lived client to exit'), 0, `the client (life ${life} ms) exited by itself`);
  }
  if (!t.ok(caught, 'conntop finished while a short-lived client was alive')) return;
  const o = { src: '10.7.0.1', sport: caught!.end.localPort, dst: '10.7.0.2', dport: l.port };
  assertPid(t, caught!.flows, TCP, o, caught!.pid, 'outbound', 'short-lived client');

  // It closed first, so its end is in TIME_WAIT: a socket without a file, and no process gets the credit.
  const after = findFlow(await conntopOnce(a), TCP, o);
  if (t.ok(after, 'the closed connection is still tracked')) {
    t.not(after!.enrich.process?.kind, 'process', `not credited to any process: ${JSON.stringify(after!.enrich.process)}`);
    t.match(after!.enrich.process, { kind: /^(no-owner|no-socket)$/ });
  }
});
