// fuzz/ layer: fast-check arbitraries for the filter language: canonical FilterExpr trees (values as the parser
// produces them), text near the language's alphabet, and Rows with and without live figures and enrichment.
// Imports fast-check and lib/ (tests may import any layer).
import fc from 'fast-check';
import { STATUS_FLAGS, type CmpOp, type FilterExpr, type FilterTerm, type MetricKey, type NumberKey, type PatternKey, type Side } from '../lib/filter-ast.js';
import type { Enrichment } from '../lib/enrich/index.js';
import type { AddrClass } from '../lib/enrich/addr-class.js';
import type { ProcessLabel } from '../lib/enrich/processes.js';
import { ZERO_RATES, type FlowRates } from '../lib/flow-stats.js';
import type { LiveFlow } from '../lib/flow-table.js';
import type { Flow, FlowTuple } from '../lib/flow.js';
import { prefixText } from '../lib/ip-prefix.js';
import type { Row } from '../lib/row.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const side = fc.constantFrom<Side>('any', 'src', 'dst');
/** Text that stresses quoting: the lexer's special characters, keywords, colons, wildcards, any Unicode. */
const nastyText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '*', '?', ':', '!', '"', '\\', '(', ')', '|', ' ', '\t', '\u00a0', '.', '-'), minLength: 1, maxLength: 8 }),
  fc.constantFrom('or', 'OR', 'and', 'local', 'Ghost', 'closed', 'constructor', '__proto__', 'toString'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
);

const groups = fc.oneof(
  fc.array(u16, { minLength: 8, maxLength: 8 }),
  u32.map((v) => [0, 0, 0, 0, 0, 0xffff, v >>> 16, v & 0xffff]), // IPv4 (mapped)
);
const netTerm = fc.record({ side, g: groups, bits: fc.integer({ min: 0, max: 128 }), v4: fc.boolean() }).map(({ side, g, bits, v4 }): FilterTerm => {
  const mapped = v4 ? [0, 0, 0, 0, 0, 0xffff, g[6], g[7]] : g;
  const p = prefixText(Uint16Array.from(mapped), v4 ? 96 + (bits % 33) : bits);
  return { kind: 'net', side, addr: p.addr, bits: p.bits };
});

const NUMBER_MAX: Record<NumberKey, number> = { asn: 0xffffffff, pid: 0x7fffffff, zone: 65535, label: 127, id: 0xffffffff };
const nonNegDouble = fc.oneof(
  fc.integer({ min: 0, max: 1e6 }),
  fc.constantFrom(1e3, 1e6, 2e9, 3600, 86400, 60, 90, 0.5, 1e21, 1e-7),
  fc.double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
);

/** One canonical term of every kind. */
export const termArb: fc.Arbitrary<FilterTerm> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((protoNum): FilterTerm => ({ kind: 'proto', protoNum })),
  fc.constantFrom<FilterTerm>({ kind: 'family', family: 'ipv4' }, { kind: 'family', family: 'ipv6' }),
  fc.tuple(side, u16, u16).map(([side, a, b]): FilterTerm => ({ kind: 'port', side, lo: Math.min(a, b), hi: Math.max(a, b) })),
  netTerm,
  fc.tuple(fc.constantFrom<PatternKey>('host', 'service', 'org', 'city', 'process', 'user', 'state', 'helper', 'text'), nastyText)
    .map(([key, pattern]): FilterTerm => ({ kind: 'pattern', key, pattern })),
  fc.stringMatching(/^[A-Z]{2}$/).map((code): FilterTerm => ({ kind: 'country', code })),
  fc.constantFrom<NumberKey>('asn', 'pid', 'zone', 'label', 'id').chain((key) =>
    fc.integer({ min: 0, max: NUMBER_MAX[key] }).map((value): FilterTerm => ({ kind: 'number', key, value }))),
  fc.constantFrom('in', 'out', 'fwd', 'local').map((dir): FilterTerm => ({ kind: 'dir', dir: dir as 'in' })),
  fc.constantFrom('snat', 'dnat', 'any', 'none').map((nat): FilterTerm => ({ kind: 'nat', nat: nat as 'snat' })),
  fc.tuple(u32, fc.oneof(u32, fc.constant(0xffffffff))).map(([v, mask]): FilterTerm => ({ kind: 'mark', value: (v & mask) >>> 0, mask })),
  fc.constantFrom(...STATUS_FLAGS).map((flag): FilterTerm => ({ kind: 'status', flag })),
  fc.constantFrom('local', 'private', 'public', 'active', 'closed').map((word): FilterTerm => ({ kind: 'word', word: word as 'local' })),
  fc.record({
    key: fc.constantFrom<MetricKey>('bytes', 'packets', 'rate', 'age', 'idle', 'timeout'),
    op: fc.constantFrom<CmpOp>('<', '<=', '=', '>=', '>'),
    value: nonNegDouble,
  }).map((m): FilterTerm => ({ kind: 'metric', ...m })),
);

/** A canonical filter tree: and/or with at least two items, nesting well below the parser's depth limit. */
export const exprArb: fc.Arbitrary<FilterExpr> = fc.letrec<{ e: FilterExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    termArb,
    fc.array(tie('e'), { minLength: 2, maxLength: 4 }).map((items): FilterExpr => ({ kind: 'and', items })),
    fc.array(tie('e'), { minLength: 2, maxLength: 4 }).map((items): FilterExpr => ({ kind: 'or', items })),
    tie('e').map((item): FilterExpr => ({ kind: 'not', item })),
  ),
})).e;

/** Strings near the language: tokens of every kind glued with random separators, or any string. */
export const filterTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(
    fc.constantFrom('proto:', 'port:', 'net:', 'host:', 'bytes:>', 'age:<=', 'mark:', 'status:', 'or', '|', '!', '(', ')', '"', '\\', ':', '/', '*', ' ', 'and', 'local', '-', '0x', '::', '.'),
    fc.string({ maxLength: 4 }),
    fc.integer({ min: -5, max: 70000 }).map(String),
  ), { maxLength: 14 }).map((a) => a.join('')),
);

/** Address-like text: valid IPv4, IPv6 (with zones, mapped), and strings over the address alphabet. */
export const addressTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(), fc.ipV6(), fc.ipV4().map((a) => `::ffff:${a}`), fc.ipV6().map((a) => `${a}%eth0`),
  fc.string({ unit: fc.constantFrom('0', '1', '9', 'a', 'F', 'g', ':', ':', '.', '%', '25', '255', '256', 'ffff'), maxLength: 14 }),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 40 })).map(([a, i]) => a.slice(0, i) + a.slice(i + 1)),
  // IPv4 parts in every position: only the last 32 bits may be written so (RFC 4291 2.2).
  fc.tuple(fc.constantFrom('', '1:', '::', '1::'), fc.ipV4(), fc.constantFrom('', '::', ':1', '::1')).map(([a, v4, b]) => a + v4 + b),
);

const addrArb = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4().map((a) => `::ffff:${a}`), fc.constantFrom('', 'junk', '::', '1.2.3'));
const tupleArb: fc.Arbitrary<FlowTuple> = fc.record(
  { src: addrArb, dst: addrArb, sport: u16, dport: u16, zone: u16 },
  { requiredKeys: ['src', 'dst'], noNullPrototype: true },
);
const counters = fc.record({ packets: fc.nat(), bytes: fc.nat() });

/** A Flow with the fields the filter reads varied (others fixed). */
export const flowArb: fc.Arbitrary<Flow> = fc.record({
  id: u32, family: fc.constantFrom('ipv4' as const, 'ipv6' as const), protoNum: fc.integer({ min: 0, max: 255 }),
  orig: tupleArb, reply: tupleArb,
  state: fc.option(fc.constantFrom('ESTABLISHED', 'SYN_SENT', 'TIME_WAIT', 'established')),
  status: fc.subarray([...STATUS_FLAGS]), timeoutSec: fc.option(fc.nat(500000)), mark: u32, zone: u16,
  counters: fc.option(fc.record({ orig: counters, reply: counters }), { nil: undefined }),
  labels: fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { maxLength: 4 }), helper: fc.option(fc.constantFrom('ftp', 'sip')),
}).map((f): Flow => {
  const flow: Flow = { ...f, proto: String(f.protoNum), use: 1 };
  if (f.counters === undefined) delete flow.counters;
  return flow;
});

const rate = fc.record({ bytesPerSec: fc.double({ min: 0, max: 1e9, noNaN: true }), packetsPerSec: fc.double({ min: 0, max: 1e6, noNaN: true }) });
const ratesArb: fc.Arbitrary<FlowRates> = fc.oneof(fc.constant(ZERO_RATES), fc.record({ orig: rate, reply: rate }));
const CLASSES: AddrClass[] = ['unspecified', 'loopback', 'this-host', 'private', 'shared', 'link-local', 'multicast', 'broadcast', 'unique-local', 'documentation', 'public'];
const processArb: fc.Arbitrary<ProcessLabel | null | undefined> = fc.oneof(
  fc.constant(undefined), fc.constant(null),
  fc.record({ kind: fc.constant('process' as const), pid: fc.nat(), name: nastyText, uid: fc.nat(70000), user: fc.option(nastyText), cmdline: fc.string() }),
  fc.constantFrom<ProcessLabel>({ kind: 'no-socket' }, { kind: 'no-owner', uid: 0 }, { kind: 'hidden', inode: 5, uid: 1000 }, { kind: 'unavailable', code: 'EPERM' }),
);
const enrichArb: fc.Arbitrary<Enrichment> = fc.record({
  dir: fc.constantFrom('outbound' as const, 'inbound' as const, 'forwarded' as const, 'local' as const),
  nat: fc.constantFrom('none' as const, 'snat' as const, 'dnat' as const, 'both' as const),
  classes: fc.record({ src: fc.constantFrom(...CLASSES), dst: fc.constantFrom(...CLASSES) }),
  service: fc.option(fc.record({ side: fc.constantFrom('server' as const, 'client' as const), port: u16, name: fc.option(nastyText) })),
  remote: fc.option(fc.ipV4()),
  geo: fc.option(fc.record({
    country: fc.option(fc.constantFrom('DE', 'US', 'FR')), city: fc.option(fc.string()), asn: fc.option(u32), org: fc.option(nastyText),
    pending: fc.constant(true),
  }, { requiredKeys: ['country', 'city', 'asn', 'org'] })),
  rdns: fc.record({ src: fc.option(nastyText), dst: fc.option(nastyText) }),
  rdnsPending: fc.constantFrom(undefined, 'src' as const, 'dst' as const, 'both' as const),
  process: processArb,
}).map((e) => {
  const out: Enrichment = { ...e };
  if (e.process === undefined) delete out.process;
  if (e.rdnsPending === undefined) delete out.rdnsPending;
  return out;
});

/** A Row: a flow, maybe its live figures (open or closed), maybe its enrichment. */
export const rowArb: fc.Arbitrary<Row> = fc.record({
  flow: flowArb,
  live: fc.option(fc.record({ rates: ratesArb, ageMs: fc.nat(), idleMs: fc.nat(), closed: fc.boolean() }), { nil: undefined }),
  enrich: fc.option(enrichArb, { nil: undefined }),
}).map(({ flow, live, enrich }): Row => {
  const lf: LiveFlow | undefined = live && {
    key: 'k', flow, firstSeenMs: 0, lastChangeMs: 0, startMs: null, ageSource: 'first-seen', ageMs: live.ageMs, idleMs: live.idleMs,
    rates: live.rates, closed: live.closed ? { atMs: 1, reason: 'destroy' } : null, countersReset: 0,
  };
  return { flow, ...(lf ? { live: lf } : {}), ...(enrich ? { enrich } : {}) };
});
