// fuzz/ properties of the refresh hot path's codec: digestCtEntry (netlink/ct-digest.ts) and MsgCursor
// (netlink/message.ts). Imports fast-check, node:assert, netlink/ and ./arbitraries. Not in props.ts's
// registry (test/fuzz.test.ts pins its names): test/netlink/ct-digest.test.ts and msg-cursor.test.ts run them.
import { deepStrictEqual, notStrictEqual, ok, strictEqual } from 'node:assert';
import fc from 'fast-check';
import { CTA } from '../netlink/ct-attrs.js';
import { CtDigest, digestCtEntry } from '../netlink/ct-digest.js';
import type { CtEntry } from '../netlink/ct-entry.js';
import { encodeCtEntryMessage } from '../netlink/ct-request.js';
import { DecodeError } from '../netlink/errors.js';
import { MsgCursor, NLMSG_HDRLEN, splitMessages, type NlMsg } from '../netlink/message.js';
import { NFGENMSG_LEN } from '../netlink/nfnetlink.js';
import { Reader } from '../netlink/reader.js';
import { ctEntryArb, datagramArb, projectForOrder } from './arbitraries.js';
import type { PropOptions } from './harness.js';

/** Digests cover 52 bits: every digest is an integer in [0, DIGEST_LIMIT). */
export const DIGEST_LIMIT = 2 ** 52;

/** A dump copy as the kernel sends it (NLM_F_MULTI, pid of the requester). */
export function dumpMessage(e: CtEntry, seq = 7, pid = 4242): Uint8Array {
  return encodeCtEntryMessage(e, { flags: 0x2, seq, pid }, 'dump');
}

/** The only message of `bytes` (a datagram holding one message). */
export function onlyMessage(bytes: Uint8Array): { r: Reader; m: NlMsg } {
  const r = new Reader(bytes);
  const msgs = splitMessages(r);
  strictEqual(msgs.length, 1);
  return { r, m: msgs[0] };
}

/** digestCtEntry on the one message of `bytes`: the filled CtDigest, or null when it declined. */
export function digestOf(bytes: Uint8Array): CtDigest | null {
  const { r, m } = onlyMessage(bytes);
  const d = new CtDigest();
  return digestCtEntry(r, m, d) ? d : null;
}

/** One top-level attribute of a ctnetlink message: header offset, nla_len, type without flag bits. */
export interface TopAttr {
  hdr: number;
  len: number;
  type: number;
}

/** The top-level attributes of the message at the start of `bytes` (well-formed, host-order headers). */
export function topAttrs(bytes: Uint8Array): TopAttr[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const end = v.getUint32(0, le);
  const out: TopAttr[] = [];
  for (let off = NLMSG_HDRLEN + NFGENMSG_LEN; off + 4 <= end; ) {
    const len = v.getUint16(off, le);
    out.push({ hdr: off, len, type: v.getUint16(off + 2, le) & 0x3fff });
    off += Math.max(4, (len + 3) & ~3);
  }
  return out;
}

/** A model dump entry that carries CTA_ID (digestCtEntry declines entries without one). */
export const dumpEntryArb: fc.Arbitrary<CtEntry> = fc
  .tuple(ctEntryArb, fc.integer({ min: 0, max: 0xffffffff }))
  .map(([e, id]) => projectForOrder({ ...e, id: e.id ?? id }, 'dump'));

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/**
 * Two copies of one entry that differ only in CTA_TIMEOUT and in the nlmsghdr's seq and pid have the same
 * digest; each reports the entry's id and its own timeout (null when the copy carries none).
 */
export function propDigestIgnoresTimeoutAndHeader({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(dumpEntryArb, fc.option(u32, { nil: undefined }), u32, u32, (e, timeoutSec, seq, pid) => {
      const a = digestOf(dumpMessage(e));
      const b = digestOf(dumpMessage({ ...e, timeoutSec }, seq, pid));
      ok(a && b, 'a well-formed dump copy with CTA_ID is digested');
      strictEqual(a.id, e.id);
      strictEqual(a.timeoutSec, e.timeoutSec ?? null);
      strictEqual(b.timeoutSec, timeoutSec ?? null);
      if ((e.timeoutSec === undefined) === (timeoutSec === undefined)) strictEqual(b.digest, a.digest);
    }),
    { numRuns, seed },
  );
}

/**
 * Changing any one byte after the nlmsghdr, outside CTA_TIMEOUT, changes the digest (or makes digestCtEntry
 * decline the message). With 52-bit digests a collision within a bounded run means a bug, not bad luck.
 */
export function propDigestSeesEveryByte({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(dumpEntryArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (e, at, xor) => {
      const bytes = dumpMessage(e);
      const want = digestOf(bytes);
      ok(want);
      const pos = flippablePositions(bytes);
      const i = pos[at % pos.length];
      const flipped = bytes.slice();
      flipped[i] ^= xor;
      // The flip never touches the nlmsghdr: the unflipped message's framing holds for the flipped bytes.
      const got = new CtDigest();
      if (digestCtEntry(new Reader(flipped), onlyMessage(bytes).m, got)) notStrictEqual(got.digest, want.digest, `byte ${i} ^ 0x${xor.toString(16)} kept the digest`);
    }),
    { numRuns, seed },
  );
}

/** Offsets a flip may touch: inside nlmsg_len, after the nlmsghdr, outside the CTA_TIMEOUT attribute. */
export function flippablePositions(bytes: Uint8Array): number[] {
  const end = onlyMessage(bytes).m.end;
  const timeout = topAttrs(bytes).find((a) => a.type === CTA.TIMEOUT);
  const out: number[] = [];
  for (let i = NLMSG_HDRLEN; i < end; i++) if (!timeout || i < timeout.hdr || i >= timeout.hdr + 8) out.push(i);
  return out;
}

/** Any bytes, framed any way inside the buffer: digestCtEntry never throws, and a digest is a 52-bit integer. */
export function propDigestAnyBytes({ numRuns, seed }: PropOptions): void {
  const framed = fc.uint8Array({ maxLength: 300 }).chain((b) =>
    fc.record({ bytes: fc.constant(b), payload: fc.nat({ max: b.length + 8 }), end: fc.nat({ max: b.length + 8 }) }));
  fc.assert(
    fc.property(fc.oneof(datagramArb.map((bytes) => ({ bytes, payload: -1, end: -1 })), framed), ({ bytes, payload, end }) => {
      const r = new Reader(bytes);
      const msgs: NlMsg[] = payload >= 0 ? [{ len: end, type: 0x100, flags: 2, seq: 1, pid: 1, payload, end, index: 0 }] : safeSplit(r);
      const d = new CtDigest();
      for (const m of msgs) {
        if (!digestCtEntry(r, m, d)) continue;
        ok(Number.isInteger(d.digest) && d.digest >= 0 && d.digest < DIGEST_LIMIT, `digest ${d.digest}`);
        ok(Number.isInteger(d.id) && d.id >= 0 && d.id <= 0xffffffff);
        ok(d.timeoutSec === null || (Number.isInteger(d.timeoutSec) && d.timeoutSec >= 0));
      }
    }),
    { numRuns, seed },
  );
}

function safeSplit(r: Reader): NlMsg[] {
  try {
    return splitMessages(r);
  } catch (e) {
    if (e instanceof DecodeError) return [];
    throw e;
  }
}

/** What splitMessages returns or throws, as plain data. */
export type SplitOutcome = { msgs: NlMsg[] } | { error: { code: string; offset: number; path: string; need?: number; have?: number } };

function errorData(e: unknown): SplitOutcome {
  if (!(e instanceof DecodeError)) throw e;
  return { error: { code: e.code, offset: e.offset, path: e.path, need: e.need, have: e.have } };
}

/** splitMessages's outcome on `bytes`. */
export function splitOutcome(bytes: Uint8Array): SplitOutcome {
  try {
    return { msgs: splitMessages(new Reader(bytes)).map((m) => ({ ...m })) };
  } catch (e) {
    return errorData(e);
  }
}

/** MsgCursor's outcome on `bytes` through `cursor` (reused across datagrams, as the pipeline reuses one). */
export function cursorOutcome(cursor: MsgCursor, bytes: Uint8Array): SplitOutcome {
  try {
    const m = cursor.reset(new Reader(bytes));
    const msgs: NlMsg[] = [];
    while (m.next()) msgs.push({ len: m.len, type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, payload: m.payload, end: m.end, index: m.index });
    strictEqual(m.next(), false, 'next() stays false at the end');
    return { msgs };
  } catch (e) {
    return errorData(e);
  }
}

/** Valid messages followed by a hostile tail: a short header, a lying nlmsg_len, or nothing. */
const tailedArb = fc
  .tuple(
    fc.array(fc.record({ type: fc.integer({ min: 0, max: 0xffff }), flags: fc.integer({ min: 0, max: 0xffff }), seq: u32, pid: u32, body: fc.uint8Array({ maxLength: 23 }) }), { maxLength: 4 }),
    fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 15 }), fc.uint8Array({ minLength: 16, maxLength: 40 })),
  )
  .map(([msgs, tail]) => {
    const parts: number[] = [];
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    for (const m of msgs) {
      const h = new DataView(new ArrayBuffer(NLMSG_HDRLEN));
      h.setUint32(0, NLMSG_HDRLEN + m.body.length, le);
      h.setUint16(4, m.type, le);
      h.setUint16(6, m.flags, le);
      h.setUint32(8, m.seq, le);
      h.setUint32(12, m.pid, le);
      parts.push(...new Uint8Array(h.buffer), ...m.body);
      while (parts.length % 4) parts.push(0);
    }
    return Uint8Array.from([...parts, ...tail]);
  });

/** For any datagram, MsgCursor yields exactly splitMessages's messages, or throws its DecodeError (code, offset, path). */
export function propMsgCursorMatchesSplit({ numRuns, seed }: PropOptions): void {
  const cursor = new MsgCursor();
  fc.assert(
    fc.property(fc.oneof(datagramArb, tailedArb, fc.uint8Array({ maxLength: 64 })), (bytes) => {
      deepStrictEqual(cursorOutcome(cursor, bytes), splitOutcome(bytes));
    }),
    { numRuns, seed },
  );
}
