// fuzz/ layer: fast-check arbitraries for Rows (lib/row.ts): flows of every protocol shape with or without
// counters, labels, marks and NAT, with or without live figures, and enrichment in every state (absent,
// pending, known, known-none). Imports fast-check, lib/ types and ./arbitraries (address text).
import fc from 'fast-check';
import type { Enrichment } from '../lib/enrich/index.js';
import type { DisplayOptions } from '../lib/fields.js';
import type { Flow, FlowTuple } from '../lib/flow.js';
import type { LiveFlow } from '../lib/flow-table.js';
import type { Row } from '../lib/row.js';
import { addrArb } from './arbitraries.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const count = fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const rateArb = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e12, noNaN: true }));
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const text = fc.constantFrom('a', 'b', 'example.org', 'Zeta', 'é', '');

function tupleArb(family: 4 | 6, shape: 'ports' | 'icmp' | 'gre' | 'none'): fc.Arbitrary<FlowTuple> {
  const addrs = { src: addrArb(family === 4 ? 2 : 10), dst: addrArb(family === 4 ? 2 : 10) };
  if (shape === 'ports') return fc.record({ ...addrs, sport: u16, dport: u16 });
  if (shape === 'icmp') return fc.record({ ...addrs, type: fc.integer({ min: 0, max: 255 }), code: fc.integer({ min: 0, max: 255 }), icmpId: u16 });
  if (shape === 'gre') return fc.record({ ...addrs, srcKey: u16, dstKey: u16 });
  return fc.record(addrs);
}

const PROTOS = { ports: ['tcp', 6], icmp: ['icmp', 1], gre: ['gre', 47], none: ['99', 99] } as const;

/** A flow of any shape; the reply tuple mirrors the original one or is translated (NAT). */
export const flowArb: fc.Arbitrary<Flow> = fc.tuple(fc.constantFrom<4 | 6>(4, 6), fc.constantFrom('ports', 'icmp', 'gre', 'none') as fc.Arbitrary<'ports' | 'icmp' | 'gre' | 'none'>)
  .chain(([fam, shape]) => fc.record({
    orig: tupleArb(fam, shape),
    nat: fc.option(tupleArb(fam, shape), { nil: undefined }),
    id: fc.integer({ min: 0, max: 0xffffffff }),
    state: maybe(fc.constantFrom('ESTABLISHED', 'SYN_SENT', 'TIME_WAIT', 'CLOSE')),
    status: fc.subarray(['EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'DST_NAT', 'OFFLOAD']),
    timeoutSec: maybe(fc.integer({ min: 0, max: 500_000 })),
    mark: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
    zone: fc.oneof(fc.constant(0), u16),
    labels: fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { maxLength: 4 }).map((a) => a.sort((x, y) => x - y)),
    helper: maybe(fc.constantFrom('ftp', 'sip')),
    counters: fc.option(fc.record({ orig: fc.record({ packets: count, bytes: count }), reply: fc.record({ packets: count, bytes: count }) }), { nil: undefined }),
  }).map((r): Flow => {
    const o = r.orig;
    const mirror: FlowTuple = { src: o.dst, dst: o.src, sport: o.dport, dport: o.sport, type: o.type, code: o.code, icmpId: o.icmpId, srcKey: o.dstKey, dstKey: o.srcKey };
    const [proto, protoNum] = PROTOS[shape];
    return {
      id: r.id, family: fam === 4 ? 'ipv4' : 'ipv6', proto, protoNum, orig: o, reply: r.nat ?? mirror, state: r.state, status: r.status,
      timeoutSec: r.timeoutSec, mark: r.mark, zone: r.zone, use: 1, labels: r.labels, helper: r.helper, counters: r.counters,
    };
  }));

const geoArb = maybe(fc.record({ country: maybe(fc.constantFrom('DE', 'US', 'FR')), city: maybe(text), asn: maybe(fc.integer({ min: 1, max: 400_000 })), org: maybe(text), pending: fc.option(fc.constant(true as const), { nil: undefined }) }, { requiredKeys: ['country', 'city', 'asn', 'org'] }));
const processArb = fc.oneof(
  fc.constant(undefined), fc.constant(null),
  fc.record({ kind: fc.constant('process' as const), pid: fc.integer({ min: 1, max: 4_000_000 }), name: text, uid: fc.integer({ min: 0, max: 65535 }), user: maybe(text), cmdline: text }),
  fc.constant({ kind: 'no-socket' as const }), fc.constant({ kind: 'no-owner' as const, uid: 0 }), fc.constant({ kind: 'hidden' as const, inode: 1, uid: 0 }),
);

/** Enrichment in any state. */
export const enrichArb: fc.Arbitrary<Enrichment> = fc.record({
  dir: fc.constantFrom('outbound', 'inbound', 'forwarded', 'local'),
  nat: fc.constantFrom('none', 'snat', 'dnat', 'both'),
  service: maybe(fc.record({ side: fc.constantFrom('server', 'client'), port: u16, name: maybe(text) })),
  geo: geoArb,
  rdns: fc.record({ src: maybe(text), dst: maybe(text) }),
  rdnsPending: fc.option(fc.constantFrom('src', 'dst', 'both'), { nil: undefined }),
  process: processArb,
}).map((e): Enrichment => {
  const out: Enrichment = { dir: e.dir, nat: e.nat, classes: { src: 'public', dst: 'public' }, service: e.service, remote: null, geo: e.geo, rdns: e.rdns };
  if (e.rdnsPending !== undefined) out.rdnsPending = e.rdnsPending;
  if (e.process !== undefined) out.process = e.process;
  return out;
});

function liveOf(flow: Flow, rates: number[], ageMs: number, idleMs: number): LiveFlow {
  return {
    key: '', flow, firstSeenMs: 0, lastChangeMs: 0, startMs: null, ageSource: 'first-seen', ageMs, idleMs,
    rates: { orig: { bytesPerSec: rates[0], packetsPerSec: rates[1] }, reply: { bytesPerSec: rates[2], packetsPerSec: rates[3] } }, closed: null, countersReset: 0,
  };
}

/** A Row: a flow, maybe live figures, maybe enrichment. */
export const rowArb: fc.Arbitrary<Row> = fc.record({
  flow: flowArb,
  live: fc.option(fc.record({ rates: fc.array(rateArb, { minLength: 4, maxLength: 4 }), ageMs: fc.nat(), idleMs: fc.nat() }), { nil: undefined }),
  enrich: fc.option(enrichArb, { nil: undefined }),
}).map(({ flow, live, enrich }): Row => ({ flow, ...(live ? { live: liveOf(flow, live.rates, live.ageMs, live.idleMs) } : {}), ...(enrich ? { enrich } : {}) }));

/** Any combination of display toggles. */
export const displayArb: fc.Arbitrary<DisplayOptions> = fc.record({
  bits: fc.boolean(), totals: fc.boolean(), names: fc.boolean(), services: fc.boolean(), source: fc.constantFrom('orig' as const, 'local' as const),
});
