// fuzz/ property: the server's line framer and message validator (server/line-framer.ts,
// server/protocol-check.ts) for any chunking, any bytes and any JSON: lines come out exactly as sent,
// nothing over the cap is ever held or emitted, and validation never throws. Imports fast-check and server/.
import { deepStrictEqual, ok } from 'node:assert';
import fc from 'fast-check';
import { LineFramer } from '../server/line-framer.js';
import { checkClientMessage, checkServerMessage, parseJson } from '../server/protocol-check.js';
import type { PropOptions } from './harness.js';

/** Cuts `bytes` at the given fractions (sorted, deduplicated) into chunks. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

const CAP = 256;
const lineArb = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\n') && !s.includes('\r'));
const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 });

/** Any lines under the cap, cut anywhere: the framer yields exactly the non-blank lines, in order. */
export function propFramerAnyChunking({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 30 }), cutsArb, fc.boolean(), (lines, cuts, crlf) => {
      const text = lines.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join('');
      const got: string[] = [];
      let err: string | null = null;
      const f = new LineFramer(64 * 1024, (l) => got.push(l), (e) => (err = e));
      for (const c of chunk(Buffer.from(text, 'utf8'), cuts)) f.push(c);
      deepStrictEqual(err, null);
      deepStrictEqual(got, lines.filter((l) => l.length > 0));
      deepStrictEqual(f.end(), false);
    }),
    { numRuns, seed },
  );
}

/** Any bytes, cut anywhere: no throw, held bytes never over the cap, no emitted line over it, one error at most. */
export function propFramerAnyBytes({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), cutsArb, (bytes, cuts) => {
      let errors = 0;
      const f = new LineFramer(CAP, (l) => ok(Buffer.byteLength(l) <= CAP), () => errors++);
      for (const c of chunk(Buffer.from(bytes), cuts)) {
        f.push(c);
        ok(f.pendingBytes <= CAP);
      }
      ok(errors <= 1);
      f.end();
    }),
    { numRuns, seed },
  );
}

/** Any JSON value or text: validation never throws, and what passes re-validates after a round trip. */
export function propValidatorAnyJson({ numRuns, seed }: PropOptions): void {
  const valueArb = fc.oneof(
    fc.jsonValue(),
    fc.string(),
    fc.record({ type: fc.constantFrom('hello', 'auth', 'heartbeat', 'resync', 'bye', 'new', 'update', 'destroy', 'flows', 'refresh', '__proto__', 'constructor'), rest: fc.jsonValue() })
      .map(({ type, rest }) => (typeof rest === 'object' && rest !== null && !Array.isArray(rest) ? { ...rest, type } : { type })),
  );
  fc.assert(
    fc.property(valueArb, (v) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      for (const check of [checkClientMessage, checkServerMessage]) {
        const c = check(parseJson(text));
        if (c.ok) ok(check(JSON.parse(JSON.stringify(c.msg))).ok);
        else ok(c.code === 'bad-json' || c.code === 'bad-message');
      }
    }),
    { numRuns, seed },
  );
}
