// The index sorts (tui/key-sort.ts) held equal to a plain stable comparator sort (house style: every fast
// copy has its slow twin): sortIndices for any keys, and sortByKey's typed paths (unsigned integers, any
// float including negatives and -0, few distinct strings, many distinct strings), both ways.
import t from 'tap';
import { addrSortKey } from '../../lib/fields.js';
import { LOOP_CHUNK, SortScratch, sortByKey, sortIndices, type SortKey } from '../../tui/key-sort.js';

function reference(keys: readonly SortKey[], desc: boolean): number[] {
  const sign = desc ? -1 : 1;
  return keys.map((_, i) => i).sort((a, b) => {
    const x = keys[a], y = keys[b];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    return sign * c || a - b;
  });
}

let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

t.test('sortIndices equals a stable comparator sort', async (t) => {
  const cases: Array<[string, SortKey[]]> = [
    ['empty', []],
    ['numbers with ties, negatives, fractions', Array.from({ length: 2000 }, () => Math.floor(rnd() * 50) - 10 + (rnd() < 0.3 ? 0.5 : 0))],
    ['zero and minus zero', [0, -0, 1, -0, 0, -1, -0]],
    ['big numbers', Array.from({ length: 500 }, () => rnd() * 1e15)],
    ['short strings', Array.from({ length: 1000 }, () => ['tcp', 'udp', 'icmp', '', 'gre'][Math.floor(rnd() * 5)])],
    ['long strings sharing prefixes', Array.from({ length: 1000 }, () => `0ESTABLISHED${Math.floor(rnd() * 30)}x${'y'.repeat(Math.floor(rnd() * 20))}`)],
    ['address keys', Array.from({ length: 3000 }, () => addrSortKey(rnd() < 0.8 ? `10.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : `2001:db8::${Math.floor(rnd() * 65535).toString(16)}`))],
    ['non-Latin text', Array.from({ length: 300 }, () => String.fromCharCode(0x400 + Math.floor(rnd() * 50), 0x100 + Math.floor(rnd() * 500)))],
    ['numbers over several loop chunks', Array.from({ length: 3 * LOOP_CHUNK + 17 }, () => Math.floor(rnd() * 5000) - 100 + (rnd() < 0.3 ? 0.25 : 0))],
  ];
  for (const [name, keys] of cases) {
    for (const desc of [false, true]) t.same(Array.from(sortIndices(keys, desc)), reference(keys, desc), `${name}${desc ? ', descending' : ''}`);
  }
});

t.test('sortByKey equals a stable comparator sort on every path, reusing its scratch', async (t) => {
  const scratch = new SortScratch();
  const cases: Array<[string, SortKey[]]> = [
    ['empty', []],
    ['one', [3]],
    ['small unsigned integers with ties', Array.from({ length: 3000 }, () => Math.floor(rnd() * 40))],
    ['unsigned integers across 32 bits', Array.from({ length: 3000 }, () => Math.floor(rnd() * 2 ** 32))],
    ['floats: rates, zeros, negatives, -0', Array.from({ length: 3000 }, () => (rnd() < 0.3 ? 0 : rnd() < 0.1 ? -0 : rnd() < 0.1 ? -rnd() * 5 : rnd() * 1e9))],
    ['pending and absent ranks among counters', Array.from({ length: 2000 }, () => (rnd() < 0.2 ? -1 : rnd() < 0.2 ? -0.5 : Math.floor(rnd() * 1e6)))],
    ['equal keys everywhere', Array.from({ length: 500 }, () => 7)],
    ['few distinct strings', Array.from({ length: 3000 }, () => ['0tcp', '0udp', '0icmp', '1', '2', '0'][Math.floor(rnd() * 6)])],
    ['many distinct strings', Array.from({ length: 6000 }, (_, i) => `0host-${(i * 7919) % 5000}.example`)],
    // The loops run in chunks of LOOP_CHUNK rows (see there): each path across several, ending mid-chunk.
    ['unsigned integers over several loop chunks', Array.from({ length: 3 * LOOP_CHUNK + 17 }, () => Math.floor(rnd() * 2 ** 32))],
    ['floats over several loop chunks', Array.from({ length: 3 * LOOP_CHUNK + 17 }, () => (rnd() < 0.3 ? 0 : rnd() < 0.1 ? -rnd() * 5 : rnd() * 1e9))],
    ['few distinct strings over several loop chunks', Array.from({ length: 3 * LOOP_CHUNK + 17 }, () => ['0tcp', '0udp', '0icmp', '1'][Math.floor(rnd() * 4)])],
  ];
  for (const [name, keys] of cases) {
    for (const desc of [false, true]) {
      const rows = keys.map((k, i) => ({ k, i }));
      const r = sortByKey(rows, (x) => x.k, desc, scratch);
      t.same(Array.from(r.idx), reference(keys, desc), `${name}${desc ? ', descending' : ''}`);
      t.ok(keys.every((k, i) => r.keys[i] === k), `${name}: keys by row`);
    }
  }
  // Fields never mix numbers and strings; if keys did, the order is sortIndices' (both as text).
  const mixed = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `s${i % 7}` : i % 11));
  t.same(Array.from(sortByKey(mixed, (k) => k, false, scratch).idx), Array.from(sortIndices(mixed, false)), 'mixed keys');
});
