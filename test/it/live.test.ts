// Real kernel, in a fresh network namespace: `conntop --events --record` follows flows made with
// `conntrack -I`/`-D` and by real loopback TCP traffic of known size; its counters equal conntrack-tools'
// for the same flow, rates are non-zero while data flows, and replaying the capture ends with the same table.
// Waits have deadlines that only bound a failure; nothing asserts how long anything took.
import t from 'tap';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { keyOf, oracle, runCli, sortedKeys, startEvents, StreamTable, type EventsChild, type StreamFlow } from '../helpers/events-child.js';

const skip = needRootAnd('conntrack', 'nft');

/** Payload the client sends; in 40 chunks 75 ms apart, so several 0.5 s refreshes see it flowing. */
const N = 400_000;
const CHUNKS = 40;

// CommonJS run with `node -e` in the namespace: a TCP server and client on 127.0.0.1. Prints JSON lines:
// {client, server} once connected, {received} once the server has all N bytes; on "close" from stdin it
// closes both ends and prints {closed: true}. The connection is otherwise left idle.
const TCP_CHILD = String.raw`
const net = require('node:net');
const [n, chunks, gap] = process.argv.slice(1).map(Number);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let received = 0, conn;
const server = net.createServer((s) => {
  conn = s;
  s.on('data', (d) => { received += d.length; if (received === n) out({ received }); });
  s.on('end', () => s.end());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    out({ client: c.localPort, server: server.address().port });
    let i = 0;
    const size = Math.ceil(n / chunks);
    const next = () => {
      const len = Math.min(size, n - i * size);
      if (len <= 0) return;
      i++;
      c.write(Buffer.alloc(len, 0x61), () => setTimeout(next, gap));
    };
    next();
  });
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    if (!d.includes('close')) return;
    c.end();
    c.on('close', () => { server.close(); out({ closed: true }); });
  });
});
`;

function nftCtRule(ns: Netns): void {
  // Without a ruleset that uses conntrack, loopback packets are not tracked in a namespace (ctnetlink.md §4.6).
  ns.exec('nft', ['-f', '-'], {
    input: 'table inet conntop_it {\n  chain out { type filter hook output priority 0; ct state new,established counter; }\n' +
      '  chain in { type filter hook input priority 0; ct state new,established counter; }\n}\n',
  });
}

/** Open flows of the stream with this original tuple. */
function byTuple(tb: StreamTable, proto: number, src: string, sport: number, dst: string, dport: number): StreamFlow[] {
  return tb.find((f) => f.protoNum === proto && f.orig.src === src && f.orig.sport === sport && f.orig.dst === dst && f.orig.dport === dport);
}

/** The stream's open table equals `conntrack -L` (by id, zone and original tuple), checked once per stats line. */
function equalsOracle(ns: Netns, ev: EventsChild): () => boolean {
  let last = -1;
  return () => {
    if (ev.table.statsLines === last) return false;
    last = ev.table.statsLines;
    const want = sortedKeys(oracle(ns));
    const got = sortedKeys(ev.table.open);
    return want.length === got.length && want.every((k, i) => k === got[i]);
  };
}

t.test('live table, counters, rates and replay', { skip }, async (t) => {
  const ns = createNetns(t, 'live');
  nftCtRule(ns);
  const dir = mkdtempSync(join(tmpdir(), 'conntop-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const capture = join(dir, 'live.pcap');

  const ev = startEvents(ns, ['--events', '-d', '0.5', '--record', capture, '--no-dns', '--no-geoip', '--no-processes']);
  await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);

  await t.test('conntrack -I and -D', async (t) => {
    ns.exec('conntrack', ['-I', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'udp', '--sport', '1111', '--dport', '2222', '-t', '300']);
    ns.exec('conntrack', ['-I', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'tcp', '--sport', '3333', '--dport', '4444',
      '--state', 'ESTABLISHED', '-t', '300']);
    await ev.waitFor('new UDP and TCP flows', () =>
      byTuple(ev.table, 17, '10.9.0.1', 1111, '10.9.0.2', 2222).length === 1 && byTuple(ev.table, 6, '10.9.0.3', 3333, '10.9.0.4', 4444).length === 1);
    const udp = byTuple(ev.table, 17, '10.9.0.1', 1111, '10.9.0.2', 2222)[0];
    const o = oracle(ns);
    t.ok(o.has(keyOf(udp)), 'same id and tuple as conntrack -L');
    t.equal(byTuple(ev.table, 6, '10.9.0.3', 3333, '10.9.0.4', 4444)[0].state, 'ESTABLISHED', 'TCP state from the kernel');
    t.ok(ev.lines.some((l) => l.event === 'new' && l.flow && keyOf(l.flow) === keyOf(udp)), 'a new line');

    ns.exec('conntrack', ['-D', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'udp', '--sport', '1111', '--dport', '2222']);
    await ev.waitFor('UDP flow gone', () => byTuple(ev.table, 17, '10.9.0.1', 1111, '10.9.0.2', 2222).length === 0);
    const d = ev.lines.find((l) => l.event === 'destroy' && l.flow && keyOf(l.flow) === keyOf(udp));
    t.equal(d?.reason, 'destroy', 'closed by its DESTROY event, not by a dump sweep');
    await ev.waitFor('table equals conntrack -L', equalsOracle(ns, ev));
  });

  await t.test('loopback TCP of known size', async (t) => {
    const child = ns.spawn(process.execPath, ['-e', TCP_CHILD, String(N), String(CHUNKS), '75'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const msgs: Record<string, number | boolean>[] = [];
    let childErr = '';
    child.stderr!.on('data', (d: Buffer) => (childErr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (l) => msgs.push(JSON.parse(l) as Record<string, number | boolean>));
    const childSays = (what: string, key: string): Promise<void> =>
      ev.waitFor(`traffic child: ${what}`, () => {
        if (child.exitCode !== null) throw new Error(`traffic child exited ${child.exitCode}: ${childErr}`);
        return msgs.some((m) => key in m);
      }, 15_000);
    await childSays('connected', 'client');
    const { client, server } = msgs.find((m) => 'client' in m) as { client: number; server: number };
    const flowOf = (): StreamFlow | undefined => byTuple(ev.table, 6, '127.0.0.1', client, '127.0.0.1', server)[0];

    // Rates: a line for this flow with non-zero orig bytes/s, seen while the client is still sending.
    await ev.waitFor('non-zero rates for the flow', () => {
      const f = flowOf();
      const r = f && ev.table.rates.get(keyOf(f));
      return r !== undefined && r.orig.bytesPerSec > 0 && r.orig.packetsPerSec > 0 && r.reply.packetsPerSec > 0;
    }, 10_000);
    t.notOk(msgs.some((m) => 'received' in m), 'rates were non-zero while data was still flowing');
    await childSays('all bytes received', 'received');

    // Counters: once the connection is idle, conntop's counters equal conntrack's for the same entry.
    let kernel: ReturnType<typeof oracle> extends Map<string, infer V> ? V : never = undefined as never;
    let seenStats = -1;
    await ev.waitFor('counters equal conntrack -L', () => {
      const f = flowOf();
      if (!f?.counters || ev.table.statsLines === seenStats) return false;
      seenStats = ev.table.statsLines;
      const k = oracle(ns).get(keyOf(f));
      if (!k?.counters) return false;
      kernel = k;
      return JSON.stringify(k.counters) === JSON.stringify(f.counters);
    }, 10_000);
    const f = flowOf()!;
    const c = f.counters!;
    t.same(c, kernel.counters, 'conntop counters = conntrack -L counters');
    t.equal(f.state, 'ESTABLISHED', 'state');
    t.ok(c.orig.bytes >= N, `orig bytes ${c.orig.bytes} >= payload ${N}`);
    // L3 bytes = payload + per packet 20 (IPv4) + 32 (TCP with timestamps); the SYN and SYN-ACK carry
    // 8 more option bytes (MSS, SACK-permitted, window scale). Loopback GSO packets count once each.
    t.equal(c.orig.bytes, N + c.orig.packets * 52 + 8, `orig: ${N} payload + headers of ${c.orig.packets} packets`);
    t.equal(c.reply.bytes, c.reply.packets * 52 + 8, `reply: headers of ${c.reply.packets} packets, no payload`);
    await ev.waitFor('total rates back to 0 once idle', () => ev.table.stats?.event === 'stats' &&
      (ev.table.stats.rates as { orig: { bytesPerSec: number } }).orig.bytesPerSec === 0, 5000);

    child.stdin!.write('close\n');
    await childSays('closed', 'closed');
    await ev.waitFor('TIME_WAIT after close', () => flowOf()?.state === 'TIME_WAIT');
    t.pass('saw the close');
  });

  let liveFinal: Map<string, StreamFlow>;
  await t.test('stop with SIGINT', async (t) => {
    await ev.waitFor('quiet table equal to conntrack -L', equalsOracle(ns, ev), 10_000);
    // One more flow between two refreshes, then the signal: its NEW event reaches conntop (and the capture)
    // before the signal is handled, so the stream must report it on the way out, as the replay will.
    ns.exec('conntrack', ['-I', '-s', '10.9.0.5', '-d', '10.9.0.6', '-p', 'udp', '--sport', '5555', '--dport', '6666', '-t', '300']);
    process.kill(ev.child.pid!, 'SIGINT');
    const { code } = await ev.exited;
    t.equal(code, 130, 'exit code 130');
    liveFinal = new Map(ev.table.open);
    t.ok(statSync(capture).size > 0, 'capture written');
  });

  await t.test('replay of the capture ends with the same table', async (t) => {
    const r = await runCli(['--replay', capture, '--speed', 'max', '--events', '--no-dns', '--no-geoip', '--no-processes']);
    t.equal(r.code, 0, `replay exit code (stderr: ${r.stderr.trim()})`);
    const tb = new StreamTable();
    for (const l of r.lines) tb.apply(l);
    t.ok(liveFinal.size >= 2, `live final table has ${liveFinal.size} flows`);
    t.comment(`the flow made just before SIGINT is ${byTuple(tb, 17, '10.9.0.5', 5555, '10.9.0.6', 6666).length ? '' : 'not '}in the replay`);
    t.same(sortedKeys(tb.open), sortedKeys(liveFinal), 'same open flows');
    for (const [k, f] of liveFinal) t.same(tb.open.get(k), f, `same flow ${k}`);
  });
});
