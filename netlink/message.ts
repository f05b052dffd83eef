// netlink/ layer: nlmsghdr framing, NLMSG_ERROR (with extended ACK) and NLMSG_DONE.
// Imports ./reader, ./writer, ./attr, ./errors. Layouts: ctnetlink.md §1.2-1.5 (linux/netlink.h, 6.18).
import { AttrIter } from './attr.js';
import { DecodeError, NetlinkError } from './errors.js';
import { Reader } from './reader.js';
import { Writer, align4 } from './writer.js';

/** Bytes in an nlmsghdr. */
export const NLMSG_HDRLEN = 16;

/** Control message types (linux/netlink.h). */
export const NLMSG = {
  NOOP: 0x1, // NLMSG_NOOP
  ERROR: 0x2, // NLMSG_ERROR
  DONE: 0x3, // NLMSG_DONE
  OVERRUN: 0x4, // NLMSG_OVERRUN
  MIN_TYPE: 0x10, // NLMSG_MIN_TYPE
} as const;

/** nlmsg_flags (linux/netlink.h); the 0x100-0x800 bits mean different things per message class. */
export const NLM_F = {
  REQUEST: 0x001, // NLM_F_REQUEST
  MULTI: 0x002, // NLM_F_MULTI
  ACK: 0x004, // NLM_F_ACK
  ECHO: 0x008, // NLM_F_ECHO
  DUMP_INTR: 0x010, // NLM_F_DUMP_INTR
  DUMP_FILTERED: 0x020, // NLM_F_DUMP_FILTERED
  ROOT: 0x100, // NLM_F_ROOT (GET)
  MATCH: 0x200, // NLM_F_MATCH (GET)
  ATOMIC: 0x400, // NLM_F_ATOMIC (GET)
  DUMP: 0x300, // NLM_F_DUMP = ROOT|MATCH
  REPLACE: 0x100, // NLM_F_REPLACE (NEW)
  EXCL: 0x200, // NLM_F_EXCL (NEW)
  CREATE: 0x400, // NLM_F_CREATE (NEW)
  APPEND: 0x800, // NLM_F_APPEND (NEW)
  CAPPED: 0x100, // NLM_F_CAPPED (ERROR/DONE)
  ACK_TLVS: 0x200, // NLM_F_ACK_TLVS (ERROR/DONE)
} as const;

/** enum nlmsgerr_attrs (linux/netlink.h, 4.12+). */
export const NLMSGERR_ATTR = {
  MSG: 1, // NLMSGERR_ATTR_MSG
  OFFS: 2, // NLMSGERR_ATTR_OFFS
  COOKIE: 3, // NLMSGERR_ATTR_COOKIE
  POLICY: 4, // NLMSGERR_ATTR_POLICY
  MISS_TYPE: 5, // NLMSGERR_ATTR_MISS_TYPE (6.0)
  MISS_NEST: 6, // NLMSGERR_ATTR_MISS_NEST (6.0)
} as const;

/** One netlink message inside a datagram: its header, and where its payload lies in the datagram. */
export interface NlMsg {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Absolute offset of the payload (just after the 16-byte header). */
  payload: number;
  /** Absolute end of the message (offset + nlmsg_len). */
  end: number;
  /** Index of the message within its datagram (for error paths `msg[i]`). */
  index: number;
}

/**
 * Splits a datagram into messages. Throws SHORT_HEADER (trailing bytes that cannot hold a header),
 * BAD_MSG_LEN (nlmsg_len < 16) or MSG_PAST_END (nlmsg_len past the datagram).
 */
export function splitMessages(r: Reader): NlMsg[] {
  const out: NlMsg[] = [];
  const c = new MsgCursor().reset(r);
  while (c.next()) {
    out.push({ len: c.len, type: c.type, flags: c.flags, seq: c.seq, pid: c.pid, payload: c.payload, end: c.end, index: c.index });
  }
  return out;
}

/**
 * The messages of a datagram without an object per message, for the hot path (a 50k-flow refresh is 50k
 * messages): the cursor is the NlMsg, rewritten by each next(). reset() checks the whole datagram's framing
 * first, so a datagram is either walked whole or not at all; splitMessages is this walk, copied out.
 */
export class MsgCursor implements NlMsg {
  len = 0;
  type = 0;
  flags = 0;
  seq = 0;
  pid = 0;
  payload = 0;
  end = 0;
  index = -1;
  private r: Reader | undefined;
  private next0 = 0;
  /** The datagram's length, read once by reset(): the Reader's getter was not inlined here (1 ms/s of an idle 50k-flow view). */
  private total = 0;

  /** Starts over on `r`, checking its framing: throws SHORT_HEADER, BAD_MSG_LEN or MSG_PAST_END. */
  reset(r: Reader): this {
    this.r = undefined; // a datagram whose framing is refused is not walked at all
    const total = r.length;
    let n = 0;
    for (let off = 0; off < total; n++) {
      const remaining = total - off;
      if (remaining < NLMSG_HDRLEN) throw new DecodeError('SHORT_HEADER', off, `msg[${n}]`, NLMSG_HDRLEN, remaining);
      const len = r.u32neAt(off);
      if (len < NLMSG_HDRLEN) throw new DecodeError('BAD_MSG_LEN', off, `msg[${n}]`, NLMSG_HDRLEN, len);
      if (len > remaining) throw new DecodeError('MSG_PAST_END', off, `msg[${n}]`, len, remaining);
      off = Math.min(total, off + align4(len));
    }
    this.r = r;
    this.total = total;
    this.next0 = 0;
    this.index = -1;
    return this;
  }

  /** Moves to the next message; false at the end of the datagram. */
  next(): boolean {
    const r = this.r;
    if (!r || this.next0 >= this.total) return false;
    const off = this.next0;
    this.len = r.u32neAt(off);
    this.type = r.u16neAt(off + 4);
    this.flags = r.u16neAt(off + 6);
    this.seq = r.u32neAt(off + 8);
    this.pid = r.u32neAt(off + 12);
    this.payload = off + NLMSG_HDRLEN;
    this.end = off + this.len;
    this.index++;
    this.next0 = Math.min(this.total, off + align4(this.len));
    return true;
  }
}

/** A decoded NLMSG_ERROR: error 0 is an ACK. */
export interface NlError {
  /** Negative errno as the kernel sent it; 0 for an ACK. */
  error: number;
  /** The echoed header of the request it answers. */
  request: { len: number; type: number; flags: number; seq: number; pid: number };
  extAckMsg?: string;
  extAckOffset?: number;
}

/** Decodes the payload of an NLMSG_ERROR message (layout ctnetlink.md §1.5, CAPPED rule for the TLVs). */
export function decodeNlError(r: Reader, m: NlMsg): NlError {
  const p = m.payload;
  r.need(p, 20, m.end);
  const request = { len: r.u32ne(p + 4), type: r.u16ne(p + 8), flags: r.u16ne(p + 10), seq: r.u32ne(p + 12), pid: r.u32ne(p + 16) };
  const out: NlError = { error: r.s32ne(p), request };
  if (m.flags & NLM_F.ACK_TLVS) {
    // With CAPPED only the request header was echoed; otherwise the whole request (aligned).
    const tlvStart = p + 4 + ((m.flags & NLM_F.CAPPED) ? NLMSG_HDRLEN : align4(Math.max(request.len, NLMSG_HDRLEN)));
    if (tlvStart <= m.end) readExtAck(r, tlvStart, m.end, out);
  }
  return out;
}

function readExtAck(r: Reader, start: number, end: number, out: { extAckMsg?: string; extAckOffset?: number }): void {
  const it = new AttrIter(r, start, end);
  while (it.next()) {
    if (it.type === NLMSGERR_ATTR.MSG && it.len > 0) out.extAckMsg = r.cstring(it.off, it.len);
    else if (it.type === NLMSGERR_ATTR.OFFS && it.len === 4) out.extAckOffset = r.u32ne(it.off);
  }
}

/** Decodes NLMSG_DONE: the s32 errno (0, or negative when a dump failed part-way) and any ext-ACK. */
export function decodeDone(r: Reader, m: NlMsg): { error: number; extAckMsg?: string; extAckOffset?: number } {
  // Some old kernels send a DONE with no payload at all: treat it as success.
  if (m.end - m.payload < 4) return { error: 0 };
  const out: { error: number; extAckMsg?: string; extAckOffset?: number } = { error: r.s32ne(m.payload) };
  if (m.flags & NLM_F.ACK_TLVS) readExtAck(r, m.payload + 4, m.end, out);
  return out;
}

/** Turns a non-zero NLMSG_ERROR or DONE errno into a NetlinkError for operation `op`. */
export function toNetlinkError(e: { error: number; extAckMsg?: string; extAckOffset?: number }, op: string, seq: number): NetlinkError {
  return new NetlinkError(-e.error, op, seq, e.extAckMsg, e.extAckOffset);
}

/** Writes an nlmsghdr with a placeholder length; call `endMessage` when the payload is written. */
export function beginMessage(w: Writer, type: number, flags: number, seq: number, pid = 0): number {
  const start = w.offset;
  w.u32ne(0).u16ne(type).u16ne(flags).u32ne(seq).u32ne(pid);
  return start;
}

/** Patches nlmsg_len of the message begun at `start` and pads to alignment. */
export function endMessage(w: Writer, start: number): void {
  w.patchU32ne(start, w.offset - start);
  w.pad();
}

/** Encodes an NLMSG_ERROR (for fakes and tests): error, the echoed request header, optional ext-ACK message. */
export function encodeNlError(seq: number, pid: number, error: number, request: NlError['request'], extAckMsg?: string): Uint8Array {
  const w = new Writer(64);
  const flags = NLM_F.CAPPED | (extAckMsg ? NLM_F.ACK_TLVS : 0);
  const start = beginMessage(w, NLMSG.ERROR, flags, seq, pid);
  w.s32ne(error).u32ne(request.len).u16ne(request.type).u16ne(request.flags).u32ne(request.seq).u32ne(request.pid);
  if (extAckMsg) w.attrString(NLMSGERR_ATTR.MSG, extAckMsg);
  endMessage(w, start);
  return w.finish();
}

/** Encodes NLMSG_DONE with the given (non-positive) errno, flags MULTI, as the kernel does. */
export function encodeDone(seq: number, pid: number, error = 0): Uint8Array {
  const w = new Writer(20);
  const start = beginMessage(w, NLMSG.DONE, NLM_F.MULTI, seq, pid);
  w.s32ne(error);
  endMessage(w, start);
  return w.finish();
}
