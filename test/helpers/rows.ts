// Test helper: hand-made Rows (flow, live figures, enrichment) with plausible defaults, for the filter and grouping
// tests. Each builder takes overrides; the defaults describe one outbound HTTPS flow from firefox behind SNAT.
import type { Enrichment } from '../../lib/enrich/index.js';
import type { LiveFlow } from '../../lib/flow-table.js';
import type { Flow, FlowTuple } from '../../lib/flow.js';
import type { Row } from '../../lib/row.js';

/**
 * A TCP flow 10.0.0.5:51000 -> 93.184.216.34:443, SNAT'd to 192.0.2.1, with counters, mark 0x1234, label 3.
 * An `orig` override without `reply` gets the mirrored reply tuple (no NAT).
 */
export const flow = (over: Partial<Flow> = {}): Flow => ({
  id: 1, family: 'ipv4', proto: 'tcp', protoNum: 6,
  orig: { src: '10.0.0.5', dst: '93.184.216.34', sport: 51000, dport: 443 },
  reply: { src: '93.184.216.34', dst: '192.0.2.1', sport: 443, dport: 51000 },
  state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT'], timeoutSec: 431999, mark: 0x1234, zone: 0, use: 1,
  counters: { orig: { packets: 10, bytes: 1500 }, reply: { packets: 20, bytes: 2_000_000 } }, labels: [3], helper: null,
  ...(over.orig && !over.reply ? { reply: mirror(over.orig) } : {}), ...over,
});

/** The reply tuple of an un-NATed flow. */
function mirror(o: FlowTuple): FlowTuple {
  return { src: o.dst, dst: o.src, sport: o.dport, dport: o.sport, type: o.type === 8 ? 0 : o.type, code: o.code, icmpId: o.icmpId };
}

/** Outbound, SNAT, https, US / AS15133 Edgecast, rDNS www.example.com for the destination, process firefox (alice). */
export const enrich = (over: Partial<Enrichment> = {}): Enrichment => ({
  dir: 'outbound', nat: 'snat', classes: { src: 'this-host', dst: 'public' }, service: { side: 'server', port: 443, name: 'https' },
  remote: '93.184.216.34', geo: { country: 'US', city: null, asn: 15133, org: 'Edgecast Inc.' },
  rdns: { src: null, dst: 'www.example.com' },
  process: { kind: 'process', pid: 4242, name: 'firefox', uid: 1000, user: 'alice', cmdline: '/usr/bin/firefox' }, ...over,
});

/** Open, 2 h old, idle 3 s, 100 B/s + 20 kB/s. */
export const live = (f: Flow, over: Partial<LiveFlow> = {}): LiveFlow => ({
  key: `key-${f.id}`, flow: f, firstSeenMs: 0, lastChangeMs: 0, startMs: null, ageSource: 'first-seen', ageMs: 7_200_000, idleMs: 3000,
  sampleMs: null, rates: { orig: { bytesPerSec: 100, packetsPerSec: 1 }, reply: { bytesPerSec: 20_000, packetsPerSec: 15 } },
  closed: null, countersReset: 0, ...over,
});

/** A row with live figures and enrichment (each overridable). */
export function row(f: Partial<Flow> = {}, e: Partial<Enrichment> = {}, l: Partial<LiveFlow> = {}): Row {
  const fl = flow(f);
  return { flow: fl, live: live(fl, l), enrich: enrich(e) };
}
