import t from 'tap';
import type { Flow, FlowTuple } from '../../../lib/flow.js';
import { canonicalIp } from '../../../lib/enrich/addr-class.js';
import { flowDirection, natKind, remoteAddress, serviceSide, type Direction, type NatKind } from '../../../lib/enrich/direction.js';
import { builtinServices } from '../../../lib/enrich/services.js';

/** This host: 192.168.1.1 (LAN side), 203.0.113.1 (WAN side), 2001:db8::1, and loopback. */
const LOCAL = new Set(['127.0.0.1', '192.168.1.1', '203.0.113.1', '2001:db8::1', '::1']);
const isLocal = (a: string) => LOCAL.has(canonicalIp(a)) || canonicalIp(a).startsWith('127.');

const tuple = (src: string, sport: number, dst: string, dport: number): FlowTuple => ({ src, dst, sport, dport });
function flow(orig: FlowTuple, reply: FlowTuple, status: string[] = ['SEEN_REPLY', 'CONFIRMED'], proto = 'tcp'): Flow {
  return {
    id: 1, family: orig.src.includes(':') ? 'ipv6' : 'ipv4', proto, protoNum: proto === 'udp' ? 17 : 6, orig, reply,
    state: null, status, timeoutSec: 10, mark: 0, zone: 0, use: 1, labels: [], helper: null,
  };
}

const cases: Array<{ name: string; input: Flow; want: { dir: Direction; nat: NatKind; remote: string | null } }> = [
  {
    name: 'outbound, no NAT',
    input: flow(tuple('192.168.1.1', 45000, '8.8.8.8', 443), tuple('8.8.8.8', 443, '192.168.1.1', 45000)),
    want: { dir: 'outbound', nat: 'none', remote: '8.8.8.8' },
  },
  {
    name: 'inbound, no NAT',
    input: flow(tuple('198.18.0.9', 50000, '203.0.113.1', 22), tuple('203.0.113.1', 22, '198.18.0.9', 50000)),
    want: { dir: 'inbound', nat: 'none', remote: '198.18.0.9' },
  },
  {
    name: 'local, loopback',
    input: flow(tuple('127.0.0.1', 40000, '127.0.0.1', 5432), tuple('127.0.0.1', 5432, '127.0.0.1', 40000)),
    want: { dir: 'local', nat: 'none', remote: null },
  },
  {
    name: 'forwarded with masquerade (router, LAN client)',
    input: flow(tuple('192.168.1.50', 45000, '8.8.8.8', 53), tuple('8.8.8.8', 53, '203.0.113.1', 61000), ['SRC_NAT', 'SEEN_REPLY', 'SRC_NAT_DONE']),
    want: { dir: 'forwarded', nat: 'snat', remote: '8.8.8.8' },
  },
  {
    name: 'forwarded port forward: orig.dst is the router but the server is a LAN host',
    input: flow(tuple('198.18.0.9', 50000, '203.0.113.1', 8080), tuple('192.168.1.50', 80, '198.18.0.9', 50000), ['DST_NAT', 'DST_NAT_DONE']),
    want: { dir: 'forwarded', nat: 'dnat', remote: '198.18.0.9' },
  },
  {
    name: 'hairpin NAT: both translations',
    input: flow(tuple('192.168.1.60', 50000, '203.0.113.1', 80), tuple('192.168.1.50', 80, '192.168.1.1', 50000), ['SRC_NAT', 'DST_NAT']),
    want: { dir: 'forwarded', nat: 'both', remote: null },
  },
  {
    name: 'local REDIRECT to a proxy (outbound port 80 to 127.0.0.1:3128)',
    input: flow(tuple('192.168.1.1', 41000, '93.184.216.34', 80), tuple('127.0.0.1', 3128, '192.168.1.1', 41000), ['DST_NAT']),
    want: { dir: 'local', nat: 'dnat', remote: null },
  },
  {
    name: 'NAT seen from tuples alone (event without the status bits)',
    input: flow(tuple('192.168.1.50', 45000, '8.8.8.8', 53), tuple('8.8.8.8', 53, '203.0.113.1', 45000), []),
    want: { dir: 'forwarded', nat: 'snat', remote: '8.8.8.8' },
  },
  {
    name: 'IPv4-mapped IPv6 local end',
    input: flow(tuple('::ffff:192.168.1.1', 45000, '::ffff:8.8.8.8', 443), tuple('::ffff:8.8.8.8', 443, '192.168.1.1', 45000)),
    want: { dir: 'outbound', nat: 'none', remote: '::ffff:8.8.8.8' },
  },
  {
    name: 'IPv6 outbound',
    input: flow(tuple('2001:db8::1', 45000, '2a00:1450::1', 443), tuple('2a00:1450::1', 443, '2001:db8::1', 45000)),
    want: { dir: 'outbound', nat: 'none', remote: '2a00:1450::1' },
  },
  {
    name: 'forwarded between two private hosts: no public remote',
    input: flow(tuple('192.168.1.50', 1000, '10.0.0.2', 22), tuple('10.0.0.2', 22, '192.168.1.50', 1000)),
    want: { dir: 'forwarded', nat: 'none', remote: null },
  },
];

t.test('direction, NAT and remote end', async (t) => {
  const isPublic = (a: string) => !/^(192\.168|10\.|127\.)/.test(a);
  for (const c of cases) {
    const d = flowDirection(c.input, isLocal);
    t.same({ ...d, remote: remoteAddress(c.input, d.dir, isPublic(c.input.reply.src), isPublic(c.input.orig.src)) }, c.want, c.name);
  }
});

t.test('natKind trusts status bits even when tuples mirror', async (t) => {
  const f = flow(tuple('10.0.0.1', 1, '10.0.0.2', 2), tuple('10.0.0.2', 2, '10.0.0.1', 1), ['SRC_NAT']);
  t.equal(natKind(f), 'snat');
});

t.test('service side names the server port, never the ephemeral one', async (t) => {
  const svc = builtinServices();
  const lookup = (p: string, n: number) => svc.lookup(p, n);
  const mk = (sport: number, dport: number, proto = 'tcp') => flow(tuple('192.168.1.1', sport, '8.8.8.8', dport), tuple('8.8.8.8', dport, '192.168.1.1', sport), [], proto);
  const table: Array<[string, Flow, unknown]> = [
    ['https client from 45000 ("ciscopop" in some tables) names https', mk(45000, 443), { side: 'server', port: 443, name: 'https' }],
    ['unknown server port with an ephemeral client: no name', mk(45000, 40001), { side: 'server', port: 40001, name: null }],
    ['picked up mid-stream (client port 22): names ssh on the client side', mk(22, 51000), { side: 'client', port: 22, name: 'ssh' }],
    ['both well known: the server side wins', mk(53, 123, 'udp'), { side: 'server', port: 123, name: 'ntp' }],
    ['udplite shares udp names', mk(40000, 53, 'udplite'), { side: 'server', port: 53, name: 'domain' }],
  ];
  for (const [name, f, want] of table) t.same(serviceSide(f, lookup), want, name);
  const icmp = { ...mk(1, 1), proto: 'icmp', orig: { src: '1.1.1.1', dst: '2.2.2.2', type: 8, code: 0, icmpId: 7 } };
  t.equal(serviceSide(icmp, lookup), null, 'no ports, no service');
});
