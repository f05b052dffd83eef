// netlink/ layer: ctnetlink constants (CTA_* attribute numbers, message types, status bits, states).
// Imports nothing. Source: linux/netfilter/nfnetlink_conntrack.h and nf_conntrack_common.h,
// values confirmed against the 6.18 BTF (ctnetlink.md §3).

/** enum cntl_msg_types (subsystem CTNETLINK). */
export const CT_MSG = {
  NEW: 0, // IPCTNL_MSG_CT_NEW: create/update; type of every dump reply and of NEW/UPDATE events
  GET: 1, // IPCTNL_MSG_CT_GET
  DELETE: 2, // IPCTNL_MSG_CT_DELETE: also the type of DESTROY events
  GET_CTRZERO: 3, // IPCTNL_MSG_CT_GET_CTRZERO
  GET_STATS_CPU: 4, // IPCTNL_MSG_CT_GET_STATS_CPU
  GET_STATS: 5, // IPCTNL_MSG_CT_GET_STATS
  GET_DYING: 6, // IPCTNL_MSG_CT_GET_DYING
  GET_UNCONFIRMED: 7, // IPCTNL_MSG_CT_GET_UNCONFIRMED (always empty since 5.19)
} as const;

/** enum ctattr_type: top-level attributes. */
export const CTA = {
  TUPLE_ORIG: 1, // CTA_TUPLE_ORIG
  TUPLE_REPLY: 2, // CTA_TUPLE_REPLY
  STATUS: 3, // CTA_STATUS (u32 BE); also the top-level pad type of CTA_TIMESTAMP_EVENT (zero length)
  PROTOINFO: 4, // CTA_PROTOINFO
  HELP: 5, // CTA_HELP
  NAT_SRC: 6, // CTA_NAT_SRC (requests only)
  TIMEOUT: 7, // CTA_TIMEOUT (u32 BE seconds)
  MARK: 8, // CTA_MARK (u32 BE)
  COUNTERS_ORIG: 9, // CTA_COUNTERS_ORIG
  COUNTERS_REPLY: 10, // CTA_COUNTERS_REPLY
  USE: 11, // CTA_USE (u32 BE)
  ID: 12, // CTA_ID (u32 BE)
  NAT_DST: 13, // CTA_NAT_DST (requests only)
  TUPLE_MASTER: 14, // CTA_TUPLE_MASTER
  SEQ_ADJ_ORIG: 15, // CTA_SEQ_ADJ_ORIG (was CTA_NAT_SEQ_ADJ_ORIG before 3.12)
  SEQ_ADJ_REPLY: 16, // CTA_SEQ_ADJ_REPLY
  SECMARK: 17, // CTA_SECMARK (obsolete, never emitted on 6.18)
  ZONE: 18, // CTA_ZONE (u16 BE)
  SECCTX: 19, // CTA_SECCTX
  TIMESTAMP: 20, // CTA_TIMESTAMP
  MARK_MASK: 21, // CTA_MARK_MASK
  LABELS: 22, // CTA_LABELS (host-order bitmap)
  LABELS_MASK: 23, // CTA_LABELS_MASK
  SYNPROXY: 24, // CTA_SYNPROXY (5.3)
  FILTER: 25, // CTA_FILTER (5.8)
  STATUS_MASK: 26, // CTA_STATUS_MASK (5.15)
  TIMESTAMP_EVENT: 27, // CTA_TIMESTAMP_EVENT (6.14)
} as const;

/** enum ctattr_tuple. */
export const CTA_TUPLE = { IP: 1, PROTO: 2, ZONE: 3 } as const; // CTA_TUPLE_IP, CTA_TUPLE_PROTO, CTA_TUPLE_ZONE (4.6)
/** enum ctattr_ip. */
export const CTA_IP = { V4_SRC: 1, V4_DST: 2, V6_SRC: 3, V6_DST: 4 } as const; // CTA_IP_V4_SRC ...
/** enum ctattr_l4proto. */
export const CTA_PROTO = {
  NUM: 1, // CTA_PROTO_NUM (u8)
  SRC_PORT: 2, // CTA_PROTO_SRC_PORT (u16 BE; GRE key)
  DST_PORT: 3, // CTA_PROTO_DST_PORT
  ICMP_ID: 4, // CTA_PROTO_ICMP_ID (u16 BE)
  ICMP_TYPE: 5, // CTA_PROTO_ICMP_TYPE (u8)
  ICMP_CODE: 6, // CTA_PROTO_ICMP_CODE (u8)
  ICMPV6_ID: 7, // CTA_PROTO_ICMPV6_ID
  ICMPV6_TYPE: 8, // CTA_PROTO_ICMPV6_TYPE
  ICMPV6_CODE: 9, // CTA_PROTO_ICMPV6_CODE
} as const;
/** enum ctattr_protoinfo. */
export const CTA_PROTOINFO = { TCP: 1, DCCP: 2, SCTP: 3 } as const;
/** enum ctattr_protoinfo_tcp. */
export const CTA_PROTOINFO_TCP = { STATE: 1, WSCALE_ORIGINAL: 2, WSCALE_REPLY: 3, FLAGS_ORIGINAL: 4, FLAGS_REPLY: 5 } as const;
/** enum ctattr_protoinfo_dccp (conntrack DCCP removed in 6.17). */
export const CTA_PROTOINFO_DCCP = { STATE: 1, ROLE: 2, HANDSHAKE_SEQ: 3, PAD: 4 } as const;
/** enum ctattr_protoinfo_sctp. */
export const CTA_PROTOINFO_SCTP = { STATE: 1, VTAG_ORIGINAL: 2, VTAG_REPLY: 3 } as const;
/** enum ctattr_counters. */
export const CTA_COUNTERS = { PACKETS: 1, BYTES: 2, PACKETS32: 3, BYTES32: 4, PAD: 5 } as const;
/** enum ctattr_tstamp. */
export const CTA_TIMESTAMP_ATTR = { START: 1, STOP: 2, PAD: 3 } as const;
/** enum ctattr_help. */
export const CTA_HELP_ATTR = { NAME: 1, INFO: 2 } as const;
/** enum ctattr_secctx. */
export const CTA_SECCTX_ATTR = { NAME: 1 } as const;
/** enum ctattr_seqadj. */
export const CTA_SEQADJ = { CORRECTION_POS: 1, OFFSET_BEFORE: 2, OFFSET_AFTER: 3 } as const;
/** enum ctattr_synproxy. */
export const CTA_SYNPROXY_ATTR = { ISN: 1, ITS: 2, TSOFF: 3 } as const;
/** enum ctattr_nat and ctattr_protonat (requests only). */
export const CTA_NAT = { V4_MINIP: 1, V4_MAXIP: 2, PROTO: 3, V6_MINIP: 4, V6_MAXIP: 5 } as const;
export const CTA_PROTONAT = { PORT_MIN: 1, PORT_MAX: 2 } as const;
/** enum ctattr_filter (5.8); flag values are kernel-internal (nf_internals.h), see ctnetlink.md §3.4.7. */
export const CTA_FILTER_ATTR = { ORIG_FLAGS: 1, REPLY_FLAGS: 2 } as const;
/** enum ctattr_stats_cpu (all u32 BE). */
export const CTA_STATS = {
  SEARCHED: 1, FOUND: 2, NEW: 3, INVALID: 4, IGNORE: 5, DELETE: 6, DELETE_LIST: 7, INSERT: 8,
  INSERT_FAILED: 9, DROP: 10, EARLY_DROP: 11, ERROR: 12, SEARCH_RESTART: 13, CLASH_RESOLVE: 14, CHAIN_TOOLONG: 15,
} as const;
/** enum ctattr_stats_global. */
export const CTA_STATS_GLOBAL = { ENTRIES: 1, MAX_ENTRIES: 2 } as const;

/** enum ip_conntrack_status bit names, index = bit number (6.18; bit 12 is IPS_UNTRACKED / internal NAT_CLASH). */
export const IPS_NAMES = [
  'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'DST_NAT', 'SEQ_ADJUST', 'SRC_NAT_DONE',
  'DST_NAT_DONE', 'DYING', 'FIXED_TIMEOUT', 'TEMPLATE', 'UNTRACKED', 'HELPER', 'OFFLOAD', 'HW_OFFLOAD',
] as const;
/** IPS_* bit values used by conntop itself. */
export const IPS = {
  EXPECTED: 0x1, SEEN_REPLY: 0x2, ASSURED: 0x4, CONFIRMED: 0x8, SRC_NAT: 0x10, DST_NAT: 0x20,
  SEQ_ADJUST: 0x40, SRC_NAT_DONE: 0x80, DST_NAT_DONE: 0x100, DYING: 0x200, FIXED_TIMEOUT: 0x400,
  TEMPLATE: 0x800, UNTRACKED: 0x1000, HELPER: 0x2000, OFFLOAD: 0x4000, HW_OFFLOAD: 0x8000,
} as const;

/** enum tcp_conntrack (UAPI); 10+ are kernel-internal. */
export const TCP_STATES = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
] as const;
/** enum sctp_conntrack. */
export const SCTP_STATES = [
  'NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD',
  'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED',
] as const;
/** enum ct_dccp_states (up to 6.16). */
export const DCCP_STATES = ['NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID'] as const;

/** IP protocol numbers conntrack has trackers for, with conntrack-tools' names. */
export const PROTO_NAMES: Record<number, string> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, DCCP: 33, GRE: 47, ICMPV6: 58, SCTP: 132, UDPLITE: 136 } as const;

const CTA_NAMES: string[] = [];
for (const [k, v] of Object.entries(CTA)) CTA_NAMES[v] = `CTA_${k}`;

/** `CTA_TUPLE_ORIG`, or `CTA_?(31)` for numbers this table does not know. */
export function ctaName(type: number): string {
  return CTA_NAMES[type] ?? `CTA_?(${type})`;
}

/** A state name from one of the tables above, or `?(n)` for out-of-range values. */
export function stateName(table: readonly string[], v: number): string {
  return table[v] ?? `?(${v})`;
}
