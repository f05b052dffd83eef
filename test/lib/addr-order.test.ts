// compareAddr and addrSortKey: IPv4 before IPv6, each numerically (not as text), unparsable text after
// valid addresses; the sort key orders exactly as the comparator; checked against the allocating parser.
import t from 'tap';
import { addrSortKey, compareAddr } from '../../lib/addr-order.js';
import { parseIPv4, parseIPv6 } from '../../lib/enrich/addr-class.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const keyOrder = (a: string, b: string): number => sign(addrSortKey(a) < addrSortKey(b) ? -1 : addrSortKey(a) > addrSortKey(b) ? 1 : 0);

t.test('a table of orders', async (t) => {
  const ascending = [
    '0.0.0.0', '9.255.255.255', '10.0.0.2', '10.0.0.10', '10.0.1.1', '192.168.1.1', '255.255.255.255', '1.2.3', 'not-an-address',
    '::', '::1', '::ffff:1.2.3.4', '::ffff:102:305', '2001:db8::2', '2001:db8::10', '2001:db8::1:0', '2001:db8:0:1::', 'fe80::1',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '1:::2', 'zz::1',
  ];
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      const want = sign(i - j);
      t.equal(sign(compareAddr(ascending[i], ascending[j])), want, `${ascending[i]} vs ${ascending[j]}`);
      t.equal(keyOrder(ascending[i], ascending[j]), want, `key: ${ascending[i]} vs ${ascending[j]}`);
    }
  }
  t.equal(compareAddr('::ffff:1.2.3.4', '::ffff:102:304'), 0, 'one address in two spellings');
  t.equal(compareAddr('2001:DB8::1', '2001:db8::1'), 0, 'case does not matter');
});

t.test('random addresses order as their parsed values do', async (t) => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const v6 = (): string => {
    const g = Array.from({ length: 8 }, () => (rnd(3) === 0 ? 0 : rnd(0x10000)).toString(16));
    const s = g.join(':');
    return rnd(2) ? s : s.replace(/(^|:)0(:0)+(:|$)/, '::');
  };
  const v4 = (): string => `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
  const value = (a: string): bigint => {
    const x = parseIPv4(a);
    if (x !== null) return BigInt(x);
    return (1n << 200n) + parseIPv6(a)!.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  };
  for (let i = 0; i < 2000; i++) {
    const a = rnd(2) ? v4() : v6();
    const b = rnd(2) ? v4() : v6();
    const want = value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0;
    if (sign(compareAddr(a, b)) !== want || keyOrder(a, b) !== want) t.fail(`${a} vs ${b}`);
  }
  t.pass('2000 pairs');
});

t.test('addrKey: a number for IPv4, the string key otherwise, ordered by compareKeys as compareAddr orders', async (t) => {
  const { addrKey } = await import('../../lib/addr-order.js');
  const { compareKeys } = await import('../../lib/fields.js');
  t.equal(addrKey('10.0.0.1'), 0x0a000001);
  t.type(addrKey('::1'), 'string');
  const all = ['0.0.0.0', '10.0.0.10', '255.255.255.255', '1.2.3', '::', '2001:db8::2', 'zz::1'];
  for (const a of all) for (const b of all) t.equal(sign(compareKeys(addrKey(a), addrKey(b))), sign(compareAddr(a, b)), `${a} vs ${b}`);
});
