// fuzz/ property of the --once text table's streaming builder (lib/text-table.ts TableBuilder): with the
// dropped columns checked after every row and the lines written as bytes (writeTo), it prints exactly
// renderTable's lines, in any order, at any width, for any columns. Imports fast-check, node:assert, lib/ and ./row-arbitraries.
import { deepStrictEqual } from 'node:assert';
import fc from 'fast-check';
import { DEFAULT_DISPLAY, fieldById } from '../lib/fields.js';
import { ONCE_COLUMNS, TableBuilder, onceColumns, renderTable } from '../lib/text-table.js';
import type { PropOptions } from './harness.js';
import { rowArb } from './row-arbitraries.js';

const ALL = onceColumns({ services: true, geoip: true, dns: true, processes: true });
const SPARSE = ALL.map((id) => fieldById(id)!).filter((f) => f.sparse);

/** TableBuilder.writeTo, laying out after every row, gives renderTable's lines (header, rows in the order asked). */
export function propTableBuilderMatchesRender(o: PropOptions): void {
  const widthArb = fc.oneof(fc.integer({ min: 1, max: 240 }), fc.constant(Infinity));
  // The --once column lists, and any columns in any order (a sparse column first or not: the order of dropping
  // differs, which the builder's giving up of blank sparse columns must follow).
  const columnsArb = fc.oneof(fc.constant(ONCE_COLUMNS), fc.constant(ALL), fc.shuffledSubarray(ALL, { minLength: 1 }));
  // Rows with blank sparse cells first, often: a sparse column then stays blank for a while before it comes.
  const rowsArb = fc.tuple(fc.array(rowArb, { maxLength: 25 }), fc.boolean()).map(([rows, blankFirst]) =>
    blankFirst ? rows.map((r) => ({ r, n: SPARSE.filter((f) => f.format(r, DEFAULT_DISPLAY) !== '').length })).sort((a, b) => a.n - b.n).map((x) => x.r) : rows);
  fc.assert(fc.property(rowsArb, widthArb, columnsArb, fc.boolean(), (rows, maxWidth, columns, reverse) => {
    const opts = { columns, maxWidth };
    const table = new TableBuilder(opts, 1);
    for (const r of rows) table.add(r);
    const order = rows.map((_, i) => (reverse ? rows.length - 1 - i : i));
    const got: string[] = [];
    const decoder = new TextDecoder();
    table.writeTo({ line: (s) => got.push(s), lineBytes: (b, len) => got.push(decoder.decode(b.subarray(0, len))) }, order);
    const want = renderTable(rows, opts);
    deepStrictEqual(got, rows.length === 0 ? want : [want[0], ...order.map((i) => want[1 + i])]);
  }), { numRuns: o.numRuns, seed: o.seed });
}
