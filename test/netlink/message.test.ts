// Tests for netlink/message.ts: nlmsghdr framing, NLMSG_ERROR (CAPPED and echoed layouts, ext-ACK TLVs)
// and NLMSG_DONE, including real kernel bytes recorded in test/fixtures/netlink/errors.json.
// Literals are little-endian (host order on x86/arm64): skipped on big-endian hosts.
import t from 'tap';
import { NetlinkError } from '../../netlink/errors.js';
import {
  NLM_F, NLMSG, beginMessage, decodeDone, decodeNlError, encodeDone, encodeNlError, endMessage, splitMessages, toNetlinkError,
} from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { Writer } from '../../netlink/writer.js';
import { cat, hx, toHex } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';

t.test('short header', async (t) => {
  t.throws(() => splitMessages(new Reader(new Uint8Array(8))), { name: 'DecodeError', code: 'SHORT_HEADER' });
});

const DONE = hx`14000000 0300 0200 01000000 92100000 | 00000000`; // len 20, DONE, MULTI, seq 1, pid 4242 | error 0

const splitCases: { name: string; input: Uint8Array; want?: [number, number, number, number][]; wantCode?: string; wantPath?: string; wantOffset?: number }[] = [
  { name: 'empty datagram', input: hx``, want: [] },
  { name: 'one DONE', input: DONE, want: [[20, NLMSG.DONE, 16, 20]] },
  {
    name: 'two messages back to back',
    input: cat(hx`10000000 0100 0000 00000000 00000000`, DONE), // NOOP with no payload, then DONE
    want: [[16, NLMSG.NOOP, 16, 16], [20, NLMSG.DONE, 32, 36]],
  },
  {
    name: 'unaligned nlmsg_len: the next message starts at align4',
    input: cat(hx`15000000 1001 0000 00000000 00000000 | 02000000 ff 000000`, DONE), // len 21 (+3 pad)
    want: [[21, 0x0110, 16, 21], [20, NLMSG.DONE, 40, 44]],
  },
  { name: 'unaligned last message, padding absent', input: hx`11000000 1001 0000 00000000 00000000 | 02`, want: [[17, 0x0110, 16, 17]] },
  { name: 'short header', input: hx`14000000 0300 0200`, wantCode: 'SHORT_HEADER', wantPath: 'msg[0]', wantOffset: 0 },
  { name: 'trailing bytes after a message', input: cat(DONE, hx`0000 0000`), wantCode: 'SHORT_HEADER', wantPath: 'msg[1]', wantOffset: 20 },
  { name: 'nlmsg_len 0', input: hx`00000000 0300 0200 01000000 00000000`, wantCode: 'BAD_MSG_LEN', wantPath: 'msg[0]' },
  { name: 'nlmsg_len 15 (below 16)', input: hx`0f000000 0300 0200 01000000 00000000`, wantCode: 'BAD_MSG_LEN', wantPath: 'msg[0]' },
  { name: 'nlmsg_len past the datagram', input: hx`18000000 0300 0200 01000000 00000000 | 00000000`, wantCode: 'MSG_PAST_END', wantPath: 'msg[0]' },
  { name: 'nlmsg_len 0xffffffff', input: cat(DONE, hx`ffffffff 0300 0200 01000000 00000000`), wantCode: 'MSG_PAST_END', wantPath: 'msg[1]', wantOffset: 20 },
];
for (const c of splitCases) {
  t.test(`splitMessages: ${c.name}`, { skip }, async (t) => {
    const r = new Reader(c.input);
    if (c.wantCode) {
      t.throws(() => splitMessages(r), { name: 'DecodeError', code: c.wantCode, path: c.wantPath, ...(c.wantOffset !== undefined && { offset: c.wantOffset }) });
      return;
    }
    t.same(splitMessages(r).map((m) => [m.len, m.type, m.payload, m.end]), c.want);
  });
}

t.test('splitMessages: header fields and message index', { skip }, async (t) => {
  const [m] = splitMessages(new Reader(DONE));
  t.match(m, { len: 20, type: 3, flags: NLM_F.MULTI, seq: 1, pid: 4242, payload: 16, end: 20, index: 0 });
});

// Real kernel bytes (test/fixtures/netlink/errors.json, 6.18.44): GET of a missing entry, without
// NETLINK_CAP_ACK, so the whole 72-byte request is echoed (flags 0); then the create ACK (CAPPED).
const REAL_ENOENT = hx`
  5c000000 0200 0000 f6030000 f41a0008   # len 92, NLMSG_ERROR, flags 0 (not CAPPED), seq 1014, pid
  feffffff                               # error -2 (ENOENT)
  48000000 0101 0500 f6030000 00000000   # echoed nlmsghdr: len 72, CT_GET, REQUEST|ACK, seq 1014, pid 0
  02000000                               # echoed payload: nfgenmsg AF_INET
  34000180 14000180 08000100 0a0000c8 08000200 0a0000c9   # ORIG{IP{10.0.0.200, 10.0.0.201}
  1c000280 05000100 06000000 06000200 00010000 06000300 00020000  # PROTO{6, 1, 2}}
`;
const REAL_ACK = hx`
  24000000 0200 0001 f7030000 f41a0008   # len 36, NLMSG_ERROR, flags CAPPED, seq 1015
  00000000                               # error 0: ACK
  8c000000 0001 0506 f7030000 00000000   # echoed header only: len 140, CT_NEW, REQUEST|ACK|EXCL|CREATE
`;

t.test('NLMSG_ERROR, real kernel: errno with the request echoed (not CAPPED)', { skip }, async (t) => {
  const r = new Reader(REAL_ENOENT);
  const [m] = splitMessages(r);
  const e = decodeNlError(r, m);
  t.same(e, { error: -2, request: { len: 72, type: 0x0101, flags: 0x005, seq: 1014, pid: 0 } });
  const ne = toNetlinkError(e, 'get', m.seq);
  t.ok(ne instanceof NetlinkError);
  t.match(ne, { errno: 2, code: 'ENOENT', op: 'get', seq: 1014 });
});

t.test('NLMSG_ERROR, real kernel: ACK (CAPPED)', { skip }, async (t) => {
  const r = new Reader(REAL_ACK);
  const [m] = splitMessages(r);
  t.same(decodeNlError(r, m), { error: 0, request: { len: 140, type: 0x0100, flags: 0x605, seq: 1015, pid: 0 } });
});

const EXT_TLVS = hx`
  27000100 41747472 69627574 65206661 696c6564 20706f6c 69637920 76616c69 64617469 6f6e00 00  # MSG "Attribute failed policy validation\\0" (len 39 +1 pad)
  08000200 14000000                      # OFFS 20
`;
const errCases: { name: string; input: Uint8Array; want?: object; wantCode?: string }[] = [
  {
    name: 'ext-ACK, CAPPED: TLVs right after the echoed header',
    input: cat(hx`
      54000000 0200 0003 05000000 00000000   # len 84, ERROR, CAPPED|ACK_TLVS, seq 5
      eaffffff                               # -22 EINVAL
      1c000000 0101 0103 05000000 00000000   # echoed header: len 28 (payload not echoed)
    `, EXT_TLVS),
    want: { error: -22, extAckMsg: 'Attribute failed policy validation', extAckOffset: 20, request: { len: 28, type: 0x0101, flags: 0x301, seq: 5, pid: 0 } },
  },
  {
    name: 'ext-ACK, not CAPPED: TLVs after the whole (aligned) echoed request',
    input: cat(hx`
      60000000 0200 0002 05000000 00000000   # len 96, ERROR, ACK_TLVS only, seq 5
      eaffffff                               # -22 EINVAL
      1a000000 0101 0103 05000000 00000000   # echoed request: len 26 (unaligned)
      02000000 06001b00 0000 0000            # its payload: nfgenmsg, CTA_TIMESTAMP_EVENT(len 6) + align pad
    `, EXT_TLVS),
    want: { error: -22, extAckMsg: 'Attribute failed policy validation', extAckOffset: 20, request: { len: 26, type: 0x0101, flags: 0x301, seq: 5, pid: 0 } },
  },
  {
    name: 'ext-ACK flag but no TLVs',
    input: hx`24000000 0200 0003 05000000 00000000 | f0ffffff | 14000000 0101 0103 05000000 00000000`,
    want: { error: -16, request: { len: 20, type: 0x0101, flags: 0x301, seq: 5, pid: 0 } },
  },
  {
    // Regression: align4(0x80000000) used to wrap negative and the TLV walk began before the message.
    name: 'echoed length that lies (0x80000000), not CAPPED: TLVs are simply absent',
    input: hx`24000000 0200 0002 05000000 00000000 | f0ffffff | 00000080 0101 0103 05000000 00000000`,
    want: { error: -16, request: { len: 0x80000000, type: 0x0101, flags: 0x301, seq: 5, pid: 0 } },
  },
  { name: 'truncated nlmsgerr', input: hx`18000000 0200 0000 05000000 00000000 | f0ffffff 14000000`, wantCode: 'SHORT_HEADER' },
  {
    name: 'ext-ACK message without its NUL',
    input: hx`2c000000 0200 0003 05000000 00000000 | eaffffff | 14000000 0101 0103 05000000 00000000 | 08000100 61626364`,
    wantCode: 'BAD_STRING',
  },
];
for (const c of errCases) {
  t.test(`decodeNlError: ${c.name}`, { skip }, async (t) => {
    const r = new Reader(c.input);
    const [m] = splitMessages(r);
    if (c.wantCode) t.throws(() => decodeNlError(r, m), { name: 'DecodeError', code: c.wantCode });
    else t.same(decodeNlError(r, m), c.want);
  });
}

const doneCases: { name: string; input: Uint8Array; want: object; wantErrno?: number; wantCode?: string }[] = [
  { name: 'success', input: DONE, want: { error: 0 } },
  {
    name: 'a dump that failed part-way carries an errno',
    input: hx`14000000 0300 0200 07000000 00000000 | feffffff`, // error -2
    want: { error: -2 }, wantErrno: 2, wantCode: 'ENOENT',
  },
  {
    name: 'errno with ext-ACK TLVs (4.20+)',
    input: hx`20000000 0300 0202 07000000 00000000 | f0ffffff | 0a000100 62757379 0000 0000`, // -16, MSG "busy"
    want: { error: -16, extAckMsg: 'busy' }, wantErrno: 16, wantCode: 'EBUSY',
  },
  { name: 'old kernels: no payload at all', input: hx`10000000 0300 0200 07000000 00000000`, want: { error: 0 } },
];
for (const c of doneCases) {
  t.test(`decodeDone: ${c.name}`, { skip }, async (t) => {
    const r = new Reader(c.input);
    const [m] = splitMessages(r);
    const d = decodeDone(r, m);
    t.same(d, c.want);
    if (c.wantErrno) {
      t.ok(d.error < 0);
      const ne = toNetlinkError(d, 'dump', m.seq);
      t.ok(ne instanceof NetlinkError);
      t.match(ne, { name: 'NetlinkError', errno: c.wantErrno, code: c.wantCode, op: 'dump', seq: 7 });
    }
  });
}

t.test('unknown errno gets an E?(n) code', async (t) => {
  t.match(toNetlinkError({ error: -999 }, 'get', 1), { errno: 999, code: 'E?(999)' });
});

t.test('encodeDone / encodeNlError round trip through the decoders', async (t) => {
  const dr = new Reader(encodeDone(9, 77, -95));
  const [dm] = splitMessages(dr);
  t.match(dm, { type: NLMSG.DONE, flags: NLM_F.MULTI, seq: 9, pid: 77, len: 20 });
  t.same(decodeDone(dr, dm), { error: -95 });
  const request = { len: 20, type: 0x0101, flags: 0x301, seq: 9, pid: 0 };
  for (const msg of [undefined, 'Attribute failed policy validation']) {
    const er = new Reader(encodeNlError(9, 77, -22, request, msg));
    const [em] = splitMessages(er);
    t.equal(em.flags, NLM_F.CAPPED | (msg ? NLM_F.ACK_TLVS : 0));
    t.same(decodeNlError(er, em), { error: -22, request, ...(msg && { extAckMsg: msg }) });
  }
});

t.test('beginMessage / endMessage patch the length and pad', { skip }, async (t) => {
  const w = new Writer();
  const s = beginMessage(w, 0x0101, 0x301, 7);
  w.u8(2);
  endMessage(w, s);
  t.equal(toHex(w.finish()), toHex(hx`11000000 0101 0103 07000000 00000000 | 02 000000`));
});
