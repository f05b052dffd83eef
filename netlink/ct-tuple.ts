// netlink/ layer: CTA_TUPLE_* nests (addresses, L4 keys, directional zone), decoded and encoded.
// Imports ./reader, ./writer, ./attr, ./errors, ./ct-attrs, ./ip. Layout: ctnetlink.md §3.3.
// ICMP uses attributes 4/5/6 and ICMPv6 7/8/9; GRE keys travel in the port attributes (§8 items 18-19).
import { AttrIter } from './attr.js';
import { CTA_IP, CTA_PROTO, CTA_TUPLE, IPPROTO } from './ct-attrs.js';
import type { CtTuple } from './ct-entry.js';
import { DecodeError, rethrowWithin } from './errors.js';
import { formatIPv4At, formatIPv6At, parseIP } from './ip.js';
import type { Reader } from './reader.js';
import { EncodeError, type Writer } from './writer.js';

/** A decoded tuple with the protocol number it carried (the same in both directions of an entry). */
export interface DecodedTuple {
  tuple: CtTuple;
  protoNum: number;
}

/** Decodes a CTA_TUPLE_* payload in [off, end). Throws MISSING_ATTR without addresses or protocol. */
export function decodeTuple(r: Reader, off: number, end: number): DecodedTuple {
  let src: string | undefined;
  let dst: string | undefined;
  let protoNum = -1;
  let sport: number | undefined;
  let dport: number | undefined;
  let icmpId: number | undefined;
  let icmpType: number | undefined;
  let icmpCode: number | undefined;
  let zone: number | undefined;
  const it = new AttrIter(r, off, end);
  while (it.next()) {
    if (it.len === 0) continue;
    switch (it.type) {
      case CTA_TUPLE.IP: {
        const ip = new AttrIter(r, it.off, it.off + it.len);
        try {
          while (ip.next()) {
            switch (ip.type) {
              case CTA_IP.V4_SRC: r.fixed(ip.hdr, ip.len, 4); src = formatIPv4At(r.buf, ip.off); break;
              case CTA_IP.V4_DST: r.fixed(ip.hdr, ip.len, 4); dst = formatIPv4At(r.buf, ip.off); break;
              case CTA_IP.V6_SRC: r.fixed(ip.hdr, ip.len, 16); src = formatIPv6At(r.buf, ip.off); break;
              case CTA_IP.V6_DST: r.fixed(ip.hdr, ip.len, 16); dst = formatIPv6At(r.buf, ip.off); break;
            }
          }
        } catch (e) { rethrowWithin(e, 'CTA_TUPLE_IP'); }
        break;
      }
      case CTA_TUPLE.PROTO: {
        const p = new AttrIter(r, it.off, it.off + it.len);
        try {
          while (p.next()) {
            switch (p.type) {
              case CTA_PROTO.NUM: r.fixed(p.hdr, p.len, 1); protoNum = r.buf[p.off]; break;
              case CTA_PROTO.SRC_PORT: r.fixed(p.hdr, p.len, 2); sport = r.u16be(p.off); break;
              case CTA_PROTO.DST_PORT: r.fixed(p.hdr, p.len, 2); dport = r.u16be(p.off); break;
              case CTA_PROTO.ICMP_ID: case CTA_PROTO.ICMPV6_ID: r.fixed(p.hdr, p.len, 2); icmpId = r.u16be(p.off); break;
              case CTA_PROTO.ICMP_TYPE: case CTA_PROTO.ICMPV6_TYPE: r.fixed(p.hdr, p.len, 1); icmpType = r.buf[p.off]; break;
              case CTA_PROTO.ICMP_CODE: case CTA_PROTO.ICMPV6_CODE: r.fixed(p.hdr, p.len, 1); icmpCode = r.buf[p.off]; break;
            }
          }
        } catch (e) { rethrowWithin(e, 'CTA_TUPLE_PROTO'); }
        break;
      }
      case CTA_TUPLE.ZONE:
        r.fixed(it.hdr, it.len, 2);
        zone = r.u16be(it.off);
        break;
    }
  }
  if (src === undefined || dst === undefined) throw new DecodeError('MISSING_ATTR', off, 'CTA_TUPLE_IP');
  if (protoNum < 0) throw new DecodeError('MISSING_ATTR', off, 'CTA_TUPLE_PROTO/CTA_PROTO_NUM');
  const tuple: CtTuple = { src, dst };
  if (protoNum === IPPROTO.GRE) {
    if (sport !== undefined) tuple.srcKey = sport;
    if (dport !== undefined) tuple.dstKey = dport;
  } else if (protoNum === IPPROTO.ICMP || protoNum === IPPROTO.ICMPV6) {
    if (icmpType !== undefined) tuple.type = icmpType;
    if (icmpCode !== undefined) tuple.code = icmpCode;
    if (icmpId !== undefined) tuple.icmpId = icmpId;
  } else {
    if (sport !== undefined) tuple.sport = sport;
    if (dport !== undefined) tuple.dport = dport;
  }
  if (zone !== undefined) tuple.zone = zone;
  return { tuple, protoNum };
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
