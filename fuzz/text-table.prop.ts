// fuzz/ property of the --once text table's streaming builder (lib/text-table.ts TableBuilder): with the
// dropped columns checked after every row and the lines written as bytes (writeTo), it prints exactly
// renderTable's lines, in any order, at any width. Imports fast-check, node:assert, lib/ and ./row-arbitraries.
import { deepStrictEqual } from 'node:assert';
import fc from 'fast-check';
import { ONCE_COLUMNS, TableBuilder, onceColumns, renderTable } from '../lib/text-table.js';
import type { PropOptions } from './harness.js';
import { rowArb } from './row-arbitraries.js';

const ALL = onceColumns({ services: true, geoip: true, dns: true, processes: true });

/** TableBuilder.writeTo, laying out after every row, gives renderTable's lines (header, rows in the order asked). */
export function propTableBuilderMatchesRender(o: PropOptions): void {
  const widthArb = fc.oneof(fc.integer({ min: 1, max: 240 }), fc.constant(Infinity));
  fc.assert(fc.property(fc.array(rowArb, { maxLength: 25 }), widthArb, fc.boolean(), fc.boolean(), (rows, maxWidth, all, reverse) => {
    const opts = { columns: all ? ALL : ONCE_COLUMNS, maxWidth };
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
