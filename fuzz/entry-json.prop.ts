// fuzz/ property: the --once --json fast path (lib/kernel/entry-json.ts JsonLine) writes exactly the bytes of
// flowJson(toFlow(entry)) for every entry the decoder accepts, whole or mutated. Imports fast-check,
// node:assert, netlink/, lib/ and ./arbitraries (fuzz/ may import any layer). Also used by the capture tests.
import { strictEqual } from 'node:assert';
import fc from 'fast-check';
import { JsonLine, entryKeyHash } from '../lib/kernel/entry-json.js';
import { StatusNames, toFlow } from '../lib/kernel/to-flow.js';
import { flowJson } from '../lib/flow-json.js';
import { flowKey, flowKeyHash } from '../lib/flow.js';
import { decodeCtEntry, isCtEntryMessage } from '../netlink/ct-decode.js';
import { encodeCtEntryMessage } from '../netlink/ct-request.js';
import { DecodeError } from '../netlink/errors.js';
import { splitMessages, type NlMsg } from '../netlink/message.js';
import { Reader } from '../netlink/reader.js';
import { ctEntryArb, datagramArb, projectForOrder } from './arbitraries.js';
import type { PropOptions } from './harness.js';

const names = new StatusNames();
const line = new JsonLine(names);
const utf8 = new TextDecoder();

/**
 * Checks every conntrack message of `bytes` the decoder accepts: JsonLine's bytes equal flowJson(toFlow(e))
 * as UTF-8. Returns how many entries were checked; framing errors and rejected entries check nothing.
 */
export function checkEntryJson(bytes: Uint8Array): number {
  const r = new Reader(bytes);
  let msgs: NlMsg[];
  try {
    msgs = splitMessages(r);
  } catch (e) {
    if (e instanceof DecodeError) return 0;
    throw e;
  }
  let n = 0;
  for (const m of msgs) {
    if (!isCtEntryMessage(m)) continue;
    let e;
    try {
      e = decodeCtEntry(r, m);
    } catch (err) {
      if (err instanceof DecodeError) continue;
      throw err;
    }
    line.write(e);
    const want = flowJson(toFlow(e, names));
    strictEqual(utf8.decode(line.buf.subarray(0, line.len)), want);
    strictEqual(Buffer.byteLength(want), line.len, 'UTF-8 length');
    n++;
  }
  return n;
}

/** Entries of every shape, encoded as the kernel sends them, or mutated by one byte: the fast JSON equals flowJson. */
export function propEntryJsonMatchesFlowJson({ numRuns, seed }: PropOptions): void {
  const encoded = ctEntryArb.map((e) => encodeCtEntryMessage(projectForOrder(e, 'dump'), { flags: 2, seq: 1, pid: 1 }, 'dump'));
  const flipped = fc.tuple(encoded, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, at, x]) => {
    const c = b.slice();
    const i = 16 + (at % Math.max(1, c.length - 16)); // after the nlmsghdr: the framing stays intact
    if (i < c.length) c[i] ^= x;
    return c;
  });
  fc.assert(fc.property(fc.oneof(encoded, flipped, datagramArb), (bytes) => void checkEntryJson(bytes)), { numRuns, seed });
}

/** The identity fingerprint follows flowKey: copies with equal keys hash equal (whatever else changed). */
export function propEntryKeyHashFollowsFlowKey({ numRuns, seed }: PropOptions): void {
  fc.assert(fc.property(ctEntryArb, ctEntryArb, (a, b) => {
    const same = { ...b, id: a.id, zone: a.zone, protoNum: a.protoNum, orig: a.orig };
    strictEqual(entryKeyHash(same), entryKeyHash(a), 'equal keys, equal fingerprints');
    if (flowKey(toFlow(a)) === flowKey(toFlow(b))) strictEqual(entryKeyHash(a), entryKeyHash(b));
    // The text table hashes Flows, the JSON path entries: one flow, one fingerprint either way.
    strictEqual(flowKeyHash(toFlow(a)), entryKeyHash(a), 'a Flow hashes as its entry');
  }), { numRuns, seed });
}
