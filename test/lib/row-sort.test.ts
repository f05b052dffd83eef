// sortRows: the order of a stable sort by the field's comparator, in either direction, with keys computed
// once per row; the input is left as it was. orderByKeys: rows by several numeric keys, stable, past 2^32 and
// with keys that are not whole. Arbitrary rows and keys: fuzz/fields.prop.ts (sort-rows-matches-compare,
// order-by-keys-matches-compare).
import t from 'tap';
import { DEFAULT_DISPLAY, fieldById } from '../../lib/fields.js';
import { orderByKeys, sortRows } from '../../lib/row-sort.js';
import { ENRICHED_ROWS, PLAIN_ROWS } from '../helpers/rows.js';

t.test('by a counter, descending by default, ties in input order', async (t) => {
  const rows = [...PLAIN_ROWS, ...PLAIN_ROWS];
  const ids = (rs: typeof rows) => rs.map((r) => r.flow.id);
  t.same(ids(sortRows(rows, fieldById('bytes')!, DEFAULT_DISPLAY)), [101, 101, 103, 103, 102, 102, 104, 104], 'bytes, largest first; no counters last');
  t.same(ids(sortRows(rows, fieldById('bytes')!, DEFAULT_DISPLAY, false)), [104, 104, 102, 102, 103, 103, 101, 101]);
  t.same(ids(rows), [101, 102, 103, 104, 101, 102, 103, 104], 'the input is not touched');
  const same = sortRows(rows, fieldById('proto')!, DEFAULT_DISPLAY);
  t.same(same.map((r) => r.flow.proto), ['icmp', 'icmp', 'tcp', 'tcp', 'tcp', 'tcp', 'udp', 'udp']);
  t.same(ids(same.filter((r) => r.flow.proto === 'tcp')), [101, 103, 101, 103], 'equal keys keep their input order');
});

t.test('by address: numeric, IPv4 first', async (t) => {
  t.same(sortRows(ENRICHED_ROWS, fieldById('src')!, DEFAULT_DISPLAY).map((r) => r.flow.orig.src), ['10.0.0.1', '10.0.0.2', '192.168.1.20', '2001:db8:85a3::8a2e:370:7334']);
  t.same(sortRows([], fieldById('src')!, DEFAULT_DISPLAY), []);
});

t.test('orderByKeys: by the first key, then the next; ties in row order; any numbers', async (t) => {
  const order = (...cols: number[][]) => [...orderByKeys(cols.map((c) => Float64Array.from(c)), cols[0].length)];
  t.same(order([2, 1, 2, 1], [0, 5, -1, 5]), [1, 3, 2, 0], 'second key breaks ties, equal pairs keep their order');
  t.same(order([2 ** 40, 5, 2 ** 33, -1, 0]), [3, 4, 1, 2, 0], 'whole keys past 2^32 and -1');
  t.same(order([0.5, -0.25, Infinity, -Infinity, 0, -0]), [3, 1, 4, 5, 0, 2], 'keys that are not whole are ranked; -0 ties with 0');
  t.same(order([]), [], 'no rows');
});
