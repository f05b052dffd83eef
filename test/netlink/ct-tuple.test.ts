// Tests for netlink/ct-tuple.ts: CTA_TUPLE_* nests per protocol (ports, ICMP 4/5/6 vs ICMPv6 7/8/9,
// GRE keys in the port attributes, directional zone), errors with their paths, and encode round trips.
// Literals are little-endian (nlattr headers are host order): skipped on big-endian hosts.
import t from 'tap';
import { CTA } from '../../netlink/ct-attrs.js';
import type { CtTuple } from '../../netlink/ct-entry.js';
import { decodeTuple, encodeTuple } from '../../netlink/ct-tuple.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { Writer } from '../../netlink/writer.js';
import { hx, toHex } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';

// Bodies of a tuple nest (what follows the CTA_TUPLE_ORIG header).
const IP4 = hx`14000180 | 08000100 0a000001 | 08000200 0a000002`; // IP(20,N) | V4_SRC 10.0.0.1 | V4_DST 10.0.0.2
const IP6 = hx`
  2c000180                                       # IP(44,N)
  14000300 20010db8 00000000 00000000 00000001   # V6_SRC 2001:db8::1
  14000400 20010db8 00000000 00000000 00000002   # V6_DST 2001:db8::2
`;
const cat = (...p: Uint8Array[]) => Uint8Array.from(Buffer.concat(p));

const cases: { name: string; input: Uint8Array; proto: number; want?: CtTuple; wantCode?: string; wantPath?: string }[] = [
  {
    name: 'tcp over IPv4',
    input: cat(IP4, hx`1c000280 | 05000100 06 000000 | 06000200 04d2 0000 | 06000300 0050 0000`), // PROTO{NUM 6, SRC 1234, DST 80}
    proto: 6, want: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 80 },
  },
  {
    name: 'udp over IPv6',
    input: cat(IP6, hx`1c000280 | 05000100 11 000000 | 06000200 14e9 0000 | 06000300 0035 0000`), // NUM 17, 5353 → 53
    proto: 17, want: { src: '2001:db8::1', dst: '2001:db8::2', sport: 5353, dport: 53 },
  },
  {
    name: 'icmp: ICMP_ID, ICMP_TYPE, ICMP_CODE (4/5/6)',
    input: cat(IP4, hx`24000280 | 05000100 01 000000 | 06000400 004d 0000 | 05000500 08 000000 | 05000600 00 000000`),
    proto: 1, want: { src: '10.0.0.1', dst: '10.0.0.2', icmpId: 77, type: 8, code: 0 },
  },
  {
    name: 'icmpv6: ICMPV6_ID, TYPE, CODE (7/8/9)',
    input: cat(IP6, hx`24000280 | 05000100 3a 000000 | 06000700 0063 0000 | 05000800 80 000000 | 05000900 00 000000`),
    proto: 58, want: { src: '2001:db8::1', dst: '2001:db8::2', icmpId: 99, type: 128, code: 0 },
  },
  {
    name: 'gre: keys travel in the port attributes',
    input: cat(IP4, hx`1c000280 | 05000100 2f 000000 | 06000200 0010 0000 | 06000300 0020 0000`),
    proto: 47, want: { src: '10.0.0.1', dst: '10.0.0.2', srcKey: 0x10, dstKey: 0x20 },
  },
  {
    name: 'generic protocol (dccp on 6.17+): NUM only',
    input: cat(IP4, hx`0c000280 | 05000100 21 000000`),
    proto: 33, want: { src: '10.0.0.1', dst: '10.0.0.2' },
  },
  {
    name: 'directional zone (CTA_TUPLE_ZONE, u16 BE)',
    input: cat(IP4, hx`0c000280 | 05000100 21 000000 | 06000300 0003 0000`),
    proto: 33, want: { src: '10.0.0.1', dst: '10.0.0.2', zone: 3 },
  },
  {
    name: 'nests without NLA_F_NESTED are accepted (kernels before 5.2)',
    input: hx`14000100 | 08000100 0a000001 | 08000200 0a000002 | 0c000200 | 05000100 21 000000`,
    proto: 33, want: { src: '10.0.0.1', dst: '10.0.0.2' },
  },
  {
    name: 'unknown attributes inside the nests are skipped',
    input: cat(hx`1c000180 | 08000100 0a000001 | 08000200 0a000002 | 08001f00 00000000`, hx`0c000280 | 05000100 21 000000 | 04001e00`),
    proto: 33, want: { src: '10.0.0.1', dst: '10.0.0.2' },
  },
  { name: 'no IP nest', input: hx`0c000280 | 05000100 06 000000`, proto: 6, wantCode: 'MISSING_ATTR', wantPath: 'CTA_TUPLE_IP' },
  { name: 'only a source address', input: cat(hx`0c000180 | 08000100 0a000001`, hx`0c000280 | 05000100 06 000000`), proto: 6, wantCode: 'MISSING_ATTR', wantPath: 'CTA_TUPLE_IP' },
  { name: 'no protocol number', input: cat(IP4, hx`0c000280 | 06000200 04d2 0000`), proto: 6, wantCode: 'MISSING_ATTR', wantPath: 'CTA_TUPLE_PROTO/CTA_PROTO_NUM' },
  { name: 'IPv4 address of 5 bytes', input: hx`18000180 | 09000100 0a00000101 000000 | 08000200 0a000002`, proto: 6, wantCode: 'BAD_ATTR_SIZE', wantPath: 'CTA_TUPLE_IP' },
  { name: 'IPv6 address of 4 bytes', input: hx`10000180 | 08000300 20010db8 | 08000400 20010db8`, proto: 6, wantCode: 'BAD_ATTR_SIZE', wantPath: 'CTA_TUPLE_IP' },
  { name: 'port of 4 bytes', input: cat(IP4, hx`14000280 | 05000100 06 000000 | 08000200 000004d2`), proto: 6, wantCode: 'BAD_ATTR_SIZE', wantPath: 'CTA_TUPLE_PROTO' },
  { name: 'zero-length protocol number', input: cat(IP4, hx`08000280 | 04000100`), proto: 6, wantCode: 'BAD_ATTR_SIZE', wantPath: 'CTA_TUPLE_PROTO' },
  { name: 'tuple zone of 4 bytes', input: cat(IP4, hx`0c000280 | 05000100 21 000000 | 08000300 00000003`), proto: 33, wantCode: 'BAD_ATTR_SIZE', wantPath: '' },
  { name: 'garbage inside the IP nest', input: hx`0e000180 | 08000100 0a000001 | ffff 0000`, proto: 6, wantCode: 'BAD_NEST', wantPath: 'CTA_TUPLE_IP' },
  { name: 'attribute past the IP nest', input: hx`0c000180 | 0c000100 0a000001`, proto: 6, wantCode: 'ATTR_PAST_END', wantPath: 'CTA_TUPLE_IP' },
  { name: 'attribute length 2 inside PROTO', input: cat(IP4, hx`08000280 | 02000100`), proto: 6, wantCode: 'BAD_ATTR_LEN', wantPath: 'CTA_TUPLE_PROTO' },
];

for (const c of cases) {
  t.test(`decodeTuple: ${c.name}`, { skip }, async (t) => {
    const r = new Reader(c.input);
    if (c.wantCode) {
      t.throws(() => decodeTuple(r, 0, c.input.length), { name: 'DecodeError', code: c.wantCode, path: c.wantPath });
      return;
    }
    const got = decodeTuple(r, 0, c.input.length);
    t.same(got, { tuple: c.want, protoNum: c.proto });
    // The other way: encoding the tuple gives the nest back (only for the canonical, flagged layouts).
    if (c.name.includes('NESTED') || c.name.includes('unknown')) return;
    const w = new Writer();
    encodeTuple(w, CTA.TUPLE_ORIG, got.tuple, c.proto);
    const b = w.finish();
    t.equal(toHex(b.subarray(4)), toHex(c.input), 'encodeTuple writes the same nest body');
    t.equal(new Reader(b).u16ne(2), 0x8001, 'CTA_TUPLE_ORIG | NLA_F_NESTED');
  });
}

t.test('encodeTuple refuses bad or mixed-family addresses', async (t) => {
  const w = new Writer();
  t.throws(() => encodeTuple(w, CTA.TUPLE_ORIG, { src: '10.0.0.1', dst: '2001:db8::1', sport: 1, dport: 2 }, 6), { name: 'EncodeError', code: 'BAD_VALUE' });
  t.throws(() => encodeTuple(w, CTA.TUPLE_ORIG, { src: 'junk', dst: '10.0.0.1' }, 6), { name: 'EncodeError', code: 'BAD_VALUE' });
});

t.test('encodeTuple writes only the fields of the protocol', async (t) => {
  const w = new Writer();
  // An icmp tuple that also carries ports: the ports are not ICMP fields and are not written.
  encodeTuple(w, CTA.TUPLE_REPLY, { src: '10.0.0.2', dst: '10.0.0.1', type: 0, code: 0, icmpId: 77, sport: 1, dport: 2 }, 1);
  const b = w.finish();
  t.same(decodeTuple(new Reader(b), 4, b.length).tuple, { src: '10.0.0.2', dst: '10.0.0.1', type: 0, code: 0, icmpId: 77 });
});
