// Tests for netlink/writer.ts: alignment, computed lengths, zeroed padding, NLA_F_NESTED on every
// nest, the 65535-byte limit, and growth. Byte literals are little-endian: skipped on big-endian hosts.
import t from 'tap';
import { AttrIter } from '../../netlink/attr.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { NLA_F_NESTED, Writer, align4 } from '../../netlink/writer.js';
import { hx, toHex } from '../helpers/hex.js';

const alignCases: { input: number; want: number }[] = [
  { input: 0, want: 0 }, { input: 1, want: 4 }, { input: 3, want: 4 }, { input: 4, want: 4 }, { input: 5, want: 8 },
  { input: 65535, want: 65536 },
  // Regression: `(n + 3) & ~3` wrapped to a negative number from 2^31 on (an echoed nlmsg_len of
  // 0x80000000 in NLMSG_ERROR made decodeNlError look for ext-ACK TLVs before the message).
  { input: 2 ** 31 - 1, want: 2 ** 31 },
  { input: 2 ** 31 + 1, want: 2 ** 31 + 4 },
  { input: 0xffffffff, want: 2 ** 32 },
];
for (const c of alignCases) t.test(`align4(${c.input})`, async (t) => t.equal(align4(c.input), c.want));

t.test('attributes: lengths computed, payload padded with zeros', { skip: !HOST_IS_LE && 'little-endian literals' }, async (t) => {
  const w = new Writer(8);
  w.attrU8(1, 6).attrU16be(2, 0x1f90).attrU32be(3, 0x0e).attrU64be(4, 5n).attrString(5, 'ftp').attrU32ne(6, 1);
  t.equal(toHex(w.finish()), toHex(hx`
    05000100 06 000000           # len 5, type 1, u8 6, 3 zero pad bytes
    06000200 1f90 0000           # len 6, type 2, u16 BE 8080, 2 pad
    08000300 0000000e            # len 8, type 3, u32 BE 14
    0c000400 00000000 00000005   # len 12, type 4, u64 BE 5
    08000500 667470 00           # len 8, type 5, "ftp\\0"
    08000600 01000000            # len 8, type 6, u32 host order 1
  `));
});

t.test('nests always carry NLA_F_NESTED and cover their children', { skip: !HOST_IS_LE && 'little-endian literals' }, async (t) => {
  const w = new Writer();
  w.nest(1, (w) => w.nest(2, (w) => w.attrU8(1, 17)));
  t.equal(toHex(w.finish()), toHex(hx`
    10000180        # len 16, type 1 | NLA_F_NESTED
      0c000280      # len 12, type 2 | NLA_F_NESTED
        05000100 11 000000   # NUM = 17
  `));
  t.equal(NLA_F_NESTED, 0x8000);
});

t.test('an attribute over 65535 bytes is refused', async (t) => {
  const w = new Writer();
  t.throws(() => w.attrBytes(1, new Uint8Array(65532)), { name: 'EncodeError', code: 'ATTR_TOO_LARGE' });
  t.doesNotThrow(() => new Writer().attrBytes(1, new Uint8Array(65531)), '65535 bytes is the maximum');
  t.throws(() => new Writer().nest(1, (w) => { for (let i = 0; i < 3; i++) w.attrBytes(2, new Uint8Array(30000)); }), { code: 'ATTR_TOO_LARGE' });
});

t.test('regression: Writer(0) grows instead of looping forever', async (t) => {
  const w = new Writer(0);
  w.u32be(0xdeadbeef).u8(1);
  t.equal(toHex(w.finish()), 'deadbeef01');
});

t.test('grows across many writes and keeps earlier bytes', async (t) => {
  const w = new Writer(1);
  for (let i = 0; i < 1000; i++) w.u8(i & 0xff);
  const b = w.finish();
  t.equal(b.length, 1000);
  t.equal(b[999], 999 & 0xff);
  t.equal(w.offset, 1000);
});

t.test('pad() zeroes, patch writes host order in place', async (t) => {
  const w = new Writer(4);
  w.u8(0xaa).pad();
  w.patchU16ne(2, 0x0102);
  w.patchU32ne(0, 0x0a0b0c0d);
  const r = new Reader(w.finish());
  t.equal(r.length, 4);
  t.equal(r.u32ne(0), 0x0a0b0c0d);
});

t.test('written attributes walk back with AttrIter', async (t) => {
  const w = new Writer();
  w.attrU8(1, 7).nest(2, (w) => w.attrU32be(1, 99)).attrBytes(3, new Uint8Array(0));
  const b = w.finish();
  const r = new Reader(b);
  const it = new AttrIter(r, 0, b.length);
  const seen: [number, number, boolean][] = [];
  while (it.next()) seen.push([it.type, it.len, it.nestedFlag]);
  t.same(seen, [[1, 1, false], [2, 8, true], [3, 0, false]]);
});
