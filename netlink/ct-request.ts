// netlink/ layer: encoders for every ctnetlink request conntop sends (dump with kernel-side filters,
// get, statistics) and, for tests and fakes, create/delete and whole entries in the kernel's order.
// Imports ./writer, ./message, ./nfnetlink, ./ct-*. Semantics: ctnetlink.md §4.1-4.4.
import {
  CTA, CTA_COUNTERS, CTA_HELP_ATTR, CTA_NAT, CTA_PROTOINFO, CTA_PROTOINFO_DCCP, CTA_PROTOINFO_SCTP,
  CTA_PROTOINFO_TCP, CTA_PROTONAT, CTA_SECCTX_ATTR, CTA_SEQADJ, CTA_SYNPROXY_ATTR, CTA_TIMESTAMP_ATTR, CT_MSG, IPS,
} from './ct-attrs.js';
import { encodeLabels } from './ct-decode.js';
import type { CtCounters, CtEntry, CtSeqAdj, CtTuple } from './ct-entry.js';
import { encodeTuple } from './ct-tuple.js';
import { parseIP } from './ip.js';
import { NLM_F, beginMessage, endMessage } from './message.js';
import { AF, NFNETLINK_V0, NFNL_SUBSYS, encodeNfGenMsg, nfType } from './nfnetlink.js';
import { EncodeError, Writer } from './writer.js';

/** Kernel-side filters of a dump (all combine with AND; ctnetlink.md §4.2). */
export interface DumpFilter {
  /** AF_INET (2) or AF_INET6 (10); 0 or absent = both. */
  family?: number;
  /** `(ct.mark & markMask) == mark` (about 3.3+). A mask without a mark is ignored by the kernel, so it is refused here. */
  mark?: number;
  markMask?: number;
  /** `(ct.status & statusMask) == status` (5.15+). */
  status?: number;
  statusMask?: number;
  /** Entries in this zone (honoured as a dump filter since about 6.8). */
  zone?: number;
}

/** A dump request (GET with NLM_F_DUMP), or GET_CTRZERO when `zeroCounters` (reads and zeroes counters). */
export function encodeDumpRequest(seq: number, filter: DumpFilter = {}, zeroCounters = false): Uint8Array {
  if (filter.markMask !== undefined && filter.mark === undefined) {
    throw new EncodeError('BAD_VALUE', 'a mark mask needs a mark (the kernel ignores CTA_MARK_MASK alone)');
  }
  if (filter.statusMask === 0) throw new EncodeError('BAD_VALUE', 'status mask 0 is refused by the kernel (EINVAL)');
  const w = new Writer(64);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, zeroCounters ? CT_MSG.GET_CTRZERO : CT_MSG.GET), NLM_F.REQUEST | NLM_F.DUMP, seq);
  encodeNfGenMsg(w, filter.family ?? AF.UNSPEC);
  if (filter.mark !== undefined) {
    w.attrU32be(CTA.MARK, filter.mark);
    w.attrU32be(CTA.MARK_MASK, filter.markMask ?? 0xffffffff);
  }
  if (filter.status !== undefined) {
    w.attrU32be(CTA.STATUS, filter.status);
    w.attrU32be(CTA.STATUS_MASK, filter.statusMask ?? filter.status);
  }
  if (filter.zone !== undefined) w.attrU16be(CTA.ZONE, filter.zone);
  endMessage(w, start);
  return w.finish();
}

/** GET one entry by its original tuple (+zone). Sent with ACK: single replies have no DONE (§8 item 6). */
export function encodeGetRequest(seq: number, family: number, protoNum: number, orig: CtTuple, zone?: number): Uint8Array {
  const w = new Writer(128);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.GET), NLM_F.REQUEST | NLM_F.ACK, seq);
  encodeNfGenMsg(w, family);
  encodeTuple(w, CTA.TUPLE_ORIG, orig, protoNum);
  if (zone !== undefined) w.attrU16be(CTA.ZONE, zone);
  endMessage(w, start);
  return w.finish();
}

/** A ctnetlink request that is a header only: nlmsghdr and an AF_UNSPEC nfgenmsg, 20 bytes. */
function headerOnlyRequest(msg: number, flags: number, seq: number): Uint8Array {
  const w = new Writer(20);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, msg), flags, seq);
  encodeNfGenMsg(w, AF.UNSPEC);
  endMessage(w, start);
  return w.finish();
}

/** GET_STATS (global entries and max; one reply, no DONE, so ACK is requested). */
export function encodeStatsRequest(seq: number): Uint8Array {
  return headerOnlyRequest(CT_MSG.GET_STATS, NLM_F.REQUEST | NLM_F.ACK, seq);
}

/** GET_STATS_CPU: needs the DUMP flag, else only an ACK comes back. */
export function encodeStatsCpuRequest(seq: number): Uint8Array {
  return headerOnlyRequest(CT_MSG.GET_STATS_CPU, NLM_F.REQUEST | NLM_F.DUMP, seq);
}

/** What a create request may carry besides the entry itself (requests only: NAT is never dumped). */
export interface CreateOptions {
  /** Source NAT: the reply tuple's destination becomes this address (and port, when given). */
  natSrc?: { ip: string; port?: number };
  natDst?: { ip: string; port?: number };
  /** Labels need a mask of the same size; set both to the same bits. */
  labelsMask?: number[];
}

/** Create (NEW with CREATE|EXCL|ACK). CONFIRMED is always ORed into the status (EBUSY otherwise, 6.18). */
export function encodeCreateRequest(seq: number, e: CtEntry, opts: CreateOptions = {}): Uint8Array {
  const w = new Writer(256);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.NEW), NLM_F.REQUEST | NLM_F.CREATE | NLM_F.EXCL | NLM_F.ACK, seq);
  encodeNfGenMsg(w, e.family);
  encodeTuple(w, CTA.TUPLE_ORIG, e.orig, e.protoNum);
  encodeTuple(w, CTA.TUPLE_REPLY, e.reply, e.protoNum);
  if (e.zone !== undefined) w.attrU16be(CTA.ZONE, e.zone);
  w.attrU32be(CTA.STATUS, e.status | IPS.CONFIRMED);
  if (e.timeoutSec === undefined) throw new EncodeError('BAD_VALUE', 'a create needs a timeout (EINVAL otherwise)');
  w.attrU32be(CTA.TIMEOUT, e.timeoutSec);
  encodeProtoinfo(w, e);
  if (e.mark !== undefined) w.attrU32be(CTA.MARK, e.mark);
  if (e.helper !== undefined) w.nest(CTA.HELP, (w) => w.attrString(CTA_HELP_ATTR.NAME, e.helper!));
  if (opts.natSrc) encodeNat(w, CTA.NAT_SRC, opts.natSrc);
  if (opts.natDst) encodeNat(w, CTA.NAT_DST, opts.natDst);
  if (e.labels !== undefined) {
    w.attrBytes(CTA.LABELS, encodeLabels(e.labels));
    w.attrBytes(CTA.LABELS_MASK, encodeLabels(opts.labelsMask ?? e.labels));
  }
  endMessage(w, start);
  return w.finish();
}

function encodeNat(w: Writer, type: number, nat: { ip: string; port?: number }): void {
  const ip = parseIP(nat.ip);
  if (!ip) throw new EncodeError('BAD_VALUE', `bad NAT address ${nat.ip}`);
  w.nest(type, (w) => {
    const v6 = ip.length === 16;
    w.attrBytes(v6 ? CTA_NAT.V6_MINIP : CTA_NAT.V4_MINIP, ip);
    w.attrBytes(v6 ? CTA_NAT.V6_MAXIP : CTA_NAT.V4_MAXIP, ip);
    if (nat.port !== undefined) {
      w.nest(CTA_NAT.PROTO, (w) => w.attrU16be(CTA_PROTONAT.PORT_MIN, nat.port!).attrU16be(CTA_PROTONAT.PORT_MAX, nat.port!));
    }
  });
}

/** DELETE one entry by original tuple (+zone, +id which must match or ENOENT). */
export function encodeDeleteRequest(seq: number, family: number, protoNum: number, orig: CtTuple, id?: number, zone?: number): Uint8Array {
  const w = new Writer(128);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.DELETE), NLM_F.REQUEST | NLM_F.ACK, seq);
  encodeNfGenMsg(w, family);
  encodeTuple(w, CTA.TUPLE_ORIG, orig, protoNum);
  if (zone !== undefined) w.attrU16be(CTA.ZONE, zone);
  if (id !== undefined) w.attrU32be(CTA.ID, id);
  endMessage(w, start);
  return w.finish();
}

function encodeProtoinfo(w: Writer, e: CtEntry): void {
  if (e.tcp) {
    const t = e.tcp;
    w.nest(CTA.PROTOINFO, (w) => w.nest(CTA_PROTOINFO.TCP, (w) => {
      w.attrU8(CTA_PROTOINFO_TCP.STATE, t.state);
      if (t.wscaleOrig !== undefined) w.attrU8(CTA_PROTOINFO_TCP.WSCALE_ORIGINAL, t.wscaleOrig);
      if (t.wscaleReply !== undefined) w.attrU8(CTA_PROTOINFO_TCP.WSCALE_REPLY, t.wscaleReply);
      if (t.flagsOrig !== undefined) w.attr(CTA_PROTOINFO_TCP.FLAGS_ORIGINAL, (w) => w.u8(t.flagsOrig!).u8(0));
      if (t.flagsReply !== undefined) w.attr(CTA_PROTOINFO_TCP.FLAGS_REPLY, (w) => w.u8(t.flagsReply!).u8(0));
    }));
  } else if (e.sctp) {
    const s = e.sctp;
    w.nest(CTA.PROTOINFO, (w) => w.nest(CTA_PROTOINFO.SCTP, (w) => {
      w.attrU8(CTA_PROTOINFO_SCTP.STATE, s.state);
      if (s.vtagOrig !== undefined) w.attrU32be(CTA_PROTOINFO_SCTP.VTAG_ORIGINAL, s.vtagOrig);
      if (s.vtagReply !== undefined) w.attrU32be(CTA_PROTOINFO_SCTP.VTAG_REPLY, s.vtagReply);
    }));
  } else if (e.dccp) {
    const d = e.dccp;
    w.nest(CTA.PROTOINFO, (w) => w.nest(CTA_PROTOINFO.DCCP, (w) => {
      w.attrU8(CTA_PROTOINFO_DCCP.STATE, d.state);
      if (d.role !== undefined) w.attrU8(CTA_PROTOINFO_DCCP.ROLE, d.role);
      if (d.handshakeSeq !== undefined) w.attrU64be(CTA_PROTOINFO_DCCP.HANDSHAKE_SEQ, d.handshakeSeq);
    }));
  }
}

function encodeCounters(w: Writer, type: number, c: CtCounters): void {
  w.nest(type, (w) => w.attrU64be(CTA_COUNTERS.PACKETS, c.packets).attrU64be(CTA_COUNTERS.BYTES, c.bytes));
}

function encodeSeqAdj(w: Writer, type: number, s: CtSeqAdj): void {
  w.nest(type, (w) => w.attrU32be(CTA_SEQADJ.CORRECTION_POS, s.correctionPos)
    .attrU32be(CTA_SEQADJ.OFFSET_BEFORE, s.offsetBefore).attrU32be(CTA_SEQADJ.OFFSET_AFTER, s.offsetAfter));
}

function encodeTimestamp(w: Writer, e: CtEntry): void {
  if (e.startNs === undefined && e.stopNs === undefined) return;
  w.nest(CTA.TIMESTAMP, (w) => {
    if (e.startNs !== undefined) w.attrU64be(CTA_TIMESTAMP_ATTR.START, e.startNs);
    if (e.stopNs !== undefined) w.attrU64be(CTA_TIMESTAMP_ATTR.STOP, e.stopNs);
  });
}

/** The order in which the kernel emits an entry's attributes (6.18, ctnetlink.md §3.8). */
export type EntryOrder = 'dump' | 'event' | 'destroy';

/**
 * Encodes a whole conntrack message as the kernel would send it (for fakes, fixtures and the
 * re-encode property). `order` picks the dump, NEW/UPDATE-event or DESTROY-event attribute order.
 */
export function encodeCtEntryMessage(e: CtEntry, hdr: { type?: number; flags: number; seq: number; pid: number }, order: EntryOrder = 'dump'): Uint8Array {
  const w = new Writer(320);
  const type = hdr.type ?? nfType(NFNL_SUBSYS.CTNETLINK, order === 'destroy' ? CT_MSG.DELETE : CT_MSG.NEW);
  const start = beginMessage(w, type, hdr.flags, hdr.seq, hdr.pid);
  encodeNfGenMsg(w, e.family, NFNETLINK_V0);
  encodeTuple(w, CTA.TUPLE_ORIG, e.orig, e.protoNum);
  encodeTuple(w, CTA.TUPLE_REPLY, e.reply, e.protoNum);
  if (e.zone !== undefined) w.attrU16be(CTA.ZONE, e.zone);
  if (order === 'dump') {
    w.attrU32be(CTA.STATUS, e.status);
    if (e.mark !== undefined) w.attrU32be(CTA.MARK, e.mark);
    if (e.secctx !== undefined) w.nest(CTA.SECCTX, (w) => w.attrString(CTA_SECCTX_ATTR.NAME, e.secctx!));
    if (e.id !== undefined) w.attrU32be(CTA.ID, e.id);
    if (e.use !== undefined) w.attrU32be(CTA.USE, e.use);
    if (e.master) encodeTuple(w, CTA.TUPLE_MASTER, e.master, e.masterProtoNum ?? e.protoNum);
    if (e.timeoutSec !== undefined) w.attrU32be(CTA.TIMEOUT, e.timeoutSec);
    encodeProtoinfo(w, e);
    if (e.countersOrig) encodeCounters(w, CTA.COUNTERS_ORIG, e.countersOrig);
    if (e.countersReply) encodeCounters(w, CTA.COUNTERS_REPLY, e.countersReply);
    encodeTimestamp(w, e);
    if (e.helper !== undefined) w.nest(CTA.HELP, (w) => w.attrString(CTA_HELP_ATTR.NAME, e.helper!));
    if (e.labels !== undefined) w.attrBytes(CTA.LABELS, encodeLabels(e.labels));
    if (e.seqAdjOrig) encodeSeqAdj(w, CTA.SEQ_ADJ_ORIG, e.seqAdjOrig);
    if (e.seqAdjReply) encodeSeqAdj(w, CTA.SEQ_ADJ_REPLY, e.seqAdjReply);
    if (e.synproxy) encodeSynproxy(w, e.synproxy);
  } else {
    if (e.id !== undefined) w.attrU32be(CTA.ID, e.id);
    w.attrU32be(CTA.STATUS, e.status);
    if (e.timeoutSec !== undefined) w.attrU32be(CTA.TIMEOUT, e.timeoutSec);
    if (order === 'destroy') {
      if (e.countersOrig) encodeCounters(w, CTA.COUNTERS_ORIG, e.countersOrig);
      if (e.countersReply) encodeCounters(w, CTA.COUNTERS_REPLY, e.countersReply);
      encodeTimestamp(w, e);
      encodeProtoinfo(w, e);
    } else {
      encodeProtoinfo(w, e);
      if (e.helper !== undefined) w.nest(CTA.HELP, (w) => w.attrString(CTA_HELP_ATTR.NAME, e.helper!));
      if (e.secctx !== undefined) w.nest(CTA.SECCTX, (w) => w.attrString(CTA_SECCTX_ATTR.NAME, e.secctx!));
      if (e.labels !== undefined) w.attrBytes(CTA.LABELS, encodeLabels(e.labels));
      if (e.master) encodeTuple(w, CTA.TUPLE_MASTER, e.master, e.masterProtoNum ?? e.protoNum);
      if (e.seqAdjOrig) encodeSeqAdj(w, CTA.SEQ_ADJ_ORIG, e.seqAdjOrig);
      if (e.seqAdjReply) encodeSeqAdj(w, CTA.SEQ_ADJ_REPLY, e.seqAdjReply);
      if (e.synproxy) encodeSynproxy(w, e.synproxy);
    }
    if (e.mark !== undefined) w.attrU32be(CTA.MARK, e.mark);
    if (e.eventNs !== undefined) w.attrU64be(CTA.TIMESTAMP_EVENT, e.eventNs);
  }
  endMessage(w, start);
  return w.finish();
}

function encodeSynproxy(w: Writer, s: NonNullable<CtEntry['synproxy']>): void {
  w.nest(CTA.SYNPROXY, (w) => w.attrU32be(CTA_SYNPROXY_ATTR.ISN, s.isn).attrU32be(CTA_SYNPROXY_ATTR.ITS, s.its).attrU32be(CTA_SYNPROXY_ATTR.TSOFF, s.tsoff));
}
