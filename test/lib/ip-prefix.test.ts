// Table tests of lib/ip-prefix.ts: the allocation-free address parser against addr-class's parser, prefix
// matching at every boundary, and canonical prefix text (host bits cleared, IPv4-mapped written as IPv4).
import t from 'tap';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../lib/enrich/addr-class.js';
import { addrInto, inPrefix, parsePrefix, prefixGroups } from '../../lib/ip-prefix.js';

t.test('addrInto agrees with parseIPv6 and parseIPv4', async (t) => {
  const inputs = [
    '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'fe80::1%eth0', '2001:DB8::abcd',
    '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:1.2.3.4', '10.0.0.1', '255.255.255.255', '0.0.0.0',
    ':', ':::', '1:', ':1', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1.2.3', '1.2.3.256', '1.2.3', '', 'x',
    '1:2:3:4:5:6:7:1.2.3.4', '::g', '1::2:', '01.2.3.4', '0.0.0.0::', '1.2.3.4::1',
  ];
  for (const s of inputs) {
    const g = new Uint16Array(8);
    const ok = addrInto(s, g);
    if (!s.includes(':')) {
      const v4 = parseIPv4(s);
      t.equal(ok, v4 !== null, s);
      if (ok && v4 !== null) t.same([...g], [0, 0, 0, 0, 0, 0xffff, v4 >>> 16, v4 & 0xffff], s);
      continue;
    }
    const want = parseIPv6(s);
    t.equal(ok, want !== null, s);
    if (ok && want) t.equal(formatIPv6(g), formatIPv6(want), s);
  }
});

t.test('prefixes match at their boundaries', async (t) => {
  const cases: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.255.255', true], ['10.0.0.0/8', '11.0.0.0', false], ['172.16.0.0/12', '172.31.1.1', true],
    ['172.16.0.0/12', '172.32.0.0', false], ['0.0.0.0/0', '::ffff:8.8.8.8', true], ['0.0.0.0/0', '2001:db8::1', false],
    ['fc00::/7', 'fdff::1', true], ['fc00::/7', 'fe00::', false], ['::/0', '1.2.3.4', true], ['1.2.3.4', '1.2.3.4', true],
    ['1.2.3.4/31', '1.2.3.5', true], ['1.2.3.4/32', '1.2.3.5', false], ['2001:db8::/127', '2001:db8::1', true],
  ];
  for (const [net, addr, want] of cases) {
    const p = parsePrefix(net);
    if (!p) { t.fail(`${net} does not parse`); continue; }
    const { groups, bits128 } = prefixGroups(p);
    const g = new Uint16Array(8);
    t.equal(addrInto(addr, g) && inPrefix(g, groups, bits128), want, `${addr} in ${net}`);
  }
});

t.test('canonical prefix text', async (t) => {
  t.same(parsePrefix('10.1.2.3/8'), { addr: '10.0.0.0', bits: 8 });
  t.same(parsePrefix('::ffff:10.1.2.3/104'), { addr: '10.0.0.0', bits: 8 });
  t.same(parsePrefix('::ffff:10.1.2.3/64'), { addr: '::', bits: 64 });
  t.same(parsePrefix('2001:DB8:1::7/48'), { addr: '2001:db8:1::', bits: 48 });
  t.same(parsePrefix('1.2.3.4'), { addr: '1.2.3.4', bits: 32 });
  for (const bad of ['1.2.3.4/33', '::/129', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/08x', 'host/8', '']) t.equal(parsePrefix(bad), null, bad);
});
