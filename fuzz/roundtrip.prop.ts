// fuzz/ property (b): decode(encode(x)) equals x for any model CtEntry in each kernel order, and
// encode/decode/encode is byte-stable; the same for the statistics replies. Imports fast-check,
// node:assert, netlink/ and ./arbitraries.
import { deepStrictEqual } from 'node:assert';
import fc from 'fast-check';
import { ctKindOf, decodeCtEntry } from '../netlink/ct-decode.js';
import { encodeCtEntryMessage } from '../netlink/ct-request.js';
import { decodeCpuStats, decodeGlobalStats, encodeCpuStatsReply, encodeGlobalStatsReply } from '../netlink/ct-stats.js';
import { splitMessages } from '../netlink/message.js';
import type { CtEntry } from '../netlink/ct-entry.js';
import { Reader } from '../netlink/reader.js';
import { orderedEntryArb } from './arbitraries.js';
import type { PropOptions } from './harness.js';

const hdrArb = fc.record({ seq: fc.nat(), pid: fc.nat(), flags: fc.constantFrom(0, 0x2, 0x22, 0x600) });

/** The fields of every decoded entry, in order: those of the smallest entry the decoder accepts. */
const ENTRY_FIELDS = ((): string[] => {
  const tuple = { src: '10.0.0.1', dst: '10.0.0.2' };
  const r = new Reader(encodeCtEntryMessage({ family: 2, protoNum: 1, orig: tuple, reply: tuple, status: 0 }, { seq: 0, pid: 0, flags: 0 }, 'dump'));
  return Object.keys(decodeCtEntry(r, splitMessages(r)[0]));
})();

/** `e` without its undefined fields: what the model entry it was encoded from holds. */
const present = (e: CtEntry): CtEntry => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as CtEntry;

/** decode(encode(x)) deep-equals x, the message kind follows type and flags, and re-encoding is byte-identical. */
export function propEntryRoundTrip({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(orderedEntryArb, hdrArb, ({ entry, order }, hdr) => {
      const bytes = encodeCtEntryMessage(entry, hdr, order);
      const r = new Reader(bytes);
      const msgs = splitMessages(r);
      deepStrictEqual(msgs.length, 1);
      const back = decodeCtEntry(r, msgs[0]);
      // The decoder's entries carry every field, undefined when its attribute was absent (one object shape).
      deepStrictEqual(Object.keys(back), ENTRY_FIELDS);
      deepStrictEqual(present(back), entry);
      if (order === 'destroy') deepStrictEqual(ctKindOf(msgs[0], false), 'destroy');
      deepStrictEqual(encodeCtEntryMessage(back, { ...hdr, type: msgs[0].type }, order), bytes);
    }),
    { numRuns, seed },
  );
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const cpuCounters = fc.record(
  { found: u32, invalid: u32, insert: u32, insert_failed: u32, drop: u32, early_drop: u32, error: u32, search_restart: u32, clash_resolve: u32, chain_toolong: u32, searched: u32 },
  { requiredKeys: [], noNullPrototype: true },
);

/** GET_STATS and GET_STATS_CPU replies decode back to what was encoded. */
export function propStatsRoundTrip({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(
      fc.record({ entries: u32, maxEntries: u32 }, { requiredKeys: ['entries'], noNullPrototype: true }),
      fc.record({ cpu: fc.integer({ min: 0, max: 0xffff }), counters: cpuCounters }, { noNullPrototype: true }),
      (g, c) => {
        const gb = encodeGlobalStatsReply(g, 1, 2);
        const gr = new Reader(gb);
        deepStrictEqual(decodeGlobalStats(gr, splitMessages(gr)[0]), g);
        const cb = encodeCpuStatsReply(c, 1, 2);
        const cr = new Reader(cb);
        deepStrictEqual(decodeCpuStats(cr, splitMessages(cr)[0]), c);
      },
    ),
    { numRuns, seed },
  );
}
