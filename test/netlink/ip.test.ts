// Tests for netlink/ip.ts: IPv4 dotted quad, IPv6 text per RFC 5952 with glibc inet_ntop's embedded
// IPv4 forms, and parseIP (round trips, rejects junk). Table-driven both ways.
import t from 'tap';
import { formatIP, formatIPv4At, formatIPv6At, parseIP } from '../../netlink/ip.js';
import { hx } from '../helpers/hex.js';

const formatCases: { name: string; input: Uint8Array; want: string }[] = [
  { name: 'IPv4', input: hx`c0000201`, want: '192.0.2.1' },
  { name: 'IPv4 zeros', input: hx`00000000`, want: '0.0.0.0' },
  { name: 'IPv4 broadcast', input: hx`ffffffff`, want: '255.255.255.255' },
  { name: 'unspecified', input: hx`00000000 00000000 00000000 00000000`, want: '::' },
  { name: 'loopback ::1 (run of 7, not the ::a.b.c.d form)', input: hx`00000000 00000000 00000000 00000001`, want: '::1' },
  { name: '2001:db8::1', input: hx`20010db8 00000000 00000000 00000001`, want: '2001:db8::1' },
  { name: 'IPv4-mapped', input: hx`00000000 00000000 0000ffff 01020304`, want: '::ffff:1.2.3.4' },
  { name: 'IPv4-compatible (glibc form)', input: hx`00000000 00000000 00000000 01020304`, want: '::1.2.3.4' },
  { name: 'mapped 0.0.0.0', input: hx`00000000 00000000 0000ffff 00000000`, want: '::ffff:0.0.0.0' },
  { name: 'leading zero run', input: hx`00000000 00000000 00010002 00030004`, want: '::1:2:3:4' },
  { name: 'trailing zero run', input: hx`20010db8 00010000 00000000 00000000`, want: '2001:db8:1::' },
  { name: 'longest run wins over an earlier shorter one', input: hx`00010000 00010000 00000000 00010001`, want: '1:0:1::1:1' },
  { name: 'tie: the first run is compressed', input: hx`00010000 00000001 00010000 00000001`, want: '1::1:1:0:0:1' },
  { name: 'a single zero word is not compressed', input: hx`00010000 00010001 00010001 00010001`, want: '1:0:1:1:1:1:1:1' },
  { name: 'no zeros', input: hx`11112222 33334444 55556666 77778888`, want: '1111:2222:3333:4444:5555:6666:7777:8888' },
  { name: 'lowercase hex, leading zeros dropped', input: hx`20010db8 00ab0cde f0000000 0000000f`, want: '2001:db8:ab:cde:f000::f' },
  { name: 'link-local', input: hx`fe800000 00000000 02000000 00000001`, want: 'fe80::200:0:0:1' },
  { name: 'ffff in the mapped position but not at start', input: hx`00010000 00000000 0000ffff 01020304`, want: '1::ffff:102:304' },
];
for (const c of formatCases) {
  t.test(`format: ${c.name}`, async (t) => {
    t.equal(formatIP(c.input), c.want);
    t.same(parseIP(c.want), c.input, 'parses back to the same bytes');
  });
}

t.test('formatIPv4At / formatIPv6At read at an offset', async (t) => {
  const b = hx`ff 0a000001 20010db8 00000000 00000000 00000002`;
  t.equal(formatIPv4At(b, 1), '10.0.0.1');
  t.equal(formatIPv6At(b, 5), '2001:db8::2');
});

const parseCases: { name: string; input: string; want: string | null }[] = [
  { name: 'non-canonical IPv6 normalises', input: '2001:0DB8:0000:0000:0000:0000:0000:0001', want: '2001:db8::1' },
  { name: ':: for a single zero word is accepted', input: '1:2:3:4:5:6:7::', want: '1:2:3:4:5:6:7:0' },
  { name: 'full form with embedded IPv4', input: '0:0:0:0:0:ffff:10.0.0.1', want: '::ffff:10.0.0.1' },
  { name: 'zone id is dropped', input: 'fe80::1%eth0', want: 'fe80::1' },
  { name: 'IPv4 zero', input: '0.0.0.0', want: '0.0.0.0' },
  { name: 'IPv4 octet over 255', input: '1.2.3.256', want: null },
  { name: 'IPv4 with 3 parts', input: '1.2.3', want: null },
  { name: 'IPv4 with 5 parts', input: '1.2.3.4.5', want: null },
  { name: 'IPv4 with a sign', input: '1.2.3.+4', want: null },
  { name: 'IPv4 with spaces', input: ' 1.2.3.4', want: null },
  // Regression: inet_aton reads "010" as octal 8; inet_pton (and now parseIP) refuses leading zeros.
  { name: 'IPv4 octet with a leading zero', input: '010.0.0.1', want: null },
  { name: 'empty', input: '', want: null },
  { name: 'two ::', input: '1::2::3', want: null },
  { name: ':::', input: ':::', want: null },
  { name: 'nine words', input: '1:2:3:4:5:6:7:8:9', want: null },
  { name: 'seven words without ::', input: '1:2:3:4:5:6:7', want: null },
  { name: ':: with eight words', input: '1:2:3:4::5:6:7:8', want: null },
  { name: 'five hex digits', input: '12345::', want: null },
  { name: 'non-hex', input: 'g::1', want: null },
  { name: 'leading single colon', input: ':1:2:3:4:5:6:7', want: null },
  { name: 'bad embedded IPv4', input: '::ffff:1.2.3.999', want: null },
  // Regression: an embedded IPv4 part was accepted before '::' (parsed as 102:304::).
  { name: 'embedded IPv4 before ::', input: '1.2.3.4::', want: null },
  { name: 'embedded IPv4 in the middle', input: '::1.2.3.4:1', want: null },
  { name: 'embedded IPv4 in the head with a tail', input: '1:1.2.3.4::1', want: null },
];
for (const c of parseCases) {
  t.test(`parse: ${c.name}`, async (t) => {
    const b = parseIP(c.input);
    if (c.want === null) t.equal(b, null);
    else t.equal(b && formatIP(b), c.want);
  });
}
