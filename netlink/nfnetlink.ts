// netlink/ layer: the nfgenmsg header and the subsystem/message split of nlmsg_type.
// Imports ./reader and ./writer. Source: linux/netfilter/nfnetlink.h (6.18), ctnetlink.md §2.
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** NETLINK_NETFILTER protocol number (linux/netlink.h). */
export const NETLINK_NETFILTER = 12;
/** Bytes in nfgenmsg. Attributes start 20 bytes into a message. */
export const NFGENMSG_LEN = 4;

/** Subsystem ids (enum nfnl_subsys, linux/netfilter/nfnetlink.h). */
export const NFNL_SUBSYS = {
  NONE: 0, // NFNL_SUBSYS_NONE
  CTNETLINK: 1, // NFNL_SUBSYS_CTNETLINK
  CTNETLINK_EXP: 2, // NFNL_SUBSYS_CTNETLINK_EXP
} as const;

/** Multicast groups (enum nfnetlink_groups); the legacy bind mask is 1 << (group - 1). */
export const NFNLGRP = {
  CONNTRACK_NEW: 1, // NFNLGRP_CONNTRACK_NEW
  CONNTRACK_UPDATE: 2, // NFNLGRP_CONNTRACK_UPDATE
  CONNTRACK_DESTROY: 3, // NFNLGRP_CONNTRACK_DESTROY
} as const;

/** Address families carried in nfgen_family (AF_* = NFPROTO_* for these). */
export const AF = { UNSPEC: 0, INET: 2, INET6: 10 } as const;

export const NFNETLINK_V0 = 0;
/** Version 1 makes a flush honour nfgen_family (5.3+). */
export const NFNETLINK_V1 = 1;

/** nlmsg_type = subsys << 8 | msg. */
export function nfType(subsys: number, msg: number): number {
  return (subsys << 8) | msg;
}
export function subsysOf(type: number): number {
  return (type & 0xff00) >> 8;
}
export function msgTypeOf(type: number): number {
  return type & 0xff;
}

export interface NfGenMsg {
  family: number;
  version: number;
  /** res_id, big-endian on the wire: the CPU number in per-CPU stats replies, else 0. */
  resId: number;
}

/** Reads nfgenmsg at `off` (4 bytes, checked against `end`). */
export function decodeNfGenMsg(r: Reader, off: number, end: number): NfGenMsg {
  r.need(off, NFGENMSG_LEN, end);
  return { family: r.u8(off), version: r.u8(off + 1), resId: r.u16be(off + 2) };
}

export function encodeNfGenMsg(w: Writer, family: number, version = NFNETLINK_V0, resId = 0): void {
  w.u8(family).u8(version).u16be(resId);
}
