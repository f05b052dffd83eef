import t from 'tap';
import type { NetworkInterfaceInfo } from 'node:os';
import type { Flow, FlowTuple } from '../../../lib/flow.js';
import { Enricher } from '../../../lib/enrich/enricher.js';
import { LocalAddresses, ReverseDns, builtinServices, type ProcessLabel, type ReverseResolver, type SocketQuery } from '../../../lib/enrich/index.js';
import type { GeoInfo } from '../../../lib/enrich/geoip.js';

const iface = (address: string, netmask: string): NetworkInterfaceInfo =>
  ({ address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: null }) as NetworkInterfaceInfo;
const tuple = (src: string, sport: number, dst: string, dport: number): FlowTuple => ({ src, dst, sport, dport });
const flow = (id: number, orig: FlowTuple, reply: FlowTuple, proto = 'tcp', status: string[] = []): Flow => ({
  id, family: 'ipv4', proto, protoNum: proto === 'udp' ? 17 : 6, orig, reply, state: null, status,
  timeoutSec: 10, mark: 0, zone: 0, use: 1, labels: [], helper: null,
});

function setup(t: { teardown(fn: () => void): void }) {
  let now = 0;
  let addrs = [iface('192.168.1.10', '255.255.255.0'), iface('127.0.0.1', '255.0.0.0')];
  const local = new LocalAddresses(() => ({ eth0: addrs }));
  const answers = new Map<string, (names: string[]) => void>();
  const resolver: ReverseResolver = {
    resolvePtr: (name) => new Promise((res) => answers.set(name, res)),
    cancel() {}, getServers: () => ['192.168.1.1'],
  };
  const dns = new ReverseDns({ resolver, now: () => now });
  const geoCalls: string[] = [];
  const geo = {
    lookup: (ip: string): GeoInfo => { geoCalls.push(ip); return { country: 'US', city: null, asn: 15169, org: 'Google LLC' }; },
    poll: async () => {}, close() {},
  };
  const batches: SocketQuery[][] = [];
  let release: (labels: ProcessLabel[]) => void = () => {};
  const processes = {
    attribute: (b: SocketQuery[]) => { batches.push(b); return new Promise<ProcessLabel[]>((res) => { release = res; }); },
    close() {},
  };
  let updates = 0;
  const e = new Enricher({ now: () => now, local, services: builtinServices(), geo, dns, processes, selfPid: 4242, onUpdate: () => updates++, localRefreshMs: 1000 });
  t.teardown(() => e.close());
  return {
    e, answers, geoCalls, batches, release: (l: ProcessLabel[]) => release(l), updates: () => updates, dns,
    advance: (ms: number) => { now += ms; }, setAddrs: (a: NetworkInterfaceInfo[]) => { addrs = a; },
  };
}

const out = flow(1, tuple('192.168.1.10', 45000, '8.8.8.8', 443), tuple('8.8.8.8', 443, '192.168.1.10', 45000));

t.test('an outbound flow: derived fields at once, names and process later, never blocking', async (t) => {
  const s = setup(t);
  const first = s.e.enrich(out);
  t.same({ dir: first.dir, nat: first.nat, classes: first.classes, service: first.service, remote: first.remote }, {
    dir: 'outbound', nat: 'none', classes: { src: 'this-host', dst: 'public' },
    service: { side: 'server', port: 443, name: 'https' }, remote: '8.8.8.8',
  });
  t.same(first.geo, { country: 'US', city: null, asn: 15169, org: 'Google LLC' });
  t.same(first.rdns, { src: null, dst: null }, 'names pending');
  t.equal(first.rdnsPending, 'both', 'pending is told apart from no name');
  t.equal(first.process, null, 'process pending');
  t.equal(s.e.queuedProcessLookups, 1);
  s.e.tick();
  t.same(s.batches, [[{ family: 'ipv4', protoNum: 6, src: '192.168.1.10', sport: 45000, dst: '8.8.8.8', dport: 443 }]], 'batched on tick');
  s.e.enrich(out);
  s.e.tick();
  t.equal(s.batches.length, 1, 'in flight: not asked twice');
  s.release([{ kind: 'process', pid: 99, name: 'curl', uid: 0, user: 'root', cmdline: 'curl x' }]);
  s.answers.get('8.8.8.8.in-addr.arpa')!(['dns.google']);
  s.answers.get('10.1.168.192.in-addr.arpa')!(['me.lan']);
  await s.dns.resolve('8.8.8.8');
  await s.dns.resolve('192.168.1.10');
  const later = s.e.enrich(out);
  t.same(later.rdns, { src: 'me.lan', dst: 'dns.google' });
  t.equal(later.rdnsPending, undefined, 'nothing pending once answered');
  t.match(later.process, { kind: 'process', pid: 99, name: 'curl' });
  t.equal(s.updates(), 1);
});

t.test('inbound flows query the server socket; forwarded flows have no process', async (t) => {
  const s = setup(t);
  const inbound = flow(2, tuple('203.0.113.9', 50000, '192.168.1.10', 22), tuple('192.168.1.10', 22, '203.0.113.9', 50000));
  const fwd = flow(3, tuple('192.168.1.50', 40000, '8.8.4.4', 53), tuple('8.8.4.4', 53, '192.168.1.10', 40000), 'udp', ['SRC_NAT']);
  const ein = s.e.enrich(inbound);
  t.equal(ein.dir, 'inbound');
  t.equal(ein.service?.name, 'ssh');
  t.equal(ein.remote, null, 'a documentation address is not geolocated (regression: the embedded data placed 198.51.100.x in AU)');
  const efwd = s.e.enrich(fwd);
  t.same([efwd.dir, efwd.nat, efwd.process], ['forwarded', 'snat', undefined]);
  s.e.tick();
  t.same(s.batches[0], [{ family: 'ipv4', protoNum: 6, src: '192.168.1.10', sport: 22, dst: '203.0.113.9', dport: 50000 }]);
});

t.test('a public far end is geolocated', async (t) => {
  const s = setup(t);
  const pub = s.e.enrich(flow(4, tuple('1.1.1.1', 50001, '192.168.1.10', 22), tuple('192.168.1.10', 22, '1.1.1.1', 50001)));
  t.equal(pub.remote, '1.1.1.1');
});

t.test('local addresses are re-read on tick and derived fields follow', async (t) => {
  const s = setup(t);
  const f = flow(4, tuple('10.0.0.7', 1000, '8.8.8.8', 80), tuple('8.8.8.8', 80, '10.0.0.7', 1000));
  s.e.tick(); // the first tick re-reads at once
  t.equal(s.e.enrich(f).dir, 'forwarded');
  s.setAddrs([iface('10.0.0.7', '255.0.0.0')]);
  s.e.tick();
  t.equal(s.e.enrich(f).dir, 'forwarded', 'not due yet');
  s.advance(1000);
  s.e.tick();
  t.equal(s.e.enrich(f).dir, 'outbound');
});

t.test("conntop's own DNS queries are tagged, not hidden", async (t) => {
  const s = setup(t);
  const q = flow(5, tuple('192.168.1.10', 33333, '192.168.1.1', 53), tuple('192.168.1.1', 53, '192.168.1.10', 33333), 'udp');
  t.equal(s.e.enrich(q).ownDns, 'maybe', 'to our resolver, owner not known yet');
  t.equal(s.e.enrich(q).service?.name, 'domain');
  s.e.tick();
  s.release([{ kind: 'process', pid: 4242, name: 'node', uid: 0, user: 'root', cmdline: 'conntop' }]);
  await new Promise<void>((res) => setImmediate(res));
  t.equal(s.e.enrich(q).ownDns, 'yes');
  const other = flow(6, tuple('192.168.1.10', 40000, '192.168.1.1', 53), tuple('192.168.1.1', 53, '192.168.1.10', 40000), 'udp');
  s.e.enrich(other);
  s.e.tick();
  s.release([{ kind: 'process', pid: 77, name: 'dig', uid: 0, user: 'root', cmdline: 'dig' }]);
  await new Promise<void>((res) => setImmediate(res));
  t.equal(s.e.enrich(other).ownDns, undefined, "another program's query is not ours");
});

t.test('close() drops queued work and answers stay synchronous', async (t) => {
  const s = setup(t);
  s.e.enrich(out);
  t.equal(s.e.queuedProcessLookups, 1);
  s.e.close();
  t.equal(s.e.queuedProcessLookups, 0);
  s.e.tick();
  t.equal(s.batches.length, 0, 'nothing sent after close');
  t.equal(s.dns.pendingCount, 0, 'DNS cancelled');
  t.equal(s.e.enrich(out).dir, 'outbound');
});

t.test('every source off: still classifies and directs', async (t) => {
  const local = new LocalAddresses(() => ({}));
  const e = new Enricher({ now: () => 0, local });
  const r = e.enrich(out);
  t.same(r, { dir: 'forwarded', nat: 'none', classes: { src: 'private', dst: 'public' }, service: null, remote: '8.8.8.8', geo: null, rdns: { src: null, dst: null } });
});

t.test('rememberDerived false (--once): the same enrichment, nothing kept per flow', async (t) => {
  const local = new LocalAddresses(() => ({ eth0: [iface('192.168.1.10', '255.255.255.0')] }));
  local.refresh();
  const mk = (rememberDerived?: boolean) => new Enricher({ now: () => 0, local, services: builtinServices(), rememberDerived });
  const once = mk(false), kept = mk(undefined);
  t.teardown(() => { once.close(); kept.close(); });
  const v6 = flow(3, tuple('2001:db8::1', 1, '2606:4700::1111', 53), tuple('2606:4700::1111', 53, '2001:db8::1', 1), 'udp');
  for (const f of [out, v6, out]) t.same(once.enrich(f), kept.enrich(f));
  t.equal(once.queuedProcessLookups, 0);
});
