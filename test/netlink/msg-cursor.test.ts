// Tests for MsgCursor (netlink/message.ts): the allocation-free walk of a datagram's messages must yield
// exactly what splitMessages returns, or throw its DecodeError (code, offset, path, need, have), before
// yielding anything. One cursor serves datagram after datagram, as in the pipeline.
// Literals are little-endian (host order on x86/arm64): skipped on big-endian hosts.
import t from 'tap';
import { decodeCtEntry, isCtEntryMessage } from '../../netlink/ct-decode.js';
import { DecodeError } from '../../netlink/errors.js';
import { MsgCursor, NLMSG, decodeDone, encodeDone, splitMessages } from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { cursorOutcome, propMsgCursorMatchesSplit, splitOutcome } from '../../fuzz/digest.prop.js';
import { fixtureDatagrams } from '../../fuzz/harness.js';
import { cat, hx } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';
const SEED = 0x5eed;

const DONE = hx`14000000 0300 0200 01000000 92100000 | 00000000`; // len 20, DONE, MULTI, seq 1, pid 4242 | error 0
const NOOP = hx`10000000 0100 0000 00000000 00000000`; // len 16, NOOP, no payload

const cases: { name: string; input: Uint8Array; want?: [number, number, number, number][]; wantCode?: string; wantPath?: string; wantOffset?: number }[] = [
  { name: 'empty datagram', input: hx``, want: [] },
  { name: 'one DONE', input: DONE, want: [[20, NLMSG.DONE, 16, 20]] },
  { name: 'two messages back to back', input: cat(NOOP, DONE), want: [[16, NLMSG.NOOP, 16, 16], [20, NLMSG.DONE, 32, 36]] },
  {
    name: 'unaligned nlmsg_len: the next message starts at align4',
    input: cat(hx`15000000 1001 0000 00000000 00000000 | 02000000 ff 000000`, DONE), // len 21 (+3 pad)
    want: [[21, 0x0110, 16, 21], [20, NLMSG.DONE, 40, 44]],
  },
  { name: 'unaligned last message, padding absent', input: hx`11000000 1001 0000 00000000 00000000 | 02`, want: [[17, 0x0110, 16, 17]] },
  { name: 'short header', input: hx`14000000 0300 0200`, wantCode: 'SHORT_HEADER', wantPath: 'msg[0]', wantOffset: 0 },
  { name: 'trailing bytes after two good messages', input: cat(NOOP, DONE, hx`0000 0000`), wantCode: 'SHORT_HEADER', wantPath: 'msg[2]', wantOffset: 36 },
  { name: 'nlmsg_len 15 (below 16)', input: hx`0f000000 0300 0200 01000000 00000000`, wantCode: 'BAD_MSG_LEN', wantPath: 'msg[0]', wantOffset: 0 },
  { name: 'nlmsg_len 0 after a good message', input: cat(DONE, hx`00000000 0300 0200 01000000 00000000`), wantCode: 'BAD_MSG_LEN', wantPath: 'msg[1]', wantOffset: 20 },
  { name: 'nlmsg_len 0xffffffff after a good message', input: cat(DONE, hx`ffffffff 0300 0200 01000000 00000000`), wantCode: 'MSG_PAST_END', wantPath: 'msg[1]', wantOffset: 20 },
];

// One cursor for every case: state left by one datagram must not leak into the next.
const shared = new MsgCursor();
for (const c of cases) {
  t.test(`MsgCursor: ${c.name}`, { skip }, async (t) => {
    t.same(cursorOutcome(shared, c.input), splitOutcome(c.input), 'same as splitMessages');
    if (c.wantCode) {
      t.throws(() => shared.reset(new Reader(c.input)), { name: 'DecodeError', code: c.wantCode, path: c.wantPath, offset: c.wantOffset });
      return;
    }
    const got: [number, number, number, number][] = [];
    const m = shared.reset(new Reader(c.input));
    while (m.next()) got.push([m.len, m.type, m.payload, m.end]);
    t.same(got, c.want);
  });
}

t.test('the cursor is the message: header fields and index, rewritten by each next()', { skip }, async (t) => {
  const c = new MsgCursor();
  t.equal(c.next(), false, 'a cursor never reset has no messages');
  const m = c.reset(new Reader(cat(NOOP, DONE)));
  t.equal(m, c, 'reset returns the cursor');
  t.equal(m.index, -1, 'before the first next()');
  t.ok(m.next());
  t.match({ ...m }, { len: 16, type: NLMSG.NOOP, flags: 0, seq: 0, pid: 0, payload: 16, end: 16, index: 0 });
  t.ok(m.next());
  t.match({ ...m }, { len: 20, type: NLMSG.DONE, flags: 2, seq: 1, pid: 4242, payload: 32, end: 36, index: 1 });
  t.notOk(m.next());
  t.notOk(m.next(), 'and stays at the end');
});

t.test('reset in the middle of a walk starts over on the new datagram', { skip }, async (t) => {
  const c = new MsgCursor();
  c.reset(new Reader(cat(NOOP, NOOP, NOOP)));
  t.ok(c.next());
  t.ok(c.next());
  c.reset(new Reader(DONE));
  t.ok(c.next());
  t.match({ ...c }, { type: NLMSG.DONE, index: 0, payload: 16 });
  t.notOk(c.next());
});

t.test('a datagram with bad framing anywhere is refused before any message is yielded', { skip }, async (t) => {
  const c = new MsgCursor();
  const bad = cat(DONE, DONE, hx`ffffffff 0300 0200 01000000 00000000`);
  let yielded = 0;
  try {
    const m = c.reset(new Reader(bad));
    while (m.next()) yielded++;
    t.fail('reset should have thrown');
  } catch (e) {
    t.ok(e instanceof DecodeError);
    t.match(e, { code: 'MSG_PAST_END', offset: 40, path: 'msg[2]', need: 0xffffffff, have: 16 });
  }
  t.equal(yielded, 0);
  // The next good datagram walks from its start.
  const m = c.reset(new Reader(DONE));
  t.ok(m.next());
  t.match({ ...m }, { type: NLMSG.DONE, index: 0, end: 20 });
});

t.test('decoders take the cursor as their NlMsg: real kernel datagrams decode as with splitMessages', { skip }, async (t) => {
  const c = new MsgCursor();
  let entries = 0;
  for (const dg of fixtureDatagrams(HOST_IS_LE)) {
    const r = new Reader(dg);
    const msgs = splitMessages(r);
    const m = c.reset(r);
    for (const want of msgs) {
      t.ok(m.next());
      if (isCtEntryMessage(want)) {
        t.same(decodeCtEntry(r, m), decodeCtEntry(r, want));
        entries++;
      } else if (want.type === NLMSG.DONE) t.same(decodeDone(r, m), decodeDone(r, want));
    }
    t.notOk(m.next());
  }
  t.ok(entries >= 10, `${entries} real entries`);
});

t.test('error paths of a decoder given the cursor name the message index', { skip }, async (t) => {
  // A conntrack message whose only attribute lies about its length, as the second message of a datagram.
  const broken = hx`1c000000 0001 0200 07000000 00000000 | 02000000 | 0c00 0100 00000000`; // CTA_TUPLE_ORIG, nla_len 12 > 8 left
  const dg = cat(encodeDone(7, 0), broken);
  const r = new Reader(dg);
  const c = new MsgCursor().reset(r);
  c.next();
  c.next();
  let fromCursor: unknown;
  let fromArray: unknown;
  try { decodeCtEntry(r, c); } catch (e) { fromCursor = e; }
  try { decodeCtEntry(r, splitMessages(r)[1]); } catch (e) { fromArray = e; }
  t.ok(fromCursor instanceof DecodeError);
  t.match(fromCursor, { code: (fromArray as DecodeError).code, path: (fromArray as DecodeError).path, offset: (fromArray as DecodeError).offset });
  t.match((fromCursor as DecodeError).path, /^msg\[1\]/);
});

t.test(`property: MsgCursor agrees with splitMessages on any datagram (seed ${SEED})`, async (t) => {
  t.doesNotThrow(() => propMsgCursorMatchesSplit({ numRuns: 2000, seed: SEED }));
});
