// Tests for netlink/attr.ts: the TLV walk (lengths, alignment, clamping, zero-length attributes,
// garbage, flags) and the UnknownAttrs counter. Literals are little-endian: skipped on big-endian hosts.
import t from 'tap';
import { AttrIter, UnknownAttrs } from '../../netlink/attr.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { hx } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';
type Seen = { type: number; len: number; nested: boolean; off: number };

function walk(b: Uint8Array, start = 0, end = b.length): Seen[] {
  const r = new Reader(b);
  const it = new AttrIter(r, start, end);
  const out: Seen[] = [];
  while (it.next()) out.push({ type: it.type, len: it.len, nested: it.nestedFlag, off: it.off });
  return out;
}

const cases: { name: string; input: Uint8Array; want?: Seen[]; wantCode?: string; wantOffset?: number }[] = [
  { name: 'empty run', input: hx``, want: [] },
  {
    name: 'two aligned attributes',
    input: hx`08000300 0000000e | 08000800 0000002a`, // STATUS 0x0e | MARK 42
    want: [{ type: 3, len: 4, nested: false, off: 4 }, { type: 8, len: 4, nested: false, off: 12 }],
  },
  {
    name: 'unaligned length steps over the padding',
    input: hx`05000100 06 000000 | 06000200 1f90 0000`, // NUM=6 (+3 pad) | SRC_PORT (+2 pad)
    want: [{ type: 1, len: 1, nested: false, off: 4 }, { type: 2, len: 2, nested: false, off: 12 }],
  },
  {
    name: 'last attribute padding cut off by the parent is clamped',
    input: hx`05000100 06`, // nla_len 5, parent ends right after the payload (events arrive unaligned)
    want: [{ type: 1, len: 1, nested: false, off: 4 }],
  },
  {
    name: 'zero-length attribute still advances by 4',
    input: hx`04000300 | 08000700 00000078`, // pad type 3, len 4 | TIMEOUT 120
    want: [{ type: 3, len: 0, nested: false, off: 4 }, { type: 7, len: 4, nested: false, off: 8 }],
  },
  {
    name: 'flags are stripped from the type; NESTED reported',
    input: hx`04000180 | 04000240`, // type 1 | NLA_F_NESTED, type 2 | NLA_F_NET_BYTEORDER
    want: [{ type: 1, len: 0, nested: true, off: 4 }, { type: 2, len: 0, nested: false, off: 8 }],
  },
  { name: 'nla_len 3 (below the header)', input: hx`03000100`, wantCode: 'BAD_ATTR_LEN', wantOffset: 0 },
  { name: 'nla_len 0', input: hx`08000100 00000001 | 00000200`, wantCode: 'BAD_ATTR_LEN', wantOffset: 8 },
  { name: 'nla_len past the parent', input: hx`0c000100 00000001`, wantCode: 'ATTR_PAST_END', wantOffset: 0 },
  { name: 'garbage: 1-3 bytes that cannot hold a header', input: hx`08000100 00000001 | abcd`, wantCode: 'BAD_NEST', wantOffset: 8 },
  { name: 'garbage only', input: hx`ff`, wantCode: 'BAD_NEST', wantOffset: 0 },
];
for (const c of cases) {
  t.test(c.name, { skip }, async (t) => {
    if (c.wantCode) t.throws(() => walk(c.input), { name: 'DecodeError', code: c.wantCode, offset: c.wantOffset });
    else t.same(walk(c.input), c.want);
  });
}

t.test('the walk is bounded by [start, end), offsets are absolute', { skip }, async (t) => {
  const b = hx`deadbeef | 08000100 00000001 | 08000200 00000002 | cafe`;
  t.same(walk(b, 4, 20).map((s) => [s.type, s.off]), [[1, 8], [2, 16]]);
  t.throws(() => walk(b, 4, 18), { code: 'ATTR_PAST_END', offset: 12 }, 'the parent end, not the buffer end, bounds an attribute');
});

t.test('UnknownAttrs counts per name and keeps a bounded number of samples', { skip }, async (t) => {
  const b = hx`05001e00 01 000000 | 05001e00 02 000000 | 04001f00`;
  const r = new Reader(b);
  const u = new UnknownAttrs(2);
  const it = new AttrIter(r, 0, b.length);
  while (it.next()) u.add(`CTA_?(${it.type})`, r, it);
  t.same([...u.counts], [['CTA_?(30)', 2], ['CTA_?(31)', 1]]);
  t.equal(u.total, 3);
  t.equal(u.samples.length, 2);
  t.same(u.samples.map((s) => [s.name, s.offset, [...s.bytes]]), [['CTA_?(30)', 0, [1]], ['CTA_?(30)', 8, [2]]]);
});
