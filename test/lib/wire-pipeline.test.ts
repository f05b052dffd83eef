// WirePipeline: datagrams (live or replayed) → SourceEvents. Requests are matched to replies by sequence
// number; seq-0 conntrack messages are events (NEW+CREATE|EXCL new, NEW update, DELETE destroy); the ENOBUFS
// marker is an overflow; a bad message is counted, its bytes handed on, and the dump that held it never sweeps.
import t from 'tap';
import { encodeCtEntryMessage, encodeDumpRequest, encodeStatsRequest } from '../../netlink/ct-request.js';
import { encodeGlobalStatsReply } from '../../netlink/ct-stats.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import { encodeDone, encodeNlError } from '../../netlink/message.js';
import { ENOBUFS, WirePipeline, toFlow, type WireRecord } from '../../lib/kernel/index.js';
import type { SourceEvent } from '../../lib/source.js';

const entry = (id: number, over: Partial<CtEntry> = {}): CtEntry => ({
  family: 2, protoNum: 6, status: 0xe, id, timeoutSec: 100, mark: 0, use: 1,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000 + id, dport: 80 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1000 + id },
  tcp: { state: 3 }, ...over,
});
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.byteLength; }
  return out;
};
const rec = (direction: 'in' | 'out', data: Uint8Array, ms = 1000): WireRecord => ({ tsNs: BigInt(ms) * 1000000n, direction, family: 12, data });
const MULTI = 0x2;
const PID = 4242;

function harness(filter = {}) {
  const events: SourceEvent[] = [];
  const p = new WirePipeline((e) => events.push(e), filter);
  const bad: Uint8Array[] = [];
  const done: { seq: number; code?: string }[] = [];
  p.onBadDatagram = (d) => bad.push(d);
  p.onRequestDone = (seq, err) => done.push({ seq, code: (err as { code?: string } | undefined)?.code });
  return { p, events, bad, done, kinds: () => events.map((e) => e.kind) };
}

t.test('a dump: request, entries in two datagrams, DONE', async (t) => {
  const h = harness();
  h.p.feed(rec('out', encodeDumpRequest(7)));
  h.p.feed(rec('in', cat(encodeCtEntryMessage(entry(1), { flags: MULTI, seq: 7, pid: PID }), encodeCtEntryMessage(entry(2), { flags: MULTI, seq: 7, pid: PID }))));
  h.p.feed(rec('in', cat(encodeCtEntryMessage(entry(3), { flags: MULTI, seq: 7, pid: PID }), encodeDone(7, PID)), 1005));
  t.same(h.kinds(), ['dumpBegin', 'dumpEntry', 'dumpEntry', 'dumpEntry', 'dumpEnd']);
  t.match(h.events.at(-1), { kind: 'dumpEnd', complete: true, atMs: 1005 });
  t.same(h.done, [{ seq: 7, code: undefined }]);
  t.same((h.events[1] as { flow: unknown }).flow, toFlow(entry(1)));
});

t.test('events by flags and type; the ENOBUFS marker is an overflow', async (t) => {
  const h = harness();
  h.p.feed(rec('in', encodeCtEntryMessage(entry(1), { flags: 0x600, seq: 0, pid: 0 }, 'event')));
  h.p.feed(rec('in', encodeCtEntryMessage(entry(1), { flags: 0, seq: 0, pid: 0 }, 'event')));
  h.p.feed(rec('in', encodeNlError(0, 0, -ENOBUFS, { len: 0, type: 0, flags: 0, seq: 0, pid: 0 })));
  h.p.feed(rec('in', encodeCtEntryMessage(entry(1, { status: 0x20e }), { flags: 0, seq: 0, pid: 0 }, 'destroy')));
  t.same(h.kinds(), ['new', 'update', 'overflow', 'destroy']);
});

t.test('a bad entry in a dump: counted, bytes handed on, the rest delivered, the dump incomplete', async (t) => {
  const h = harness();
  h.p.feed(rec('out', encodeDumpRequest(9)));
  const broken = encodeCtEntryMessage(entry(2), { flags: MULTI, seq: 9, pid: PID });
  // nlmsghdr 16 + nfgenmsg 4, CTA_TUPLE_ORIG header 4, CTA_TUPLE_IP header 4: CTA_IP_V4_SRC's nla_len is at 28.
  broken[28] = 5; // a 1-byte IPv4 address: BAD_ATTR_SIZE
  const datagram = cat(encodeCtEntryMessage(entry(1), { flags: MULTI, seq: 9, pid: PID }), broken, encodeCtEntryMessage(entry(3), { flags: MULTI, seq: 9, pid: PID }));
  h.p.feed(rec('in', datagram));
  h.p.feed(rec('in', encodeDone(9, PID)));
  t.same(h.kinds(), ['dumpBegin', 'dumpEntry', 'dumpEntry', 'dumpEnd']);
  t.match(h.events.at(-1), { kind: 'dumpEnd', complete: false }, 'a dump with a hole must not sweep the table');
  t.equal(h.p.health.badMessages, 1);
  t.match(h.p.health.lastProblem, /bad netlink message/);
  t.same(h.bad, [datagram], 'the whole datagram is handed on for saving');
});

t.test('garbage framing is counted and never thrown', async (t) => {
  const h = harness();
  t.doesNotThrow(() => h.p.feed(rec('in', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]))));
  t.doesNotThrow(() => h.p.feed(rec('out', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))));
  t.equal(h.p.health.badMessages, 2);
  t.same(h.events, []);
});

t.test('a dump that fails part-way (DONE with an errno) ends incomplete with the kernel error', async (t) => {
  const h = harness();
  h.p.feed(rec('out', encodeDumpRequest(11)));
  h.p.feed(rec('in', cat(encodeCtEntryMessage(entry(1), { flags: MULTI, seq: 11, pid: PID }), encodeDone(11, PID, -16))));
  t.match(h.events.at(-1), { kind: 'dumpEnd', complete: false });
  t.same(h.done, [{ seq: 11, code: 'EBUSY' }]);
});

t.test('statistics answer the request that asked for them', async (t) => {
  const h = harness();
  h.p.feed(rec('out', encodeStatsRequest(5)));
  h.p.feed(rec('in', encodeGlobalStatsReply({ entries: 42, maxEntries: 262144 }, 5, PID)));
  h.p.feed(rec('in', encodeNlError(5, PID, 0, { len: 20, type: 0x105, flags: 5, seq: 5, pid: 0 })));
  t.match(h.events, [{ kind: 'stats', count: 42, max: 262144 }]);
  t.same(h.done, [{ seq: 5, code: undefined }]);
});

t.test('family and protocol filters apply to events as well as dumps', async (t) => {
  const h = harness({ families: ['ipv6'], protoNums: new Set([17]) });
  h.p.feed(rec('in', encodeCtEntryMessage(entry(1), { flags: 0x600, seq: 0, pid: 0 }, 'event')));
  const v6udp = entry(2, { family: 10, protoNum: 17, tcp: undefined, orig: { src: '2001:db8::1', dst: '2001:db8::2', sport: 5, dport: 53 }, reply: { src: '2001:db8::2', dst: '2001:db8::1', sport: 53, dport: 5 } });
  h.p.feed(rec('in', encodeCtEntryMessage(v6udp, { flags: 0x600, seq: 0, pid: 0 }, 'event')));
  t.same(h.kinds(), ['new']);
  t.equal((h.events[0] as { flow: { family: string } }).flow.family, 'ipv6');
});

t.test('sock_diag records are not flow traffic', async (t) => {
  const h = harness();
  h.p.feed({ ...rec('in', encodeDone(1, 1)), family: 4 });
  t.same(h.events, []);
  t.equal(h.p.health.badMessages, 0);
});

t.test('a datagram that cannot be framed during a dump makes that dump incomplete (it may have held entries)', async (t) => {
  const h = harness();
  h.p.feed(rec('out', encodeDumpRequest(13)));
  h.p.feed(rec('in', encodeCtEntryMessage(entry(1), { flags: MULTI, seq: 13, pid: PID })));
  const lying = encodeCtEntryMessage(entry(2), { flags: MULTI, seq: 13, pid: PID });
  lying[0] += 8; // nlmsg_len past the datagram: the whole datagram is unreadable
  h.p.feed(rec('in', lying));
  h.p.feed(rec('in', encodeDone(13, PID)));
  t.same(h.kinds(), ['dumpBegin', 'dumpEntry', 'dumpEnd']);
  t.match(h.events.at(-1), { kind: 'dumpEnd', complete: false }, 'the sweep is skipped');
  t.equal(h.p.health.badMessages, 1);
});
