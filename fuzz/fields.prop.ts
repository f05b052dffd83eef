// fuzz/ properties of the column registry (lib/fields.ts) over arbitrary rows and display toggles: every
// comparator is a total preorder (reflexive, antisymmetric in sign, transitive), every sort key orders rows
// as the comparator does (and sortRows as a stable sort by it, orderByKeys as one by several numeric keys),
// and formatting never throws.
// Imports fast-check, node:assert, lib/ and ./row-arbitraries.
import { ok, strictEqual } from 'node:assert';
import fc from 'fast-check';
import { FIELDS, compareKeys } from '../lib/fields.js';
import { orderByKeys, sortRows } from '../lib/row-sort.js';
import type { PropOptions } from './harness.js';
import { displayArb, rowArb } from './row-arbitraries.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** For every field: compare(a, a) = 0, sign(compare(a, b)) = -sign(compare(b, a)), and a ≤ b ≤ c implies a ≤ c. */
export function propCompareIsTotalPreorder(o: PropOptions): void {
  fc.assert(fc.property(rowArb, rowArb, rowArb, displayArb, (a, b, c, d) => {
    for (const f of FIELDS) {
      strictEqual(f.compare(a, a, d), 0, `${f.id}: reflexive`);
      const ab = sign(f.compare(a, b, d));
      strictEqual(ab + sign(f.compare(b, a, d)), 0, `${f.id}: antisymmetric`);
      ok(Number.isFinite(f.compare(a, b, d)), `${f.id}: a finite number`);
      const [x, y, z] = [a, b, c].sort((p, q) => f.compare(p, q, d));
      ok(f.compare(x, y, d) <= 0 && f.compare(y, z, d) <= 0 && f.compare(x, z, d) <= 0, `${f.id}: transitive`);
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** For every field: sortKey order (compareKeys) equals compare order, and format and magnitude never throw. */
export function propSortKeyMatchesCompare(o: PropOptions): void {
  fc.assert(fc.property(rowArb, rowArb, displayArb, (a, b, d) => {
    for (const f of FIELDS) {
      strictEqual(sign(compareKeys(f.sortKey(a, d), f.sortKey(b, d))), sign(f.compare(a, b, d)), `${f.id}: sortKey order`);
      strictEqual(typeof f.format(a, d), 'string');
      const m = f.magnitude?.(a, d) ?? 0;
      ok(Number.isInteger(m) && m >= 0 && m <= 4, `${f.id}: magnitude 0..4`);
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** sortRows (keys computed once) equals a stable sort by the field's comparator, both directions. */
export function propSortRowsMatchesCompare(o: PropOptions): void {
  fc.assert(fc.property(fc.array(rowArb, { maxLength: 30 }), displayArb, fc.boolean(), (rows, d, desc) => {
    for (const f of FIELDS) {
      const want = rows.map((r, i) => ({ r, i })).sort((a, b) => (desc ? -1 : 1) * f.compare(a.r, b.r, d) || a.i - b.i).map((x) => x.r);
      const got = sortRows(rows, f, d, desc);
      ok(got.length === want.length && got.every((r, i) => r === want[i]), `${f.id}: sortRows order`);
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** orderByKeys (radix passes) equals a stable comparator sort over several keys, whole numbers or not. */
export function propOrderByKeysMatchesCompare(o: PropOptions): void {
  // Whole keys of every size the radix passes split (below 2^16, 2^32, 2^48 and above), negative and
  // fractional ones (ranked instead), and few distinct values so that ties are common.
  const keyArb = fc.oneof(
    fc.integer({ min: -1, max: 3 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(2 ** 32, 2 ** 40 + 7, 2 ** 48 - 2, 2 ** 48, 2 ** 53),
    fc.double({ noNaN: true }), fc.constantFrom(-0.5, -0, 0.25),
  );
  const tableArb = fc.integer({ min: 1, max: 4 }).chain((k) => fc.array(fc.array(keyArb, { minLength: k, maxLength: k }), { maxLength: 60 }));
  fc.assert(fc.property(tableArb, (rows) => {
    const cols = rows.length ? rows[0].map((_, c) => Float64Array.from(rows, (r) => r[c])) : [];
    const want = rows.map((_, i) => i).sort((a, b) => {
      for (const col of cols) if (col[a] !== col[b]) return col[a] < col[b] ? -1 : 1;
      return a - b;
    });
    const got = [...orderByKeys(cols, rows.length)];
    ok(got.length === want.length && got.every((i, j) => i === want[j]), 'orderByKeys order');
  }), { numRuns: o.numRuns, seed: o.seed });
}
