// fuzz/ property: the server's snapshot writer (lib/flow-json-writer.ts JsonBytes) writes exactly the bytes of
// flowJson(f) for any flow the decoder makes, and for flows whose text fields hold any string (a client
// re-serialises what a server sent). Imports fast-check, node:assert, lib/ and ./arbitraries.
import { strictEqual } from 'node:assert';
import fc from 'fast-check';
import { flowJson } from '../lib/flow-json.js';
import { JsonBytes } from '../lib/flow-json-writer.js';
import type { Flow } from '../lib/flow.js';
import { toFlow } from '../lib/kernel/to-flow.js';
import { ctEntryArb } from './arbitraries.js';
import type { PropOptions } from './harness.js';

/** Asserts that JsonBytes writes flowJson(f) (also after other flows in the same buffer). */
export function checkFlowJsonBytes(w: JsonBytes, f: Flow): void {
  const at = w.len;
  w.flow(f);
  const want = Buffer.from(flowJson(f), 'utf8'); // bytes, not text: a lone surrogate becomes U+FFFD both ways
  strictEqual(w.buf.subarray(at, w.len).toString('hex'), want.toString('hex'), flowJson(f));
}

const text = fc.string({ unit: 'binary', maxLength: 12 });
const num = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.double({ noNaN: true }), fc.integer({ min: -5, max: 5 }));

/** Decoded flows, and the same with odd strings and numbers in their fields, written by JsonBytes, equal flowJson. */
export function propFlowJsonWriterMatchesFlowJson(o: PropOptions): void {
  const w = new JsonBytes(64);
  fc.assert(fc.property(ctEntryArb, fc.option(fc.record({ src: text, host: text, state: text, helper: text, secctx: text, startNs: text, status: fc.array(text, { maxLength: 3 }), mark: num, bytes: num, sport: num })), (e, odd) => {
    if (w.len > 4096) w.take();
    const f = toFlow(e);
    checkFlowJsonBytes(w, f);
    if (!odd) return;
    checkFlowJsonBytes(w, {
      ...f, orig: { ...f.orig, src: odd.src, sport: odd.sport }, state: odd.state, host: odd.host, helper: odd.helper, secctx: odd.secctx, startNs: odd.startNs,
      status: odd.status, mark: odd.mark, counters: { orig: { packets: 1, bytes: odd.bytes }, reply: { packets: 0, bytes: 0 }, saturated: true },
    });
  }), { numRuns: o.numRuns, seed: o.seed });
}
