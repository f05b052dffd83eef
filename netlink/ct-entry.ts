// netlink/ layer: the typed record of one conntrack entry as ctnetlink carries it (dump reply or event).
// Imports nothing at runtime. Decoding lives in ct-decode.ts, encoding in ct-request.ts.
// Attribute layouts: ctnetlink.md §3 (linux/netfilter/nfnetlink_conntrack.h, 6.18).

/**
 * One direction's tuple. Field names match conntop's JSON flow schema, so lib/ reuses these objects:
 * ports for TCP/UDP/UDP-Lite/SCTP/DCCP, type/code/icmpId for ICMP and ICMPv6, srcKey/dstKey for GRE
 * (GRE keys travel in CTA_PROTO_SRC/DST_PORT). Addresses are canonical text (RFC 5952 for IPv6).
 */
export interface CtTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  type?: number;
  code?: number;
  icmpId?: number;
  srcKey?: number;
  dstKey?: number;
  /** CTA_TUPLE_ZONE: a zone bound to this direction only (4.6+). */
  zone?: number;
}

/** Packet and byte counters of one direction (CTA_COUNTERS_*). Exact to 2^53 - 1, then saturated. */
export interface CtCounters {
  packets: number;
  /** L3 bytes, IP header included. */
  bytes: number;
}

export interface CtTcpInfo {
  /** enum tcp_conntrack (ctnetlink.md §3.7). */
  state: number;
  wscaleOrig?: number;
  wscaleReply?: number;
  /** IP_CT_TCP_FLAG_* of the original direction (the mask byte is dropped: the kernel sends 0). */
  flagsOrig?: number;
  flagsReply?: number;
}

export interface CtSctpInfo {
  /** enum sctp_conntrack. */
  state: number;
  vtagOrig?: number;
  vtagReply?: number;
}

export interface CtDccpInfo {
  /** enum ct_dccp_states (kernels up to 6.16). */
  state: number;
  /** 0 client, 1 server. */
  role?: number;
  handshakeSeq?: bigint;
}

export interface CtSeqAdj {
  correctionPos: number;
  offsetBefore: number;
  offsetAfter: number;
}

export interface CtSynproxy {
  isn: number;
  its: number;
  tsoff: number;
}

/**
 * A decoded conntrack entry. An optional field is undefined exactly when the kernel did not send its attribute;
 * decodeCtEntry's entries carry every field (undefined when absent), so that they all have one object shape.
 */
export interface CtEntry {
  /** nfgen_family: 2 (AF_INET) or 10 (AF_INET6). */
  family: number;
  /** CTA_PROTO_NUM of the original tuple. */
  protoNum: number;
  orig: CtTuple;
  reply: CtTuple;
  /** CTA_TUPLE_MASTER: present for expected (RELATED) entries. */
  master?: CtTuple;
  /**
   * CTA_PROTO_NUM of the master tuple, only when it differs from `protoNum` (e.g. a UDP RTP flow
   * expected by a SIP-over-TCP master); absent means the master has `protoNum`.
   */
  masterProtoNum?: number;
  /** CTA_STATUS bits (IPS_*); 0 when absent. */
  status: number;
  timeoutSec?: number;
  mark?: number;
  /** CTA_ZONE: a zone for both directions. */
  zone?: number;
  use?: number;
  /** CTA_ID: a per-entry u32 (siphash since about 5.1; ids can be reused). */
  id?: number;
  tcp?: CtTcpInfo;
  sctp?: CtSctpInfo;
  dccp?: CtDccpInfo;
  helper?: string;
  countersOrig?: CtCounters;
  countersReply?: CtCounters;
  /** True when a counter exceeded 2^53 - 1 and was saturated. */
  countersSaturated?: boolean;
  /** CTA_TIMESTAMP start/stop, CLOCK_REALTIME ns. */
  startNs?: bigint;
  stopNs?: bigint;
  /** CTA_TIMESTAMP_EVENT (6.14+): when the event was generated, CLOCK_REALTIME ns. */
  eventNs?: bigint;
  /** CTA_LABELS as set bit numbers, ascending. */
  labels?: number[];
  seqAdjOrig?: CtSeqAdj;
  seqAdjReply?: CtSeqAdj;
  secctx?: string;
  synproxy?: CtSynproxy;
}

/** What a ctnetlink message means (ctnetlink.md §4.5, house style §4.9). */
export type CtKind = 'entry' | 'new' | 'update' | 'destroy';
