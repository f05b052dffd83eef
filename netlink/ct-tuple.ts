// netlink/ layer: CTA_TUPLE_* nests (addresses, L4 keys, directional zone), decoded and encoded.
// Imports ./reader, ./writer, ./attr, ./errors, ./ct-attrs, ./ip. Layout: ctnetlink.md §3.3.
// ICMP uses attributes 4/5/6 and ICMPv6 7/8/9; GRE keys travel in the port attributes (§8 items 18-19).
import { AttrIter } from './attr.js';
import { CTA_IP, CTA_PROTO, CTA_TUPLE, IPPROTO } from './ct-attrs.js';
import type { CtTuple } from './ct-entry.js';
import { DecodeError, rethrowWithin } from './errors.js';
import { formatIPv4At, formatIPv6At, parseIP } from './ip.js';
import { badAttrSize, type Reader } from './reader.js';
import { EncodeError, type Writer } from './writer.js';

/** A decoded tuple with the protocol number it carried (the same in both directions of an entry). */
export interface DecodedTuple {
  tuple: CtTuple;
  protoNum: number;
}

/**
 * Address text already made, direct-mapped by address and shared by every datagram: a reply tuple repeats
 * its original's addresses, and a table's flows share servers and clients. Besides saving the formatting,
 * the flows then hold one string per distinct address instead of one per tuple field (at 50k flows, MiBs).
 * Slots: powers of two; IPv6 keeps the 16 bytes of each slot's address to compare.
 */
const V4_SLOTS = 8192;
const V6_SLOTS = 1024;
const v4Keys = new Uint32Array(V4_SLOTS);
const v4Text: (string | undefined)[] = new Array<string | undefined>(V4_SLOTS).fill(undefined);
const v6Bytes = new Uint8Array(V6_SLOTS * 16);
const v6Text: (string | undefined)[] = new Array<string | undefined>(V6_SLOTS).fill(undefined);

/**
 * Reusable state for decoding the conntrack messages of one datagram: one attribute iterator per nesting
 * depth (message, nest, nest in nest), re-initialised with `reset` instead of allocated per nest, and the
 * protocol number the last `decodeTupleWith` read. Belongs to one Reader; never shared between datagrams.
 */
export class CtDecodeScratch {
  /** Top-level attributes of a message. */
  readonly it0: AttrIter;
  /** Attributes of a top-level nest (a tuple, CTA_PROTOINFO, counters, ...). */
  readonly it1: AttrIter;
  /** Attributes of a nest inside a nest (CTA_TUPLE_IP, CTA_TUPLE_PROTO, CTA_PROTOINFO_TCP, ...). */
  readonly it2: AttrIter;
  /** CTA_PROTO_NUM of the tuple the last decodeTupleWith call returned. */
  protoNum = -1;
  constructor(readonly r: Reader) {
    this.it0 = new AttrIter(r, 0, 0);
    this.it1 = new AttrIter(r, 0, 0);
    this.it2 = new AttrIter(r, 0, 0);
  }

  /** formatIPv4At(r.buf, off), through the shared address-text cache. Caller checked bounds. */
  ipv4At(off: number): string {
    const b = this.r.buf;
    const key = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
    const slot = Math.imul(key, 0x9e3779b1) >>> (32 - 13); // Fibonacci hashing: 13 bits = V4_SLOTS
    const have = v4Text[slot];
    if (have !== undefined && v4Keys[slot] === key) return have;
    const text = formatIPv4At(b, off);
    v4Keys[slot] = key;
    v4Text[slot] = text;
    return text;
  }

  /** formatIPv6At(r.buf, off), through the shared address-text cache. Caller checked bounds. */
  ipv6At(off: number): string {
    const b = this.r.buf;
    let h = 0x811c9dc5;
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
    const slot = h >>> (32 - 10); // 10 bits = V6_SLOTS
    const at = slot * 16;
    const have = v6Text[slot];
    if (have !== undefined) {
      let i = 0;
      while (i < 16 && v6Bytes[at + i] === b[off + i]) i++;
      if (i === 16) return have;
    }
    const text = formatIPv6At(b, off);
    v6Bytes.set(b.subarray(off, off + 16), at);
    v6Text[slot] = text;
    return text;
  }

  /** The scratch of `r`, created on first use (a Reader's scratch slot holds at most one decoder's state). */
  static of(r: Reader): CtDecodeScratch {
    const s = r.scratch;
    if (s instanceof CtDecodeScratch) return s;
    const created = new CtDecodeScratch(r);
    r.scratch = created;
    return created;
  }
}

/** Decodes a CTA_TUPLE_* payload in [off, end). Throws MISSING_ATTR without addresses or protocol. */
export function decodeTuple(r: Reader, off: number, end: number): DecodedTuple {
  const s = new CtDecodeScratch(r);
  const tuple = decodeTupleWith(s, off, end);
  return { tuple, protoNum: s.protoNum };
}

/**
 * decodeTuple without the wrapper object: returns the tuple and leaves its protocol number in `s.protoNum`.
 * Uses the scratch's depth-1 and depth-2 iterators.
 */
export function decodeTupleWith(s: CtDecodeScratch, off: number, end: number): CtTuple {
  const r = s.r;
  const b = r.buf;
  let src: string | undefined;
  let dst: string | undefined;
  let protoNum = -1;
  let sport: number | undefined;
  let dport: number | undefined;
  let icmpId: number | undefined;
  let icmpType: number | undefined;
  let icmpCode: number | undefined;
  let zone: number | undefined;
  const it = s.it1.reset(off, end);
  while (it.next()) {
    if (it.len === 0) continue;
    switch (it.type) {
      case CTA_TUPLE.IP: {
        const ip = s.it2.reset(it.off, it.off + it.len);
        try {
          while (ip.next()) {
            switch (ip.type) {
              case CTA_IP.V4_SRC: if (ip.len !== 4) badAttrSize(ip.hdr, ip.len, 4); src = s.ipv4At(ip.off); break;
              case CTA_IP.V4_DST: if (ip.len !== 4) badAttrSize(ip.hdr, ip.len, 4); dst = s.ipv4At(ip.off); break;
              case CTA_IP.V6_SRC: if (ip.len !== 16) badAttrSize(ip.hdr, ip.len, 16); src = s.ipv6At(ip.off); break;
              case CTA_IP.V6_DST: if (ip.len !== 16) badAttrSize(ip.hdr, ip.len, 16); dst = s.ipv6At(ip.off); break;
            }
          }
        } catch (e) { rethrowWithin(e, 'CTA_TUPLE_IP'); }
        break;
      }
      case CTA_TUPLE.PROTO: {
        const p = s.it2.reset(it.off, it.off + it.len);
        try {
          while (p.next()) {
            switch (p.type) {
              case CTA_PROTO.NUM: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); protoNum = b[p.off]; break;
              case CTA_PROTO.SRC_PORT: if (p.len !== 2) badAttrSize(p.hdr, p.len, 2); sport = r.u16beAt(p.off); break;
              case CTA_PROTO.DST_PORT: if (p.len !== 2) badAttrSize(p.hdr, p.len, 2); dport = r.u16beAt(p.off); break;
              case CTA_PROTO.ICMP_ID: case CTA_PROTO.ICMPV6_ID: if (p.len !== 2) badAttrSize(p.hdr, p.len, 2); icmpId = r.u16beAt(p.off); break;
              case CTA_PROTO.ICMP_TYPE: case CTA_PROTO.ICMPV6_TYPE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); icmpType = b[p.off]; break;
              case CTA_PROTO.ICMP_CODE: case CTA_PROTO.ICMPV6_CODE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); icmpCode = b[p.off]; break;
            }
          }
        } catch (e) { rethrowWithin(e, 'CTA_TUPLE_PROTO'); }
        break;
      }
      case CTA_TUPLE.ZONE:
        if (it.len !== 2) badAttrSize(it.hdr, it.len, 2);
        zone = r.u16beAt(it.off);
        break;
    }
  }
  if (src === undefined || dst === undefined) throw new DecodeError('MISSING_ATTR', off, 'CTA_TUPLE_IP');
  if (protoNum < 0) throw new DecodeError('MISSING_ATTR', off, 'CTA_TUPLE_PROTO/CTA_PROTO_NUM');
  s.protoNum = protoNum;
  // Common shapes are built as one literal (no property-store growth); key order is the same as adding
  // them one by one: src, dst, then the L4 keys, then zone.
  let tuple: CtTuple;
  if (protoNum === IPPROTO.GRE) {
    tuple = { src, dst };
    if (sport !== undefined) tuple.srcKey = sport;
    if (dport !== undefined) tuple.dstKey = dport;
  } else if (protoNum === IPPROTO.ICMP || protoNum === IPPROTO.ICMPV6) {
    if (icmpType !== undefined && icmpCode !== undefined && icmpId !== undefined) {
      tuple = zone === undefined
        ? { src, dst, type: icmpType, code: icmpCode, icmpId }
        : { src, dst, type: icmpType, code: icmpCode, icmpId, zone };
      return tuple;
    }
    tuple = { src, dst };
    if (icmpType !== undefined) tuple.type = icmpType;
    if (icmpCode !== undefined) tuple.code = icmpCode;
    if (icmpId !== undefined) tuple.icmpId = icmpId;
  } else if (sport !== undefined && dport !== undefined) {
    return zone === undefined ? { src, dst, sport, dport } : { src, dst, sport, dport, zone };
  } else {
    tuple = { src, dst };
    if (sport !== undefined) tuple.sport = sport;
    if (dport !== undefined) tuple.dport = dport;
  }
  if (zone !== undefined) tuple.zone = zone;
  return tuple;
}

/** Encodes a tuple nest of type `nestType` (CTA_TUPLE_ORIG/REPLY/MASTER) for protocol `protoNum`. */
export function encodeTuple(w: Writer, nestType: number, t: CtTuple, protoNum: number): void {
  const src = parseIP(t.src);
  const dst = parseIP(t.dst);
  if (!src || !dst || src.length !== dst.length) throw new EncodeError('BAD_VALUE', `bad tuple addresses ${t.src} ${t.dst}`);
  const v6 = src.length === 16;
  w.nest(nestType, (w) => {
    w.nest(CTA_TUPLE.IP, (w) => {
      w.attrBytes(v6 ? CTA_IP.V6_SRC : CTA_IP.V4_SRC, src);
      w.attrBytes(v6 ? CTA_IP.V6_DST : CTA_IP.V4_DST, dst);
    });
    w.nest(CTA_TUPLE.PROTO, (w) => {
      w.attrU8(CTA_PROTO.NUM, protoNum);
      if (protoNum === IPPROTO.ICMP || protoNum === IPPROTO.ICMPV6) {
        const six = protoNum === IPPROTO.ICMPV6;
        if (t.icmpId !== undefined) w.attrU16be(six ? CTA_PROTO.ICMPV6_ID : CTA_PROTO.ICMP_ID, t.icmpId);
        if (t.type !== undefined) w.attrU8(six ? CTA_PROTO.ICMPV6_TYPE : CTA_PROTO.ICMP_TYPE, t.type);
        if (t.code !== undefined) w.attrU8(six ? CTA_PROTO.ICMPV6_CODE : CTA_PROTO.ICMP_CODE, t.code);
      } else {
        const s = protoNum === IPPROTO.GRE ? t.srcKey : t.sport;
        const d = protoNum === IPPROTO.GRE ? t.dstKey : t.dport;
        if (s !== undefined) w.attrU16be(CTA_PROTO.SRC_PORT, s);
        if (d !== undefined) w.attrU16be(CTA_PROTO.DST_PORT, d);
      }
    });
    if (t.zone !== undefined) w.attrU16be(CTA_TUPLE.ZONE, t.zone);
  });
}
