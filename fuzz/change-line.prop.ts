// fuzz/ property of the --events line writer: lib/change-line.ts's bytes equal changeJson's text (lib/events-output.ts)
// for any live row, every change kind and reason, with or without enrich, and for any flow the decoder makes.
// Imports fast-check, node:assert, lib/ and ./ files.
import { strictEqual } from 'node:assert';
import fc from 'fast-check';
import { ChangeLine } from '../lib/change-line.js';
import type { Enricher } from '../lib/enrich/index.js';
import { changeJson } from '../lib/events-output.js';
import { toFlow } from '../lib/kernel/index.js';
import { ctEntryArb } from './arbitraries.js';
import type { PropOptions } from './harness.js';
import { rowArb } from './row-arbitraries.js';

const kinds = fc.constantFrom('new' as const, 'update' as const, 'destroy' as const);
const reasons = fc.constantFrom('destroy' as const, 'gone' as const);
/** Names that need escaping or are not ASCII, where the writer leaves its byte-by-byte path. */
const oddText = fc.oneof(fc.string(), fc.constantFrom('"q"', 'a\\b', '\u0001', '\u007f', 'é', '😀', '\ud800', ''));
const odd = fc.record({
  helper: fc.option(oddText, { nil: null }), state: fc.option(oddText, { nil: null }), proto: oddText,
  secctx: fc.option(oddText, { nil: undefined }), host: fc.option(oddText, { nil: undefined }), startNs: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String), { nil: undefined }),
  saturated: fc.boolean(), firstSeenMs: fc.double(), lastChangeMs: fc.double(), ageSource: fc.constantFrom('kernel' as const, 'first-seen' as const),
});

/** ChangeLine.write(c) decodes to changeJson(c) for any row (its flow, or a decoded entry's) and change. */
export function propChangeLineMatchesChangeJson(o: PropOptions): void {
  const line = new ChangeLine(); // reused across runs, as EventsOutput does
  const decoder = new TextDecoder();
  fc.assert(fc.property(rowArb, fc.option(ctEntryArb), fc.option(odd), kinds, reasons, fc.double(), (row, entry, o, kind, reason, atMs) => {
    if (!row.live) return;
    let flow = entry ? toFlow(entry) : row.live.flow;
    let live = { ...row.live, flow, closed: kind === 'destroy' ? { atMs, reason } : null };
    if (o) {
      const counters = flow.counters && { ...flow.counters, ...(o.saturated ? { saturated: true as const } : {}) };
      flow = { ...flow, helper: o.helper, state: o.state, proto: o.proto, secctx: o.secctx, host: o.host, startNs: o.startNs, stopNs: o.startNs, counters, master: flow.orig };
      live = { ...live, flow, firstSeenMs: o.firstSeenMs, lastChangeMs: o.lastChangeMs, ageSource: o.ageSource };
    }
    const enricher = row.enrich ? ({ enrich: () => row.enrich } as unknown as Enricher) : null;
    const c = { kind, live, flow };
    line.write(c, enricher?.enrich(flow));
    strictEqual(decoder.decode(line.buf.subarray(0, line.len)), changeJson(c, enricher));
  }), { numRuns: o.numRuns, seed: o.seed });
}
