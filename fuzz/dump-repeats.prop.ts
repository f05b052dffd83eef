// fuzz/ property: DumpRepeats (lib/dump-repeats.ts), the --once duplicate check, against a model: a Set of
// (id, fingerprint) pairs. Ids and fingerprints are drawn from small pools (so ids are shared by distinct flows,
// and ids differ only in high bits) plus the edges, over sequences long enough to grow the table.
import { strictEqual } from 'node:assert';
import fc from 'fast-check';
import { DumpRepeats } from '../lib/dump-repeats.js';
import type { PropOptions } from './harness.js';

const idArb = fc.oneof(
  fc.constantFrom(0, 1, 5, 0xffffffff, 0x80000000, 5 + 2 ** 30, 5 + 2 ** 31),
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const hashArb = fc.oneof(fc.constantFrom(0, 1, 2 ** 30 - 1), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 ** 30 - 1 }));

export function propDumpRepeatsMatchesModel(o: PropOptions): void {
  fc.assert(fc.property(fc.array(fc.tuple(idArb, hashArb), { maxLength: 3000, size: 'large' }), (copies) => {
    const r = new DumpRepeats();
    const seen = new Set<string>();
    for (const [id, hash] of copies) {
      const key = `${id} ${hash}`;
      strictEqual(r.repeated(id, hash), seen.has(key), `copy (${key})`);
      seen.add(key);
    }
  }), o);
}
