// Tests for netlink/reader.ts: byte-order-named reads, bounds checks that throw DecodeError (never a
// DataView RangeError), u64 saturation at 2^53, fixed sizes, NUL-terminated strings.
import t from 'tap';
import { DecodeError } from '../../netlink/errors.js';
import { Reader, U64_SATURATED } from '../../netlink/reader.js';
import { hx } from '../helpers/hex.js';

t.test('reads name their byte order, offsets are relative to the view', async (t) => {
  // A subarray with a non-zero byteOffset: the Reader must not read the parent buffer's bytes.
  const parent = hx`ffff | 01020304 05060708 | 00 | 68 69 00 | ffff`;
  const r = new Reader(parent.subarray(2, 14));
  t.equal(r.length, 12);
  t.equal(r.u8(0), 0x01);
  t.equal(r.u16be(0), 0x0102);
  t.equal(r.u32be(0), 0x01020304);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  t.equal(r.u16ne(0), le ? 0x0201 : 0x0102);
  t.equal(r.u32ne(0), le ? 0x04030201 : 0x01020304);
  t.equal(r.u64be(0), U64_SATURATED, '0x0102030405060708 is above 2^53');
  t.equal(r.u64beBig(0), 0x0102030405060708n);
  t.same([...r.bytes(4, 4)], [5, 6, 7, 8]);
  t.equal(r.cstring(9, 3), 'hi');
});

t.test('s32ne reads negative errnos', async (t) => {
  const r = new Reader(new Uint8Array(new Int32Array([-2]).buffer));
  t.equal(r.s32ne(0), -2);
});

const shortCases: { name: string; fn: (r: Reader) => unknown }[] = [
  { name: 'u8 past end', fn: (r) => r.u8(4) },
  { name: 'u16ne straddling end', fn: (r) => r.u16ne(3) },
  { name: 'u32ne straddling end', fn: (r) => r.u32ne(1) },
  { name: 's32ne straddling end', fn: (r) => r.s32ne(2) },
  { name: 'u16be past end', fn: (r) => r.u16be(4) },
  { name: 'u32be straddling end', fn: (r) => r.u32be(3) },
  { name: 'u64be longer than buffer', fn: (r) => r.u64be(0) },
  { name: 'u64beBig longer than buffer', fn: (r) => r.u64beBig(0) },
  { name: 'bytes past end', fn: (r) => r.bytes(2, 3) },
  { name: 'negative offset', fn: (r) => r.u16ne(-1) },
  { name: 'cstring past end', fn: (r) => r.cstring(2, 8) },
];
for (const c of shortCases) {
  t.test(`SHORT_HEADER, not RangeError: ${c.name}`, async (t) => {
    const r = new Reader(hx`01020304`);
    t.throws(() => c.fn(r), { name: 'DecodeError', code: 'SHORT_HEADER' });
  });
}

t.test('need() reports offset, need and have', async (t) => {
  const r = new Reader(new Uint8Array(10));
  try {
    r.need(8, 4);
    t.fail('no throw');
  } catch (e) {
    t.ok(e instanceof DecodeError);
    t.match(e, { code: 'SHORT_HEADER', offset: 8, need: 4, have: 2 });
  }
  t.throws(() => r.need(0, 6, 4), { code: 'SHORT_HEADER', have: 4 }, 'checked against an inner end');
  t.throws(() => r.need(0, 6, 4, 'BAD_ATTR_SIZE'), { code: 'BAD_ATTR_SIZE' });
  t.doesNotThrow(() => r.need(0, 10));
});

t.test('fixed() throws BAD_ATTR_SIZE unless the size is exact', async (t) => {
  const r = new Reader(new Uint8Array(8));
  t.doesNotThrow(() => r.fixed(0, 4, 4));
  t.throws(() => r.fixed(0, 3, 4), { code: 'BAD_ATTR_SIZE', need: 4, have: 3 });
  t.throws(() => r.fixed(0, 5, 4), { code: 'BAD_ATTR_SIZE', need: 4, have: 5 });
});

const u64Cases: { name: string; input: Uint8Array; want: number }[] = [
  { name: 'zero', input: hx`00000000 00000000`, want: 0 },
  { name: '2^32', input: hx`00000001 00000000`, want: 2 ** 32 },
  { name: '2^53 - 1 is exact', input: hx`001fffff ffffffff`, want: Number.MAX_SAFE_INTEGER },
  { name: '2^53 saturates', input: hx`00200000 00000000`, want: U64_SATURATED },
  { name: '2^53 + 1 saturates', input: hx`00200000 00000001`, want: U64_SATURATED },
  { name: '2^64 - 1 saturates', input: hx`ffffffff ffffffff`, want: U64_SATURATED },
];
for (const c of u64Cases) {
  t.test(`u64be: ${c.name}`, async (t) => {
    const r = new Reader(c.input);
    t.equal(r.u64be(0), c.want);
    t.equal(r.u64beBig(0), BigInt(`0x${Buffer.from(c.input).toString('hex')}`), 'bigint form is exact');
  });
}

const stringCases: { name: string; input: Uint8Array; len: number; want?: string; wantCode?: string }[] = [
  { name: 'NUL-terminated', input: hx`66 74 70 00`, len: 4, want: 'ftp' },
  { name: 'bytes after the NUL are ignored', input: hx`61 00 7a 7a`, len: 4, want: 'a' },
  { name: 'empty string', input: hx`00 00 00 00`, len: 1, want: '' },
  { name: 'no NUL at all', input: hx`61 62 63 64`, len: 4, wantCode: 'BAD_STRING' },
  { name: 'NUL only after the attribute', input: hx`61 62 00 00`, len: 2, wantCode: 'BAD_STRING' },
  { name: 'zero length', input: hx`00 00 00 00`, len: 0, wantCode: 'BAD_STRING' },
];
for (const c of stringCases) {
  t.test(`cstring: ${c.name}`, async (t) => {
    const r = new Reader(c.input);
    if (c.wantCode) t.throws(() => r.cstring(0, c.len), { code: c.wantCode });
    else t.equal(r.cstring(0, c.len), c.want);
  });
}

t.test('bytes() returns a copy', async (t) => {
  const buf = hx`01020304`;
  const copy = new Reader(buf).bytes(0, 4);
  buf[0] = 9;
  t.equal(copy[0], 1);
});

t.test('words() gives the datagram\'s whole words in host order, a view when aligned and a copy when not', async (t) => {
  const bytes = hx`01020304 05060708 090a`;
  const aligned = new Reader(bytes);
  const w = aligned.words();
  t.equal(w.length, 2, 'the two trailing bytes are not a word');
  t.equal(w.buffer, bytes.buffer, 'a view of the datagram');
  t.equal(aligned.words(), w, 'made once');
  t.same([...w], [aligned.s32ne(0), aligned.s32ne(4)]);
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const unaligned = new Reader(shifted.subarray(1));
  t.not(unaligned.words().buffer, shifted.buffer, 'a copy: an Int32Array cannot begin at byte 1');
  t.same([...unaligned.words()], [...w]);
});
