// fuzz/ layer: fast-check arbitraries for the ctnetlink codec: model-respecting CtEntry values and
// structured-but-hostile netlink datagrams. Imports fast-check and netlink/ (tests may import any layer).
// The CtEntry arbitrary follows the model: v4/v6 addresses per family, tuple fields per protocol,
// protoinfo only for its protocol, optional fields absent (never `undefined`), counters below 2^53.
import fc from 'fast-check';
import { IPPROTO } from '../netlink/ct-attrs.js';
import type { CtEntry, CtTuple } from '../netlink/ct-entry.js';
import type { EntryOrder } from '../netlink/ct-request.js';
import { formatIP, parseIP } from '../netlink/ip.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const name = fc.stringMatching(/^[a-z0-9_-]{1,15}$/);

/** Canonical address text (what the decoder prints) for family 2 or 10. */
export function addrArb(family: number): fc.Arbitrary<string> {
  const raw = family === 2 ? fc.ipV4() : fc.ipV6();
  return raw.map((s) => formatIP(parseIP(s)!));
}

const PORT_PROTOS = [IPPROTO.TCP, IPPROTO.UDP, IPPROTO.UDPLITE, IPPROTO.SCTP, IPPROTO.DCCP];

/** A protocol number for `family`: the trackers conntrack knows plus arbitrary generic ones. */
function protoArb(family: number): fc.Arbitrary<number> {
  const icmp = family === 2 ? IPPROTO.ICMP : IPPROTO.ICMPV6;
  return fc.oneof(fc.constantFrom(...PORT_PROTOS, IPPROTO.GRE, icmp), u8.filter((p) => p !== IPPROTO.ICMP && p !== IPPROTO.ICMPV6 && p !== IPPROTO.GRE));
}

/** A tuple carrying only the fields protocol `p` can carry. */
export function tupleArb(family: number, p: number): fc.Arbitrary<CtTuple> {
  const base = { src: addrArb(family), dst: addrArb(family), zone: u16 };
  if (p === IPPROTO.ICMP || p === IPPROTO.ICMPV6) {
    return fc.record({ ...base, type: u8, code: u8, icmpId: u16 }, { requiredKeys: ['src', 'dst'], noNullPrototype: true });
  }
  if (p === IPPROTO.GRE) return fc.record({ ...base, srcKey: u16, dstKey: u16 }, { requiredKeys: ['src', 'dst'], noNullPrototype: true });
  return fc.record({ ...base, sport: u16, dport: u16 }, { requiredKeys: ['src', 'dst'], noNullPrototype: true });
}

const seqAdj = fc.record({ correctionPos: u32, offsetBefore: u32, offsetAfter: u32 }, { noNullPrototype: true });
const counters = fc.record({ packets: u53, bytes: u53 }, { noNullPrototype: true });
const labels = fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { maxLength: 6 }).map((a) => a.sort((x, y) => x - y));

/** Any conntrack entry the model allows (all optional fields, all orders). */
export const ctEntryArb: fc.Arbitrary<CtEntry> = fc.constantFrom(2, 10).chain((family) =>
  protoArb(family).chain((protoNum) => {
    const proto: Record<string, fc.Arbitrary<unknown>> = {};
    if (protoNum === IPPROTO.TCP) {
      proto.tcp = fc.record({ state: u8, wscaleOrig: u8, wscaleReply: u8, flagsOrig: u8, flagsReply: u8 }, { requiredKeys: ['state'], noNullPrototype: true });
    } else if (protoNum === IPPROTO.SCTP) {
      proto.sctp = fc.record({ state: u8, vtagOrig: u32, vtagReply: u32 }, { requiredKeys: ['state'], noNullPrototype: true });
    } else if (protoNum === IPPROTO.DCCP) {
      proto.dccp = fc.record({ state: u8, role: u8, handshakeSeq: u64 }, { requiredKeys: ['state'], noNullPrototype: true });
    }
    return fc.record(
      {
        family: fc.constant(family),
        protoNum: fc.constant(protoNum),
        orig: tupleArb(family, protoNum),
        reply: tupleArb(family, protoNum),
        status: u32,
        timeoutSec: u32,
        mark: u32,
        zone: u16,
        use: u32,
        id: u32,
        ...proto,
        helper: name,
        countersOrig: counters,
        countersReply: counters,
        startNs: u64,
        stopNs: u64,
        eventNs: u64,
        labels,
        seqAdjOrig: seqAdj,
        seqAdjReply: seqAdj,
        secctx: name,
        synproxy: fc.record({ isn: u32, its: u32, tsoff: u32 }, { noNullPrototype: true }),
      },
      { requiredKeys: ['family', 'protoNum', 'orig', 'reply', 'status'], noNullPrototype: true },
    ).chain((e) => withMaster(e as CtEntry, family, protoNum));
  }),
);

/** Adds (or not) a master tuple, whose protocol may differ from the entry's (SIP over TCP expecting UDP RTP). */
function withMaster(e: CtEntry, family: number, protoNum: number): fc.Arbitrary<CtEntry> {
  const master = fc.oneof(fc.constant(protoNum), protoArb(family)).chain((mp) =>
    tupleArb(family, mp).map((t): CtEntry => (mp === protoNum ? { ...e, master: t } : { ...e, master: t, masterProtoNum: mp })));
  return fc.oneof(fc.constant(e), master);
}

/** Fields the kernel never sends in a message of this order (ctnetlink.md §3.8), removed from `e`. */
const DROPPED: Record<EntryOrder, (keyof CtEntry)[]> = {
  dump: ['eventNs'],
  event: ['use', 'countersOrig', 'countersReply', 'startNs', 'stopNs'],
  destroy: ['use', 'helper', 'secctx', 'labels', 'master', 'masterProtoNum', 'seqAdjOrig', 'seqAdjReply', 'synproxy'],
};

/** `e` restricted to what a message of `order` can carry, so decode(encode(e)) must equal it. */
export function projectForOrder(e: CtEntry, order: EntryOrder): CtEntry {
  const out = { ...e };
  for (const k of DROPPED[order]) delete out[k];
  return out;
}

/** A CtEntry with the order it is encoded in, already projected. */
export const orderedEntryArb = fc
  .tuple(ctEntryArb, fc.constantFrom<EntryOrder>('dump', 'event', 'destroy'))
  .map(([e, order]) => ({ entry: projectForOrder(e, order), order }));

/** An attribute tree node: a leaf with raw payload, or a nest; `lie` adds to the written nla_len. */
export type AttrNode = { type: number; nested: boolean; lie: number; payload?: Uint8Array; children?: AttrNode[] };

const attrTree: fc.Arbitrary<AttrNode> = fc.letrec<{ node: AttrNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.integer({ min: 0, max: 30 }), nested: fc.boolean(), lie: fc.constantFrom(0, 0, 0, 0, -5, -1, 1, 3, 4, 200), payload: fc.uint8Array({ maxLength: 20 }) }),
    fc.record({ type: fc.integer({ min: 0, max: 30 }), nested: fc.boolean(), lie: fc.constantFrom(0, 0, 0, 0, -4, 2, 9), children: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
})).node;

/** Serializes attributes host-order, with the (possibly lying) lengths they carry. */
export function writeAttrs(nodes: AttrNode[]): Uint8Array {
  const parts: number[] = [];
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const put16 = (at: number, v: number) => { const a = v & 0xff, b = (v >> 8) & 0xff; parts[at] = le ? a : b; parts[at + 1] = le ? b : a; };
  for (const n of nodes) {
    const body = n.children ? writeAttrs(n.children) : n.payload ?? new Uint8Array(0);
    const at = parts.length;
    parts.push(0, 0, 0, 0, ...body);
    put16(at, Math.max(0, Math.min(0xffff, 4 + body.length + n.lie)));
    put16(at + 2, n.type | (n.nested ? 0x8000 : 0));
    while (parts.length % 4) parts.push(0);
  }
  return Uint8Array.from(parts);
}

/** One netlink message: a plausible header (length may lie), nfgenmsg, then an attribute soup. */
const messageArb = fc
  .record({
    type: fc.constantFrom(0x0100, 0x0102, 0x0002, 0x0003, 0x0104, 0x0105, 0x0001),
    flags: fc.constantFrom(0, 0x2, 0x100, 0x200, 0x300, 0x600),
    family: fc.constantFrom(0, 2, 10),
    attrs: fc.array(attrTree, { maxLength: 6 }),
    lie: fc.constantFrom(0, 0, 0, 0, -3, 1, 4, 17, -20),
  })
  .map(({ type, flags, family, attrs, lie }) => {
    const body = writeAttrs(attrs);
    const len = 20 + body.length;
    const out = new Uint8Array(len + ((4 - (len & 3)) & 3));
    const v = new DataView(out.buffer);
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    v.setUint32(0, Math.max(0, len + lie), le);
    v.setUint16(4, type, le);
    v.setUint16(6, flags, le);
    out[16] = family;
    out.set(body, 20);
    return out;
  });

/** A datagram of 1-3 structured messages, or plain random bytes. */
export const datagramArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(messageArb, { minLength: 1, maxLength: 3 }).map((ms) => {
    const out = new Uint8Array(ms.reduce((n, m) => n + m.length, 0));
    let o = 0;
    for (const m of ms) { out.set(m, o); o += m.length; }
    return out;
  }),
  fc.uint8Array({ maxLength: 256 }),
);
