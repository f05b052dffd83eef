// netlink/ layer: decodes one ctnetlink conntrack message (dump reply or event) into a CtEntry.
// Imports ./reader, ./writer, ./attr, ./errors, ./message, ./nfnetlink, ./ct-*. This is the hot path of a
// 100k-flow dump: one pass, no closures, unknown attributes counted, zero-length attributes skipped
// (64-bit pads; CTA_TIMESTAMP_EVENT's top-level pad shares type 3 with CTA_STATUS, ctnetlink.md §1.6).
import type { UnknownAttrs } from './attr.js';
import {
  CTA, CTA_COUNTERS, CTA_HELP_ATTR, CTA_PROTOINFO, CTA_PROTOINFO_DCCP, CTA_PROTOINFO_SCTP,
  CTA_PROTOINFO_TCP, CTA_SECCTX_ATTR, CTA_SEQADJ, CTA_SYNPROXY_ATTR, CTA_TIMESTAMP_ATTR, CT_MSG, ctaName,
} from './ct-attrs.js';
import type { CtCounters, CtEntry, CtKind, CtSeqAdj } from './ct-entry.js';
import { CtDecodeScratch, decodeTupleWith } from './ct-tuple.js';
import { DecodeError, rethrowWithin } from './errors.js';
import { NLM_F, type NlMsg } from './message.js';
import { NFGENMSG_LEN, NFNL_SUBSYS, msgTypeOf, subsysOf } from './nfnetlink.js';
import { HOST_IS_LE, badAttrSize, type Reader } from './reader.js';
import { EncodeError } from './writer.js';

/** True when `m` is a ctnetlink conntrack message (type 0x0100 NEW or 0x0102 DELETE). */
export function isCtEntryMessage(m: NlMsg): boolean {
  return subsysOf(m.type) === NFNL_SUBSYS.CTNETLINK && (msgTypeOf(m.type) === CT_MSG.NEW || msgTypeOf(m.type) === CT_MSG.DELETE);
}

/**
 * What a conntrack message means on an event socket (ctnetlink.md §4.5): DELETE is destroy; NEW with
 * CREATE or EXCL is new; NEW without them is update (kernels up to 4.10 also send update on create).
 * On a dump socket every 0x0100 message is an 'entry'.
 */
export function ctKindOf(m: NlMsg, onDumpSocket: boolean): CtKind {
  if (msgTypeOf(m.type) === CT_MSG.DELETE) return 'destroy';
  if (onDumpSocket) return 'entry';
  return (m.flags & (NLM_F.CREATE | NLM_F.EXCL)) !== 0 ? 'new' : 'update';
}

/** Decodes a conntrack message. Throws DecodeError with the path `msg[i]/CTA_.../...` on malformed input. */
export function decodeCtEntry(r: Reader, m: NlMsg, unknown?: UnknownAttrs): CtEntry {
  try {
    return decodeBody(r, m, unknown);
  } catch (e) {
    rethrowWithin(e, `msg[${m.index}]`);
  }
}

function decodeBody(r: Reader, m: NlMsg, unknown?: UnknownAttrs): CtEntry {
  const end = m.end;
  // nfgenmsg (decodeNfGenMsg's checks, without its object): only the family is kept.
  r.need(m.payload, NFGENMSG_LEN, end);
  const family = r.u8(m.payload);
  r.u8(m.payload + 1);
  r.u16be(m.payload + 2);
  const s = CtDecodeScratch.of(r);
  // Every field in the literal, undefined until its attribute is read: every entry has one object shape. Added
  // as attributes came, each kind of entry (TCP or UDP, with or without a zone, a mark, counters) had its own,
  // so the property accesses here and in the JSON writer turned polymorphic as new kinds arrived, and each
  // change reset V8's count towards optimizing decodeBody (twice in a 100k-flow dump by --trace-opt-verbose).
  // One shape: 10-25 ms less warm-up at the start of a dump in process, and a warm entry 3 % cheaper.
  const e: CtEntry = {
    family, protoNum: -1, orig: undefined!, reply: undefined!, master: undefined, masterProtoNum: undefined, status: 0,
    timeoutSec: undefined, mark: undefined, zone: undefined, use: undefined, id: undefined, tcp: undefined,
    sctp: undefined, dccp: undefined, helper: undefined, countersOrig: undefined, countersReply: undefined,
    countersSaturated: undefined, startNs: undefined, stopNs: undefined, eventNs: undefined, labels: undefined,
    seqAdjOrig: undefined, seqAdjReply: undefined, secctx: undefined, synproxy: undefined,
  } satisfies Record<keyof CtEntry, unknown>; // a field added to CtEntry and not here fails to compile
  const it = s.it0.reset(m.payload + NFGENMSG_LEN, end);
  let masterProto = -1;
  while (it.next()) {
    if (it.len === 0) continue;
    const o = it.off, len = it.len;
    try {
      switch (it.type) {
        case CTA.TUPLE_ORIG: e.orig = decodeTupleWith(s, o, o + len); e.protoNum = s.protoNum; break;
        case CTA.TUPLE_REPLY: e.reply = decodeTupleWith(s, o, o + len); break;
        case CTA.TUPLE_MASTER: e.master = decodeTupleWith(s, o, o + len); masterProto = s.protoNum; break;
        // The u32 attributes share one size check and one read (fewer call sites for V8 to inline).
        case CTA.STATUS: case CTA.TIMEOUT: case CTA.MARK: case CTA.USE: case CTA.ID: {
          if (len !== 4) badAttrSize(it.hdr, len, 4);
          const v = r.u32beAt(o);
          const t = it.type;
          if (t === CTA.STATUS) e.status = v;
          else if (t === CTA.TIMEOUT) e.timeoutSec = v;
          else if (t === CTA.MARK) e.mark = v;
          else if (t === CTA.USE) e.use = v;
          else e.id = v;
          break;
        }
        case CTA.ZONE: if (len !== 2) badAttrSize(it.hdr, len, 2); e.zone = r.u16beAt(o); break;
        case CTA.PROTOINFO: decodeProtoinfo(s, o, o + len, e); break;
        case CTA.COUNTERS_ORIG: e.countersOrig = decodeCounters(s, o, o + len, e); break;
        case CTA.COUNTERS_REPLY: e.countersReply = decodeCounters(s, o, o + len, e); break;
        case CTA.TIMESTAMP: decodeTimestamp(s, o, o + len, e); break;
        case CTA.TIMESTAMP_EVENT: if (len !== 8) badAttrSize(it.hdr, len, 8); e.eventNs = r.u64beBig(o); break;
        case CTA.HELP: decodeHelp(s, o, o + len, e); break;
        case CTA.LABELS: e.labels = decodeLabels(r, it.hdr, o, len); break;
        case CTA.SEQ_ADJ_ORIG: e.seqAdjOrig = decodeSeqAdj(s, o, o + len); break;
        case CTA.SEQ_ADJ_REPLY: e.seqAdjReply = decodeSeqAdj(s, o, o + len); break;
        case CTA.SECCTX: decodeSecctx(s, o, o + len, e); break;
        case CTA.SYNPROXY: decodeSynproxy(s, o, o + len, e); break;
        default: unknown?.add(ctaName(it.type), r, it);
      }
    } catch (err) {
      rethrowWithin(err, ctaName(it.type));
    }
  }
  if (e.orig === undefined) throw new DecodeError('MISSING_ATTR', m.payload, 'CTA_TUPLE_ORIG');
  if (e.reply === undefined) throw new DecodeError('MISSING_ATTR', m.payload, 'CTA_TUPLE_REPLY');
  // Resolved after the walk: attributes may come in any order (ctnetlink.md §3.8 "decode by type").
  if (e.master !== undefined && masterProto !== e.protoNum) e.masterProtoNum = masterProto;
  return e;
}

/** Path segment of a CTA_PROTOINFO_* nest. */
function protoinfoName(type: number): string {
  return `CTA_PROTOINFO_${type === 1 ? 'TCP' : type === 2 ? 'DCCP' : type === 3 ? 'SCTP' : `?(${type})`}`;
}

// Nested decoders below use the scratch's depth-1 iterator for their own attributes and depth-2 for
// nests inside them; fixed-size payloads are read unchecked once their size is checked (AttrIter bounds them).

function decodeProtoinfo(s: CtDecodeScratch, off: number, end: number, e: CtEntry): void {
  const r = s.r;
  const b = r.buf;
  const it = s.it1.reset(off, end);
  while (it.next()) {
    if (it.len === 0) continue;
    const p = s.it2.reset(it.off, it.off + it.len);
    try {
      if (it.type === CTA_PROTOINFO.TCP) {
        const tcp: NonNullable<CtEntry['tcp']> = { state: 0 };
        while (p.next()) {
          switch (p.type) {
            case CTA_PROTOINFO_TCP.STATE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); tcp.state = b[p.off]; break;
            case CTA_PROTOINFO_TCP.WSCALE_ORIGINAL: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); tcp.wscaleOrig = b[p.off]; break;
            case CTA_PROTOINFO_TCP.WSCALE_REPLY: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); tcp.wscaleReply = b[p.off]; break;
            // struct nf_ct_tcp_flags {flags, mask}: the kernel always sends mask 0.
            case CTA_PROTOINFO_TCP.FLAGS_ORIGINAL: if (p.len !== 2) badAttrSize(p.hdr, p.len, 2); tcp.flagsOrig = b[p.off]; break;
            case CTA_PROTOINFO_TCP.FLAGS_REPLY: if (p.len !== 2) badAttrSize(p.hdr, p.len, 2); tcp.flagsReply = b[p.off]; break;
          }
        }
        e.tcp = tcp;
      } else if (it.type === CTA_PROTOINFO.SCTP) {
        const sctp: NonNullable<CtEntry['sctp']> = { state: 0 };
        while (p.next()) {
          switch (p.type) {
            case CTA_PROTOINFO_SCTP.STATE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); sctp.state = b[p.off]; break;
            case CTA_PROTOINFO_SCTP.VTAG_ORIGINAL: if (p.len !== 4) badAttrSize(p.hdr, p.len, 4); sctp.vtagOrig = r.u32beAt(p.off); break;
            case CTA_PROTOINFO_SCTP.VTAG_REPLY: if (p.len !== 4) badAttrSize(p.hdr, p.len, 4); sctp.vtagReply = r.u32beAt(p.off); break;
          }
        }
        e.sctp = sctp;
      } else if (it.type === CTA_PROTOINFO.DCCP) {
        const dccp: NonNullable<CtEntry['dccp']> = { state: 0 };
        while (p.next()) {
          if (p.len === 0) continue; // CTA_PROTOINFO_DCCP_PAD
          switch (p.type) {
            case CTA_PROTOINFO_DCCP.STATE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); dccp.state = b[p.off]; break;
            case CTA_PROTOINFO_DCCP.ROLE: if (p.len !== 1) badAttrSize(p.hdr, p.len, 1); dccp.role = b[p.off]; break;
            case CTA_PROTOINFO_DCCP.HANDSHAKE_SEQ: if (p.len !== 8) badAttrSize(p.hdr, p.len, 8); dccp.handshakeSeq = r.u64beBig(p.off); break;
          }
        }
        e.dccp = dccp;
      }
    } catch (err) {
      rethrowWithin(err, protoinfoName(it.type));
    }
  }
}

/** Largest high word of a u64 that a number holds exactly (values up to 2^53 - 1). */
const U64_EXACT_HI = 0x1fffff;

function decodeCounters(s: CtDecodeScratch, off: number, end: number, e: CtEntry): CtCounters {
  const r = s.r;
  let packets = 0, bytes = 0;
  const it = s.it1.reset(off, end);
  let saturated = false;
  while (it.next()) {
    switch (it.type) {
      // Saturation is judged on the high word: 2^53 - 1 itself is exact and must not be flagged.
      case CTA_COUNTERS.PACKETS: if (it.len !== 8) badAttrSize(it.hdr, it.len, 8); packets = r.u64beAt(it.off); saturated ||= r.u32beAt(it.off) > U64_EXACT_HI; break;
      case CTA_COUNTERS.BYTES: if (it.len !== 8) badAttrSize(it.hdr, it.len, 8); bytes = r.u64beAt(it.off); saturated ||= r.u32beAt(it.off) > U64_EXACT_HI; break;
      // 32-bit forms: kernels before 64-bit counters (about 2.6.2x). Accepted, never expected.
      case CTA_COUNTERS.PACKETS32: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); packets = r.u32beAt(it.off); break;
      case CTA_COUNTERS.BYTES32: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); bytes = r.u32beAt(it.off); break;
    }
  }
  if (saturated) e.countersSaturated = true;
  return { packets, bytes };
}

function decodeTimestamp(s: CtDecodeScratch, off: number, end: number, e: CtEntry): void {
  const r = s.r;
  const it = s.it1.reset(off, end);
  while (it.next()) {
    if (it.len === 0) continue; // CTA_TIMESTAMP_PAD
    if (it.type === CTA_TIMESTAMP_ATTR.START) { if (it.len !== 8) badAttrSize(it.hdr, it.len, 8); e.startNs = r.u64beBig(it.off); }
    else if (it.type === CTA_TIMESTAMP_ATTR.STOP) { if (it.len !== 8) badAttrSize(it.hdr, it.len, 8); e.stopNs = r.u64beBig(it.off); }
  }
}

function decodeHelp(s: CtDecodeScratch, off: number, end: number, e: CtEntry): void {
  const it = s.it1.reset(off, end);
  while (it.next()) if (it.type === CTA_HELP_ATTR.NAME) e.helper = s.r.cstring(it.off, it.len);
}

function decodeSecctx(s: CtDecodeScratch, off: number, end: number, e: CtEntry): void {
  const it = s.it1.reset(off, end);
  while (it.next()) if (it.type === CTA_SECCTX_ATTR.NAME) e.secctx = s.r.cstring(it.off, it.len);
}

function decodeSeqAdj(s: CtDecodeScratch, off: number, end: number): CtSeqAdj {
  const r = s.r;
  let correctionPos = 0, offsetBefore = 0, offsetAfter = 0;
  const it = s.it1.reset(off, end);
  while (it.next()) {
    switch (it.type) {
      case CTA_SEQADJ.CORRECTION_POS: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); correctionPos = r.u32beAt(it.off); break;
      case CTA_SEQADJ.OFFSET_BEFORE: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); offsetBefore = r.u32beAt(it.off); break;
      case CTA_SEQADJ.OFFSET_AFTER: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); offsetAfter = r.u32beAt(it.off); break;
    }
  }
  return { correctionPos, offsetBefore, offsetAfter };
}

function decodeSynproxy(s: CtDecodeScratch, off: number, end: number, e: CtEntry): void {
  const r = s.r;
  let isn = 0, its = 0, tsoff = 0;
  const it = s.it1.reset(off, end);
  while (it.next()) {
    switch (it.type) {
      case CTA_SYNPROXY_ATTR.ISN: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); isn = r.u32beAt(it.off); break;
      case CTA_SYNPROXY_ATTR.ITS: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); its = r.u32beAt(it.off); break;
      case CTA_SYNPROXY_ATTR.TSOFF: if (it.len !== 4) badAttrSize(it.hdr, it.len, 4); tsoff = r.u32beAt(it.off); break;
    }
  }
  e.synproxy = { isn, its, tsoff };
}

/**
 * CTA_LABELS is the kernel's `unsigned long bits[]` copied raw (ctnetlink.md §3.6): on 64-bit
 * little-endian hosts label n is byte n/8, bit n%8; on big-endian hosts each 8-byte word is reversed.
 */
function decodeLabels(r: Reader, hdr: number, off: number, len: number): number[] {
  if (len % 4 !== 0) throw new DecodeError('BAD_ATTR_SIZE', hdr, '', 16, len);
  r.need(off, len);
  const out: number[] = [];
  for (let i = 0; i < len; i++) {
    const byteIndex = HOST_IS_LE ? i : (i & ~7) + (7 - (i & 7));
    const v = r.buf[off + byteIndex];
    if (v === 0) continue;
    for (let b = 0; b < 8; b++) if (v & (1 << b)) out.push(i * 8 + b);
  }
  return out;
}

/** Encodes label bit numbers into a 16-byte CTA_LABELS bitmap (inverse of decodeLabels). */
export function encodeLabels(labels: readonly number[], size = 16): Uint8Array {
  const out = new Uint8Array(size);
  for (const n of labels) {
    // Out-of-range bits used to vanish silently (typed-array writes past the end are ignored).
    if (!Number.isInteger(n) || n < 0 || n >= size * 8) throw new EncodeError('BAD_VALUE', `label ${n} outside 0..${size * 8 - 1}`);
    const i = n >> 3;
    const byteIndex = HOST_IS_LE ? i : (i & ~7) + (7 - (i & 7));
    out[byteIndex] |= 1 << (n & 7);
  }
  return out;
}

