// fuzz/ (property tests): the filter language. Parsing any text never throws; every canonical tree prints to text
// that parses back to the same tree (and printing is a fixed point); compiled predicates never throw on any row,
// and a row never matches both a filter and its negation (three-valued logic keeps unknowns out of both).
// Imports fast-check, lib/filter-expr.ts and ./filter-arbitraries.ts.
import { deepStrictEqual } from 'node:assert';
import fc from 'fast-check';
import { formatIPv6, parseIPv4, parseIPv6 } from '../lib/enrich/addr-class.js';
import { compileFilter, parseFilter, printFilter } from '../lib/filter-expr.js';
import { addrInto } from '../lib/ip-prefix.js';
import { addressTextArb, exprArb, filterTextArb, rowArb } from './filter-arbitraries.js';
import type { PropOptions } from './harness.js';

/** parseFilter returns a result (never throws) for any string, and an error's position lies within the text. */
export function propFilterParseNeverThrows(o: PropOptions): void {
  fc.assert(fc.property(filterTextArb, (s) => {
    const r = parseFilter(s);
    if (!r.ok && !(r.error.pos >= 0 && r.error.pos <= s.length && r.error.pos + (r.error.len ?? 0) <= s.length)) {
      throw new Error(`error position ${r.error.pos}+${r.error.len} outside a ${s.length}-character filter`);
    }
    if (!r.ok && r.error.code === 'INTERNAL') throw new Error(`internal error: ${r.error.message}`);
    if (r.ok) printFilter(r.expr);
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** parse(print(e)) equals e, and print(parse(print(e))) equals print(e). */
export function propFilterRoundTrip(o: PropOptions): void {
  fc.assert(fc.property(exprArb, (e) => {
    const text = printFilter(e);
    const r = parseFilter(text);
    if (!r.ok) throw new Error(`printed ${JSON.stringify(text)} does not parse: ${r.error.code} at ${r.error.pos}`);
    deepStrictEqual(r.expr, e);
    deepStrictEqual(printFilter(r.expr), text);
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** Compiled predicates return booleans on any row, and never match a row together with their negation. */
export function propFilterMatchTotal(o: PropOptions): void {
  fc.assert(fc.property(exprArb, fc.array(rowArb, { minLength: 1, maxLength: 5 }), (e, rows) => {
    const yes = compileFilter(e);
    const no = compileFilter({ kind: 'not', item: e });
    const yesOrUnknown = compileFilter(e, { unknownMatches: true });
    for (const row of rows) {
      const a = yes(row), b = no(row), c = yesOrUnknown(row);
      if (typeof a !== 'boolean' || typeof c !== 'boolean') throw new Error('a predicate returned a non-boolean');
      if (a && b) throw new Error('a row matches a filter and its negation');
      if (a && !c) throw new Error('unknownMatches lost a definite match');
      if (!a && !b && !c) throw new Error('a row is neither matched, unmatched-by-negation, nor unknown');
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}

/**
 * IPv6 text to groups as RFC 4291 §2.2 reads it, split by `::` and `:` with a pattern per group: the oracle
 * that parseIPv6 and addrInto (both one character scan, addr-order's parse6Into) are held to.
 */
function parseIPv6Spec(input: string): number[] | null {
  const pct = input.indexOf('%');
  const s = pct >= 0 ? input.slice(0, pct) : input;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  // An IPv4 part may only end the address, so never the part before `::`.
  const parsePart = (part: string, v4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (v4Tail && i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  if (dbl < 0) {
    const all = parsePart(s, true);
    return all === null || all.length !== 8 ? null : all;
  }
  const head = parsePart(s.slice(0, dbl), false);
  const tail = parsePart(s.slice(dbl + 2), true);
  if (head === null || tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** addrInto (lib/ip-prefix.ts) and parseIPv4/parseIPv6 (addr-class) agree with each other and with the RFC's reading. */
export function propAddrIntoMatchesParse(o: PropOptions): void {
  const g = new Uint16Array(8);
  fc.assert(fc.property(addressTextArb, (s) => {
    const ok = addrInto(s, g);
    if (!s.includes(':')) {
      const v4 = parseIPv4(s);
      if (ok !== (v4 !== null)) throw new Error(`addrInto ${ok}, parseIPv4 ${v4}`);
      return;
    }
    const want = parseIPv6(s);
    const spec = parseIPv6Spec(s);
    if ((want === null) !== (spec === null) || (want && spec && want.join() !== spec.join())) {
      throw new Error(`parseIPv6 ${want && formatIPv6(want)}, RFC reading ${spec && spec.join(':')}`);
    }
    if (ok !== (want !== null)) throw new Error(`addrInto ${ok}, parseIPv6 ${want && formatIPv6(want)}`);
    if (ok && want && formatIPv6(g) !== formatIPv6(want)) throw new Error(`addrInto ${formatIPv6(g)}, parseIPv6 ${formatIPv6(want)}`);
  }), { numRuns: o.numRuns, seed: o.seed });
}
