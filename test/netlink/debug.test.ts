// Tests for netlink/debug.ts: the CONNTOP_NLDEBUG switch, hexdump layout, message descriptions,
// and that describing arbitrary bytes never throws.
import fc from 'fast-check';
import t from 'tap';
import { debugEnabled, describeDatagram, describeMessage, hexdump } from '../../netlink/debug.js';
import { encodeDone, encodeNlError, splitMessages } from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { encodeInetDiagReq } from '../../netlink/sock-diag.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const leOnly = HOST_IS_LE ? false : 'byte literals are little-endian (nlmsghdr is host order)';

t.test('debugEnabled reads only the env object it is given', async (t) => {
  const cases: [Record<string, string | undefined>, boolean][] = [
    [{}, false], [{ CONNTOP_NLDEBUG: '' }, false], [{ CONNTOP_NLDEBUG: '0' }, false], [{ CONNTOP_NLDEBUG: 'false' }, false],
    [{ CONNTOP_NLDEBUG: ' OFF ' }, false], [{ CONNTOP_NLDEBUG: 'no' }, false], [{ CONNTOP_NLDEBUG: undefined }, false],
    [{ CONNTOP_NLDEBUG: '1' }, true], [{ CONNTOP_NLDEBUG: 'hex' }, true], [{ NLDEBUG: '1' }, false],
  ];
  for (const [env, want] of cases) t.equal(debugEnabled(env), want, JSON.stringify(env));
});

t.test('hexdump: 16 bytes a line, gap after 8, printable ASCII', async (t) => {
  t.equal(hexdump(new Uint8Array(0)), '');
  t.equal(hexdump(hex('14000000 01010103 41424344 00000000 7f20'), 0x100),
    '0100  14 00 00 00 01 01 01 03  41 42 43 44 00 00 00 00  |........ABCD....|\n' +
    '0110  7f 20                                             |. |');
});

t.test('describeDatagram: ctnetlink dump request, sock_diag request and error', { skip: leOnly }, async (t) => {
  const dumpReq = hex('14000000 0101 0103 01000000 00000000 02000000'); // ct GET, REQUEST|DUMP, seq 1; nfgenmsg AF_INET
  t.equal(describeDatagram(dumpReq, 12, { direction: 'out' }),
    '>> netlink family=12 20 bytes\n' +
    'msg[0] len=20 type=0x0101 flags=0x301(REQUEST|0x300) seq=1 pid=0\n' +
    '  subsys=1 msg=1 family=2 version=0 res_id=0');
  const diag = encodeInetDiagReq({ family: 2, protocol: 6, seq: 3, dump: false, exact: { src: '127.0.0.1', sport: 1, dst: '127.0.0.1', dport: 2 } });
  t.equal(describeDatagram(diag, 4, { direction: 'out' }),
    '>> netlink family=4 72 bytes\n' +
    'msg[0] len=72 type=0x0014 flags=0x1(REQUEST) seq=3 pid=0\n' +
    '  inet_diag_req family=2 protocol=6 states=0xffffffff ext=0x0 127.0.0.1:1 127.0.0.1:2');
  const err = encodeNlError(3, 99, -2, { len: 72, type: 20, flags: 1, seq: 3, pid: 0 }, 'no such socket');
  t.equal(describeDatagram(err, 4, { direction: 'in' }).split('\n')[2], '  ERROR -2 (ENOENT) for type=0x14 seq=3 msg="no such socket"');
  const r = new Reader(encodeDone(3, 99));
  t.equal(describeMessage(r, splitMessages(r)[0], 12), 'msg[0] len=20 type=0x0003 flags=0x2(MULTI) seq=3 pid=99\n  DONE error=0');
});

t.test('describeDatagram: nested attributes, and problems reported inline', { skip: leOnly }, async (t) => {
  // ct NEW with CTA_TUPLE_ORIG { CTA_TUPLE_IP { V4_SRC 10.0.0.1 } }, then a second message cut short.
  const msg = hex('24000000 0001 0100 01000000 00000000 02000000 1000 0180 0c00 0180 0800 0100 0a000001');
  const text = describeDatagram(new Uint8Array([...msg, 0x10, 0, 0, 0]), 12, { hex: true });
  t.same(text.split('\n').slice(1, 8), [
    'msg[0] len=36 type=0x0100 flags=0x1(REQUEST) seq=1 pid=0',
    '  subsys=1 msg=0 family=2 version=0 res_id=0',
    '  CTA_TUPLE_ORIG len=12 {',
    '    #1 len=8 {',
    '      #1 len=4 0a000001',
    '    }',
    '  }',
  ]);
  t.match(text, /\n!! SHORT_HEADER at byte 36/, 'the framing error comes after the good message');
  t.match(text, /\n0020  0a 00 00 01 10 00 00 00 /, 'hexdump appended');
  const badNest = hex('1c000000 0001 0100 01000000 00000000 02000000 0800 0180 00000000');
  t.match(describeDatagram(badNest, 12), /!! BAD_ATTR_LEN at byte 24/);
});

t.test('describeDatagram never throws on arbitrary bytes', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(4, 12, 0), fc.boolean(), (b, family, asMsg) => {
    if (asMsg && b.length >= 16) new DataView(b.buffer, b.byteOffset).setUint32(0, b.length, HOST_IS_LE); // valid framing, junk inside
    describeDatagram(b, family, { hex: true });
  }), { seed: 12, numRuns: 200 });
  t.pass('200 random datagrams described');
});
