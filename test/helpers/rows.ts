// Test helper: fixed, deterministic Rows for the column and text-table tests: an outbound TCP flow with
// full enrichment, a source-NATed UDP flow with answers pending, an IPv6 flow with labels and a mark, and
// an ICMP flow without counters whose enrichment found nothing.
import type { Enrichment } from '../../lib/enrich/index.js';
import type { Flow, FlowTuple } from '../../lib/flow.js';
import type { LiveFlow } from '../../lib/flow-table.js';
import type { Row } from '../../lib/row.js';

/** A flow with sensible defaults: a TCP flow whose reply tuple mirrors the original one. */
export function flow(over: Partial<Flow> & { orig: FlowTuple }): Flow {
  const o = over.orig;
  return {
    id: 1, family: o.src.includes(':') ? 'ipv6' : 'ipv4', proto: 'tcp', protoNum: 6,
    reply: { src: o.dst, dst: o.src, sport: o.dport, dport: o.sport },
    state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'], timeoutSec: 431999, mark: 0, zone: 0, use: 1,
    labels: [], helper: null, ...over,
  };
}

/** Enrichment with nothing found, overridden by `over`. */
export function enrichment(over: Partial<Enrichment> = {}): Enrichment {
  return {
    dir: 'outbound', nat: 'none', classes: { src: 'this-host', dst: 'public' }, service: null, remote: null, geo: null,
    rdns: { src: null, dst: null }, ...over,
  };
}

/** Live figures for a row: rates in bytes/s (orig, reply), age and idle in ms. */
export function live(f: Flow, rates: [number, number], ageMs: number, idleMs: number): LiveFlow {
  return {
    key: String(f.id), flow: f, firstSeenMs: 0, lastChangeMs: 0, startMs: null, ageSource: 'first-seen', ageMs, idleMs,
    rates: { orig: { bytesPerSec: rates[0], packetsPerSec: rates[0] / 1000 }, reply: { bytesPerSec: rates[1], packetsPerSec: rates[1] / 1000 } },
    closed: null, countersReset: 0,
  };
}

const web = flow({
  id: 101, orig: { src: '10.0.0.2', dst: '93.184.216.34', sport: 40001, dport: 443 },
  counters: { orig: { packets: 1200, bytes: 96_000 }, reply: { packets: 3400, bytes: 5_400_000 } },
});
const dns = flow({
  id: 102, proto: 'udp', protoNum: 17, state: null, status: ['SEEN_REPLY', 'CONFIRMED', 'SRC_NAT', 'SRC_NAT_DONE', 'DST_NAT_DONE'], timeoutSec: 29,
  orig: { src: '192.168.1.20', dst: '8.8.8.8', sport: 5353, dport: 53 },
  reply: { src: '8.8.8.8', dst: '203.0.113.9', sport: 53, dport: 61000 },
  counters: { orig: { packets: 1, bytes: 74 }, reply: { packets: 1, bytes: 190 } },
});
const v6 = flow({
  id: 103, mark: 16, labels: [1, 5],
  orig: { src: '2001:db8:85a3::8a2e:370:7334', dst: '2606:4700:4700::1111', sport: 51000, dport: 443 },
  counters: { orig: { packets: 10, bytes: 2_000 }, reply: { packets: 12, bytes: 9_000 } },
});
const ping = flow({
  id: 104, proto: 'icmp', protoNum: 1, state: null, status: ['CONFIRMED'], timeoutSec: 30, zone: 3,
  orig: { src: '10.0.0.1', dst: '10.0.0.8', type: 8, code: 0, icmpId: 77 },
  reply: { src: '10.0.0.8', dst: '10.0.0.1', type: 0, code: 0, icmpId: 77 },
});

/** The four fixed flows, unenriched (as --once prints them with enrichment off). */
export const PLAIN_ROWS: readonly Row[] = [web, dns, v6, ping].map((f) => ({ flow: f }));

/** The same flows enriched: everything known; answers pending (NATed); process pending (IPv6); nothing found. */
export const ENRICHED_ROWS: readonly Row[] = [
  {
    flow: web, live: live(web, [1_500, 1_250_000], 95_000, 1_000),
    enrich: enrichment({
      service: { side: 'server', port: 443, name: 'https' }, remote: '93.184.216.34',
      geo: { country: 'US', city: 'Norwell', asn: 15133, org: 'Edgecast Inc.' }, rdns: { src: null, dst: 'example.org' },
      process: { kind: 'process', pid: 4242, name: 'firefox', uid: 1000, user: 'alice', cmdline: 'firefox' },
    }),
  },
  {
    flow: dns,
    enrich: enrichment({
      dir: 'forwarded', nat: 'snat', classes: { src: 'private', dst: 'public' }, service: { side: 'server', port: 53, name: 'domain' },
      remote: '8.8.8.8', geo: { country: null, city: null, asn: null, org: null, pending: true }, rdnsPending: 'dst',
    }),
  },
  { flow: v6, enrich: enrichment({ remote: '2606:4700:4700::1111', service: { side: 'server', port: 443, name: 'https' }, process: null }) },
  { flow: ping, enrich: enrichment({ dir: 'local', classes: { src: 'this-host', dst: 'this-host' } }) },
];

/**
 * For the filter and grouping tests: a TCP flow 10.0.0.5:51000 -> 93.184.216.34:443, SNAT'd to 192.0.2.1, with
 * counters, mark 0x1234 and label 3. An `orig` override without `reply` gets the mirrored reply tuple (no NAT).
 */
export function natFlow(over: Partial<Flow> = {}): Flow {
  const orig = over.orig ?? { src: '10.0.0.5', dst: '93.184.216.34', sport: 51000, dport: 443 };
  const reply = over.reply ?? (over.orig ? undefined : { src: '93.184.216.34', dst: '192.0.2.1', sport: 443, dport: 51000 });
  return flow({
    status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT'], mark: 0x1234, labels: [3],
    counters: { orig: { packets: 10, bytes: 1500 }, reply: { packets: 20, bytes: 2_000_000 } }, ...over, orig, ...(reply ? { reply } : {}),
  });
}

/** Everything known: outbound, SNAT, https, US / AS15133 Edgecast, www.example.com for the destination, firefox (alice). */
export function fullEnrichment(over: Partial<Enrichment> = {}): Enrichment {
  return enrichment({
    nat: 'snat', service: { side: 'server', port: 443, name: 'https' }, remote: '93.184.216.34',
    geo: { country: 'US', city: null, asn: 15133, org: 'Edgecast Inc.' }, rdns: { src: null, dst: 'www.example.com' },
    process: { kind: 'process', pid: 4242, name: 'firefox', uid: 1000, user: 'alice', cmdline: '/usr/bin/firefox' }, ...over,
  });
}

/** Open, 2 h old, idle 3 s, 100 B/s (1 packet/s) out and 20 kB/s (15 packets/s) back; key `key-<id>`. */
export function liveFlow(f: Flow, over: Partial<LiveFlow> = {}): LiveFlow {
  return {
    ...live(f, [100, 20_000], 7_200_000, 3000), key: `key-${f.id}`,
    rates: { orig: { bytesPerSec: 100, packetsPerSec: 1 }, reply: { bytesPerSec: 20_000, packetsPerSec: 15 } }, ...over,
  };
}

/** A natFlow row with live figures and full enrichment (each overridable). */
export function row(f: Partial<Flow> = {}, e: Partial<Enrichment> = {}, l: Partial<LiveFlow> = {}): Row {
  const fl = natFlow(f);
  return { flow: fl, live: liveFlow(fl, l), enrich: fullEnrichment(e) };
}
