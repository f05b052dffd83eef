// Tests for lib/metrics.ts: the Prometheus endpoint scraped by a real HTTP client over loopback, its values
// checked against the table, its text checked against the exposition format's grammar, the talkers' bounded
// cardinality, and the bearer token.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { FlowTable } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';
import { ConntopMetrics, serveMetrics, talkerOf } from '../../lib/metrics.js';
import { parseMetricsAddress } from '../../lib/option-values.js';

const T0 = 1_700_000_000_000;

function mk(id: number, src: string, dst: string, proto: 'tcp' | 'udp', bytes: number): Flow {
  const protoNum = proto === 'tcp' ? 6 : 17;
  return {
    id, family: 'ipv4', proto, protoNum,
    orig: { src, dst, sport: 1000 + id, dport: 80 },
    reply: { src: dst, dst: src, sport: 80, dport: 1000 + id },
    state: proto === 'tcp' ? 'ESTABLISHED' : null, status: ['SEEN_REPLY', 'CONFIRMED'], timeoutSec: 100, mark: 0, zone: 0, use: 1,
    counters: { orig: { packets: 2, bytes }, reply: { packets: 1, bytes: bytes * 2 } }, labels: [], helper: null,
  };
}

/** A table with 5 flows from this host (10.0.0.1) to 5 far ends, each of which moved bytes between two dumps. */
function table(): FlowTable {
  const tb = new FlowTable({ lingerMs: 0 });
  const dump = (at: number, scale: number) => {
    tb.apply({ kind: 'dumpBegin', atMs: at });
    for (let i = 1; i <= 5; i++) tb.apply({ kind: 'dumpEntry', flow: mk(i, '10.0.0.1', `192.0.2.${i}`, i % 2 ? 'tcp' : 'udp', 100 * i * scale) });
    tb.apply({ kind: 'dumpEnd', atMs: at, complete: true });
  };
  tb.apply({ kind: 'stats', count: 5, max: 65536, atMs: T0 });
  dump(T0, 1);
  dump(T0 + 1000, 2);
  tb.tick(T0 + 1000);
  return tb;
}

function view(tb: FlowTable) {
  return {
    stats: () => tb.stats(),
    health: () => ({ badMessages: 3, unknownAttrs: 0, lastProblem: null }),
    forEachFlow: (fn: (l: ReturnType<FlowTable['snapshot']>[number]) => void) => tb.snapshot().forEach(fn),
    clients: () => 2,
  };
}

/** name{labels} value lines → a map; throws on any line outside the text format's grammar. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const help = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/;
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?(?:[0-9.e+-]+|NaN|\+Inf|-Inf))$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (help.test(line)) continue;
    const m = sample.exec(line);
    if (!m) throw new Error(`not exposition format: ${JSON.stringify(line)}`);
    out.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

t.test('a real HTTP client scrapes values equal to the table', async (t) => {
  const tb = table();
  const metrics = new ConntopMetrics(view(tb), { topTalkers: 3, isLocal: (a) => a === '10.0.0.1' });
  const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const m = parseExposition(await res.text());
  const s = tb.stats();
  t.equal(m.get('conntop_flows'), s.total);
  t.equal(m.get('conntop_flows_max'), 65536);
  t.equal(m.get('conntop_kernel_flows'), 5);
  t.equal(m.get('conntop_flows_by_protocol{protocol="tcp"}'), 3);
  t.equal(m.get('conntop_flows_by_protocol{protocol="udp"}'), 2);
  t.equal(m.get('conntop_tcp_flows_by_state{state="ESTABLISHED"}'), 3);
  const sum = (f: (x: Flow) => number) => tb.snapshot().reduce((a, l) => a + f(l.flow), 0);
  t.equal(m.get('conntop_flow_bytes{direction="orig"}'), sum((f) => f.counters!.orig.bytes));
  t.equal(m.get('conntop_flow_bytes{direction="reply"}'), sum((f) => f.counters!.reply.bytes));
  t.equal(m.get('conntop_flow_packets{direction="orig"}'), sum((f) => f.counters!.orig.packets));
  t.equal(m.get('conntop_rate_bytes_per_second{direction="orig"}'), s.rates.orig.bytesPerSec);
  t.equal(m.get('conntop_bad_messages_total'), 3);
  t.equal(m.get('conntop_clients_connected'), 2);
  // Talkers: far ends 192.0.2.5, .4, .3 moved the most (rates grow with i); only the top 3 have a series.
  const talkers = [...m.keys()].filter((k) => k.startsWith('conntop_talker_bytes_per_second'));
  t.same(talkers.sort(), ['5', '4', '3'].map((i) => `conntop_talker_bytes_per_second{address="192.0.2.${i}"}`).sort());
  t.equal(m.get('conntop_talker_bytes_per_second{address="192.0.2.5"}'), 1500, '500 + 1000 bytes in one second');
  t.equal((await fetch(`${base}/other`)).status, 404);
});

t.test('a talker is the far end: the destination of what this host opened, else the originator', async (t) => {
  const local = (a: string) => a === '10.0.0.1';
  t.equal(talkerOf(mk(1, '10.0.0.1', '192.0.2.9', 'tcp', 1), local), '192.0.2.9');
  t.equal(talkerOf(mk(1, '198.51.100.7', '10.0.0.1', 'tcp', 1), local), '198.51.100.7');
  t.equal(talkerOf(mk(1, '10.9.9.9', '192.0.2.9', 'tcp', 1), local), '10.9.9.9', 'forwarded: the originator');
});

t.test('with a secret, a scrape needs the bearer token', async (t) => {
  const metrics = new ConntopMetrics(view(table()));
  const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0, secret: Buffer.from('s3cret') });
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  t.equal((await fetch(url)).status, 401);
  t.equal((await fetch(url, { headers: { authorization: 'Bearer wrong!' } })).status, 401);
  t.equal((await fetch(url, { headers: { authorization: 'Bearer s3cre' } })).status, 401, 'a prefix is not the secret');
  const ok = await fetch(url, { headers: { authorization: 'Bearer s3cret' } });
  t.equal(ok.status, 200);
  t.notOk(parseExposition(await ok.text()).has('conntop_talker_bytes_per_second'), 'no talkers unless asked');
});

t.test('the exposition checker itself rejects what is not the format', async (t) => {
  t.throws(() => parseExposition('conntop flows 1\n'));
  t.throws(() => parseExposition('x{a=b} 1\n'));
  t.same([...parseExposition('# HELP x y\n# TYPE x gauge\nx{a="b"} 1.5\n')], [['x{a="b"}', 1.5]]);
});

t.test('--metrics ADDRESS:PORT', async (t) => {
  t.same(parseMetricsAddress('127.0.0.1:9100'), { host: '127.0.0.1', port: 9100 });
  t.same(parseMetricsAddress('[::1]:9100'), { host: '::1', port: 9100 });
  t.same(parseMetricsAddress(':9100'), { host: '127.0.0.1', port: 9100 }, 'loopback by default');
  t.same(parseMetricsAddress('9100'), { host: '127.0.0.1', port: 9100 });
  for (const bad of ['', ':', 'x:1', '1.2.3.4:0', '1.2.3.4:70000', '::1:9100', 'host:9100', '1.2.3.4']) t.throws(() => parseMetricsAddress(bad), RangeError, JSON.stringify(bad));
});
