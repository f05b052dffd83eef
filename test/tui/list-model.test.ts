// The ordered index (tui/list-model.ts): its radix sort is held equal to a plain stable comparator sort
// (house style: every fast copy has its slow twin), and inserts and removals keep the order.
import t from 'tap';
import { addrSortKey } from '../../lib/fields.js';
import type { LiveFlow } from '../../lib/flow-table.js';
import { ListModel, sortIndices, type SortKey } from '../../tui/list-model.js';

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

t.test('radix sort equals a stable comparator sort', async (t) => {
  const cases: Array<[string, SortKey[]]> = [
    ['empty', []],
    ['numbers with ties, negatives, fractions', Array.from({ length: 2000 }, () => Math.floor(rnd() * 50) - 10 + (rnd() < 0.3 ? 0.5 : 0))],
    ['big numbers', Array.from({ length: 500 }, () => rnd() * 1e15)],
    ['short strings', Array.from({ length: 1000 }, () => ['tcp', 'udp', 'icmp', '', 'gre'][Math.floor(rnd() * 5)])],
    ['long strings sharing prefixes', Array.from({ length: 1000 }, () => `0ESTABLISHED${Math.floor(rnd() * 30)}x${'y'.repeat(Math.floor(rnd() * 20))}`)],
    ['address keys', Array.from({ length: 3000 }, () => addrSortKey(rnd() < 0.8 ? `10.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : `2001:db8::${Math.floor(rnd() * 65535).toString(16)}`))],
    ['non-Latin text', Array.from({ length: 300 }, () => String.fromCharCode(0x400 + Math.floor(rnd() * 50), 0x100 + Math.floor(rnd() * 500)))],
  ];
  for (const [name, keys] of cases) {
    for (const desc of [false, true]) t.same(Array.from(sortIndices(keys, desc)), reference(keys, desc), `${name}${desc ? ', descending' : ''}`);
  }
});

t.test('insert and remove keep the order', async (t) => {
  const flows = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, v: (i * 37) % 50, firstSeenMs: 0 }) as unknown as LiveFlow & { v: number });
  const m = new ListModel();
  const ord = { key: (l: LiveFlow) => (l as LiveFlow & { v: number }).v, descending: true, keep: () => true };
  m.rebuild(flows.slice(0, 60), ord);
  for (const f of flows.slice(60)) m.insert(f);
  t.equal(m.insert(flows[0]), -1, 'a listed flow is not listed twice');
  m.remove(flows[3], 50);
  const vals = m.rows.map((l) => (l as LiveFlow & { v: number }).v);
  t.same(vals, [...vals].sort((a, b) => b - a));
  t.equal(m.length, 99);
  t.notOk(m.has(flows[3]));
  t.equal(m.indexOf(flows[7], 90), m.rows.indexOf(flows[7]));
});
